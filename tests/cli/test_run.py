"""The ``qiskit-myprovider`` command line: in-process through ``main()``, end to end as ``-m``."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result
from rich.console import Console

from qiskit_myprovider import MyProvider, cli
from qiskit_myprovider.exceptions import SimulationError
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor
from tests.conftest import Gate, bell_circuit

ROOT = Path(__file__).resolve().parent.parent
BELL = ROOT / "examples" / "bell.qasm"
GHZ = ROOT / "examples" / "ghz.qasm"
NOISY = "myprovider_noisy_simulator"
SUMMARY_KEYS = {"job_id", "backend", "shots", "status", "name", "tags", "counts", "time_taken"}
BAD_QASM2 = "OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n"
BAD_QASM3 = "OPENQASM 3.0;\nqubit q;\nfoo q;\n"
NO_MEASURE = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n'
PARAMETRIC = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\n'
    "qubit q;\nbit c;\nrx(theta) q;\nc = measure q;\n"
)


@pytest.fixture(autouse=True)
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as it is when piped: no colours, no terminal width."""
    for name in ("FORCE_COLOR", "COLUMNS", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``cli.main`` with string arguments; return (exit status, stdout, stderr)."""

    def call(*argv: object) -> tuple[int, str, str]:
        code = cli.main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def use_provider(
    monkeypatch: pytest.MonkeyPatch, simulate: Callable[[SimulationTask], Result]
) -> None:
    """Make the CLI's provider run its jobs with ``simulate`` (a slow, gated or failing one)."""
    monkeypatch.setattr(
        cli,
        "_open_provider",
        lambda: MyProvider(store=":memory:", executor=ThreadExecutor(run=simulate)),
    )


def write(tmp_path: Path, text: str, name: str = "circuit.qasm") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def table_rows(out: str) -> list[tuple[str, int]]:
    return [(m[1], int(m[2])) for m in re.finditer(r"^([01 ]+?)\s{2,}(\d+)\s+0\.\d{4}", out, re.M)]


# -- run: success -----------------------------------------------------------------------


def test_run_prints_the_counts_of_an_openqasm2_file_as_a_table(run: Run) -> None:
    code, out, err = run("run", BELL, "--seed", 7)
    assert (code, err) == (0, "")
    rows = table_rows(out)
    assert {bits for bits, _ in rows} == {"00", "11"}
    assert sum(count for _, count in rows) == 1024
    assert "Outcome" in out
    assert "Probability" in out
    assert "█" in out
    assert "\x1b[" not in out  # piped output carries no escape codes


def test_run_reads_openqasm3_and_json_has_the_pinned_keys(run: Run) -> None:
    code, out, err = run("run", GHZ, "--json", "--shots", 300, "--seed", 1)
    assert (code, err) == (0, "")
    summary = json.loads(out)  # exactly one JSON object, nothing else on stdout
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "DONE"
    assert summary["backend"] == "myprovider_simulator"
    assert summary["shots"] == 300
    assert set(summary["counts"]) <= {"00000", "11111"}
    assert sum(summary["counts"].values()) == 300
    assert uuid.UUID(summary["job_id"])
    assert summary["time_taken"] > 0


def test_run_passes_name_tags_and_backend_to_the_job(run: Run) -> None:
    code, out, _ = run(
        "run", BELL, "--json", "--backend", "myprovider_statevector",
        "--name", "bell-test", "--tag", "a", "--tag", "b",
    )  # fmt: skip
    summary = json.loads(out)
    assert code == 0
    assert summary["backend"] == "myprovider_statevector"
    assert summary["name"] == "bell-test"
    assert summary["tags"] == ["a", "b"]


def test_the_same_seed_gives_the_same_counts(run: Run) -> None:
    first = json.loads(run("run", GHZ, "--json", "--seed", 11)[1])
    second = json.loads(run("run", GHZ, "--json", "--seed", 11)[1])
    assert first["counts"] == second["counts"]


def test_outcomes_are_sorted_by_count_then_bitstring(run: Run) -> None:
    code, out, _ = run("run", GHZ, "--backend", NOISY, "--seed", 3, "--top", 0)
    rows = table_rows(out)
    assert code == 0
    assert len(rows) > 2  # noise spreads the GHZ over more outcomes
    assert rows == sorted(rows, key=lambda row: (-row[1], row[0]))

    summary = json.loads(run("run", GHZ, "--backend", NOISY, "--seed", 3, "--json")[1])
    assert list(summary["counts"].items()) == rows


def test_top_limits_the_rows_and_says_how_many_are_hidden(run: Run) -> None:
    code, out, _ = run("run", GHZ, "--backend", NOISY, "--seed", 3, "--top", 1)
    rows = table_rows(out)
    assert code == 0
    assert len(rows) == 1
    assert re.search(r"\.\.\. \d+ more outcomes with \d+ shots", out)


def test_qasm2_includes_resolve_next_to_the_file(run: Run, tmp_path: Path) -> None:
    write(tmp_path, "gate bell a, b { h a; cx a, b; }\n", "mygates.inc")
    path = write(
        tmp_path,
        'OPENQASM 2.0;\ninclude "qelib1.inc";\ninclude "mygates.inc";\n'
        "qreg q[2];\ncreg c[2];\nbell q[0], q[1];\nmeasure q -> c;\n",
    )
    code, out, _ = run("run", path, "--json")
    assert code == 0
    assert set(json.loads(out)["counts"]) <= {"00", "11"}


def test_run_reads_stdin_for_dash(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(BELL.read_text()))
    code, out, _ = run("run", "-", "--json")
    assert code == 0
    assert set(json.loads(out)["counts"]) <= {"00", "11"}


# 'run --no-wait' end to end (the runner process, 'jobs' from other processes) is in
# test_cli_runner.py; here, what the command itself prints.


@pytest.fixture
def file_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "jobs.sqlite3"
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(path))
    return path


