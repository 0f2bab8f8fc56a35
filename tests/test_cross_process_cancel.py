"""Cancel a job that another live process runs: the request travels through the store.

The owner polls the store while it has unfinished jobs and cancels the job itself (its
worker is stopped); the caller's ``cancel()`` waits for that and returns True.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from qiskit.providers import JobStatus

import qiskit_myprovider.job as job_module
from qiskit_myprovider import MyProvider
from qiskit_myprovider.clock import now
from qiskit_myprovider.exceptions import MyJobError
from qiskit_myprovider.store import JobRecord, SQLiteJobStore
from tests.support import PATIENCE, PROMPT, child_env, process_alive, wait_until

#: How soon the owner must act on a request (DESIGN §9: within 0.5 s), with room for load.
OWNER_ACTS_WITHIN = 0.5

#: A program that runs one long job in a worker and reports the job id and worker pid.
OWNER = """\
import json, time
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider

provider = MyProvider(executor="process")
backend = provider.get_backend("myprovider_statevector")
qc = quantum_volume(23, 60, seed=4)
qc.measure_all()
job = backend.run(transpile(qc, backend, optimization_level=0), shots=10)
while not job.running():
    time.sleep(0.01)
print(json.dumps({"job_id": job.job_id(), "workers": provider.executor.worker_pids()}), flush=True)
job.wait_for_final_state(timeout=300)
print(json.dumps({"status": job.status().name}), flush=True)
provider.close()
"""


@pytest.fixture
def owner(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, object], Path]]:
    store = tmp_path / "jobs.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", OWNER],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(store),
    ) as child:
        assert child.stdout is not None
        started = json.loads(child.stdout.readline())
        yield child, started, store
        child.kill()


@pytest.mark.slow
def test_cancel_through_the_api_stops_the_owners_job_and_worker(
    owner: tuple[subprocess.Popen[str], dict[str, object], Path],
) -> None:
    child, started, store = owner
    with MyProvider(store=store, executor="thread") as provider:
        job = provider.job(str(started["job_id"]))
        assert job.status().name == "RUNNING"
        asked = time.monotonic()
        assert job.cancel() is True
        took = time.monotonic() - asked
        assert job.status().name == "CANCELLED"
        assert took < OWNER_ACTS_WITHIN + PROMPT, f"the owner took {took:.2f} s"
        assert job.cancel() is False  # already final
    workers = [int(pid) for pid in started["workers"]]  # type: ignore[attr-defined]
    wait_until(
        lambda: not any(process_alive(pid) for pid in workers),
        what="the owner's worker to be stopped",
        timeout=PROMPT,
    )
    assert child.stdout is not None
    assert json.loads(child.stdout.readline()) == {"status": "CANCELLED"}
    assert child.wait(PATIENCE) == 0


@pytest.mark.slow
def test_jobs_cancel_on_the_command_line_cancels_another_processs_job(
    owner: tuple[subprocess.Popen[str], dict[str, object], Path],
) -> None:
    child, started, store = owner
    done = subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider", "jobs", "cancel", str(started["job_id"])],
        capture_output=True,
        text=True,
        env=child_env(store),
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    assert "cancelled" in done.stdout.lower(), done.stdout
    assert child.stdout is not None
    assert json.loads(child.stdout.readline()) == {"status": "CANCELLED"}


def token_of(pid: int) -> str:
    """An owner token naming process ``pid`` (host:pid:start:nonce, as the store writes)."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    start = text[text.rfind(")") + 2 :].split()[19]
    return f"{socket.gethostname()}:{pid}:{start}:0123456789ab"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_process_that_never_acts_on_the_request_gets_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live owner that does not poll (a stopped process, an older version): say so."""
    store = tmp_path / "jobs.sqlite3"
    job_id = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
    with subprocess.Popen(["sleep", "60"]) as bystander:
        records = SQLiteJobStore(store)
        try:
            created = now()
            records.add(
                JobRecord(
                    job_id=job_id,
                    backend_name="myprovider_simulator",
                    status=JobStatus.RUNNING,
                    creation_date=created,
                    time_per_step={"CREATED": created},
                    owner=token_of(bystander.pid),
                )
            )
        finally:
            records.close()
        monkeypatch.setattr(job_module, "CANCEL_PATIENCE", 0.3)
        with MyProvider(store=store, executor="thread") as provider:
            stored = provider.job(job_id)
            with pytest.raises(MyJobError, match=f"pid {bystander.pid} .*asked to cancel"):
                stored.cancel()
            assert stored.status().name == "RUNNING"
        bystander.kill()
