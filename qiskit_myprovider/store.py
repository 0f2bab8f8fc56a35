"""The job store: where every job's record lives, behind a small :class:`JobStore` protocol.

A job writes its record at submission and at every change of state; the provider reads
records back to retrieve and list jobs. :class:`SQLiteJobStore` keeps them in an embedded
SQLite file that several processes and threads share (the default, under the user's data
directory); :class:`MemoryJobStore` keeps them in this process only (``store=":memory:"``).

This module also owns lost-job detection: every record names its *owner* (see
:func:`make_owner_token`), and a record left QUEUED or RUNNING by an owner process that has
since died is marked ERROR ("lost") when it is read (see :func:`owner_is_gone`).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import dataclasses
import io
import json
import logging
import os
import pickle
import socket
import sqlite3
import threading
import time
import uuid
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.exceptions import InvalidInputError, JobNotFoundError, StoreError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

logger = logging.getLogger(__name__)

__all__ = [
    "SCHEMA_VERSION",
    "STORE_ENV_VAR",
    "UPDATABLE_FIELDS",
    "JobQuery",
    "JobRecord",
    "JobStore",
    "MemoryJobStore",
    "SQLiteJobStore",
    "WriteBehindStore",
    "default_store_path",
    "make_owner_token",
    "owner_is_gone",
]

_T = TypeVar("_T")

#: The environment variable that names the default job store (a path, or ``:memory:``).
STORE_ENV_VAR: Final = "QISKIT_MYPROVIDER_STORE"

#: Record fields that :meth:`JobStore.update` may change.
UPDATABLE_FIELDS = frozenset(
    {"status", "time_per_step", "error_message", "result", "name", "tags", "owner"}
)


@dataclass
class JobRecord:
    """Everything known about one job.

    Attributes:
        job_id: The job's id (a UUID string).
        backend_name: The name of the backend it was submitted to.
        status: Its last recorded status.
        creation_date: When it was created (timezone-aware).
        time_per_step: When it reached each step (``CREATED``, ``QUEUED``, ``RUNNING``, final).
        name: The user's name for it, if any.
        tags: The user's tags.
        circuits: The submitted circuits; None when a listing did not load them.
        options: The simulator options it ran with.
        header: The user's header.
        error_message: Why it failed or was lost, if it did.
        result: Its result once DONE; None otherwise or when a listing did not load it.
        owner: Who runs it (``"host:pid:start:nonce"``, see :func:`make_owner_token`); used to
            detect jobs lost with their process.
    """

    job_id: str
    backend_name: str
    status: JobStatus
    creation_date: datetime
    time_per_step: dict[str, datetime] = field(default_factory=dict)
    name: str | None = None
    tags: list[str] = field(default_factory=list)
    circuits: list[QuantumCircuit] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    result: Result | None = None
    owner: str | None = None


@dataclass(frozen=True)
class JobQuery:
    """A filter for :meth:`JobStore.list`; see :meth:`MyProvider.jobs` for the meaning."""

    limit: int | None = 10
    skip: int = 0
    backend_name: str | None = None
    status: JobStatus | None = None
    job_tags: tuple[str, ...] = ()
    name: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def matches(self, record: JobRecord) -> bool:
        """Return whether ``record`` passes every filter (paging aside)."""
        return (
            (self.backend_name is None or record.backend_name == self.backend_name)
            and (self.status is None or record.status == self.status)
            and all(tag in record.tags for tag in self.job_tags)
            and (self.name is None or record.name == self.name)
            and (self.created_after is None or record.creation_date >= self.created_after)
            and (self.created_before is None or record.creation_date <= self.created_before)
        )


class JobStore(Protocol):
    """Where job records are kept. Implementations must be safe to use from several threads."""

    #: Where the records live, for messages (a path, or ":memory:").
    location: str

    def add(self, record: JobRecord) -> None:
        """Insert a new record."""

    def update(self, job_id: str, **changes: Any) -> None:
        """Change some fields (names from :data:`UPDATABLE_FIELDS`) of a stored record.

        Raises:
            JobNotFoundError: no record has that id.
        """

    def get(self, job_id: str) -> JobRecord:
        """Return the whole record of ``job_id``.

        Raises:
            JobNotFoundError: no record has that id.
        """

    def list(self, query: JobQuery) -> Sequence[JobRecord]:
        """Return the records matching ``query``, newest first (circuits and result not loaded)."""

    def delete(self, job_id: str) -> None:
        """Delete a record.

        Raises:
            JobNotFoundError: no record has that id.
        """

    def prune(self, older_than: datetime) -> int:
        """Delete the final-state records created before ``older_than``; return how many."""

    def flush(self) -> None:
        """Make every write made so far durable and visible to other processes.

        A no-op for stores that write at once; :class:`WriteBehindStore` applies its queue.
        """

    def close(self) -> None:
        """Release the store's resources."""


