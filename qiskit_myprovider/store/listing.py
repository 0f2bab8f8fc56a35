"""A read-only listing of a store file without Qiskit: the rows of ``jobs list``, ids by prefix.

``qiskit-myprovider jobs list`` and the id prefixes of every ``jobs`` command answer from
here, so that they load no Qiskit (``import qiskit`` takes most of a second). This module
reads the SQLite file that :class:`~qiskit_myprovider.store.SQLiteJobStore` writes, with
nothing but :mod:`sqlite3`, and returns plain rows (:class:`ListedJob`):

- It never creates, migrates nor writes the file: a missing file lists no jobs, and a job
  left unfinished by a process that has died reads as ERROR with the "lost" message (the
  store itself records that the next time it reads the job).
- It reads the columns a listing needs and ``primitive_id`` where the file has it (schema
  version 4 on); circuits, options and results are never read.
- Anything it cannot read as it expects (not a job store, a column missing, a value it
  cannot decode, a lock held too long) raises :class:`ListingUnavailable`, and the caller
  opens the store itself, which migrates, repairs or explains what is wrong.

The filters and the order are those of :meth:`SQLiteJobStore.list
<qiskit_myprovider.store.SQLiteJobStore.list>` (``tests/store/test_listing.py`` compares the
two); by prefix, ids are found with a range query on the primary key, not a scan.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import quote

from qiskit_myprovider.store.owners import lost_message, owner_is_gone
from qiskit_myprovider.store.paths import STORE_ENV_VAR, default_store_path
from qiskit_myprovider.store.queries import rarest_first, select_sql

__all__ = [
    "APPLICATION_ID",
    "FINAL_STATUS_NAMES",
    "STATUS_NAMES",
    "ListedJob",
    "ListingUnavailable",
    "PrefixMatches",
    "find_ids",
    "list_jobs",
    "store_file",
]

#: The names of ``qiskit.providers.JobStatus``, in its order (a test keeps them equal).
STATUS_NAMES: Final = (
    "INITIALIZING",
    "QUEUED",
    "VALIDATING",
    "RUNNING",
    "CANCELLED",
    "DONE",
    "ERROR",
)
#: The final ones (``qiskit.providers.jobstatus.JOB_FINAL_STATES``).
FINAL_STATUS_NAMES: Final = frozenset({"CANCELLED", "DONE", "ERROR"})
#: ``PRAGMA application_id`` of a job store (``schema.APPLICATION_ID``; a test keeps them equal).
APPLICATION_ID: Final = 0x514D5053
#: The memory store's name, which has no file to read.
_MEMORY: Final = ":memory:"
#: Seconds to wait for a writer's lock: in WAL mode a reader never waits, short of a
#: checkpoint or a migration.
_BUSY_TIMEOUT_S: Final = 5.0
#: The columns read, besides ``primitive_id``.
_COLUMNS: Final = (
    "job_id", "status", "backend_name", "name", "tags", "creation_date", "error_message", "owner",
)  # fmt: skip


class ListingUnavailable(Exception):  # noqa: N818 - a signal to the caller, not an error
    """This file cannot be listed here; open it with the store instead (which says why).

    Deliberately not a :class:`~qiskit_myprovider.exceptions.MyProviderError` (that would
    import Qiskit): it never reaches a user, the caller falls back to the store.
    """


@dataclass(frozen=True)
class ListedJob:
    """One job of a listing, as plain values.

    Attributes:
        job_id: The job's id.
        status: The name of its ``JobStatus`` (ERROR for a job lost with its process).
        backend_name: The backend it was submitted to.
        name: The user's name for it, if any.
        tags: The user's tags, in the user's order.
        creation_date: When it was created (timezone-aware).
        error_message: Why it failed or was lost, if it did.
        primitive_id: ``"sampler"`` or ``"estimator"`` for a primitive's job; None for a
            ``backend.run`` job (and in stores older than schema version 4).
    """

    job_id: str
    status: str
    backend_name: str
    name: str | None
    tags: tuple[str, ...]
    creation_date: datetime
    error_message: str | None
    primitive_id: str | None = None


@dataclass(frozen=True)
class PrefixMatches:
    """The stored ids that start with a prefix.

    Attributes:
        count: How many there are.
        first: The first few of them, in order.
    """

    count: int
    first: tuple[str, ...]


def store_file(spec: str | os.PathLike[str] | None) -> Path | None:
    """Return the file that a ``store`` argument names, as the provider would open it.

    Args:
        spec: A path, ``":memory:"`` or None (``$QISKIT_MYPROVIDER_STORE``, else the default
            file).

    Returns:
        The absolute path, or None for the memory store (which has no file).
    """
    if spec is None:
        spec = os.environ.get(STORE_ENV_VAR) or default_store_path()
    if os.fspath(spec) == _MEMORY:
        return None
    return Path(os.fspath(spec)).expanduser().absolute()


def list_jobs(
    path: str | os.PathLike[str],
    *,
    limit: int | None = 10,
    skip: int = 0,
    backend_name: str | None = None,
    status: str | None = None,
    job_tags: Sequence[str] = (),
    name: str | None = None,
    primitive_id: str | None = None,
) -> list[ListedJob]:
    """Return the jobs of the store file ``path``, newest first, filtered as the store does.

    Args:
        path: The store file (see :func:`store_file`); a missing file holds no jobs.
        limit: At most this many jobs (None: all).
        skip: Leave out this many of the newest that match.
        backend_name: Only jobs of this backend.
        status: Only jobs in this state (a ``JobStatus`` name, as *recorded*: a lost job
            recorded RUNNING matches ``"RUNNING"`` and is returned as ERROR).
        job_tags: Only jobs that have every one of these tags.
        name: Only jobs of this name.
        primitive_id: Only jobs of this primitive (``"sampler"``, ``"estimator"``); a store
            older than primitive jobs has none.

    Returns:
        The jobs.

    Raises:
        ListingUnavailable: the file cannot be read here (see the module docs).
    """
    with _reading(path) as conn:
        if conn is None:
            return []
        has_primitives = "primitive_id" in _columns(conn)
        if primitive_id is not None and not has_primitives:
            return []
        selected = [f"jobs.{c}" for c in _COLUMNS]
        selected.append("jobs.primitive_id" if has_primitives else "NULL")
        tags = rarest_first(conn, job_tags)
        filters = {"backend_name": backend_name, "status": status, "name": name}
        if has_primitives:
            filters["primitive_id"] = primitive_id
        sql, params = select_sql(", ".join(selected), tags, filters, limit=limit, skip=skip)
        rows = conn.execute(sql, params).fetchall()
    try:
        return [_listed(row) for row in rows]
    except (TypeError, ValueError, KeyError) as exc:  # a damaged value: the store says more
        raise ListingUnavailable(f"a value in {os.fspath(path)} cannot be read: {exc}") from exc


def find_ids(path: str | os.PathLike[str], prefix: str, *, first: int = 3) -> PrefixMatches:
    """Return the ids of stored jobs that start with ``prefix``, by an indexed range query.

    Args:
        path: The store file; a missing file holds no jobs.
        prefix: The start of a job id, in its own form (lower-case, with its dashes).
        first: How many of the matching ids to return (the count is of all of them).

    Returns:
        How many ids match, and the first ``first`` of them.

    Raises:
        ListingUnavailable: the file cannot be read here.
    """
    if not prefix:
        raise ValueError("prefix must not be empty")
    # Every string that starts with the prefix lies in [prefix, successor): the primary
    # key's index answers this without reading any other id.
    successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    where = "job_id >= ? AND job_id < ?"
    with _reading(path) as conn:
        if conn is None:
            return PrefixMatches(0, ())
        count = conn.execute(f"SELECT count(*) FROM jobs WHERE {where}", (prefix, successor))
        total = int(count.fetchone()[0])
        ids = conn.execute(
            f"SELECT job_id FROM jobs WHERE {where} ORDER BY job_id LIMIT ?",
            (prefix, successor, first),
        )
        return PrefixMatches(total, tuple(str(row[0]) for row in ids))


# -- internals -----------------------------------------------------------------------------


@contextlib.contextmanager
def _reading(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection | None]:
    """Open ``path`` for reading (None if there is no file); any SQLite error: unavailable."""
    location = os.fspath(path)
    if not os.path.exists(location):
        yield None
        return
    try:
        # mode=rw: never create the file; nothing here writes to it.
        uri = f"file:{quote(str(Path(location).absolute()))}?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise ListingUnavailable(f"cannot open {location}: {exc}") from exc
    try:
        conn.row_factory = sqlite3.Row
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:  # a new, empty file: the store would set it up
            yield None
            return
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise ListingUnavailable(f"{location} is not a job store (application id {app_id})")
        yield conn
    except sqlite3.Error as exc:
        raise ListingUnavailable(f"cannot read {location}: {exc}") from exc
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {str(row[1]) for row in conn.execute("PRAGMA table_info(jobs)")}


def _listed(row: sqlite3.Row) -> ListedJob:
    """The :class:`ListedJob` of a row; a job lost with its process reads as ERROR."""
    status = row["status"]
    if status not in STATUS_NAMES:
        raise ValueError(f"unknown status {status!r} of job {row['job_id']}")
    error = _optional_text(row["error_message"])
    owner = row["owner"]
    if status not in FINAL_STATUS_NAMES and owner_is_gone(owner):
        status, error = "ERROR", lost_message(row["job_id"], owner or "", status)
    tags = json.loads(row["tags"])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"tags of job {row['job_id']} are not a list of strings")
    created = datetime.fromisoformat(row["creation_date"])
    return ListedJob(
        job_id=str(row["job_id"]),
        status=status,
        backend_name=_text(row["backend_name"]),
        name=_optional_text(row["name"]),
        tags=tuple(tags),
        creation_date=created if created.tzinfo is not None else created.astimezone(),
        error_message=error,
        primitive_id=_optional_text(row[len(_COLUMNS)]),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)
