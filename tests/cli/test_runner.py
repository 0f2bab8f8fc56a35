"""``run --no-wait`` end to end: the job outlives the command, and other processes follow it.

Every command runs as ``python -m qiskit_myprovider`` in a fresh process, on a job store file
of its own, as a user would type them one after the other.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from qiskit import qasm2, transpile
from qiskit.circuit.library import quantum_volume

from qiskit_myprovider.store import SQLiteJobStore, owner_is_gone

ROOT = Path(__file__).resolve().parent.parent
BELL = ROOT / "examples" / "bell.qasm"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the runner tests use POSIX signals")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "jobs.sqlite3"


def cli(store: Path, *argv: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": str(store)}
    for name in ("FORCE_COLOR", "COLUMNS", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider", *map(str, argv)],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=ROOT,
        check=False,
    )


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


def wait_until_gone(owner: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not owner_is_gone(owner):
        assert time.monotonic() < deadline, f"the runner {owner} is still alive"
        time.sleep(0.1)


def test_the_job_outlives_the_command_and_other_processes_get_its_counts(
    store: Path, tmp_path: Path
) -> None:
    """``run --no-wait`` returns before the job ends; ``jobs wait/result`` see it finish."""
    circuit = qv_file(tmp_path, 20, 10)
    started = cli(store, "run", circuit, "--no-wait", "--json", "--shots", 50, "--seed", 3)
    assert (started.returncode, started.stderr) == (0, "")
    summary = json.loads(started.stdout)
    job_id = summary["job_id"]
    assert summary["status"] in {"QUEUED", "RUNNING"}  # returned while the job still runs
    assert summary["counts"] is None

    waited = cli(store, "jobs", "wait", job_id)
    assert (waited.returncode, waited.stdout, waited.stderr) == (0, f"Job {job_id} DONE\n", "")

    result = cli(store, "jobs", "result", job_id, "--json")
    assert result.returncode == 0
    counts = json.loads(result.stdout)["counts"]
    assert sum(counts.values()) == 50
    assert all(len(bits) == 20 for bits in counts)

    # The runner exits once its job has ended.
    wait_until_gone(runner_owner(store, job_id))


def test_the_plain_output_is_the_job_id_alone(store: Path) -> None:
    started = cli(store, "run", BELL, "--no-wait", "--name=-dashed-name", "--tag", "t")
    assert (started.returncode, started.stderr) == (0, "")
    job_id = started.stdout.strip()
    assert started.stdout == f"{uuid.UUID(job_id)}\n"
    shown = json.loads(cli(store, "jobs", "show", job_id, "--json").stdout)
    assert (shown["name"], shown["tags"]) == ("-dashed-name", ["t"])


def test_a_circuit_from_stdin_is_handed_to_the_runner(store: Path) -> None:
    started = cli(store, "run", "-", "--no-wait", "--seed", 1, stdin=BELL.read_text())
    assert (started.returncode, started.stderr) == (0, "")
    result = cli(store, "jobs", "result", started.stdout.strip(), "--json")
    assert set(json.loads(result.stdout)["counts"]) <= {"00", "11"}


def test_jobs_cancel_stops_the_runner_and_its_job(store: Path, tmp_path: Path) -> None:
    """The runner owns the job; ``jobs cancel`` asks it to cancel, and it exits."""
    started = cli(store, "run", qv_file(tmp_path, 23, 23), "--no-wait", "--shots", 10)
    job_id = started.stdout.strip()
    owner = runner_owner(store, job_id)

    cancelled = cli(store, "jobs", "cancel", job_id)
    assert (cancelled.returncode, cancelled.stdout) == (0, f"Job {job_id} CANCELLED\n")
    assert json.loads(cli(store, "jobs", "show", job_id, "--json").stdout)["status"] == "CANCELLED"
    wait_until_gone(owner, timeout=30)

    again = cli(store, "jobs", "cancel", job_id)
    assert again.returncode == 1
    assert "had already ended (CANCELLED)" in again.stderr


def test_a_runner_that_dies_leaves_a_job_reported_lost(store: Path, tmp_path: Path) -> None:
    started = cli(store, "run", qv_file(tmp_path, 22, 22), "--no-wait", "--shots", 10)
    job_id = started.stdout.strip()
    owner = runner_owner(store, job_id)
    pid = int(owner.rsplit(":", 3)[1])
    os.kill(pid, 9)
    wait_until_gone(owner, timeout=30)

    result = cli(store, "jobs", "result", job_id)
    assert result.returncode == 1
    assert re.fullmatch(rf"error: job {job_id} failed: .*was lost.*\n", result.stderr)
