"""Start-up: ``--help``, every sub-command's help and argument mistakes load no Qiskit.

``import qiskit`` loads the transpiler and takes most of a second; a command that only
prints its help must not pay for it. Each check runs in a fresh child interpreter, where
nothing else has imported Qiskit yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider
from tests.cli.conftest import CHILD_TIMEOUT
from tests.conftest import bell_circuit
from tests.support import ROOT, child_env

#: Top-level packages that only a command that runs or reads jobs may load.
HEAVY = ("qiskit", "qiskit_aer", "qiskit_qasm3_import")

#: Run in the child: main(ARGV), then print the exit status and the heavy modules loaded.
PROBE = """
import sys
from qiskit_myprovider.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
print(code, *heavy)
"""


def child(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(":memory:"),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def imported_modules(importtime_log: str) -> list[str]:
    """The modules named in ``python -X importtime`` output."""
    return [
        line.rsplit("|", 1)[1].strip()
        for line in importtime_log.splitlines()
        if line.startswith("import time:") and "|" in line
    ]


def test_python_m_help_imports_no_qiskit() -> None:
    done = child("-X", "importtime", "-m", "qiskit_myprovider", "--help")
    assert done.returncode == 0
    assert "usage: qiskit-myprovider" in done.stdout
    modules = imported_modules(done.stderr)
    assert "qiskit_myprovider.cli.parser" in modules  # the log is the one we think
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["--version"], 0),
        (["run", "--help"], 0),
        (["backends", "--help"], 0),
        (["jobs", "--help"], 0),
        (["jobs", "list", "--help"], 0),
        (["jobs", "show", "--help"], 0),
        (["jobs", "result", "--help"], 0),
        (["jobs", "wait", "--help"], 0),
        (["jobs", "cancel", "--help"], 0),
        (["jobs", "delete", "--help"], 0),
        (["jobs", "prune", "--help"], 0),
        (["jobs"], 2),
        ([], 2),
        (["--store", "x.sqlite3", "jobs"], 2),
        (["jobs", "prune", "--older-than", "soon"], 2),
        (["run"], 2),
        (["run", "x.qasm", "--shots", "0"], 2),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_help_and_argument_mistakes_import_no_qiskit(argv: list[str], code: int) -> None:
    done = child("-c", PROBE.format(heavy=set(HEAVY)), *argv)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(code)  # status, and no heavy module after it


@pytest.mark.parametrize("extra", [[], ["--json"], ["--tag", "b", "--status", "DONE"]])
def test_jobs_list_of_a_store_with_jobs_imports_no_qiskit(tmp_path: Path, extra: list[str]) -> None:
    path = tmp_path / "jobs.sqlite3"
    with MyProvider(store=path, executor="thread") as provider:
        for tags in (["a"], ["a", "b"]):
            provider.get_backend().run(bell_circuit(), shots=10, job_tags=tags).result()
    argv = ["--store", str(path), "jobs", "list", *extra]
    done = child("-c", PROBE.format(heavy=set(HEAVY)), *argv)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "0"  # status 0, and no heavy module after it
    listed = "\n".join(lines[:-1])
    assert listed.count("DONE") == (1 if "--tag" in extra else 2)


def test_importing_the_package_imports_no_qiskit() -> None:
    probe = (
        "import sys, qiskit_myprovider\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))\n"
        "print(qiskit_myprovider.__version__)"
    )
    done = child("-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "[]"
