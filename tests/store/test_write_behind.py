"""WriteBehindStore: coalesced background writes, read-your-writes, nothing lost at exit."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import JobNotFoundError
from qiskit_myprovider.store import JobQuery, MemoryJobStore, SQLiteJobStore, WriteBehindStore
from tests.conftest import bell_circuit
from tests.support import PATIENCE, child_env

from .conftest import record


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
            job.result(timeout=PATIENCE)
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
        job.result(timeout=PATIENCE)


def test_renames_are_written_before_returning() -> None:
    inner = CountingStore()
    store = WriteBehindStore(inner)
    with MyProvider(store=store, executor="thread") as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        job.result(timeout=PATIENCE)
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
        [sys.executable, "-c", script],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=True,
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


def test_state_changes_of_one_job_are_coalesced_and_applied_in_order() -> None:
    inner = CountingStore()
    store = WriteBehindStore(inner)
    try:
        rec = record(status=JobStatus.QUEUED)
        store.add(rec)
        with store._write_lock:  # hold the writer: every update below waits in the queue
            for status in (JobStatus.RUNNING, JobStatus.DONE):
                store.update(rec.job_id, status=status)
            store.update(rec.job_id, error_message="kept")
            assert inner.get(rec.job_id).status is JobStatus.QUEUED  # not written yet
        store.flush()
        back = inner.get(rec.job_id)
        assert back.status is JobStatus.DONE  # the last of the queued values wins
        assert back.error_message == "kept"
        assert inner.calls == [("add", rec.job_id), ("update", rec.job_id)]
    finally:
        store.close()


def test_a_background_write_that_fails_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = WriteBehindStore(MemoryJobStore())
    try:
        store.update("no-such-job", status=JobStatus.DONE)  # returns at once ...
        with caplog.at_level(logging.ERROR, logger="qiskit_myprovider.store"):
            store.flush()
        # ... and the failure names the job and the store.
        assert "could not update job no-such-job in :memory:" in caplog.text
    finally:
        store.close()


def test_writes_after_close_go_straight_to_the_inner_store() -> None:
    inner = CountingStore()
    store = WriteBehindStore(inner)
    rec = record(status=JobStatus.RUNNING)
    store.add(rec)
    store.close()
    store.close()  # idempotent
    store.update(rec.job_id, status=JobStatus.DONE)
    assert inner.get(rec.job_id).status is JobStatus.DONE  # no flush needed
    assert "WriteBehindStore over" in repr(store)


def test_a_batch_of_several_jobs_is_written_in_one_transaction(tmp_path: Path) -> None:
    """The writer applies what gathered for several jobs together; every change lands."""
    inner = SQLiteJobStore(tmp_path / "jobs.sqlite3")
    calls: list[int] = []
    original = inner.update_many

    def counting(updates: Any) -> None:
        calls.append(len(updates))
        original(updates)

    inner.update_many = counting  # type: ignore[method-assign]
    store = WriteBehindStore(inner)
    records = [record(status=JobStatus.INITIALIZING) for _ in range(5)]
    for new in records:
        store.add(new)
    for new in records:
        store.update(new.job_id, status=JobStatus.QUEUED)
        store.update(new.job_id, status=JobStatus.RUNNING)
    store.flush()
    assert all(store.get(r.job_id).status is JobStatus.RUNNING for r in records)
    assert calls, "the batch went through update_many"
    assert sum(calls) <= 5  # each job once per transaction, not once per change
    store.close()


def test_update_many_is_all_or_nothing(tmp_path: Path) -> None:
    store = SQLiteJobStore(tmp_path / "jobs.sqlite3")
    new = record(status=JobStatus.QUEUED)
    store.add(new)
    with pytest.raises(JobNotFoundError):
        store.update_many(
            {new.job_id: {"status": JobStatus.RUNNING}, "missing": {"status": JobStatus.DONE}}
        )
    assert store.get(new.job_id).status is JobStatus.QUEUED
    store.close()
