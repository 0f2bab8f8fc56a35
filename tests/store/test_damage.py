"""Damage is contained: one bad record, a full disk, a failed write, a foreign or vanished file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import MyJobError, StoreError
from qiskit_myprovider.store import JobQuery, MemoryJobStore, SQLiteJobStore, WriteBehindStore
from qiskit_myprovider.store import write_behind as write_behind_module
from tests.conftest import bell_circuit
from tests.support import wait_until

from .conftest import T0, record

#: Pages the full-disk store may hold: enough for a few records, then SQLITE_FULL.
TINY_PAGE_COUNT = 40
#: How long the test writer waits before retrying a failed update (fast, for the test).
TEST_RETRY_S = 0.05


def _set_column(path: Path, job_id: str, column: str, value: Any) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"UPDATE jobs SET {column} = ? WHERE job_id = ?", (value, job_id))
    conn.close()


def test_a_record_with_an_unknown_status_is_listed_as_damaged_and_can_be_deleted(
    db_path: Path,
) -> None:
    with MyProvider(store=db_path, executor="thread") as provider:
        backend = provider.get_backend()
        jobs = [backend.run(bell_circuit(), shots=10, seed_simulator=1) for _ in range(3)]
        for job in jobs:
            job.result()
        bad = jobs[1].job_id()
    _set_column(db_path, bad, "status", "EXPLODED")
    _set_column(db_path, jobs[2].job_id(), "tags", "not json [")
    with MyProvider(store=db_path, executor="thread") as provider:
        listed = {job.job_id(): job for job in provider.jobs(limit=None)}
        assert set(listed) == {job.job_id() for job in jobs}  # the listing goes on
        assert listed[jobs[0].job_id()].error_message() is None
        message = listed[bad].error_message() or ""
        assert message.startswith("damaged record: cannot decode status")
        assert "EXPLODED" in message
        assert listed[bad].status() is JobStatus.ERROR
        assert (listed[jobs[2].job_id()].error_message() or "").startswith("damaged record")
        provider.delete_job(bad)  # the remedy the message names
        assert bad not in {job.job_id() for job in provider.jobs(limit=None)}


def test_a_done_record_without_its_result_is_a_clear_error(db_path: Path) -> None:
    with MyProvider(store=db_path, executor="thread") as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        job.result()
    _set_column(db_path, job.job_id(), "result", None)
    with (
        MyProvider(store=db_path, executor="thread") as provider,
        pytest.raises(MyJobError, match=r"is DONE but its record .* holds no result"),
    ):
        provider.job(job.job_id()).result()


def test_prune_frees_space_on_a_full_disk(sqlite_store: SQLiteJobStore, bell_result: Any) -> None:
    conn = sqlite_store._conn
    assert conn is not None
    conn.execute(f"PRAGMA max_page_count = {TINY_PAGE_COUNT}")  # the disk holds no more
    added = []
    full: StoreError | None = None
    for minute in range(10_000):
        rec = record(minutes=minute, result=bell_result)
        try:
            sqlite_store.add(rec)
        except StoreError as error:
            full = error
            break
        added.append(rec)
    assert full is not None
    assert "is full" in str(full)
    assert "prune" in str(full)
    assert added  # some fitted before the disk was full
    assert sqlite_store.prune(T0 + timedelta(days=365)) == len(added)
    sqlite_store.add(record(result=bell_result))  # there is room again


class _FailingFirst(MemoryJobStore):
    """A store whose first updates fail as on a full disk."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.lock = threading.Lock()

    def update(self, job_id: str, **changes: Any) -> None:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                raise StoreError("The disk holding the job store is full")
        super().update(job_id, **changes)


def test_a_final_state_that_failed_to_write_is_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(write_behind_module, "RETRY_AFTER_S", TEST_RETRY_S)
    inner = _FailingFirst(failures=2)
    store = WriteBehindStore(inner)
    try:
        rec = record(status=JobStatus.RUNNING)
        store.add(rec)
        store.update(rec.job_id, status=JobStatus.DONE)
        wait_until(lambda: inner.get(rec.job_id).status is JobStatus.DONE,
                   what="the retried final state")  # fmt: skip
        assert inner.failures == 0
    finally:
        store.close()
    assert "retrying" in caplog.text


def test_a_failed_write_is_retried_by_flush_and_close() -> None:
    inner = _FailingFirst(failures=1)
    store = WriteBehindStore(inner)
    rec = record(status=JobStatus.RUNNING)
    store.add(rec)
    store.update(rec.job_id, status=JobStatus.CANCELLED)
    store.flush()  # the first try fails (logged); close tries again
    store.close()
    assert inner.get(rec.job_id).status is JobStatus.CANCELLED


def test_another_programs_file_keeps_its_bytes_and_journal_mode(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    for version in (0, 7):  # with no version, and with a version but not our id
        conn = sqlite3.connect(db_path)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.close()
        before = db_path.read_bytes()
        with pytest.raises(StoreError, match="left untouched"):
            SQLiteJobStore(db_path)
        assert db_path.read_bytes() == before
        assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]
        conn = sqlite3.connect(db_path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()


@pytest.mark.parametrize("replaced", [False, True])
def test_a_store_file_deleted_under_a_running_store_is_reported(
    sqlite_store: SQLiteJobStore, db_path: Path, replaced: bool
) -> None:
    rec = record()
    sqlite_store.add(rec)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if replaced:
        SQLiteJobStore(db_path).close()  # a new, empty store in its place
    with pytest.raises(StoreError, match="was deleted or replaced while this process") as info:
        sqlite_store.add(record())
    assert str(db_path) in str(info.value)
    with pytest.raises(StoreError, match="deleted or replaced"):
        sqlite_store.list(JobQuery())
