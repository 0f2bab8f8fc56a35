"""The job store: where every job's record lives, behind a small :class:`JobStore` protocol.

A job writes its record at submission and at every change of state; the provider reads
records back to retrieve and list jobs. :class:`MemoryJobStore` keeps records in this process
only (``store=":memory:"``).
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from qiskit.providers import JobStatus

from qiskit_myprovider.exceptions import InvalidInputError, JobNotFoundError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

__all__ = ["UPDATABLE_FIELDS", "JobQuery", "JobRecord", "JobStore", "MemoryJobStore"]

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
        owner: Who runs it (``"host:pid:start"``); used to detect jobs lost with their process.
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
        matching.sort(key=lambda r: r.creation_date, reverse=True)
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
        from qiskit.providers.jobstatus import JOB_FINAL_STATES

        with self._lock:
            old = [
                job_id
                for job_id, r in self._records.items()
                if r.creation_date < older_than and r.status in JOB_FINAL_STATES
            ]
            for job_id in old:
                del self._records[job_id]
        return len(old)

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
