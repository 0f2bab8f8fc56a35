"""``run --no-wait``: what the command prints, and the runner end to end.

In the end-to-end tests every command runs as ``python -m qiskit_myprovider`` in a fresh
process, on a job store file of its own, as a user would type them one after the other: the
job outlives the command, and other processes follow it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from qiskit import qasm2, transpile
from qiskit.circuit.library import quantum_volume
from qiskit.providers import JobStatus
from rich.console import Console

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli import EXIT_TIMEOUT
from qiskit_myprovider.cli.context import Context
from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.cli.runner import DEFAULT_BACKEND, DEFAULT_SHOTS, recording_failures
from qiskit_myprovider.clock import now
from qiskit_myprovider.store import JobRecord, SQLiteJobStore, owner_is_gone
from tests.cli.conftest import (
    BAD_QASM2,
    BELL,
    CHILD_TIMEOUT,
    Run,
    python_m,
    table_rows,
    write,
)
from tests.support import (
    PATIENCE,
    PROMPT,
    ROOT,
    child_env,
    children_of,
    process_alive,
    wait_until,
)

SUMMARY_KEYS = {"job_id", "backend", "shots", "status", "name", "tags", "counts", "time_taken"}
#: Seconds a runner may take to exit once its job is cancelled or it is killed.
RUNNER_EXIT = 15 * PROMPT

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the runner tests use POSIX signals")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job store file, for this process's ``main()`` and for the children."""
    path = tmp_path / "jobs.sqlite3"
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(path))
    return path


# -- what ``run --no-wait`` prints -------------------------------------------------------


def test_no_wait_prints_only_the_job_id(run: Run, store: Path) -> None:
    code, out, err = run("run", BELL, "--no-wait")
    assert (code, err) == (0, "")
    assert uuid.UUID(out.strip())
    assert out.count("\n") == 1
    with MyProvider(store=store) as provider:
        assert provider.job(out.strip()).result(timeout=PATIENCE).get_counts()


def test_no_wait_json_prints_the_pinned_keys_and_no_counts_yet(run: Run, store: Path) -> None:
    code, out, _ = run("run", BELL, "--no-wait", "--json", "--tag", "later")
    summary = json.loads(out)
    assert code == 0
    assert set(summary) >= SUMMARY_KEYS
    assert summary["tags"] == ["later"]
    assert summary["counts"] is None  # the runner hands the job over as soon as it is queued
    with MyProvider(store=store) as provider:
        assert provider.job(summary["job_id"]).result(timeout=PATIENCE).get_counts()