class MemoryJobStore:
    """A :class:`JobStore` that lives in this process only.

    Records are copied in and out, so callers never share mutable state with the store.
    """

    location = ":memory:"

    def __init__(self) -> None:
        self._records: dict[str, JobRecord] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryJobStore jobs={len(self._records)}>"

    def add(self, record: JobRecord) -> None:
        """Insert a new record (see :class:`JobStore`)."""
        with self._lock:
            if record.job_id in self._records:
                raise InvalidInputError(f"A job with id {record.job_id} is already stored")
            self._records[record.job_id] = _copy(record)

    def update(self, job_id: str, **changes: Any) -> None:
        """Change fields of a record (see :class:`JobStore`)."""
        unknown = set(changes) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot update job fields {sorted(unknown)}")
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                raise _not_found(job_id, self.location)
            for key, value in changes.items():
                setattr(record, key, copy.copy(value))

    def get(self, job_id: str) -> JobRecord:
        """Return a copy of the record (see :class:`JobStore`)."""
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                raise _not_found(job_id, self.location)
            return _copy(record)

    def list(self, query: JobQuery) -> list[JobRecord]:
        """Return matching records, newest first (see :class:`JobStore`)."""
        with self._lock:
            matching = [r for r in self._records.values() if query.matches(r)]
        matching.sort(key=lambda r: (r.creation_date, r.job_id), reverse=True)
        end = None if query.limit is None else query.skip + query.limit
        return [
            dataclasses.replace(_copy(r), circuits=None, result=None)
            for r in matching[query.skip : end]
        ]

    def delete(self, job_id: str) -> None:
        """Delete a record (see :class:`JobStore`)."""
        with self._lock:
            if self._records.pop(job_id, None) is None:
                raise _not_found(job_id, self.location)

    def prune(self, older_than: datetime) -> int:
        """Delete old final records (see :class:`JobStore`)."""
        with self._lock:
            old = [
                job_id
                for job_id, r in self._records.items()
                if r.creation_date < older_than and r.status in JOB_FINAL_STATES
            ]
            for job_id in old:
                del self._records[job_id]
        return len(old)

    def flush(self) -> None:
        """Nothing to flush: every write is applied at once."""

    def close(self) -> None:
        """Nothing to release."""


def _copy(record: JobRecord) -> JobRecord:
    # Circuits and results are treated as immutable once stored, so a shallow copy of the
    # containers is enough.
    return dataclasses.replace(
        record,
        time_per_step=dict(record.time_per_step),
        tags=list(record.tags),
        circuits=None if record.circuits is None else list(record.circuits),
        options=dict(record.options),
        header=dict(record.header),
    )


def _not_found(job_id: str, location: str) -> JobNotFoundError:
    return JobNotFoundError(f"No job with id '{job_id}' in the job store at {location}")


# -- owners and lost jobs ---------------------------------------------------------------------

#: Owner tokens made in this process: a record with our pid but a token not in here was
#: written by an earlier process that happened to have the same pid (common in containers).
_OWN_TOKENS: set[str] = set()


def make_owner_token() -> str:
    """Return a new token naming this process as the owner of the jobs it runs.

    The token is ``"host:pid:start:nonce"``: the host name, the process id, the process's start
    time (from ``/proc`` where there is one, so a reused pid is told apart; empty elsewhere)
    and a random nonce (one per provider).

    Returns:
        The token, for :attr:`JobRecord.owner`.
    """
    pid = os.getpid()
    stat = _proc_stat(pid)
    start = "" if stat is None else stat[1]
    token = f"{socket.gethostname()}:{pid}:{start}:{uuid.uuid4().hex[:12]}"
    _OWN_TOKENS.add(token)
    return token


def owner_is_gone(owner: str | None) -> bool:
    """Return whether the process named by an owner token has certainly exited.

    Only a process on this host can be checked; for any other host, a malformed token or a
    platform without a safe liveness check (Windows), the answer is False ("cannot tell").

    Args:
        owner: A token from :func:`make_owner_token`, or None.

    Returns:
        True if that process no longer runs (it exited, is a zombie, or its pid now belongs to
        a newer process); False if it runs or if this cannot be told.
    """
    parsed = _parse_owner(owner)
    if parsed is None or os.name == "nt":  # os.kill(pid, 0) would terminate it on Windows
        return False
    host, pid, start = parsed
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return owner not in _OWN_TOKENS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, and belongs to another user
    except OSError:
        return False
    stat = _proc_stat(pid)
    if stat is None:
        return False
    state, started = stat
    return state in ("Z", "X") or (bool(start) and start != started)


