"""The entry point: how failures are reported, ``python -m`` and the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli import run as run_command
from qiskit_myprovider.cli.app import COMPLETION_VARIABLE
from qiskit_myprovider.cli.errors import EXIT_JOB_FAILED, EXIT_USAGE, CommandError, report_for
from qiskit_myprovider.exceptions import InvalidInputError, StoreError
from tests.cli.conftest import BELL, CHILD_TIMEOUT, Run, python_m
from tests.support import ROOT, child_env


def test_debug_shows_the_traceback_before_or_after_the_command(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.qasm"
    for argv in (["--debug", "run", missing], ["run", missing, "--debug"]):
        code, _, err = run(*argv)
        assert code == 2
        assert "Traceback" in err
        assert err.rstrip().endswith(f"error: no such file: {missing}")


def test_an_unexpected_error_is_one_line_that_points_at_debug(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: object = None) -> MyProvider:
        raise RuntimeError("something internal")

    monkeypatch.setattr(run_command, "open_provider", broken)
    code, _, err = run("run", BELL)
    assert code == 1
    assert err == (
        "error: unexpected RuntimeError: something internal (run with --debug for the traceback)\n"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CommandError("bad", 124), (124, "bad")),
        (KeyboardInterrupt(), (130, "interrupted")),
        (InvalidInputError("shots must be positive"), (EXIT_USAGE, "shots must be positive")),
        (StoreError("disk full\n  (free space)"), (EXIT_JOB_FAILED, "disk full (free space)")),
    ],
    ids=["command-error", "interrupt", "usage", "package-error"],
)  # fmt: skip
def test_each_kind_of_error_has_its_exit_status_and_one_line(
    error: BaseException, expected: tuple[int, str]
) -> None:
    assert report_for(error, debug=False) == expected


def test_python_m_runs_the_ghz_example_end_to_end() -> None:
    done = python_m("run", "examples/ghz.qasm", "--json", "--seed", 2)
    assert (done.returncode, done.stderr) == (0, "")
    summary = json.loads(done.stdout)
    assert summary["status"] == "DONE"
    assert set(summary["counts"]) <= {"00000", "11111"}


def test_python_m_reports_a_mistake_without_a_traceback() -> None:
    done = python_m("run", "examples/missing.qasm")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "error: no such file: examples/missing.qasm\n"


def test_python_m_help_and_version() -> None:
    helped = python_m("--help")
    assert helped.returncode == 0
    assert "run" in helped.stdout
    assert "backends" in helped.stdout
    assert "qiskit-myprovider" in helped.stdout
    versioned = python_m("--version")
    assert versioned.stdout.startswith("qiskit-myprovider ")


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "qiskit-myprovider"
    if not script.exists():
        pytest.skip("the package's console script is not installed next to this interpreter")
    done = subprocess.run(
        [str(script), "backends", "--json"],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0
    assert any(row["name"] == "myprovider_simulator" for row in json.loads(done.stdout))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("qiskit-myprovider jo", {"jobs"}),
        ("qiskit-myprovider jobs ", {"list", "show", "delete", "prune", "--store"}),
        ("qiskit-myprovider jobs prune --o", {"--older-than"}),
        ("qiskit-myprovider run x.qasm --ti", {"--timeout"}),
    ],
)
def test_the_shell_gets_completions_from_argcomplete(
    tmp_path: Path, line: str, expected: set[str]
) -> None:
    pytest.importorskip("argcomplete")
    answer = tmp_path / "completions"
    done = subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider"],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(
            ":memory:",
            {
                COMPLETION_VARIABLE: "1",
                "COMP_LINE": line,
                "COMP_POINT": str(len(line)),
                "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
                "_ARGCOMPLETE_IFS": "\n",
            },
        ),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # A single completion comes with a space after it, for the next word.
    assert expected <= {word.strip() for word in answer.read_text().split("\n")}
