"""SQLiteJobStore: the file, its connections and transactions, locks, threads, lost jobs.

The JobStore contract itself is in ``test_contract.py``; the schema checks that happen when a
file is opened are in ``test_schema.py``.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Final

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result

from qiskit_myprovider.exceptions import StoreError
from qiskit_myprovider.store import SCHEMA_VERSION, JobQuery, SQLiteJobStore, make_owner_token
from qiskit_myprovider.store import sqlite as sqlite_module
from tests.support import PATIENCE

from .conftest import T0, record, token_for

#: How long a test holds a write lock to show that a writer waits behind it.
HELD: Final = 0.3
#: Threads (over two connections) writing at once, and the jobs each writes.
WRITERS: Final = 8
JOBS_PER_WRITER: Final = 40


# -- the file --------------------------------------------------------------------------------


def test_sqlite_file_is_created_in_wal_mode_with_the_current_schema(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    sqlite_store.add(record())
    assert db_path.is_file()
    assert sqlite_store.location == str(db_path)
    assert str(db_path) in repr(sqlite_store)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"jobs", "job_tags"} <= tables


def test_records_survive_closing_and_reopening(db_path: Path, bell_result: Result) -> None:
    rec = record(tags=["kept"], result=bell_result)
    first = SQLiteJobStore(db_path)
    first.add(rec)
    first.close()
    first.close()  # idempotent
    second = SQLiteJobStore(db_path)
    try:
        back = second.get(rec.job_id)
        assert back.result is not None
        assert back.result.get_counts() == bell_result.get_counts()
        assert back.tags == ["kept"]
    finally:
        second.close()


def test_a_closed_store_holds_no_connection_yet_records_late_changes(db_path: Path) -> None:
    rec = record(status=JobStatus.RUNNING, owner=make_owner_token())
    closed = SQLiteJobStore(db_path)
    closed.add(rec)
    closed.close()
    # A job that ends after its provider was closed still records its final state.
    closed.update(rec.job_id, status=JobStatus.DONE)
    assert closed.get(rec.job_id).status is JobStatus.DONE
    assert closed._conn is None
    assert "closed" in repr(closed)


def test_a_path_that_cannot_be_a_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        SQLiteJobStore(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="Cannot create the folder") as info:
        SQLiteJobStore(blocker / "jobs.sqlite3")
    assert str(blocker / "jobs.sqlite3") in str(info.value)


def test_an_unreadable_record_reads_as_damaged_with_a_clear_message(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    rec = record()
    sqlite_store.add(rec)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE jobs SET options = ? WHERE job_id = ?", (b"Jnot json", rec.job_id))
    conn.commit()
    conn.close()
    back = sqlite_store.get(rec.job_id)
    assert back.status is JobStatus.ERROR
    message = back.error_message or ""
    assert message.startswith("damaged record: cannot decode options")
    assert str(db_path) in message
    assert f"provider.delete_job('{rec.job_id}')" in message


# -- locks, threads and several connections ---------------------------------------------


def test_a_held_write_lock_is_waited_out_not_reported(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    rec = record(status=JobStatus.RUNNING, owner=make_owner_token())
    sqlite_store.add(rec)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    errors: list[BaseException] = []
    updated = threading.Event()

    def update() -> None:
        try:
            sqlite_store.update(rec.job_id, status=JobStatus.DONE)
        except BaseException as exc:
            errors.append(exc)
        updated.set()

    thread = threading.Thread(target=update)
    thread.start()
    try:
        assert not updated.wait(HELD)  # blocked behind the other connection's lock ...
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert updated.wait(PATIENCE)  # ... and done as soon as it is released
    thread.join()
    assert errors == []
    assert sqlite_store.get(rec.job_id).status is JobStatus.DONE


def test_lock_errors_sqlite_reports_at_once_are_retried(sqlite_store: SQLiteJobStore) -> None:
    attempts = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            exc = sqlite3.OperationalError("database is locked")
            exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise exc
        return "ok"

    assert sqlite_store._retrying("testing", flaky) == "ok"
    assert len(attempts) == 3


def test_a_lock_that_outlasts_the_retries_is_reported_with_what_to_do(
    sqlite_store: SQLiteJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "_RETRY_FOR_S", 0.0)

    def always_locked() -> None:
        exc = sqlite3.OperationalError("database is locked")
        exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
        raise exc

    with pytest.raises(StoreError, match="stayed locked") as info:
        sqlite_store._retrying("testing", always_locked)
    assert sqlite_store.location in str(info.value)
    assert "while testing" in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)


def test_threads_and_connections_writing_at_once_leave_consistent_records(
    db_path: Path,
) -> None:
    stores = [SQLiteJobStore(db_path) for _ in range(2)]  # two connections, one file
    errors: list[BaseException] = []

    def work(index: int) -> None:
        target = stores[index % 2]
        try:
            for n in range(JOBS_PER_WRITER):
                rec = record(minutes=n, status=JobStatus.QUEUED, tags=[f"t{index}"])
                target.add(rec)
                target.update(rec.job_id, status=JobStatus.RUNNING)
                target.update(rec.job_id, status=JobStatus.DONE, name=f"{index}-{n}")
                target.list(JobQuery(job_tags=(f"t{index}",)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        listed = stores[0].list(JobQuery(limit=None))
        assert len(listed) == WRITERS * JOBS_PER_WRITER
        assert {r.status for r in listed} == {JobStatus.DONE}
        for index in range(WRITERS):
            mine = stores[1].list(JobQuery(limit=None, job_tags=(f"t{index}",)))
            assert sorted(r.name or "" for r in mine) == sorted(
                f"{index}-{n}" for n in range(JOBS_PER_WRITER)
            )
    finally:
        for opened in stores:
            opened.close()


# -- lost jobs ------------------------------------------------------------------------------


def test_a_job_of_a_dead_process_reads_back_as_error_lost(
    sqlite_store: SQLiteJobStore, dead_pid: int
) -> None:
    lost = record(status=JobStatus.RUNNING, owner=token_for(dead_pid))
    alive = record(minutes=1, status=JobStatus.RUNNING, owner=make_owner_token())
    finished = record(minutes=2, owner=token_for(dead_pid))
    for rec in (lost, alive, finished):
        sqlite_store.add(rec)
    back = sqlite_store.get(lost.job_id)
    assert back.status is JobStatus.ERROR
    assert back.error_message is not None
    assert "was lost" in back.error_message
    assert f"pid {dead_pid}" in back.error_message
    assert "RUNNING" in back.error_message
    assert "ERROR" in back.time_per_step
    assert sqlite_store.get(alive.job_id).status is JobStatus.RUNNING
    assert sqlite_store.get(finished.job_id).status is JobStatus.DONE
    assert sqlite_store.get(finished.job_id).error_message is None


def test_listing_marks_lost_jobs_before_filtering(
    sqlite_store: SQLiteJobStore, dead_pid: int
) -> None:
    lost = record(status=JobStatus.QUEUED, owner=token_for(dead_pid))
    sqlite_store.add(lost)
    assert list(sqlite_store.list(JobQuery(status=JobStatus.QUEUED))) == []
    [back] = sqlite_store.list(JobQuery(status=JobStatus.ERROR))
    assert back.job_id == lost.job_id
    assert back.error_message is not None
    assert "lost" in back.error_message
    steps = sqlite_store.get(lost.job_id).time_per_step
    assert list(steps) == ["CREATED", "QUEUED", "ERROR"]
    assert sqlite_store.prune(T0 + timedelta(days=1)) == 1  # lost jobs are final: prunable