def test_no_wait_prints_only_the_job_id(run: Run, file_store: Path) -> None:
    code, out, err = run("run", BELL, "--no-wait")
    assert (code, err) == (0, "")
    assert uuid.UUID(out.strip())
    assert out.count("\n") == 1
    with MyProvider(store=file_store) as provider:
        assert provider.job(out.strip()).result(timeout=60).get_counts()


def test_no_wait_json_prints_the_pinned_keys_and_no_counts_yet(run: Run, file_store: Path) -> None:
    code, out, _ = run("run", BELL, "--no-wait", "--json", "--tag", "later")
    summary = json.loads(out)
    assert code == 0
    assert set(summary) >= SUMMARY_KEYS
    assert summary["tags"] == ["later"]
    assert summary["counts"] is None  # the runner hands the job over as soon as it is queued
    with MyProvider(store=file_store) as provider:
        assert provider.job(summary["job_id"]).result(timeout=60).get_counts()


def test_no_wait_refuses_an_in_memory_store_in_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", ":memory:")
    code, out, err = run("run", BELL, "--no-wait")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("error: --no-wait needs a job store that other processes can read")
    assert "':memory:'" in err


def test_no_wait_reports_a_mistake_in_the_file_without_starting_a_runner(
    run: Run, file_store: Path, tmp_path: Path
) -> None:
    code, _, err = run("run", write(tmp_path, BAD_QASM2), "--no-wait")
    assert code == 2
    assert re.fullmatch(r"error: .* is not valid OpenQASM 2: line 3.*\n", err)
    assert not file_store.exists()


def test_no_wait_passes_on_the_runners_one_line_error(run: Run, file_store: Path) -> None:
    code, out, err = run("run", BELL, "--no-wait", "--backend", "nope")
    assert (code, out) == (2, "")
    assert re.fullmatch(r"error: No backend named 'nope'\. Available backends: .*\n", err)


