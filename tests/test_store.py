"""The job store: one contract for both stores, and what only the SQLite file must do.

Shared behaviour runs on :class:`MemoryJobStore` and :class:`SQLiteJobStore` through the
parametrized ``store`` fixture; the SQLite-only tests cover the file itself (WAL, schema
versions and migrations, corrupt or foreign files, locking, threads) and lost-job detection.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider import MyProvider
from qiskit_myprovider import store as store_module
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    JobFailedError,
    JobNotFoundError,
    StoreError,
)
from qiskit_myprovider.provider import default_noise_model
from qiskit_myprovider.store import (
    SCHEMA_VERSION,
    JobQuery,
    JobRecord,
    JobStore,
    MemoryJobStore,
    SQLiteJobStore,
    WriteBehindStore,
    default_store_path,
    make_owner_token,
    owner_is_gone,
)

from .conftest import Gate, bell_circuit, ghz_circuit

# A fixed, non-UTC offset: timestamps must come back with the offset they were written with.
IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=IST)


@pytest.fixture(scope="module")
def bell_result() -> Result:
    return AerSimulator().run(bell_circuit(), shots=100, seed_simulator=3).result()


def record(
    *,
    minutes: int = 0,
    status: JobStatus = JobStatus.DONE,
    backend_name: str = "myprovider_simulator",
    name: str | None = None,
    tags: list[str] | None = None,
    owner: str | None = None,
    result: Result | None = None,
) -> JobRecord:
    created = T0 + timedelta(minutes=minutes)
    return JobRecord(
        job_id=str(uuid.uuid4()),
        backend_name=backend_name,
        status=status,
        creation_date=created,
        time_per_step={"CREATED": created, "QUEUED": created + timedelta(seconds=1)},
        name=name,
        tags=list(tags or []),
        circuits=[bell_circuit()],
        options={"shots": 100},
        header={"note": "hi"},
        result=result,
        owner=owner,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    opened: JobStore = (
        MemoryJobStore() if request.param == "memory" else SQLiteJobStore(tmp_path / "jobs.db")
    )
    yield opened
    opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "jobs.sqlite3"


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SQLiteJobStore]:
    opened = SQLiteJobStore(db_path)
    yield opened
    opened.close()


def ids(records: list[JobRecord]) -> list[str]:
    return [r.job_id for r in records]


# -- the shared contract ---------------------------------------------------------------------


def test_a_record_round_trips_with_every_field(store: JobStore, bell_result: Result) -> None:
    noise = default_noise_model()
    original = record(name="bell", tags=["a", "b"], result=bell_result, owner=make_owner_token())
    original.options = {"shots": 100, "seed_simulator": 7, "noise_model": noise}
    original.error_message = None
    store.add(original)
    back = store.get(original.job_id)
    assert back is not original
    assert back.job_id == original.job_id
    assert back.backend_name == original.backend_name
    assert back.status is JobStatus.DONE
    assert back.creation_date == T0
    assert back.creation_date.utcoffset() == timedelta(hours=5, minutes=30)
    assert back.time_per_step == original.time_per_step
    assert all(v.utcoffset() == IST.utcoffset(None) for v in back.time_per_step.values())
    assert back.name == "bell"
    assert back.tags == ["a", "b"]
    assert back.circuits is not None
    assert back.circuits == original.circuits
    assert back.options["shots"] == 100
    assert back.options["seed_simulator"] == 7
    assert isinstance(back.options["noise_model"], type(noise))
    assert back.options["noise_model"].to_dict() == noise.to_dict()
    assert back.header == {"note": "hi"}
    assert back.result is not None
    assert back.result.get_counts() == bell_result.get_counts()
    assert back.owner == original.owner


def test_unknown_id_is_a_lookup_error_naming_id_and_store(store: JobStore) -> None:
    missing = str(uuid.uuid4())
    for call in (store.get, store.delete, lambda i: store.update(i, name="x")):
        with pytest.raises(JobNotFoundError, match=missing) as info:
            call(missing)
        assert isinstance(info.value, LookupError)
        assert store.location in str(info.value)


def test_adding_the_same_id_twice_is_refused(store: JobStore) -> None:
    first = record()
    store.add(first)
    with pytest.raises(InvalidInputError, match=first.job_id):
        store.add(first)


def test_update_changes_only_the_given_fields(store: JobStore, bell_result: Result) -> None:
    rec = record(status=JobStatus.QUEUED, tags=["old"])
    store.add(rec)
    done_at = T0 + timedelta(minutes=5)
    steps = {**rec.time_per_step, "RUNNING": done_at, "DONE": done_at}
    store.update(rec.job_id, status=JobStatus.DONE, time_per_step=steps, result=bell_result)
    store.update(rec.job_id, name="renamed", tags=["new", "newer"], error_message=None)
    back = store.get(rec.job_id)
    assert back.status is JobStatus.DONE
    assert back.time_per_step == steps
    assert back.result is not None
    assert back.result.get_counts() == bell_result.get_counts()
    assert back.name == "renamed"
    assert back.tags == ["new", "newer"]
    assert back.circuits == rec.circuits
    assert back.options == rec.options
    with pytest.raises(ValueError, match="backend_name"):
        store.update(rec.job_id, backend_name="other")


def test_list_is_newest_first_and_loads_no_circuits_or_results(
    store: JobStore, bell_result: Result
) -> None:
    records = [record(minutes=m, result=bell_result) for m in (3, 1, 2)]
    for rec in records:
        store.add(rec)
    listed = store.list(JobQuery(limit=None))
    assert [r.creation_date for r in listed] == [T0 + timedelta(minutes=m) for m in (3, 2, 1)]
    assert all(r.circuits is None and r.result is None for r in listed)
    assert all(r.options == {"shots": 100} and r.header == {"note": "hi"} for r in listed)


def test_list_filters_each_alone_and_together(store: JobStore) -> None:
    a = record(minutes=1, name="a", tags=["x", "y"])
    b = record(minutes=2, name="b", tags=["x"], status=JobStatus.ERROR)
    c = record(minutes=3, backend_name="myprovider_statevector", tags=["y", "z"])
    d = record(minutes=4, name="a", status=JobStatus.RUNNING, owner=make_owner_token())
    for rec in (a, b, c, d):
        store.add(rec)

    def listed(**kwargs: Any) -> list[str]:
        return ids(list(store.list(JobQuery(limit=None, **kwargs))))

    assert listed() == ids([d, c, b, a])
    assert listed(backend_name="myprovider_statevector") == ids([c])
    assert listed(backend_name="nope") == []
    assert listed(status=JobStatus.ERROR) == ids([b])
    assert listed(status=JobStatus.RUNNING) == ids([d])
    assert listed(job_tags=("x",)) == ids([b, a])
    assert listed(job_tags=("x", "y")) == ids([a])  # all of the tags, not any
    assert listed(job_tags=("y",)) == ids([c, a])
    assert listed(job_tags=("x", "z")) == []
    assert listed(name="a") == ids([d, a])
    assert listed(created_after=T0 + timedelta(minutes=2)) == ids([d, c, b])  # inclusive
    assert listed(created_before=T0 + timedelta(minutes=2)) == ids([b, a])  # inclusive
    window = {"created_after": b.creation_date, "created_before": c.creation_date}
    assert listed(**window) == ids([c, b])
    # The same instant in another offset is the same instant.
    assert listed(created_after=(T0 + timedelta(minutes=3)).astimezone(UTC)) == ids([d, c])
    assert listed(name="a", job_tags=("x",), status=JobStatus.DONE) == ids([a])
    assert listed(job_tags=("y",), created_after=T0 + timedelta(minutes=2)) == ids([c])
    assert listed(job_tags=("x",), created_before=T0 + timedelta(minutes=1)) == ids([a])
    assert listed(job_tags=("y", "x"), backend_name="myprovider_simulator") == ids([a])
    assert ids(list(store.list(JobQuery(job_tags=("x",), limit=1, skip=1)))) == ids([a])


def test_list_pages_with_limit_and_skip(store: JobStore) -> None:
    records = [record(minutes=m) for m in range(25)]
    for rec in records:
        store.add(rec)
    newest_first = ids(records[::-1])
    assert ids(list(store.list(JobQuery()))) == newest_first[:10]  # default limit 10
    pages = [ids(list(store.list(JobQuery(limit=10, skip=s)))) for s in (0, 10, 20)]
    assert pages == [newest_first[:10], newest_first[10:20], newest_first[20:]]
    assert ids(list(store.list(JobQuery(limit=None, skip=5)))) == newest_first[5:]
    assert list(store.list(JobQuery(limit=0))) == []
    assert list(store.list(JobQuery(skip=100))) == []


def test_tag_filter_follows_updated_tags(store: JobStore) -> None:
    rec = record(tags=["before"])
    store.add(rec)
    store.update(rec.job_id, tags=["after"])
    assert list(store.list(JobQuery(job_tags=("before",)))) == []
    assert ids(list(store.list(JobQuery(job_tags=("after",))))) == [rec.job_id]


def test_delete_removes_the_record_and_its_tags(store: JobStore) -> None:
    rec = record(tags=["t"])
    keep = record(tags=["t"])
    store.add(rec)
    store.add(keep)
    store.delete(rec.job_id)
    with pytest.raises(JobNotFoundError):
        store.get(rec.job_id)
    assert ids(list(store.list(JobQuery(job_tags=("t",))))) == [keep.job_id]


def test_prune_deletes_only_old_final_records(store: JobStore) -> None:
    old_done = record(minutes=0)
    old_error = record(minutes=1, status=JobStatus.ERROR)
    old_cancelled = record(minutes=2, status=JobStatus.CANCELLED)
    old_running = record(minutes=3, status=JobStatus.RUNNING, owner=make_owner_token())
    new_done = record(minutes=10)
    for rec in (old_done, old_error, old_cancelled, old_running, new_done):
        store.add(rec)
    assert store.prune(T0 + timedelta(minutes=10)) == 3  # strictly older than the cutoff
    assert ids(list(store.list(JobQuery(limit=None)))) == ids([new_done, old_running])
    assert store.prune(T0 + timedelta(minutes=10)) == 0


# -- SQLite: the file --------------------------------------------------------------------------


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


def test_an_older_schema_is_migrated_forward_keeping_its_records(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = record(tags=["t"])
    old = SQLiteJobStore(db_path)
    old.add(rec)
    old.close()
    extra = ("ALTER TABLE jobs ADD COLUMN note TEXT",)
    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS, extra))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    new = SQLiteJobStore(db_path)
    try:
        assert new.get(rec.job_id).tags == ["t"]
    finally:
        new.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    conn.close()
    assert "note" in columns


def test_a_newer_schema_is_refused_with_a_clear_error(db_path: Path) -> None:
    SQLiteJobStore(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 41}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as info:
        SQLiteJobStore(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert f"schema version {SCHEMA_VERSION + 41}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert "Upgrade qiskit-myprovider" in message
    assert "QISKIT_MYPROVIDER_STORE" in message
    assert db_path.read_bytes() == before  # never touched, never "migrated" down


def test_a_corrupt_file_is_refused_with_a_clear_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = os.urandom(8192)
    db_path.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        SQLiteJobStore(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert "corrupt or not an SQLite database" in message
    assert "Move it aside" in message
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    assert db_path.read_bytes() == garbage  # nothing dropped, nothing overwritten
    # The provider reports the same error when it opens the file.
    with pytest.raises(StoreError, match="Move it aside"):
        MyProvider(store=db_path)


def test_a_damaged_file_is_refused_with_a_clear_error(db_path: Path) -> None:
    sqlite_store = SQLiteJobStore(db_path)
    for minutes in range(50):
        sqlite_store.add(record(minutes=minutes))
    sqlite_store.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # the first page's b-tree, after the header
    db_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt") as info:
        SQLiteJobStore(db_path)
    assert str(db_path) in str(info.value)


def test_another_programs_database_is_refused_and_left_alone(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a qiskit-myprovider job store") as info:
        SQLiteJobStore(db_path)
    assert "accounts" in str(info.value)
    assert str(db_path) in str(info.value)


def test_an_empty_file_becomes_a_store(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    opened = SQLiteJobStore(db_path)
    opened.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_path_that_cannot_be_a_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        SQLiteJobStore(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="Cannot create the folder") as info:
        SQLiteJobStore(blocker / "jobs.sqlite3")
    assert str(blocker / "jobs.sqlite3") in str(info.value)


def test_an_unreadable_record_gives_a_clear_error(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    rec = record()
    sqlite_store.add(rec)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE jobs SET options = ? WHERE job_id = ?", (b"Pnot zlib", rec.job_id))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=rec.job_id) as info:
        sqlite_store.get(rec.job_id)
    assert str(db_path) in str(info.value)


def test_circuits_qpy_cannot_encode_are_kept_by_pickle(
    sqlite_store: SQLiteJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiskit import qpy

    def refuse(*_: Any, **__: Any) -> None:
        raise qpy.QpyError("cannot serialize this instruction")

    rec = record()
    rec.circuits = [ghz_circuit(3)]
    monkeypatch.setattr(qpy, "dump", refuse)
    sqlite_store.add(rec)
    assert sqlite_store.get(rec.job_id).circuits == rec.circuits


def test_default_path_is_under_the_user_data_directory() -> None:
    import platformdirs

    path = default_store_path()
    assert path.name == "jobs.sqlite3"
    assert path.parent == Path(platformdirs.user_data_dir("qiskit-myprovider", appauthor=False))


# -- SQLite: locks, threads and several connections ---------------------------------------------


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
        assert not updated.wait(0.3)  # blocked behind the other connection's lock ...
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert updated.wait(30)  # ... and done as soon as it is released
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


def test_threads_and_connections_writing_at_once_leave_consistent_records(
    db_path: Path,
) -> None:
    stores = [SQLiteJobStore(db_path) for _ in range(2)]  # two connections, one file
    errors: list[BaseException] = []
    per_thread = 40

    def work(index: int) -> None:
        target = stores[index % 2]
        try:
            for n in range(per_thread):
                rec = record(minutes=n, status=JobStatus.QUEUED, tags=[f"t{index}"])
                target.add(rec)
                target.update(rec.job_id, status=JobStatus.RUNNING)
                target.update(rec.job_id, status=JobStatus.DONE, name=f"{index}-{n}")
                target.list(JobQuery(job_tags=(f"t{index}",)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        listed = stores[0].list(JobQuery(limit=None))
        assert len(listed) == 8 * per_thread
        assert {r.status for r in listed} == {JobStatus.DONE}
        for index in range(8):
            mine = stores[1].list(JobQuery(limit=None, job_tags=(f"t{index}",)))
            assert sorted(r.name or "" for r in mine) == sorted(
                f"{index}-{n}" for n in range(per_thread)
            )
    finally:
        for opened in stores:
            opened.close()


# -- lost jobs -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def token_for(pid: int, start: str = "", host: str | None = None) -> str:
    import socket

    return f"{host or socket.gethostname()}:{pid}:{start}:0123456789ab"


def test_owner_tokens_tell_running_processes_from_dead_ones(dead_pid: int) -> None:
    mine = make_owner_token()
    assert mine.startswith(f"{__import__('socket').gethostname()}:{os.getpid()}:")
    assert owner_is_gone(mine) is False
    # Our own pid, but a token this process never made: an earlier process with our pid.
    assert owner_is_gone(token_for(os.getpid())) is True
    assert owner_is_gone(token_for(dead_pid)) is True
    parent = os.getppid()
    assert owner_is_gone(token_for(parent)) is False
    if Path(f"/proc/{parent}/stat").exists():
        start = store_module._proc_stat(parent)
        assert start is not None
        assert owner_is_gone(token_for(parent, start[1])) is False
        # Same pid, another start time: the pid was reused by a newer process.
        assert owner_is_gone(token_for(parent, "1")) is True
    # What cannot be checked is never declared lost.
    assert owner_is_gone(token_for(dead_pid, host="some-other-host")) is False
    assert owner_is_gone(None) is False
    assert owner_is_gone("garbage") is False
    assert owner_is_gone("host:notapid:x:y") is False


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


def test_a_lost_job_through_the_provider_fails_with_lost(db_path: Path, dead_pid: int) -> None:
    lost = record(status=JobStatus.RUNNING, owner=token_for(dead_pid))
    with contextlib.closing(SQLiteJobStore(db_path)) as writer:
        writer.add(lost)
    with MyProvider(store=db_path, executor="thread") as provider:
        job = provider.job(lost.job_id)
        assert job.status() is JobStatus.ERROR
        assert job.cancel() is False  # already final: nothing left to cancel
        with pytest.raises(JobFailedError, match="lost"):
            job.result(timeout=5)


# -- the provider over a file store ---------------------------------------------------------------


@pytest.fixture
def file_provider(db_path: Path) -> Iterator[MyProvider]:
    with MyProvider(store=db_path, executor="thread") as provider:
        yield provider


def test_store_argument_environment_variable_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MyProvider(store=str(tmp_path / "a.db")) as provider:
        assert isinstance(provider.store, WriteBehindStore)
        assert isinstance(provider.store.inner, SQLiteJobStore)
        assert provider.store.location == str(tmp_path / "a.db")
    with MyProvider(store=":memory:") as provider:
        assert isinstance(provider.store, MemoryJobStore)
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(tmp_path / "env.db"))
    with MyProvider() as provider:
        assert provider.store.location == str(tmp_path / "env.db")
    monkeypatch.delenv("QISKIT_MYPROVIDER_STORE")
    monkeypatch.setattr(store_module, "default_store_path", lambda: tmp_path / "data" / "j.db")
    import qiskit_myprovider.provider as provider_module

    monkeypatch.setattr(provider_module, "default_store_path", lambda: tmp_path / "data" / "j.db")
    with MyProvider() as provider:
        assert provider.store.location == str(tmp_path / "data" / "j.db")
    assert (tmp_path / "data" / "j.db").is_file()
    with pytest.raises(InvalidInputError, match="file path"):
        MyProvider(store="")


def test_jobs_filters_order_and_paging_through_the_provider(file_provider: MyProvider) -> None:
    backend = file_provider.get_backend()
    first = backend.run(bell_circuit(), shots=5, job_name="a", job_tags=["x", "y"])
    second = backend.run(bell_circuit(), shots=5, job_name="b", job_tags=["x"])
    third = file_provider.get_backend("myprovider_statevector").run(bell_circuit(), shots=5)
    for job in (first, second, third):
        job.result(timeout=60)
    # A second provider on the same file sees the stored jobs, not the live ones.
    with MyProvider(store=file_provider.store.location) as other:

        def listed(**kwargs: Any) -> list[str]:
            return [j.job_id() for j in other.jobs(**kwargs)]

        assert listed() == [third.job_id(), second.job_id(), first.job_id()]
        assert listed(job_tags=["x"]) == [second.job_id(), first.job_id()]
        assert listed(job_tags=["x", "y"]) == [first.job_id()]
        assert listed(name="b") == [second.job_id()]
        assert listed(backend_name="myprovider_statevector") == [third.job_id()]
        assert listed(status="DONE") == listed(status=JobStatus.DONE) == listed()
        assert listed(status="error") == []
        assert listed(limit=1, skip=1) == [second.job_id()]
        assert listed(limit=None, skip=2) == [first.job_id()]
        created = second.creation_date()
        assert listed(created_after=created, created_before=created) == [second.job_id()]
        assert listed(created_after=created.replace(tzinfo=None).astimezone()) == [
            third.job_id(),
            second.job_id(),
        ]
        stored = other.job(first.job_id())
        assert stored is not first
        assert stored.result().get_counts() == first.result().get_counts()
        assert stored.circuits() == first.circuits()
        assert stored.backend_options() == first.backend_options()
        assert stored.time_per_step() == first.time_per_step()
        with pytest.raises(InvalidInputError, match="status"):
            other.jobs(status="FINISHED")
        with pytest.raises(InvalidInputTypeError):
            other.jobs(job_tags="x")


def test_update_name_and_tags_are_persisted(file_provider: MyProvider) -> None:
    job = file_provider.get_backend().run(bell_circuit(), shots=5, job_tags=["old"])
    job.result(timeout=60)
    job.update_tags(["new", "shiny"])
    job.update_name("renamed")
    with MyProvider(store=file_provider.store.location) as other:
        stored = other.job(job.job_id())
        assert stored.tags() == ["new", "shiny"]
        assert stored.name() == "renamed"
        assert [j.job_id() for j in other.jobs(job_tags=["shiny"])] == [job.job_id()]
        assert other.jobs(job_tags=["old"]) == []


def test_delete_job_removes_a_finished_job(file_provider: MyProvider) -> None:
    job = file_provider.get_backend().run(bell_circuit(), shots=5)
    job.result(timeout=60)
    file_provider.delete_job(job.job_id())
    with pytest.raises(JobNotFoundError):
        file_provider.job(job.job_id())
    with pytest.raises(JobNotFoundError):
        file_provider.delete_job(job.job_id())
    with pytest.raises(InvalidInputError, match="not a job id"):
        file_provider.delete_job("nope")


def test_delete_job_refuses_an_unfinished_job(db_path: Path, gate: Gate) -> None:
    from qiskit_myprovider.execution import ThreadExecutor

    with MyProvider(store=db_path, executor=ThreadExecutor(run=gate.run)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=5)
        gate.wait_started()
        with pytest.raises(InvalidInputError, match=r"RUNNING.*[Cc]ancel"):
            provider.delete_job(job.job_id())
        gate.open()
        job.result(timeout=60)
        provider.delete_job(job.job_id())


def test_prune_takes_a_datetime_or_a_timedelta(file_provider: MyProvider) -> None:
    backend = file_provider.get_backend()
    jobs = [backend.run(bell_circuit(), shots=5) for _ in range(3)]
    for job in jobs:
        job.result(timeout=60)
    assert file_provider.prune(older_than=timedelta(days=1)) == 0
    assert file_provider.prune(older_than=jobs[1].creation_date()) == 1  # strictly older
    assert len(file_provider.jobs()) == 2
    assert file_provider.prune(timedelta(0)) == 2
    assert file_provider.jobs() == []
    with pytest.raises(InvalidInputError, match="negative"):
        file_provider.prune(timedelta(seconds=-1))
    with pytest.raises(InvalidInputTypeError, match="datetime or a timedelta"):
        file_provider.prune(3600)  # type: ignore[arg-type]


def test_several_providers_in_one_process_share_a_file(db_path: Path) -> None:
    with (
        MyProvider(store=db_path, executor="thread") as one,
        MyProvider(store=db_path, executor="thread") as two,
    ):
        a = one.get_backend().run(bell_circuit(), shots=5)
        b = two.get_backend().run(bell_circuit(), shots=5)
        a.result(timeout=60)
        b.result(timeout=60)
        assert {j.job_id() for j in one.jobs()} == {a.job_id(), b.job_id()}
        assert two.job(a.job_id()).status() is JobStatus.DONE
        # A job of a live provider in this same process is not "lost".
        assert one.job(b.job_id()).status() is JobStatus.DONE
