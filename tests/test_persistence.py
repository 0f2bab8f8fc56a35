"""Jobs outlive their process: several real Python processes share one SQLite job store.

Every test here starts interpreters with ``QISKIT_MYPROVIDER_STORE`` pointing at a file in
``tmp_path``, so what one process wrote is read back by another, as it would be after a
restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import JobFailedError, JobNotFoundError

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

BELL = """
from qiskit import QuantumCircuit
bell = QuantumCircuit(2, name="bell")
bell.h(0)
bell.cx(0, 1)
bell.measure_all()
"""


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "jobs.sqlite3"


def child_env(store_path: Path) -> dict[str, str]:
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": str(store_path)}
    # The children import this checkout (not an installed copy) and print plain text.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    return env


def python(
    store_path: Path, script: str, *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter on the store; fail with its stderr if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", BELL + textwrap.dedent(script), *args],
        env=child_env(store_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    return done


def cli(store_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider", *argv],
        env=child_env(store_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def provider(store_path: Path) -> Iterator[MyProvider]:
    with MyProvider(store=store_path, executor="thread") as prov:
        yield prov


def test_a_job_is_retrieved_with_its_counts_by_another_process(
    store_path: Path, provider: MyProvider
) -> None:
    submitted = python(
        store_path,
        """
        import json
        from qiskit_myprovider import MyProvider
        with MyProvider(executor="thread") as provider:
            job = provider.get_backend().run(
                bell, shots=1000, seed_simulator=11, job_name="kept", job_tags=["persist"]
            )
            counts = job.result(timeout=120).get_counts()
            print(json.dumps({"job_id": job.job_id(), "counts": counts}))
        """,
    )
    made = json.loads(submitted.stdout)
    job_id, counts = made["job_id"], made["counts"]
    assert sum(counts.values()) == 1000

    # A second process, through provider.job and backend.retrieve_job.
    retrieved = python(
        store_path,
        """
        import json, sys
        from qiskit_myprovider import MyProvider
        with MyProvider() as provider:
            job = provider.job(sys.argv[1])
            again = provider.get_backend().retrieve_job(sys.argv[1])
            print(json.dumps({
                "status": job.status().name,
                "counts": job.result().get_counts(),
                "retrieved": again.result().get_counts(),
                "name": job.name(),
                "tags": job.tags(),
                "steps": list(job.time_per_step()),
                "shots": job.backend_options()["shots"],
                "circuit": job.circuits()[0].name,
            }))
        """,
        job_id,
    )
    seen = json.loads(retrieved.stdout)
    assert seen == {
        "status": "DONE",
        "counts": counts,
        "retrieved": counts,
        "name": "kept",
        "tags": ["persist"],
        "steps": ["CREATED", "QUEUED", "RUNNING", "DONE"],
        "shots": 1000,
        "circuit": "bell",
    }

    # A third, through the command line.
    shown = cli(store_path, "jobs", "result", job_id, "--json")
    assert (shown.returncode, shown.stderr) == (0, "")
    summary = json.loads(shown.stdout)
    assert summary["job_id"] == job_id
    assert summary["status"] == "DONE"
    assert summary["counts"] == counts
    assert summary["shots"] == 1000

    # And this process: the record is the same for everyone.
    job = provider.job(job_id)
    assert job.result().get_counts() == counts
    assert [j.job_id() for j in provider.jobs(job_tags=["persist"])] == [job_id]


SLOW_JOB = """
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider

