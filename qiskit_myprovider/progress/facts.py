"""What a display reads from a job beyond its status, for any Qiskit ``JobV1``.

``creation_date()``, ``time_per_step()``, ``queue_position()``, ``progress()`` (a
:class:`~qiskit_myprovider.job_progress.JobProgress`), ``circuits()`` and
``backend_options()`` are not part of ``JobV1``, and a job that has them may fail to answer
(a store gone away, a remote service down). Each reader here turns "missing", "failed" and
"not the expected type" into "unknown", so that a display never breaks on what it only shows.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from qiskit.providers import JobStatus

from qiskit_myprovider.job_progress import JobProgress

__all__ = [
    "SHORT_ID",
    "JobFacts",
    "job_facts",
    "job_progress",
    "origin",
    "queue_position",
    "run_time",
    "short_id",
]

#: How many characters of a UUID job id a progress line shows (as ``jobs list`` does).
SHORT_ID: Final = 8
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


@dataclass(frozen=True)
class JobFacts:
    """What a job runs on and how much: read once, when its line is first shown.

    Attributes:
        backend: The backend's name, if the job tells.
        qubits: The widest of its circuits, if it has circuits to ask.
        shots: The shots it runs with, if its options say.
    """

    backend: str | None = None
    qubits: int | None = None
    shots: int | None = None

    def describe(self) -> str:
        """``"myprovider_simulator · 20 qubits · 1024 shots"``, leaving out what is unknown."""
        parts = [self.backend] if self.backend else []
        if self.qubits is not None:
            parts.append(f"{self.qubits} qubit{'' if self.qubits == 1 else 's'}")
        if self.shots is not None:
            parts.append(f"{self.shots} shots")
        return " · ".join(parts)


def short_id(job_id: str) -> str:
    """A UUID job id cut to its first :data:`SHORT_ID` characters; any other id as it is."""
    return job_id[:SHORT_ID] if _UUID.fullmatch(job_id) else job_id


def job_progress(job: Any) -> JobProgress | None:
    """The job's own account of its progress, from its ``progress()``.

    Args:
        job: Any job.

    Returns:
        The :class:`~qiskit_myprovider.job_progress.JobProgress`, or None if the job has no
        ``progress()``, it fails, it returns anything else, or it counts its work as one part
        (a job run whole: ``0/1`` says no more than its state does).
    """
    read = getattr(job, "progress", None)
    try:
        progress = read() if callable(read) else None
    except Exception:
        return None
    if not isinstance(progress, JobProgress) or progress.total <= 1:
        return None
    return progress


def job_facts(job: Any) -> JobFacts:
    """The backend, qubits and shots of ``job``, each None where the job cannot tell.

    Args:
        job: Any job (``backend()``, ``circuits()`` and ``backend_options()`` are read where
            it has them).

    Returns:
        The facts.
    """
    return JobFacts(backend=_backend_name(job), qubits=_qubits(job), shots=_shots(job))


def _call(job: Any, name: str) -> Any:
    method = getattr(job, name, None)
    try:
        return method() if callable(method) else None
    except Exception:
        return None


def _backend_name(job: Any) -> str | None:
    backend = _call(job, "backend")
    name = getattr(backend, "name", None)
    if callable(name):  # BackendV1 has name() as a method
        try:
            name = name()
        except Exception:
            return None
    return name if isinstance(name, str) and name else None


def _qubits(job: Any) -> int | None:
    circuits = _call(job, "circuits")
    if not isinstance(circuits, list | tuple):
        return None
    widths = [getattr(c, "num_qubits", None) for c in circuits]
    known = [w for w in widths if isinstance(w, int)]
    return max(known) if known else None


def _shots(job: Any) -> int | None:
    options = _call(job, "backend_options")
    shots = options.get("shots") if isinstance(options, dict) else None
    return shots if isinstance(shots, int) and not isinstance(shots, bool) else None


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
