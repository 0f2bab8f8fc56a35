"""What a display reads from a job beyond its status, for any Qiskit ``JobV1``.

``creation_date()``, ``time_per_step()`` and ``queue_position()`` are not part of ``JobV1``,
and a job that has them may fail to answer (a store gone away, a remote service down). Each
reader here turns "missing", "failed" and "not the expected type" into "unknown", so that a
display never breaks on what it only shows.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from qiskit.providers import JobStatus

__all__ = ["origin", "queue_position", "run_time"]


def origin(job: Any, fallback: float) -> float:
    """The ``time.monotonic()`` reading at which ``job`` was created.

    Args:
        job: Any job; its ``creation_date()`` is read if it has one.
        fallback: The reading to return when the creation date is unknown.

    Returns:
        A monotonic clock reading (never in the future).
    """
    creation_date = getattr(job, "creation_date", None)
    try:
        created = creation_date() if callable(creation_date) else None
    except Exception:
        created = None
    if not isinstance(created, datetime):
        return fallback
    if created.tzinfo is None:
        created = created.astimezone()
    age = (datetime.now().astimezone() - created).total_seconds()
    return time.monotonic() - max(0.0, age)


def run_time(job: Any, status: JobStatus) -> float | None:
    """Seconds from the job's creation to ``status``, from its ``time_per_step()``.

    Args:
        job: Any job.
        status: The state whose time stamp ends the span (usually the final one).

    Returns:
        The seconds, or None if the job does not say when it reached either state.
    """
    time_per_step = getattr(job, "time_per_step", None)
    try:
        steps = time_per_step() if callable(time_per_step) else None
    except Exception:
        return None
    if not isinstance(steps, dict):
        return None
    created, ended = steps.get("CREATED"), steps.get(status.name)
    if isinstance(created, datetime) and isinstance(ended, datetime):
        return max(0.0, (ended - created).total_seconds())
    return None


def queue_position(job: Any) -> int | None:
    """The job's place in its queue, from its ``queue_position()``.

    Args:
        job: Any job.

    Returns:
        The position, or None if it is unknown (or the job is not queued).
    """
    read = getattr(job, "queue_position", None)
    try:
        position = read() if callable(read) else None
    except Exception:
        return None
    return position if isinstance(position, int) else None