provider = MyProvider(executor="thread")
backend = provider.get_backend()
circuit = quantum_volume(23, 10, seed=1)
circuit.measure_all()
circuit = transpile(circuit, backend, optimization_level=0, seed_transpiler=1)
job = backend.run(circuit, shots=1, job_name="doomed")
job.result()  # about ten seconds of statevector simulation; the test kills us first
"""


def test_a_job_whose_process_was_killed_reads_back_as_error_lost(
    store_path: Path, provider: MyProvider
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_JOB],
        env=child_env(store_path),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Poll the store (with a deadline) until the child's job is really RUNNING.
        deadline = time.monotonic() + 120
        running: list[object] = []
        while not running:
            assert child.poll() is None, f"the child exited early: {child.communicate()[1]}"
            assert time.monotonic() < deadline, "the child's job never started"
            running = provider.jobs(status="RUNNING", name="doomed")
            time.sleep(0.02)
        [job] = provider.jobs(name="doomed")
        job_id = job.job_id()

        os.kill(child.pid, signal.SIGKILL)
        if sys.platform.startswith("linux"):  # /proc tells a zombie from a live process
            # Wait for it to die but leave it unreaped: a zombie must count as dead too.
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
            assert provider.job(job_id).status() is JobStatus.ERROR
        assert child.wait(timeout=60) == -signal.SIGKILL

        lost = provider.job(job_id)
        assert lost.status() is JobStatus.ERROR
        message = lost.error_message()
        assert message is not None
        assert "lost" in message
        assert f"pid {child.pid}" in message
        assert list(lost.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "ERROR"]
        with pytest.raises(JobFailedError, match="lost"):
            lost.result(timeout=10)
        assert lost.cancel() is False  # final: nothing to cancel
        assert [j.job_id() for j in provider.jobs(status="ERROR")] == [job_id]
        assert provider.jobs(status="RUNNING") == []
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
        if child.stderr is not None:
            child.stderr.close()

    # Another process sees the same verdict, and waiting on the job ends at once.
    waited = cli(store_path, "jobs", "wait", job_id, "--timeout", "30")
    assert waited.returncode == 1
    assert "lost" in waited.stderr
    assert f"Job {job_id} ERROR" in waited.stdout


WORKER = """
import json, sys
from qiskit_myprovider import MyProvider

index = int(sys.argv[1])
with MyProvider(executor="thread") as provider:
    backend = provider.get_backend()
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    jobs = [
        backend.run(
            bell,
            shots=100 + n,
            seed_simulator=n,
            job_name=f"{index}-{n}",
            job_tags=[f"proc{index}", "storm"],
        )
        for n in range(50)
    ]
    for job in jobs:
        job.result(timeout=600)
    print(json.dumps([job.job_id() for job in jobs]), flush=True)
"""


def test_four_processes_writing_200_jobs_at_once_leave_200_consistent_records(
    store_path: Path, provider: MyProvider
) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", BELL + WORKER, str(index)],
            env=child_env(store_path),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(4)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n", child.communicate()[1]
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=600) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    submitted: dict[int, list[str]] = {}
    for index, (child, (out, err)) in enumerate(zip(children, outputs, strict=True)):
        assert child.returncode == 0, err
        # Nothing about the store reached anyone: no lock errors, no failed writes.
        assert "locked" not in err
        assert "could not record" not in err
        assert "Traceback" not in err
        submitted[index] = json.loads(out)

    records = provider.jobs(limit=None)
    assert len(records) == 200
    assert {j.job_id() for j in records} == {i for ids in submitted.values() for i in ids}
    for index, ids in submitted.items():
        mine = provider.jobs(limit=None, job_tags=[f"proc{index}"])
        assert sorted(j.job_id() for j in mine) == sorted(ids)
        for n, job_id in enumerate(ids):
            job = provider.job(job_id)
            assert job.status() is JobStatus.DONE
            assert job.name() == f"{index}-{n}"
            assert job.tags() == [f"proc{index}", "storm"]
            assert list(job.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
            counts = job.result().get_counts()
            assert sum(counts.values()) == 100 + n
            assert set(counts) <= {"00", "11"}
    assert len(provider.jobs(limit=None, job_tags=["storm"], status="DONE")) == 200


def test_names_tags_and_deletions_are_seen_by_other_processes(
    store_path: Path, provider: MyProvider
) -> None:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    job = provider.get_backend().run(circuit, shots=10, job_tags=["draft"])
    job.result(timeout=60)
    job.update_tags(["final", "reviewed"])

    seen = python(
        store_path,
        """
        import json, sys
        from qiskit_myprovider import MyProvider
        with MyProvider() as provider:
            tagged = [j.job_id() for j in provider.jobs(job_tags=["final", "reviewed"])]
            draft = [j.job_id() for j in provider.jobs(job_tags=["draft"])]
            provider.job(sys.argv[1]).update_name("renamed elsewhere")
            print(json.dumps({"tagged": tagged, "draft": draft}))
        """,
        job.job_id(),
    )
    assert json.loads(seen.stdout) == {"tagged": [job.job_id()], "draft": []}
    job.refresh()
    assert job.name() == "renamed elsewhere"

    python(
        store_path,
        """
        import sys
        from qiskit_myprovider import MyProvider
        with MyProvider() as provider:
            provider.delete_job(sys.argv[1])
        """,
        job.job_id(),
    )
    with pytest.raises(JobNotFoundError):
        provider.store.get(job.job_id())
    listed = cli(store_path, "jobs", "list", "--json")
    assert (listed.returncode, json.loads(listed.stdout)) == (0, [])