def _parse_owner(owner: str | None) -> tuple[str, int, str] | None:
    if not owner:
        return None
    parts = owner.rsplit(":", 3)
    if len(parts) == 4:
        host, pid, start, _nonce = parts
    elif len(parts) == 3:
        (host, pid, _nonce), start = parts, ""
    else:
        return None
    try:
        number = int(pid)
    except ValueError:
        return None
    return (host, number, start) if number > 0 else None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """Return the state letter and start time (clock ticks after boot) of a Linux process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            text = file.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; it ends at the last ')'.
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]  # fields 3 (state) and 22 (starttime) of proc(5)


def _lost_message(job_id: str, owner: str, status: str) -> str:
    parsed = _parse_owner(owner)
    who = f"pid {parsed[1]} on host {parsed[0]}" if parsed else owner
    return (
        f"Job {job_id} was lost: the process that ran it ({who}) exited while the job was "
        f"{status}, before it finished. Submit the job again."
    )


# -- SQLite ----------------------------------------------------------------------------------

_UNFINISHED_SQL: Final = ", ".join(f"'{s.name}'" for s in JobStatus if s not in JOB_FINAL_STATES)
_FINAL_SQL: Final = ", ".join(f"'{s.name}'" for s in JobStatus if s in JOB_FINAL_STATES)

#: The schema, one entry per version: entry ``n`` takes a store from version ``n`` to ``n + 1``.
#: Never edit a released entry; append a new one (``ALTER TABLE ...``) instead.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """
        CREATE TABLE jobs (
            job_id        TEXT PRIMARY KEY NOT NULL,
            backend_name  TEXT NOT NULL,
            status        TEXT NOT NULL,  -- a JobStatus name
            created_us    INTEGER NOT NULL,  -- creation time, microseconds after the Unix epoch
            creation_date TEXT NOT NULL,  -- the same, ISO 8601 with the creator's UTC offset
            time_per_step TEXT NOT NULL,  -- JSON: step name -> ISO 8601
            name          TEXT,
            tags          TEXT NOT NULL,  -- JSON list, in the user's order
            circuits      BLOB,           -- codec byte + zlib(QPY, or pickle where QPY fails)
            options       BLOB NOT NULL,  -- codec byte + zlib(pickle)
            header        BLOB NOT NULL,  -- codec byte + zlib(pickle)
            error_message TEXT,
            result        BLOB,           -- codec byte + zlib(pickle of qiskit.result.Result)
            owner         TEXT            -- host:pid:start:nonce of the process that runs it
        )
        """,
        "CREATE INDEX jobs_by_creation ON jobs (created_us, job_id)",
        f"CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ({_UNFINISHED_SQL})",
        # One row per (tag, job), in creation order within each tag: a tag filter walks its
        # own jobs newest first, so a rare tag costs as little as a common one.
        """
        CREATE TABLE job_tags (
            tag        TEXT NOT NULL,
            created_us INTEGER NOT NULL,  -- the job's, copied: it never changes
            job_id     TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
            PRIMARY KEY (tag, created_us, job_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX job_tags_by_job ON job_tags (job_id)",
    ),
)

#: The schema version this code writes (stored in ``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(_MIGRATIONS)

#: Marks a file as ours (``PRAGMA application_id``): "QMPS".
_APPLICATION_ID: Final = 0x514D5053

#: How long one statement waits for another connection's lock before SQLite gives up ...
_BUSY_TIMEOUT_S: Final = 30.0
#: ... and how long we keep retrying the few lock errors SQLite reports without waiting.
_RETRY_FOR_S: Final = 30.0

_LIGHT_COLUMNS: Final = ", ".join(
    f"jobs.{name}"
    for name in (
        "job_id", "backend_name", "status", "creation_date", "time_per_step", "name", "tags",
        "options", "header", "error_message", "owner",
    )
)  # fmt: skip
_FULL_COLUMNS: Final = _LIGHT_COLUMNS + ", jobs.circuits, jobs.result"
_INSERT_TAG: Final = (
    "INSERT OR IGNORE INTO job_tags (tag, created_us, job_id) "
    "SELECT ?, created_us, job_id FROM jobs WHERE job_id = ?"
)

# Blob codecs: the first byte says how the rest (zlib-compressed when large) is encoded.
_QPY: Final = b"Q"
_PICKLE: Final = b"P"

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)

_ELSEWHERE: Final = (
    f"or point {STORE_ENV_VAR} (or MyProvider(store=...)) at another file, "
    "or use store=':memory:' for no persistence"
)


