"""The SQLite job store: one file shared safely by every process and thread that opens it.

This module owns the connection (one per store and process, never carried across a fork),
the transactions (``BEGIN IMMEDIATE``, with lock contention waited out and a bounded retry),
the translation of every ``sqlite3.Error`` into a :class:`StoreError` that says what to do,
and marking lost jobs as they are read. The file's schema lives in ``schema.py``, the column
encodings in ``codec.py`` and the SQL of listings in ``queries.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.clock import now
from qiskit_myprovider.exceptions import InvalidInputError, StoreError
from qiskit_myprovider.store.codec import decode_record, encode_changes, encode_record, micros
from qiskit_myprovider.store.files import (
    create_private_file,
    make_private_folders,
    warn_if_shared,
)
from qiskit_myprovider.store.owners import lost_message, owner_is_gone
from qiskit_myprovider.store.paths import ELSEWHERE
from qiskit_myprovider.store.queries import FULL_COLUMNS, INSERT_TAG, list_sql, rarest_first
from qiskit_myprovider.store.record import JobQuery, JobRecord, check_updatable, not_found
from qiskit_myprovider.store.schema import FINAL_SQL, UNFINISHED_SQL, prepare
from qiskit_myprovider.store.sqlite_errors import is_busy, translate

__all__ = ["SQLiteJobStore"]

_T = TypeVar("_T")

#: How long one statement waits for another connection's lock before SQLite gives up ...
_BUSY_TIMEOUT_S: Final = 30.0
#: ... and how long we keep retrying the few lock errors SQLite reports without waiting.
_RETRY_FOR_S: Final = 30.0
#: The first pause between two retries; each next one doubles, up to the last.
_FIRST_RETRY_PAUSE_S: Final = 0.005
_LAST_RETRY_PAUSE_S: Final = 0.25


class SQLiteJobStore:
    """A :class:`JobStore` in an embedded SQLite file, shared safely by processes and threads.

    The file uses write-ahead logging (readers never wait for a writer), every write is one
    ``BEGIN IMMEDIATE`` transaction, and lock contention is waited out (``busy_timeout`` plus
    a bounded retry) so "database is locked" never reaches a caller. The schema is versioned
    (``PRAGMA user_version``) and migrated forward when an older file is opened.

    Circuits are stored as QPY; options, header and result as typed JSON (see
    ``codec.py``): reading a store never runs code. The file and the folders the store
    creates are private (0600, 0700, whatever the umask); an existing file that other users
    may read or write is logged as a warning that names the fix. A record that cannot be
    decoded reads as an ERROR record saying so (``delete_job`` removes it), and a file
    deleted or replaced while open is reported rather than silently written elsewhere.

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
        self._identity: tuple[int, int] | None = None  # (st_dev, st_ino) of the open file
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
        row = encode_record(record)
        names = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(f"INSERT INTO jobs ({names}) VALUES ({values})", row)
            except sqlite3.IntegrityError as exc:
                raise InvalidInputError(
                    f"A job with id {record.job_id} is already stored in {self.location}"
                ) from exc
            conn.executemany(INSERT_TAG, [(tag, record.job_id) for tag in record.tags])

        self._write(f"recording job {record.job_id}", insert)

    def update(self, job_id: str, **changes: Any) -> None:
        """Change fields of a record (see :class:`JobStore`).

        Raises:
            JobNotFoundError: no record has that id.
            StoreError: the store could not be written.
        """
        check_updatable(changes)
        columns = encode_changes(changes)
        self._write(
            f"updating job {job_id}",
            lambda conn: _apply_update(conn, job_id, changes, columns, self.location),
        )

    def update_many(self, updates: Mapping[str, Mapping[str, Any]]) -> None:
        """Apply the changes of several records in ONE transaction (a write-behind's batch).

        All or nothing: if any record is missing or any change fails, none is applied (the
        caller then applies them one by one to find the culprit).

        Raises:
            JobNotFoundError: a record does not exist.
            StoreError: the store could not be written.
        """
        prepared = []
        for job_id, changes in updates.items():
            check_updatable(dict(changes))
            prepared.append((job_id, changes, encode_changes(changes)))

        def apply(conn: sqlite3.Connection) -> None:
            for job_id, changes, columns in prepared:
                _apply_update(conn, job_id, changes, columns, self.location)

        self._write(f"updating {len(prepared)} jobs", apply)

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

    def request_cancel(self, job_id: str) -> bool:
        """Record a cancel request for the job's owner to act on (see :class:`JobStore`).

        Raises:
            JobNotFoundError: no record has that id.
            StoreError: the store could not be written.
        """

        def ask(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE jobs SET cancel_requested_us = ? "
                f"WHERE job_id = ? AND status IN ({UNFINISHED_SQL})",
                (micros(now()), job_id),
            )
            if cursor.rowcount == 0 and not _exists(conn, job_id):
                raise not_found(job_id, self.location)
            return cursor.rowcount > 0

        return self._write(f"asking to cancel job {job_id}", ask)

    def cancel_requests(self, owner: str) -> Sequence[str]:
        """The unfinished jobs of ``owner`` asked to cancel (see :class:`JobStore`).

        Raises:
            StoreError: the store could not be read.
        """

        def select(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                "SELECT job_id FROM jobs INDEXED BY jobs_cancel_requested "
                f"WHERE owner = ? AND cancel_requested_us IS NOT NULL "
                f"AND status IN ({UNFINISHED_SQL})",
                (owner,),
            ).fetchall()
            return [row[0] for row in rows]

        return self._read("reading cancel requests", select)

    def list(self, query: JobQuery) -> list[JobRecord]:
        """Return matching records, newest first, without circuits and result.

        Lost jobs are marked ERROR first (see :meth:`get`), so a status filter sees them as
        they are.

        Raises:
            StoreError: the store could not be read.
        """
        self._mark_all_lost()

        def select(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            sql, params = list_sql(query, rarest_first(conn, query.job_tags))
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
                raise not_found(job_id, self.location)

        self._write(f"deleting job {job_id}", remove)

    def prune(self, older_than: datetime) -> int:
        """Delete the final records created before ``older_than`` (see :class:`JobStore`).

        Returns:
            How many records were deleted.

        Raises:
            StoreError: the store could not be written.
        """
        self._mark_all_lost()
        cutoff = micros(older_than)

        def remove(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                f"DELETE FROM jobs WHERE created_us < ? AND status IN ({FINAL_SQL})",
                (cutoff,),
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
                f"SELECT {FULL_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone(),
        )
        if row is None:
            raise not_found(job_id, self.location)
        return self._decode(row, full=True)

    def _decode(self, row: sqlite3.Row, *, full: bool) -> JobRecord:
        # A damaged column makes an ERROR record that says so (see decode_record): one bad
        # record must not hide every other one.
        return decode_record(row, full=full, location=self.location)

    def _mark_all_lost(self) -> None:
        rows = self._read(
            "looking for lost jobs",
            lambda conn: conn.execute(
                f"SELECT job_id, owner FROM jobs WHERE status IN ({UNFINISHED_SQL})"
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
            steps[JobStatus.ERROR.name] = now().isoformat()
            conn.execute(
                "UPDATE jobs SET status = ?, time_per_step = ?, error_message = ? WHERE job_id = ?",
                (
                    JobStatus.ERROR.name,
                    json.dumps(steps),
                    lost_message(job_id, owner or "", row["status"]),
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
            make_private_folders(self._path.parent)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder of the job store {self.location} ({exc}); "
                f"create it or make it writable, {ELSEWHERE}"
            ) from exc
        try:
            created = create_private_file(self._path)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the job store {self.location} ({exc}); make its folder "
                f"writable, {ELSEWHERE}"
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
            self._retrying("opening it", lambda: prepare(conn, self.location))
        except BaseException:
            conn.close()
            raise
        if not created:
            warn_if_shared(self._path)
        self._identity = self._stat_identity()
        return conn

    def _stat_identity(self) -> tuple[int, int] | None:
        try:
            info = self._path.stat()
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _check_still_there(self) -> None:
        if self._identity is not None and self._stat_identity() != self._identity:
            raise StoreError(
                f"The job store {self.location} was deleted or replaced while this process "
                "had it open: what this process writes would be lost with the old file. "
                "Restore the file, or close the provider and open it again (a new, empty "
                f"store is then created), {ELSEWHERE}."
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
        self._check_still_there()
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
        delay = _FIRST_RETRY_PAUSE_S
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                # busy_timeout waits out most lock conflicts; SQLite reports a few at once
                # (e.g. while another connection recovers the WAL): retry those a while.
                if is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, _LAST_RETRY_PAUSE_S)
                    continue
                raise self._translate(exc, doing) from exc
            except sqlite3.Error as exc:
                raise self._translate(exc, doing) from exc

    def _translate(self, exc: sqlite3.Error, doing: str) -> StoreError:
        return translate(exc, doing, location=self.location, path=self._path,
                         busy_timeout=_BUSY_TIMEOUT_S)  # fmt: skip


def _apply_update(
    conn: sqlite3.Connection,
    job_id: str,
    changes: Mapping[str, Any],
    columns: Mapping[str, Any],
    location: str,
) -> None:
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        cursor = conn.execute(
            f"UPDATE jobs SET {assignments} WHERE job_id = ?", [*columns.values(), job_id]
        )
        found = cursor.rowcount > 0
    else:
        found = _exists(conn, job_id)
    if not found:
        raise not_found(job_id, location)
    if "tags" in changes:
        conn.execute("DELETE FROM job_tags WHERE job_id = ?", (job_id,))
        conn.executemany(INSERT_TAG, [(tag, job_id) for tag in changes["tags"]])


def _exists(conn: sqlite3.Connection, job_id: str) -> bool:
    return conn.execute("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)).fetchone() is not None
