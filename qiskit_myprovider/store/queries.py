"""The SQL of listings: which columns a listing reads, and the SELECT for a :class:`JobQuery`.

A listing never reads circuits nor results (they are the large columns). With tags, the
query walks the ``job_tags`` rows of the rarest tag newest first and checks the others per
job, so a rare tag costs as little as a common one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from qiskit_myprovider.store.codec import micros
from qiskit_myprovider.store.record import JobQuery

__all__ = ["FULL_COLUMNS", "INSERT_TAG", "LIGHT_COLUMNS", "list_sql", "rarest_first"]

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
    if query.primitive_id is not None:
        where.append("jobs.primitive_id = ?")
        params.append(query.primitive_id)
    if query.name is not None:
        where.append("jobs.name = ?")
        params.append(query.name)
    if query.created_after is not None:
        where.append(f"{created} >= ?")
        params.append(micros(query.created_after))
    if query.created_before is not None:
        where.append(f"{created} <= ?")
        params.append(micros(query.created_before))
    sql = f"SELECT {LIGHT_COLUMNS} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
    params += [-1 if query.limit is None else query.limit, query.skip]
    return sql, params