def test_no_wait_refuses_an_in_memory_store_in_one_line(
    mistake: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", ":memory:")
    err = mistake("run", BELL, "--no-wait")
    assert err.startswith("error: --no-wait needs a job store that other processes can read")
    assert "':memory:'" in err


def test_no_wait_reports_a_mistake_in_the_file_and_leaves_no_store_behind(
    mistake: Callable[..., str], store: Path, tmp_path: Path
) -> None:
    err = mistake("run", write(tmp_path, BAD_QASM2), "--no-wait")
    assert re.fullmatch(r"error: .* is not valid OpenQASM 2: line 3.*\n", err)
    assert not store.exists()


def test_a_backend_the_runner_does_not_know_is_the_jobs_error(run: Run, store: Path) -> None:
    """The command records the job without loading the provider: the runner's refusal is
    the job's ERROR, with the message the command would have printed."""
    code, out, err = run("run", BELL, "--no-wait", "--backend", "nope")
    assert (code, err) == (0, "")
    job_id = out.strip()
    waited = python_m("jobs", "wait", job_id, store=store)
    assert (waited.returncode, waited.stdout) == (1, f"Job {job_id} ERROR\n")
    assert re.search(r"failed: No backend named 'nope'\. Available backends: ", waited.stderr)


def test_the_printed_id_is_in_the_store_the_moment_it_is_printed(run: Run, store: Path) -> None:
    code, out, _ = run("run", BELL, "--no-wait", "--json", "--name", "now", "--shots", 77)
    summary = json.loads(out)
    assert code == 0
    records = SQLiteJobStore(store)  # read at once, as any other process would
    try:
        record = records.get(summary["job_id"])
    finally:
        records.close()
    assert (record.name, record.options["shots"], record.backend_name) == (
        "now",
        77,
        "myprovider_simulator",
    )
    assert summary["status"] == "INITIALIZING"  # the runner has not run it yet
    assert (summary["shots"], summary["backend"]) == (77, "myprovider_simulator")
    with MyProvider(store=store) as provider:
        assert (
            sum(provider.job(summary["job_id"]).result(timeout=PATIENCE).get_counts().values())
            == 77
        )


def test_the_recorded_defaults_are_the_providers() -> None:
    """The command records backend and shots without asking the provider: they must agree."""
    with MyProvider(store=":memory:") as provider:
        assert provider.get_backend().name == DEFAULT_BACKEND
        assert {backend.options.shots for backend in provider.backends()} == {DEFAULT_SHOTS}


# -- the runner, end to end ----------------------------------------------------------------


def qv_file(tmp_path: Path, qubits: int, depth: int) -> Path:
    """A quantum-volume circuit as OpenQASM 2: about a second of Aer at 20 qubits, depth 10."""
    circuit = quantum_volume(qubits, depth, seed=5)
    circuit.measure_all()
    circuit = transpile(circuit, basis_gates=["cx", "u"], optimization_level=0, seed_transpiler=1)
    path = tmp_path / f"qv{qubits}x{depth}.qasm"
    path.write_text(qasm2.dumps(circuit))
    return path


def runner_owner(store: Path, job_id: str) -> str:
    """The owner token of the job's record: the runner process (``host:pid:start:nonce``)."""
    records = SQLiteJobStore(store)
    try:
        owner = records.get(job_id).owner
    finally:
        records.close()
    assert owner is not None
    return owner


def wait_until_gone(owner: str, timeout: float = PATIENCE) -> None:
    wait_until(lambda: owner_is_gone(owner), what=f"the runner {owner} to exit", timeout=timeout)


def test_the_job_outlives_the_command_and_other_processes_get_its_counts(
    store: Path, tmp_path: Path
) -> None:
    """``run --no-wait`` returns before the job ends; ``jobs wait/result`` see it finish."""
    circuit = qv_file(tmp_path, 20, 10)
    started = python_m(
        "run", circuit, "--no-wait", "--json", "--shots", 50, "--seed", 3, store=store
    )
    assert (started.returncode, started.stderr) == (0, "")
    summary = json.loads(started.stdout)
    job_id = summary["job_id"]
    assert summary["status"] == "INITIALIZING"  # returned before its runner ran it
    assert summary["counts"] is None
    with MyProvider(store=store) as provider:
        assert not provider.job(job_id).in_final_state()  # and it still runs, in its runner

    waited = python_m("jobs", "wait", job_id, store=store)
    assert (waited.returncode, waited.stdout, waited.stderr) == (0, f"Job {job_id} DONE\n", "")

    result = python_m("jobs", "result", job_id, "--json", store=store)
    assert result.returncode == 0
    counts = json.loads(result.stdout)["counts"]
    assert sum(counts.values()) == 50
    assert all(len(bits) == 20 for bits in counts)

    # The runner exits once its job has ended.
    wait_until_gone(runner_owner(store, job_id))


def test_the_plain_output_is_the_job_id_alone(store: Path) -> None:
    started = python_m("run", BELL, "--no-wait", "--name=-dashed-name", "--tag", "t", store=store)
    assert (started.returncode, started.stderr) == (0, "")
    job_id = started.stdout.strip()
    assert started.stdout == f"{uuid.UUID(job_id)}\n"
    shown = json.loads(python_m("jobs", "show", job_id, "--json", store=store).stdout)
    assert (shown["name"], shown["tags"]) == ("-dashed-name", ["t"])


def test_a_circuit_from_stdin_is_handed_to_the_runner(store: Path) -> None:
    started = python_m("run", "-", "--no-wait", "--seed", 1, store=store, stdin=BELL.read_text())
    assert (started.returncode, started.stderr) == (0, "")
    result = python_m("jobs", "result", started.stdout.strip(), "--json", store=store)
    assert set(json.loads(result.stdout)["counts"]) <= {"00", "11"}


def test_jobs_cancel_stops_the_runner_and_its_job(store: Path, tmp_path: Path) -> None:
    """The runner owns the job; ``jobs cancel`` asks it to cancel, and it exits."""
    started = python_m("run", qv_file(tmp_path, 23, 23), "--no-wait", "--shots", 10, store=store)
    job_id = started.stdout.strip()
    owner = runner_owner(store, job_id)

    cancelled = python_m("jobs", "cancel", job_id, store=store)
    assert (cancelled.returncode, cancelled.stdout) == (0, f"Job {job_id} CANCELLED\n")
    shown = python_m("jobs", "show", job_id, "--json", store=store)
    assert json.loads(shown.stdout)["status"] == "CANCELLED"
    wait_until_gone(owner, timeout=RUNNER_EXIT)

    again = python_m("jobs", "cancel", job_id, store=store)
    assert again.returncode == 1
    assert "had already ended (CANCELLED)" in again.stderr


def test_a_runner_that_dies_leaves_a_job_reported_lost(store: Path, tmp_path: Path) -> None:
    started = python_m("run", qv_file(tmp_path, 22, 22), "--no-wait", "--shots", 10, store=store)
    job_id = started.stdout.strip()
    owner = runner_owner(store, job_id)
    wait_until(
        lambda: runner_owner(store, job_id) != owner,
        what="the runner to take the job over",
        timeout=PATIENCE,
    )
    kill_and_expect_lost(store, job_id, runner_owner(store, job_id))


def test_a_runner_killed_right_after_the_hand_over_leaves_a_job_reported_lost(
    store: Path,
) -> None:
    """Killed before it could submit the job (it is still importing): the job is lost."""
    started = python_m("run", BELL, "--no-wait", store=store)
    job_id = started.stdout.strip()
    kill_and_expect_lost(store, job_id, runner_owner(store, job_id))


def kill_and_expect_lost(store: Path, job_id: str, owner: str) -> None:
    os.kill(int(owner.rsplit(":", 3)[1]), 9)
    wait_until_gone(owner, timeout=RUNNER_EXIT)
    result = python_m("jobs", "result", job_id, store=store)
    assert result.returncode == 1
    assert re.fullmatch(rf"error: job {job_id} failed: .*was lost.*\n", result.stderr)


#: How soon a killed runner's workers must be gone.
WORKERS_GONE_WITHIN = 2.0


def test_a_killed_runners_workers_die_with_it(store: Path, tmp_path: Path) -> None:
    """``kill -9`` of a ``run --no-wait`` runner: its simulating workers go at once."""
    started = python_m("run", qv_file(tmp_path, 23, 40), "--no-wait", "--shots", 10, store=store)
    job_id = started.stdout.strip()
    owner = runner_owner(store, job_id)
    pid = int(owner.rsplit(":", 3)[1])
    wait_until(
        lambda: python_m("jobs", "show", job_id, "--json", store=store).stdout.count("RUNNING"),
        what="the runner's job to start",
        timeout=PATIENCE,
    )
    workers = children_of(pid)
    assert workers, "the runner has no worker process"
    os.kill(pid, 9)
    wait_until(
        lambda: not any(process_alive(worker) for worker in workers),
        what="the runner's workers to die with it",
        timeout=WORKERS_GONE_WITHIN,
    )


# -- ``run --timeout``: the job outlives a wait that ran out -------------------------------


def test_timeout_that_runs_out_exits_124_and_the_job_keeps_running(
    run: Run, store: Path, tmp_path: Path
) -> None:
    code, out, err = run("run", qv_file(tmp_path, 23, 23), "--timeout", 0.5, "--json")
    summary = json.loads(out)
    job_id = summary["job_id"]
    assert code == EXIT_TIMEOUT
    assert summary["status"] in {"INITIALIZING", "QUEUED", "RUNNING"}  # in its runner
    assert summary["counts"] is None
    assert re.fullmatch(
        rf"error: job {job_id} keeps running \((INITIALIZING|QUEUED|RUNNING) after 0\.5 s\); "
        rf"follow it with 'qiskit-myprovider jobs wait {job_id}'\n",
        err,
    )
    with MyProvider(store=store) as provider:
        assert not provider.job(job_id).in_final_state()  # still running, in its runner
    owner = runner_owner(store, job_id)
    cancelled = python_m("jobs", "cancel", job_id, store=store)
    assert cancelled.returncode == 0
    wait_until_gone(owner, timeout=RUNNER_EXIT)


def test_timeout_long_enough_prints_the_counts_as_run_does(run: Run, store: Path) -> None:
    code, out, err = run("run", BELL, "--timeout", 10 * PATIENCE, "--seed", 1)
    assert (code, err) == (0, "")
    assert re.match(r"Job [0-9a-f-]{36} on myprovider_simulator: 1024 shots, DONE", out)
    assert {bits for bits, _ in table_rows(out)} == {"00", "11"}


def test_timeout_refuses_an_in_memory_store_in_one_line(mistake: Callable[..., str]) -> None:
    err = mistake("--store", ":memory:", "run", BELL, "--timeout", 5)
    assert err.startswith("error: --timeout needs a job store that other processes can read")


# -- ``run --no-wait`` loads no simulator: the runner does that, once -------------------

#: Run in a child: main(ARGV), then print the exit status and the modules of Aer, the
#: provider, the backend and the engine that were loaded.
NO_AER_PROBE = """
import sys
from qiskit_myprovider.cli import main
code = main(sys.argv[1:])
heavy = {"qiskit_aer", "qiskit_myprovider.provider", "qiskit_myprovider.backend",
         "qiskit_myprovider.engine", "qiskit_myprovider.execution"}
print(code, *sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy))
"""


def test_the_command_that_starts_a_runner_loads_no_simulator(store: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_AER_PROBE, "--store", str(store), "run", BELL, "--no-wait"],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(":memory:"),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    job_id, status_line = done.stdout.splitlines()
    assert status_line == "0"  # and no module of Aer, the provider or the engine after it
    with MyProvider(store=store) as provider:  # the job is in the store, and runs
        assert provider.job(job_id).result(timeout=PATIENCE).get_counts()


def test_the_runner_uses_the_store_given_with_store(run: Run, store: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    code, out, err = run("run", BELL, "--no-wait", "--store", other)
    assert (code, err) == (0, "")
    with MyProvider(store=other) as provider:
        assert provider.job(out.strip()).result(timeout=PATIENCE).get_counts()
    assert not store.exists()  # not the store that the variable names


# -- the runner's refusals and cancels before it has submitted the job ---------------------


def initializing_job(store: Path) -> str:
    """Record a job as ``run --no-wait`` does (INITIALIZING, owned elsewhere); return its id."""
    created = now()
    record = JobRecord(
        job_id=str(uuid.uuid4()),
        backend_name=DEFAULT_BACKEND,
        status=JobStatus.INITIALIZING,
        creation_date=created,
        time_per_step={"CREATED": created},
        owner="elsewhere:1:2:0123456789ab",
    )
    records = SQLiteJobStore(store)
    try:
        records.add(record)
    finally:
        records.close()
    return record.job_id


def stored(store: Path, job_id: str) -> JobRecord:
    records = SQLiteJobStore(store)
    try:
        return records.get(job_id)
    finally:
        records.close()


def runner_context(store: Path) -> Context:
    return Context(out=Console(), err=Console(), debug=False, store=str(store))


def test_sigterm_before_the_job_is_submitted_records_it_cancelled(store: Path) -> None:
    job_id = initializing_job(store)
    with pytest.raises(KeyboardInterrupt), recording_failures(runner_context(store), job_id):
        raise KeyboardInterrupt  # what SIGTERM from 'jobs cancel' becomes in a runner
    record = stored(store, job_id)
    assert (record.status, record.error_message) == (JobStatus.CANCELLED, None)
    assert "CANCELLED" in record.time_per_step


def test_a_refusal_before_the_job_is_submitted_is_its_error(store: Path) -> None:
    job_id = initializing_job(store)
    with (
        pytest.raises(CommandError),
        recording_failures(runner_context(store), job_id),
    ):
        raise CommandError("cannot transpile bell.qasm for backend 'x': too wide")
    record = stored(store, job_id)
    assert record.status is JobStatus.ERROR
    assert record.error_message == "cannot transpile bell.qasm for backend 'x': too wide"


def test_a_job_past_initializing_is_left_as_it_is(store: Path) -> None:
    job_id = initializing_job(store)
    records = SQLiteJobStore(store)
    try:
        records.update(job_id, status=JobStatus.QUEUED)
    finally:
        records.close()
    with pytest.raises(KeyboardInterrupt), recording_failures(runner_context(store), job_id):
        raise KeyboardInterrupt
    assert stored(store, job_id).status is JobStatus.QUEUED
