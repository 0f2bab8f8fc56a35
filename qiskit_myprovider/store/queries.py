"""The SQL of listings: which columns a listing reads, and the SELECT for a :class:`JobQuery`.

Qiskit-free (so the read-only listing of :mod:`.listing` builds its SELECT here too).

A listing never reads circuits nor results (they are the large columns). With tags, the
query walks the ``job_tags`` rows of the rarest tag newest first and checks the others per
job, so a rare tag costs as little as a common one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.clock import micros

if TYPE_CHECKING:
    from qiskit_myprovider.store.record import JobQuery

__all__ = ["FULL_COLUMNS", "INSERT_TAG", "LIGHT_COLUMNS", "list_sql", "rarest_first", "select_sql"]

#: The columns a listing reads: everything but circuits and result.
LIGHT_COLUMNS: Final = ", ".join(
    f"jobs.{name}"
    for name in (
        "job_id", "backend_name", "status", "creation_date", "time_per_step", "name", "tags",
        "options", "header", "error_message", "owner", "circuits_note", "primitive_id",
    )
)  # fmt: skip
#: The columns of a whole record.
FULL_COLUMNS: Final = LIGHT_COLUMNS + ", jobs.circuits, jobs.result"

#: Adds one ``job_tags`` row (parameters: the tag, the job id); the job's row must exist.
INSERT_TAG: Final = (
    "INSERT OR IGNORE INTO job_tags (tag, created_us, job_id) "
    "SELECT ?, created_us, job_id FROM jobs WHERE job_id = ?"
)


def rarest_first(conn: sqlite3.Connection, tags: Sequence[str]) -> list[str]:
    """Return the distinct ``tags``, the one on the fewest jobs first."""
    unique = list(dict.fromkeys(tags))
    if len(unique) < 2:
        return unique
    counts = {
        tag: conn.execute("SELECT count(*) FROM job_tags WHERE tag = ?", (tag,)).fetchone()[0]
        for tag in unique
    }
    return sorted(unique, key=counts.__getitem__)


def list_sql(query: JobQuery, tags: Sequence[str]) -> tuple[str, list[Any]]:
    """Return the SELECT (of :data:`LIGHT_COLUMNS`) for ``query`` and its parameters.

    Args:
        query: The filters and the page.
        tags: ``query.job_tags``, distinct, rarest first (see :func:`rarest_first`).

    Returns:
        The SQL and its positional parameters; rows come newest first.
    """
    return select_sql(
        LIGHT_COLUMNS,
        tags,
        {
            "backend_name": query.backend_name,
            "status": None if query.status is None else query.status.name,
            "primitive_id": query.primitive_id,
            "name": query.name,
        },
        created_after=None if query.created_after is None else micros(query.created_after),
        created_before=None if query.created_before is None else micros(query.created_before),
        limit=query.limit,
        skip=query.skip,
    )


def select_sql(
    columns: str,
    tags: Sequence[str],
    equal: Mapping[str, object],
    *,
    created_after: int | None = None,
    created_before: int | None = None,
    limit: int | None = None,
    skip: int = 0,
) -> tuple[str, list[Any]]:
    """The one SELECT of a listing, newest first: the store's and the Qiskit-free listing's.

    Args:
        columns: What to select (``jobs.`` columns, comma-separated).
        tags: Tags every job must have, distinct, rarest first.
        equal: ``jobs`` column -> value it must equal (None: no filter).
        created_after: Only jobs created at or after this (microseconds after the epoch).
        created_before: Only jobs created at or before this.
        limit: At most this many rows (None: all).
        skip: Skip this many of the newest matches.

    Returns:
        The SQL and its positional parameters.
    """
    where: list[str] = []
    params: list[Any] = []
    if tags:
        # Walk the rarest tag's rows newest first; check the others per job.
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
    for column, value in equal.items():
        if value is not None:
            where.append(f"jobs.{column} = ?")
            params.append(value)
    if created_after is not None:
        where.append(f"{created} >= ?")
        params.append(created_after)
    if created_before is not None:
        where.append(f"{created} <= ?")
        params.append(created_before)
    sql = f"SELECT {columns} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
    params += [-1 if limit is None else limit, skip]
    return sql, params
