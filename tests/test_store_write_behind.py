"""WriteBehindStore: coalesced background writes, read-your-writes, nothing lost at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.store import JobQuery, MemoryJobStore, SQLiteJobStore, WriteBehindStore

from .conftest import bell_circuit


class CountingStore(MemoryJobStore):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def add(self, record: Any) -> None:
        self.calls.append(("add", record.job_id))
        super().add(record)

    def update(self, job_id: str, **changes: Any) -> None:
        self.calls.append(("update", job_id))
        super().update(job_id, **changes)


def test_a_file_store_provider_writes_behind(tmp_path: Path) -> None:
    with MyProvider(store=tmp_path / "jobs.sqlite3", executor="thread") as provider:
        assert isinstance(provider.store, WriteBehindStore)
        assert isinstance(provider.store.inner, SQLiteJobStore)


def test_reads_see_this_processes_writes_at_once() -> None:
    inner = CountingStore()
    store = WriteBehindStore(inner)
    with MyProvider(store=store, executor="thread") as provider:
        jobs = [provider.get_backend().run(bell_circuit(), shots=10) for _ in range(20)]
        for job in jobs:
            job.result()
        done = provider.jobs(limit=None, status="DONE")  # read right after the last change
        assert {j.job_id() for j in done} == {j.job_id() for j in jobs}
        assert all(j.status() is JobStatus.DONE for j in done)
    # One insert per job, and the state changes coalesced: fewer writes than changes.
    assert sum(1 for kind, _ in inner.calls if kind == "add") == 20
    assert len(inner.calls) < 20 * 4


def test_a_submitted_job_is_in_the_inner_store_before_run_returns() -> None:
    """A job id handed out can be looked up from another process at once."""
    inner = CountingStore()
    with MyProvider(store=WriteBehindStore(inner), executor="thread") as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        assert inner.get(job.job_id()).job_id == job.job_id()  # the inner store, no flush
        job.result()


def test_renames_are_written_before_returning(tmp_path: Path) -> None:
    inner = CountingStore()
    store = WriteBehindStore(inner)
    with MyProvider(store=store, executor="thread") as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        job.result()
        job.update_name("renamed")
        assert inner.get(job.job_id()).name == "renamed"  # the inner store, no flush


def test_pending_writes_are_flushed_at_interpreter_exit(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    script = textwrap.dedent(
        f"""
        from qiskit import QuantumCircuit
        from qiskit_myprovider import MyProvider
        qc = QuantumCircuit(1)
        qc.x(0)
        qc.measure_all()
        provider = MyProvider(store={str(path)!r}, executor="thread")
        job = provider.get_backend().run(qc, shots=5)
        job.result()
        print(job.job_id())
        # no close(): the interpreter's exit must still record the final state
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    job_id = out.stdout.strip().splitlines()[-1]
    store = SQLiteJobStore(path)
    try:
        record = store.get(job_id)
        assert record.status is JobStatus.DONE
        assert record.result is not None
        assert record.result.get_counts() == {"1": 5}
        assert [r.job_id for r in store.list(JobQuery(limit=None))] == [job_id]
    finally:
        store.close()