def default_store_path() -> Path:
    """Return where jobs are kept by default: ``jobs.sqlite3`` in the user's data directory.

    Returns:
        The path (e.g. ``~/.local/share/qiskit-myprovider/jobs.sqlite3`` on Linux); the file
        and its folders are created on first use.
    """
    import platformdirs

    return Path(platformdirs.user_data_dir("qiskit-myprovider", appauthor=False)) / "jobs.sqlite3"


class SQLiteJobStore:
    """A :class:`JobStore` in an embedded SQLite file, shared safely by processes and threads.

    The file uses write-ahead logging (readers never wait for a writer), every write is one
    ``BEGIN IMMEDIATE`` transaction, and lock contention is waited out (``busy_timeout`` plus
    a bounded retry) so "database is locked" never reaches a caller. The schema is versioned
    (``PRAGMA user_version``) and migrated forward when an older file is opened.

    Circuits are stored as QPY; options, header and result as pickles (so a noise model or
    a statevector comes back as the same object). A store file is therefore as trusted as
    code: open only stores you (or your own programs) wrote.

    Every ``sqlite3.Error`` becomes a :class:`~qiskit_myprovider.exceptions.StoreError` that
    names the file and what to do about it.

    Args:
        path: The file; it and its folders are created if missing.

    Raises:
        StoreError: the file cannot be created or opened, is corrupt, is another program's
            database, or was written by a newer qiskit-myprovider.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(os.fspath(path)).expanduser().absolute()
        self.location: str = str(self._path)
        self._lock = threading.RLock()
        self._closed = False
        self._pid = os.getpid()
        # Connections inherited through fork: never used nor closed (that could disturb the
        # parent's locks), only kept from the garbage collector.
        self._inherited: list[sqlite3.Connection] = []
        self._conn: sqlite3.Connection | None = self._open()

    def __repr__(self) -> str:
        return f"<SQLiteJobStore {self.location!r}{' closed' if self._closed else ''}>"

    # -- JobStore --------------------------------------------------------------------------

    def add(self, record: JobRecord) -> None:
        """Insert a new record (see :class:`JobStore`).

        Raises:
            InvalidInputError: a record with this id is already stored.
            StoreError: the store could not be written.
        """
        row = {
            "job_id": record.job_id,
            "backend_name": record.backend_name,
            "status": record.status.name,
            "created_us": _micros(record.creation_date),
            "creation_date": _aware(record.creation_date).isoformat(),
            "time_per_step": _steps_to_json(record.time_per_step),
            "name": record.name,
            "tags": json.dumps(list(record.tags)),
            "circuits": None if record.circuits is None else _pack_circuits(record.circuits),
            "options": _pack(dict(record.options)),
            "header": _pack(dict(record.header)),
            "error_message": record.error_message,
            "result": None if record.result is None else _pack(record.result),
            "owner": record.owner,
        }
        names = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(f"INSERT INTO jobs ({names}) VALUES ({values})", row)
            except sqlite3.IntegrityError as exc:
                raise InvalidInputError(
                    f"A job with id {record.job_id} is already stored in {self.location}"
                ) from exc
            conn.executemany(_INSERT_TAG, [(tag, record.job_id) for tag in record.tags])

        self._write(f"recording job {record.job_id}", insert)

    def update(self, job_id: str, **changes: Any) -> None:
        """Change fields of a record (see :class:`JobStore`).

        Raises:
            JobNotFoundError: no record has that id.
            StoreError: the store could not be written.
        """
        unknown = set(changes) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot update job fields {sorted(unknown)}")
        columns: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "status":
                columns["status"] = JobStatus(value).name
            elif key == "time_per_step":
                columns["time_per_step"] = _steps_to_json(value)
            elif key == "tags":
                columns["tags"] = json.dumps(list(value))
            elif key == "result":
                columns["result"] = None if value is None else _pack(value)
            else:  # name, error_message, owner: plain text
                columns[key] = value
        assignments = ", ".join(f"{name} = ?" for name in columns)

        def apply(conn: sqlite3.Connection) -> None:
            if columns:
                cursor = conn.execute(
                    f"UPDATE jobs SET {assignments} WHERE job_id = ?", [*columns.values(), job_id]
                )
                found = cursor.rowcount > 0
            else:
                found = _exists(conn, job_id)
            if not found:
                raise _not_found(job_id, self.location)
            if "tags" in changes:
                conn.execute("DELETE FROM job_tags WHERE job_id = ?", (job_id,))
                conn.executemany(_INSERT_TAG, [(tag, job_id) for tag in changes["tags"]])

        self._write(f"updating job {job_id}", apply)

    def get(self, job_id: str) -> JobRecord:
        """Return the whole record of ``job_id`` (see :class:`JobStore`).

        A record left unfinished by a process that has since died is first marked ERROR,
        with a message saying the job was lost with its process.

        Raises:
            JobNotFoundError: no record has that id.
            StoreError: the store could not be read, or the record not decoded.
        """
        record = self._get(job_id)
        if record.status not in JOB_FINAL_STATES and owner_is_gone(record.owner):
            self._mark_lost(job_id, record.owner)
            record = self._get(job_id)
        return record

    def list(self, query: JobQuery) -> list[JobRecord]:
        """Return matching records, newest first, without circuits and result.

        Lost jobs are marked ERROR first (see :meth:`get`), so a status filter sees them as
        they are.

        Raises:
            StoreError: the store could not be read.
        """
        self._mark_all_lost()

        def select(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            sql, params = _list_sql(query, _rarest_first(conn, query.job_tags))
            return conn.execute(sql, params).fetchall()

        rows = self._read("listing jobs", select)
        return [self._decode(row, full=False) for row in rows]

    def delete(self, job_id: str) -> None:
        """Delete a record (see :class:`JobStore`).

        Raises:
            JobNotFoundError: no record has that id.
            StoreError: the store could not be written.
        """

        def remove(conn: sqlite3.Connection) -> None:
            if conn.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,)).rowcount == 0:
                raise _not_found(job_id, self.location)

        self._write(f"deleting job {job_id}", remove)

    def prune(self, older_than: datetime) -> int:
        """Delete the final records created before ``older_than`` (see :class:`JobStore`).

        Returns:
            How many records were deleted.

        Raises:
            StoreError: the store could not be written.
        """
        self._mark_all_lost()
        cutoff = _micros(older_than)

        def remove(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                f"DELETE FROM jobs WHERE created_us < ? AND status IN ({_FINAL_SQL})", (cutoff,)
            )
            return cursor.rowcount

        return self._write("pruning old jobs", remove)

    def flush(self) -> None:
        """Nothing to flush: every write is its own committed transaction."""

    def close(self) -> None:
        """Close the store's connection. Idempotent.

        The store stays usable: a job that ends after its provider was closed still records
        its final state. Each later call opens a connection of its own and closes it again.
        """
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None and self._pid == os.getpid():
                conn.close()

    # -- records ---------------------------------------------------------------------------

    def _get(self, job_id: str) -> JobRecord:
        row = self._read(
            f"reading job {job_id}",
            lambda conn: conn.execute(
                f"SELECT {_FULL_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone(),
        )
        if row is None:
            raise _not_found(job_id, self.location)
        return self._decode(row, full=True)

    def _decode(self, row: sqlite3.Row, *, full: bool) -> JobRecord:
        job_id = row["job_id"]
        try:
            return JobRecord(
                job_id=job_id,
                backend_name=row["backend_name"],
                status=JobStatus[row["status"]],
                creation_date=datetime.fromisoformat(row["creation_date"]),
                time_per_step={
                    step: datetime.fromisoformat(when)
                    for step, when in json.loads(row["time_per_step"]).items()
                },
                name=row["name"],
                tags=list(json.loads(row["tags"])),
                circuits=_unpack(row["circuits"]) if full and row["circuits"] else None,
                options=_unpack(row["options"]),
                header=_unpack(row["header"]),
                error_message=row["error_message"],
                result=_unpack(row["result"]) if full and row["result"] else None,
                owner=row["owner"],
            )
        except Exception as exc:
            raise StoreError(
                f"The record of job {job_id} in the job store {self.location} cannot be read "
                f"({type(exc).__name__}: {exc}). It was probably written by a different "
                "version of qiskit-myprovider or Qiskit; read it with that version, or delete "
                "the job (provider.delete_job)."
            ) from exc

    def _mark_all_lost(self) -> None:
        rows = self._read(
            "looking for lost jobs",
            lambda conn: conn.execute(
                f"SELECT job_id, owner FROM jobs WHERE status IN ({_UNFINISHED_SQL})"
            ).fetchall(),
        )
        gone: dict[str | None, bool] = {}
        for job_id, owner in rows:
            if owner not in gone:
                gone[owner] = owner_is_gone(owner)
            if gone[owner]:
                self._mark_lost(job_id, owner)

    def _mark_lost(self, job_id: str, owner: str | None) -> None:
        def mark(conn: sqlite3.Connection) -> None:
            # Re-read inside the write transaction: only a record still unfinished and still
            # owned by the dead process is changed, so concurrent readers cannot fight.
            row = conn.execute(
                "SELECT status, time_per_step, owner FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is None or row["owner"] != owner:
                return
            if JobStatus[row["status"]] in JOB_FINAL_STATES:
                return
            steps = json.loads(row["time_per_step"])
            steps[JobStatus.ERROR.name] = _now().isoformat()
            conn.execute(
                "UPDATE jobs SET status = ?, time_per_step = ?, error_message = ? WHERE job_id = ?",
                (
                    JobStatus.ERROR.name,
                    json.dumps(steps),
                    _lost_message(job_id, owner or "", row["status"]),
                    job_id,
                ),
            )

        self._write(f"marking job {job_id} as lost", mark)

    # -- connection ------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._path.is_dir():
            raise StoreError(
                f"The job store path {self.location} is a directory; give a file path such as "
                f"{self._path / 'jobs.sqlite3'}"
            )
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder of the job store {self.location} ({exc}); "
                f"create it or make it writable, {_ELSEWHERE}"
            ) from exc
        try:
            conn = sqlite3.connect(
                self._path,
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock instead
            )
        except sqlite3.Error as exc:
            raise self._translate(exc, "opening it") from exc
        conn.row_factory = sqlite3.Row
        try:
            self._retrying("opening it", lambda: self._prepare(conn))
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # The first read is where a corrupt or foreign file shows itself.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        self._check_version(version)
        # WAL: readers never block the writer nor each other. NORMAL sync in WAL mode keeps
        # every commit through a crash of the process (not of the machine), at a fraction
        # of the cost of FULL.
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            self._migrate(conn)
        else:
            self._check_application_id(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated the file while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if version == 0:
                tables = [
                    row[0]
                    for row in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                ]
                if tables:
                    raise self._foreign(f"it holds tables {', '.join(tables)}")
            else:
                self._check_application_id(conn)
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            from qiskit_myprovider.version import __version__

            raise StoreError(
                f"The job store {self.location} has schema version {version}, but "
                f"qiskit-myprovider {__version__} knows versions up to {SCHEMA_VERSION}: a "
                "newer qiskit-myprovider wrote it. Upgrade qiskit-myprovider "
                f"(pip install -U qiskit-myprovider), {_ELSEWHERE}. The file is left untouched."
            )

    def _check_application_id(self, conn: sqlite3.Connection) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != _APPLICATION_ID:
            raise self._foreign(f"its application id is {app_id:#x}")

    def _foreign(self, why: str) -> StoreError:
        return StoreError(
            f"The file {self.location} is an SQLite database but not a qiskit-myprovider job "
            f"store ({why}). It is left untouched: {_ELSEWHERE}."
        )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """The open connection; once closed, a new one for this call only."""
        if self._closed:
            conn = self._open()
            try:
                yield conn
            finally:
                conn.close()
            return
        if os.getpid() != self._pid:  # forked: a connection must not cross a fork
            if self._conn is not None:
                self._inherited.append(self._conn)
            self._pid = os.getpid()
            self._conn = self._open()
        assert self._conn is not None
        yield self._conn

    def _read(self, doing: str, action: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock, self._connection() as conn:
            return self._retrying(doing, lambda: action(conn))

    def _write(self, doing: str, action: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock, self._connection() as conn:

            def transaction() -> _T:
                conn.execute("BEGIN IMMEDIATE")  # take the write lock now, not mid-way
                try:
                    value = action(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
                return value

            return self._retrying(doing, transaction)

    def _retrying(self, doing: str, attempt: Callable[[], _T]) -> _T:
        deadline = time.monotonic() + _RETRY_FOR_S
        delay = 0.005
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                # busy_timeout waits out most lock conflicts; SQLite reports a few at once
                # (e.g. while another connection recovers the WAL): retry those a while.
                if _is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.25)
                    continue
                raise self._translate(exc, doing) from exc
            except sqlite3.Error as exc:
                raise self._translate(exc, doing) from exc

    def _translate(self, exc: sqlite3.Error, doing: str) -> StoreError:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        where = f"the job store {self.location}"
        if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return StoreError(
                f"Cannot use {where}: it is corrupt or not an SQLite database ({exc}). Move "
                f"it aside (for example rename it to {self._path.name}.corrupt; a new empty "
                f"store is then created in its place), {_ELSEWHERE}."
            )
        if _is_busy(exc):
            return StoreError(
                f"{where.capitalize()} stayed locked by another connection for more than "
                f"{_BUSY_TIMEOUT_S:.0f} s while {doing}; try again, and look for a process "
                "that holds it open in a transaction"
            )
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            return StoreError(
                f"Cannot write {where} while {doing} ({exc}): make the file and its folder "
                f"writable, {_ELSEWHERE}."
            )
        if code == sqlite3.SQLITE_CANTOPEN:
            return StoreError(
                f"Cannot open {where} ({exc}): check that it and its folder exist and are "
                f"readable and writable, {_ELSEWHERE}."
            )
        if code == sqlite3.SQLITE_FULL:
            return StoreError(
                f"The disk holding {where} is full ({exc}) while {doing}: free some space or "
                f"prune old jobs (provider.prune), {_ELSEWHERE}."
            )
        return StoreError(f"Error in {where} while {doing}: {type(exc).__name__}: {exc}")


def _rarest_first(conn: sqlite3.Connection, tags: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(tags))
    if len(unique) < 2:
        return unique
    counts = {
        tag: conn.execute("SELECT count(*) FROM job_tags WHERE tag = ?", (tag,)).fetchone()[0]
        for tag in unique
    }
    return sorted(unique, key=counts.__getitem__)


def _list_sql(query: JobQuery, tags: Sequence[str]) -> tuple[str, list[Any]]:
    """The SELECT for ``query``; with tags, it walks the rarest tag's jobs newest first."""
    where: list[str] = []
    params: list[Any] = []
    if tags:
        source = "job_tags AS d JOIN jobs ON jobs.job_id = d.job_id"
        created = "d.created_us"
        order = "d.created_us DESC, d.job_id DESC"
        where.append("d.tag = ?")
        params.append(tags[0])
        for tag in tags[1:]:
            where.append(
                "EXISTS (SELECT 1 FROM job_tags AS t WHERE t.tag = ? "
                "AND t.created_us = jobs.created_us AND t.job_id = jobs.job_id)"
            )
            params.append(tag)
    else:
        source = "jobs"
        created = "jobs.created_us"
        order = "jobs.created_us DESC, jobs.job_id DESC"
    if query.backend_name is not None:
        where.append("jobs.backend_name = ?")
        params.append(query.backend_name)
    if query.status is not None:
        where.append("jobs.status = ?")
        params.append(query.status.name)
    if query.name is not None:
        where.append("jobs.name = ?")
        params.append(query.name)
    if query.created_after is not None:
        where.append(f"{created} >= ?")
        params.append(_micros(query.created_after))
    if query.created_before is not None:
        where.append(f"{created} <= ?")
        params.append(_micros(query.created_before))
    sql = f"SELECT {_LIGHT_COLUMNS} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
    params += [-1 if query.limit is None else query.limit, query.skip]
    return sql, params


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc)
    return "locked" in text or "busy" in text


