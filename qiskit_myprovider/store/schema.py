"""The SQLite file's schema: its append-only migrations, its version, and what a file must be.

A file carries its schema version (``PRAGMA user_version``) and our application id
(``PRAGMA application_id``). :func:`prepare` checks both on every connection, migrates an
older file forward in one transaction, and refuses, untouched, a file that is corrupt,
another program's, or newer than this code.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Final

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.exceptions import StoreError
from qiskit_myprovider.store.paths import ELSEWHERE

__all__ = [
    "APPLICATION_ID",
    "FINAL_SQL",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "UNFINISHED_SQL",
    "check_version",
    "prepare",
]

#: The unfinished states as an SQL list, for ``status IN (...)``.
UNFINISHED_SQL: Final = ", ".join(f"'{s.name}'" for s in JobStatus if s not in JOB_FINAL_STATES)
#: The final states as an SQL list, for ``status IN (...)``.
FINAL_SQL: Final = ", ".join(f"'{s.name}'" for s in JobStatus if s in JOB_FINAL_STATES)

#: The schema, one entry per version: entry ``n`` takes a store from version ``n`` to ``n + 1``.
#: Never edit a released entry; append a new one (``ALTER TABLE ...``) instead.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
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
        f"CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ({UNFINISHED_SQL})",
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
    # Version 2: cancel requests from other processes (the owner polls for its own).
    (
        "ALTER TABLE jobs ADD COLUMN cancel_requested_us INTEGER",
        "CREATE INDEX jobs_cancel_requested ON jobs (owner) WHERE cancel_requested_us IS NOT NULL",
    ),
    # Version 3: no pickles. New values are codec byte + zlib(typed JSON) (``J``) or QPY;
    # circuits QPY cannot carry are NULL, and circuits_note says why. Blobs pickled by
    # versions 1-2 (``P``) stay as they were, in the same transaction as this entry: they
    # read as damaged until the user opts in to converting them (store.migrate_pickles).
    ("ALTER TABLE jobs ADD COLUMN circuits_note TEXT",),
    # Version 4: primitive jobs ("sampler", "estimator"; NULL for backend.run jobs), whose
    # result blob is a typed-JSON PrimitiveResult.
    (
        "ALTER TABLE jobs ADD COLUMN primitive_id TEXT",
        "CREATE INDEX jobs_by_primitive ON jobs (primitive_id, created_us) "
        "WHERE primitive_id IS NOT NULL",
    ),
)

#: The schema version this code writes (stored in ``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(MIGRATIONS)

#: Marks a file as ours (``PRAGMA application_id``): "QMPS".
APPLICATION_ID: Final = 0x514D5053


def prepare(conn: sqlite3.Connection, location: str) -> None:
    """Make a fresh connection ready: check the file, set the pragmas, migrate if older.

    Args:
        conn: A new connection in autocommit mode (``isolation_level=None``).
        location: The file, for messages.

    Raises:
        StoreError: the file is another program's database, or newer than this code.
        sqlite3.Error: the file could not be read or migrated (the caller translates it).
    """
    # The first read is where a corrupt or foreign file shows itself. Every check comes
    # before the first change (journal mode included): a file refused is left byte for byte.
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    check_version(version, location)
    if version == 0:
        _check_empty(conn, location)
    else:
        _check_application_id(conn, location)
    # WAL: readers never block the writer nor each other. NORMAL sync in WAL mode keeps
    # every commit through a crash of the process (not of the machine), at a fraction
    # of the cost of FULL.
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        _migrate(conn, location)


def check_version(version: int, location: str) -> None:
    """Refuse a file whose schema is newer than this code knows.

    Args:
        version: The file's ``PRAGMA user_version``.
        location: The file, for the message.

    Raises:
        StoreError: ``version`` is above :data:`SCHEMA_VERSION`; the message says to upgrade.
    """
    if version > SCHEMA_VERSION:
        from qiskit_myprovider.version import __version__

        raise StoreError(
            f"The job store {location} has schema version {version}, but "
            f"qiskit-myprovider {__version__} knows versions up to {SCHEMA_VERSION}: a "
            "newer qiskit-myprovider wrote it. Upgrade qiskit-myprovider "
            f"(pip install -U qiskit-myprovider), {ELSEWHERE}. The file is left untouched."
        )


def _migrate(conn: sqlite3.Connection, location: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated the file while we waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check_version(version, location)
        if version == 0:
            _check_empty(conn, location)
        else:
            _check_application_id(conn, location)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _check_empty(conn: sqlite3.Connection, location: str) -> None:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if tables:
        raise _foreign(location, f"it holds tables {', '.join(tables)}")


def _check_application_id(conn: sqlite3.Connection, location: str) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise _foreign(location, f"its application id is {app_id:#x}")


def _foreign(location: str, why: str) -> StoreError:
    return StoreError(
        f"The file {location} is an SQLite database but not a qiskit-myprovider job "
        f"store ({why}). It is left untouched: {ELSEWHERE}."
    )
