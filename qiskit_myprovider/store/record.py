"""The port: what a job record holds, how listings filter, and the :class:`JobStore` protocol."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from qiskit.providers import JobStatus

from qiskit_myprovider.clock import now
from qiskit_myprovider.exceptions import JobNotFoundError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

__all__ = [
    "UPDATABLE_FIELDS",
    "JobQuery",
    "JobRecord",
    "JobStore",
    "check_updatable",
    "not_found",
]

#: Record fields that :meth:`JobStore.update` may change.
UPDATABLE_FIELDS: Final = frozenset(
    {
        "status", "time_per_step", "error_message", "result", "name", "tags", "owner",
        "circuits", "options",
    }
)  # fmt: skip


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
        circuits_note: Why a stored record has no circuits although the job had some (the
            store keeps only circuits QPY carries faithfully); None when nothing is missing.
        primitive_id: ``"sampler"`` or ``"estimator"`` for a primitive job (its result is a
            ``PrimitiveResult``); None for a ``backend.run`` job.
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
    circuits_note: str | None = None
    primitive_id: str | None = None

    @classmethod
    def new(
        cls,
        backend_name: str,
        circuits: list[QuantumCircuit],
        options: dict[str, Any],
        *,
        owner: str | None = None,
        name: str | None = None,
        tags: Sequence[str] = (),
        header: Mapping[str, Any] | None = None,
        primitive_id: str | None = None,
    ) -> JobRecord:
        """The record of a job about to be submitted: a new id, INITIALIZING, CREATED now."""
        created = now()
        return cls(
            job_id=str(uuid.uuid4()),
            backend_name=backend_name,
            status=JobStatus.INITIALIZING,
            creation_date=created,
            time_per_step={"CREATED": created},
            name=name,
            tags=list(tags),
            circuits=circuits,
            options=options,
            header=dict(header or {}),
            owner=owner,
            primitive_id=primitive_id,
        )


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
    primitive_id: str | None = None

    def matches(self, record: JobRecord) -> bool:
        """Return whether ``record`` passes every filter (paging aside)."""
        return (
            (self.backend_name is None or record.backend_name == self.backend_name)
            and (self.status is None or record.status == self.status)
            and all(tag in record.tags for tag in self.job_tags)
            and (self.name is None or record.name == self.name)
            and (self.created_after is None or record.creation_date >= self.created_after)
            and (self.created_before is None or record.creation_date <= self.created_before)
            and (self.primitive_id is None or record.primitive_id == self.primitive_id)
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

    def request_cancel(self, job_id: str) -> bool:
        """Ask the process that runs ``job_id`` to cancel it (it polls :meth:`cancel_requests`).

        Returns:
            True if the request was recorded; False if the job has already ended.

        Raises:
            JobNotFoundError: no record has that id.
        """

    def cancel_requests(self, owner: str) -> Sequence[str]:
        """Return the ids of the unfinished jobs of ``owner`` that someone asked to cancel."""

    def flush(self) -> None:
        """Make every write made so far durable and visible to other processes.

        A no-op for stores that write at once; :class:`WriteBehindStore` applies its queue.
        """

    def close(self) -> None:
        """Release the store's resources."""


def check_updatable(changes: dict[str, Any]) -> None:
    """Refuse changes to fields a record never changes (see :data:`UPDATABLE_FIELDS`).

    Raises:
        ValueError: a field is not updatable; the message names it.
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot update job fields {sorted(unknown)}")


def not_found(job_id: str, location: str) -> JobNotFoundError:
    """The error for a job id that no record has, naming the id and the store."""
    return JobNotFoundError(f"No job with id '{job_id}' in the job store at {location}")