def _exists(conn: sqlite3.Connection, job_id: str) -> bool:
    return conn.execute("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)).fetchone() is not None


def _now() -> datetime:
    return datetime.now().astimezone()


def _aware(when: datetime) -> datetime:
    # Naive datetimes mean local time, like the jobs' own timestamps.
    return when if when.tzinfo is not None else when.astimezone()


def _micros(when: datetime) -> int:
    return (_aware(when) - _EPOCH) // _MICROSECOND


def _steps_to_json(steps: dict[str, datetime]) -> str:
    return json.dumps({step: _aware(when).isoformat() for step, when in steps.items()})


def _pack(value: object) -> bytes:
    return _PICKLE + _compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


#: Payloads smaller than this are stored as they are: compressing them costs more time than
#: it saves space.
_COMPRESS_FROM: Final = 1024


def _compress(payload: bytes) -> bytes:
    # zlib streams start with 0x78; neither pickle (0x80) nor QPY (b"Q") does, so a reader
    # tells the two apart by the first byte.
    return zlib.compress(payload) if len(payload) >= _COMPRESS_FROM else payload


def _decompress(payload: bytes) -> bytes:
    return zlib.decompress(payload) if payload[:1] == b"\x78" else payload


def _pack_circuits(circuits: Sequence[QuantumCircuit]) -> bytes:
    from qiskit import qpy

    buffer = io.BytesIO()
    try:
        qpy.dump(list(circuits), buffer)
    except Exception:
        # QPY cannot encode a few exotic instructions; pickle can, at the price of being
        # tied to the Qiskit version that wrote it.
        return _pack(list(circuits))
    return _QPY + _compress(buffer.getvalue())


def _unpack(blob: bytes) -> Any:
    codec, payload = blob[:1], _decompress(blob[1:])
    if codec == _QPY:
        from qiskit import qpy

        return qpy.load(io.BytesIO(payload))
    if codec == _PICKLE:
        return pickle.loads(payload)  # the store is the user's own file (see the class docs)
    raise ValueError(f"unknown encoding {codec!r}")


# -- write-behind ---------------------------------------------------------------------------

#: Fields whose updates a caller waits for (a user's rename must not be lost or reordered).
_SYNCHRONOUS_FIELDS: Final = frozenset({"name", "tags"})


class WriteBehindStore:
    """Write a job's changes of state in the background, coalesced.

    A job of a millisecond changes state three times after its submission (QUEUED, RUNNING,
    DONE); three more SQLite transactions would cost more than the simulation. The
    submission itself (``add``) is written at once, so a job id handed out can be looked up
    from any process immediately; later ``update`` calls return at once and a writer thread
    applies them, every update queued for a job while it was busy becoming one, so other
    processes see a change within milliseconds. Jobs long enough for it to be negligible
    call :meth:`flush` at RUNNING and at their final state (see
    :class:`~qiskit_myprovider.MyJob`), so their record is exact while they run and the
    moment they end.

    Reads (``get``, ``list``), ``delete`` and ``prune`` first flush every write-behind store
    on the same file in this process, so this process always reads its own writes. Renames
    and re-tags are written before returning. Pending writes are flushed by :meth:`close`
    and at interpreter exit. A background write that fails is logged (it cannot be raised
    into the job that caused it).

    Args:
        inner: The store that is written to.
    """

    def __init__(self, inner: JobStore) -> None:
        self._inner = inner
        self.location: str = inner.location
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._queue: list[tuple[str, dict[str, Any]]] = []
        self._queued = 0  # operations ever queued
        self._written = 0  # operations ever applied (or failed)
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="myprovider-store-writer")
        self._thread.daemon = True
        self._thread.start()
        _write_behind_stores.add(self)

    def __repr__(self) -> str:
        return f"<WriteBehindStore over {self._inner!r}>"

    @property
    def inner(self) -> JobStore:
        """The store written to."""
        return self._inner

    def add(self, record: JobRecord) -> None:
        """Insert a new record at once (see :class:`JobStore`)."""
        self._inner.add(record)

    def update(self, job_id: str, **changes: Any) -> None:
        """Queue a change of state; renames and re-tags are written before returning."""
        unknown = set(changes) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot update job fields {sorted(unknown)}")
        if _SYNCHRONOUS_FIELDS & set(changes):
            self.flush()
            self._inner.update(job_id, **changes)
            return
        self._enqueue(job_id, dict(changes))

    def get(self, job_id: str) -> JobRecord:
        """Return a record, after this process's pending writes (see :class:`JobStore`)."""
        self._flush_siblings()
        return self._inner.get(job_id)

    def list(self, query: JobQuery) -> Sequence[JobRecord]:
        """Return matching records, after this process's pending writes."""
        self._flush_siblings()
        return self._inner.list(query)

    def delete(self, job_id: str) -> None:
        """Delete a record, after this process's pending writes."""
        self._flush_siblings()
        self._inner.delete(job_id)

    def prune(self, older_than: datetime) -> int:
        """Delete old final records, after this process's pending writes."""
        self._flush_siblings()
        return self._inner.prune(older_than)

    def _flush_siblings(self) -> None:
        # Another provider of this process may be writing behind to the same file.
        for store in list(_write_behind_stores):
            if store.location == self.location:
                store.flush()

    def flush(self) -> None:
        """Apply every write queued so far (in this thread, unless the writer is at it)."""
        with self._cond:
            target = self._queued
        while True:
            self._drain()
            with self._cond:
                if self._written >= target:
                    return

    def close(self) -> None:
        """Flush, stop the writer and close the inner store. Idempotent.

        Writes that arrive afterwards (a job ending after its provider closed) go straight
        to the inner store.
        """
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(10)
        self._inner.close()
        _write_behind_stores.discard(self)

    def _enqueue(self, job_id: str, changes: dict[str, Any]) -> None:
        with self._cond:
            if not self._closed:
                self._queue.append((job_id, changes))
                self._queued += 1
                self._cond.notify_all()
                return
        self._inner.update(job_id, **changes)

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
            self._drain()

    def _drain(self) -> None:
        # Whoever holds the write lock writes; a flushing caller does it itself rather than
        # wait for the writer thread to be scheduled.
        with self._write_lock:
            with self._cond:
                batch, self._queue = self._queue, []
            if not batch:
                return
            try:
                self._apply(batch)
            finally:
                with self._cond:
                    self._written += len(batch)
                    self._cond.notify_all()

    def _apply(self, batch: Sequence[tuple[str, dict[str, Any]]]) -> None:
        # Coalesce: several updates of one job become one.
        updates: dict[str, dict[str, Any]] = {}
        for job_id, changes in batch:
            updates.setdefault(job_id, {}).update(changes)
        for job_id, changes in updates.items():
            try:
                self._inner.update(job_id, **changes)
            except Exception:
                logger.exception("could not update job %s in %s", job_id, self.location)


_write_behind_stores: weakref.WeakSet[WriteBehindStore] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    # A job that ended just before exit must not read back as RUNNING (and then "lost").
    for store in list(_write_behind_stores):
        with contextlib.suppress(Exception):
            store.flush()