# -- run: mistakes and failures ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make_args", "expected"),
    [
        (lambda tmp: ["run", tmp / "missing.qasm"], "no such file"),
        (lambda tmp: ["run", tmp], "is a directory"),
        (lambda tmp: ["run", write(tmp, BAD_QASM2)], r"not valid OpenQASM 2: line 3.*'foo'"),
        (lambda tmp: ["run", write(tmp, BAD_QASM3)], r"not valid OpenQASM 3: line 3.*'foo'"),
        (lambda tmp: ["run", write(tmp, "OPENQASM 4.0;\n")], "reads OpenQASM 2 and 3"),
        (lambda tmp: ["run", write(tmp, NO_MEASURE)], "measures nothing"),
        (lambda tmp: ["run", write(tmp, PARAMETRIC)], r"parameters without values \(theta\)"),
        (lambda tmp: ["run", BELL, "--backend", "nope"], r"'nope'.*myprovider_statevector"),
        (lambda tmp: ["run", BELL, "--shots", 0], "--shots: must be a positive integer"),
        (lambda tmp: ["run", BELL, "--shots", "many"], "--shots: must be an integer"),
        (lambda tmp: ["run", BELL, "--shots", 10**10], "shots must be between 1 and"),
        (lambda tmp: ["run", BELL, "--seed", -1], "--seed: must be a non-negative integer"),
        (lambda tmp: ["run"], "required: FILE"),
        (lambda tmp: ["launch"], "invalid choice: 'launch'"),
        (lambda tmp: [], "required: COMMAND"),
    ],
    ids=[
        "missing-file", "directory", "bad-qasm2", "bad-qasm3", "qasm4", "no-measure", "unbound",
        "unknown-backend", "zero-shots", "text-shots", "too-many-shots", "negative-seed",
        "no-file", "unknown-command", "no-command",
    ],
)  # fmt: skip
def test_a_user_mistake_is_one_error_line_and_exit_status_2(
    run: Run, tmp_path: Path, make_args: Callable[[Path], list[object]], expected: str
) -> None:
    code, out, err = run(*make_args(tmp_path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert re.search(expected, err)
    assert "Traceback" not in err


def test_debug_shows_the_traceback_before_or_after_the_command(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.qasm"
    for argv in (["--debug", "run", missing], ["run", missing, "--debug"]):
        code, _, err = run(*argv)
        assert code == 2
        assert "Traceback" in err
        assert err.rstrip().endswith(f"error: no such file: {missing}")


def failing_simulation(task: SimulationTask) -> Result:
    raise SimulationError("Simulation failed: insufficient memory (test)")


def test_a_failed_job_exits_1_with_its_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_provider(monkeypatch, failing_simulation)
    code, out, err = run("run", BELL)
    assert (code, out) == (1, "")
    assert re.fullmatch(r"error: job [0-9a-f-]{36} failed: .*insufficient memory \(test\)\n", err)


def test_a_failed_job_with_json_still_prints_its_object(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_provider(monkeypatch, failing_simulation)
    code, out, err = run("run", BELL, "--json")
    summary = json.loads(out)
    assert code == 1
    assert summary["status"] == "ERROR"
    assert summary["counts"] is None
    assert "insufficient memory" in summary["error"]
    assert err.startswith("error: job ")


def test_an_unexpected_error_is_one_line_that_points_at_debug(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> MyProvider:
        raise RuntimeError("something internal")

    monkeypatch.setattr(cli, "_open_provider", broken)
    code, _, err = run("run", BELL)
    assert code == 1
    assert err == (
        "error: unexpected RuntimeError: something internal (run with --debug for the traceback)\n"
    )


def test_ctrl_c_while_waiting_cancels_the_job_and_exits_130(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    use_provider(monkeypatch, gate.run)

    def interrupted(job: object, err: object, **kwargs: object) -> None:
        gate.wait_started()
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_wait_for_job", interrupted)
    try:
        code, out, err = run("run", BELL)
    finally:
        gate.open()
    assert (code, out) == (130, "")
    assert re.fullmatch(r"error: interrupted; job [0-9a-f-]{36} cancelled\n", err)


# -- waiting ------------------------------------------------------------------------------


@pytest.fixture
def gated_job() -> Iterator[tuple[Gate, object]]:
    gate = Gate()
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=gate.run)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        yield gate, job
        gate.open()


def test_waiting_on_a_terminal_shows_a_progress_bar_with_state_and_elapsed_time(
    gated_job: tuple[Gate, object],
) -> None:
    gate, job = gated_job
    gate.wait_started()
    opener = threading.Timer(0.6, gate.open)
    opener.start()
    stream = io.StringIO()
    terminal = Console(file=stream, force_terminal=True, width=120, color_system=None)
    cli._wait_for_job(job, terminal, show_after=0.2)  # type: ignore[arg-type]
    opener.join()
    shown = stream.getvalue()
    assert job.status() is JobStatus.DONE  # type: ignore[attr-defined]
    assert f"Job {job.job_id()}" in shown  # type: ignore[attr-defined]
    assert re.search(r"━ RUNNING · \d+\.\d s", shown)
    assert "\x1b[?25h" in shown  # the cursor is shown again


def test_waiting_without_a_terminal_shows_nothing(gated_job: tuple[Gate, object]) -> None:
    gate, job = gated_job
    gate.wait_started()
    opener = threading.Timer(0.3, gate.open)
    opener.start()
    stream = io.StringIO()
    cli._wait_for_job(job, Console(file=stream), show_after=0.0)  # type: ignore[arg-type]
    opener.join()
    assert stream.getvalue() == ""


# -- backends ------------------------------------------------------------------------------


def test_backends_lists_every_backend_with_its_properties(run: Run) -> None:
    code, out, err = run("backends")
    assert (code, err) == (0, "")
    header = out.splitlines()[0].split()
    assert header == ["Name", "Method", "Qubits", "Noisy", "Device", "Description"]
    with MyProvider(store=":memory:") as provider:
        for backend in provider.backends():
            line = next(line for line in out.splitlines() if line.startswith(backend.name + " "))
            assert backend.method in line
            assert str(backend.num_qubits) in line
            assert backend.description in line
    assert re.search(r"^myprovider_simulator \*", out, re.M)


def test_backends_json_lists_the_same_backends(run: Run) -> None:
    code, out, _ = run("backends", "--json")
    rows = json.loads(out)
    assert code == 0
    with MyProvider(store=":memory:") as provider:
        assert [row["name"] for row in rows] == [b.name for b in provider.backends()]
    assert {"name", "method", "num_qubits", "noisy", "device", "description"} <= set(rows[0])


# -- end to end ----------------------------------------------------------------------------


def python_m(*argv: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": ":memory:"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )


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
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert any(row["name"] == "myprovider_simulator" for row in json.loads(done.stdout))
