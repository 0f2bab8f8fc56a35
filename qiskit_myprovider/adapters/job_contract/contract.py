"""The Job contract's own types: :class:`Job`, :class:`JobStatus`, :class:`JobResult`, errors.

They mirror ``qrisp.interface`` name for name, so code written against Qrisp's contract runs
unchanged; Qrisp itself is never imported. This package's implementation of the abstract
:class:`Job` is :class:`~qiskit_myprovider.adapters.job_contract.ContractJob`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum, auto
from typing import Any, Final

from qiskit_myprovider import exceptions as _exc
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = [
    "JOB_FINAL_STATES",
    "Job",
    "JobCancelledError",
    "JobFailureError",
    "JobResult",
    "JobStatus",
]


class JobStatus(StrEnum):
    """The states of a contract :class:`Job`; the values are the lowercase names.

    ``INITIALIZING`` is transient: no job leaves
    :meth:`~qiskit_myprovider.adapters.JobContractBackend.run_async` in it.
    ``DONE``, ``CANCELLED`` and ``ERROR`` are final: once reached, the state never changes.
    """

    INITIALIZING = auto()
    QUEUED = auto()
    RUNNING = auto()
    DONE = auto()
    CANCELLED = auto()
    ERROR = auto()

    @classmethod
    def final_states(cls) -> tuple[JobStatus, ...]:
        """Return the terminal states: ``DONE``, ``CANCELLED`` and ``ERROR``."""
        return (cls.DONE, cls.CANCELLED, cls.ERROR)


#: The terminal states, as :meth:`JobStatus.final_states` returns them.
JOB_FINAL_STATES: Final = JobStatus.final_states()


class JobFailureError(_exc.JobFailedError, RuntimeError):
    """Raised by :meth:`Job.result` when the job ended in ``ERROR``; ``__cause__`` says why.

    A ``RuntimeError`` as the contract requires, and a
    :class:`~qiskit_myprovider.exceptions.JobFailedError` (so a ``JobError``) like every
    failed-job error of this package.
    """


class JobCancelledError(_exc.JobCancelledError, RuntimeError):
    """Raised by :meth:`Job.result` when the job was cancelled.

    A ``RuntimeError`` as the contract requires, and a
    :class:`~qiskit_myprovider.exceptions.JobCancelledError` (so a ``JobError``).
    """


class JobResult:
    """The counts of a job's circuits, one dict per circuit in input order.

    Read-only: the counts and metadata are fixed at construction (the accessors hand out
    copies). Not a dataclass, because the contract's constructor takes the metadata as
    keyword arguments.

    Args:
        counts: One dict per circuit (outcome -> count); a list or tuple, not empty.
        **metadata: Backend-specific details of the execution.

    Raises:
        TypeError: ``counts`` is not a sequence of dicts.
        ValueError: ``counts`` is empty.

    Example:
        >>> from qiskit_myprovider.adapters import JobResult
        >>> result = JobResult([{"0": 800, "1": 224}, {"00": 500, "11": 524}])
        >>> result.num_circuits, result.get_counts(1)
        (2, {'00': 500, '11': 524})
    """

    __slots__ = ("_counts", "_metadata")

    def __init__(self, counts: Sequence[dict[Any, Any]], **metadata: Any) -> None:
        if not isinstance(counts, Sequence) or isinstance(counts, str | bytes):
            raise InvalidInputTypeError(
                f"'counts' must be a sequence of dicts, got {type(counts).__name__}"
            )
        if len(counts) == 0:
            raise InvalidInputError("'counts' must contain at least one dict")
        for index, item in enumerate(counts):
            if not isinstance(item, dict):
                raise InvalidInputTypeError(
                    f"Each item in 'counts' must be a dict, got {type(item).__name__} "
                    f"at index {index}"
                )
        self._counts: tuple[dict[Any, Any], ...] = tuple(dict(item) for item in counts)
        self._metadata: dict[str, Any] = dict(metadata)

    @property
    def all_counts(self) -> list[dict[Any, Any]]:
        """All counts, one dict per circuit, in the order the circuits were submitted."""
        return [dict(item) for item in self._counts]

    @property
    def num_circuits(self) -> int:
        """How many circuits the result holds counts for."""
        return len(self._counts)

    @property
    def metadata(self) -> dict[str, Any]:
        """Details of the execution.

        For a :class:`~qiskit_myprovider.adapters.job_contract.ContractJob`: ids, backend and shots.
        """
        return dict(self._metadata)

    def get_counts(self, index: int = 0) -> dict[Any, Any]:
        """Return the counts of one circuit.

        Args:
            index: The circuit's position in the submitted batch.

        Returns:
            Its counts (outcome -> count).

        Raises:
            IndexError: no circuit has that index; the message says how many there are.
        """
        try:
            return dict(self._counts[index])
        except IndexError as exc:
            raise IndexError(
                f"Result contains {len(self._counts)} circuit(s); index {index} is out of range."
            ) from exc

    def __repr__(self) -> str:
        return f"JobResult(num_circuits={self.num_circuits}, metadata={self._metadata!r})"


class Job(ABC):
    """A handle on a (possibly asynchronous) execution: the abstract contract.

    Concrete jobs implement :meth:`result`, :meth:`cancel` and :meth:`status`; everything
    else derives from them. This package's implementation is
    :class:`~qiskit_myprovider.adapters.job_contract.ContractJob`.

    Args:
        backend: The backend that created the job.
        job_id: The job's id, or None if the concrete class assigns one later.
        **metadata: Backend-specific details, kept in :attr:`metadata`.
    """

    def __init__(self, backend: Any, job_id: str | None = None, **metadata: Any) -> None:
        self._backend = backend
        self._job_id = job_id
        self._last_known_status = JobStatus.INITIALIZING
        self._failure_cause: BaseException | None = None
        self.metadata: dict[str, Any] = dict(metadata)

    @property
    def job_id(self) -> str | None:
        """The job's id, or None if none was assigned yet."""
        return self._job_id

    @property
    def backend(self) -> Any:
        """The backend that created the job."""
        return self._backend

    @property
    def last_known_status(self) -> JobStatus:
        """The status seen by the last :meth:`status`, :meth:`refresh` or :meth:`result`.

        Reading it makes no query.
        """
        return self._last_known_status

    @abstractmethod
    def result(self, timeout: float | None = None) -> JobResult:
        """Wait until the job is final and return its result.

        Args:
            timeout: Seconds to wait; None waits as long as it takes.

        Returns:
            The counts of the job's circuits.

        Raises:
            TimeoutError: the job was not final within ``timeout``.
            JobFailureError: the job ended in ``ERROR``.
            JobCancelledError: the job was cancelled.
        """

    @abstractmethod
    def cancel(self) -> bool:
        """Try to cancel the job.

        Returns:
            True if the job is (or is being) cancelled; False if it had already ended.
        """

    @abstractmethod
    def status(self) -> JobStatus:
        """Query the job's current status, store it in :attr:`last_known_status`, return it."""

    def done(self) -> bool:
        """Return whether the job finished successfully (asks :meth:`status`)."""
        return self.status() == JobStatus.DONE

    def running(self) -> bool:
        """Return whether the job is executing (asks :meth:`status`)."""
        return self.status() == JobStatus.RUNNING

    def queued(self) -> bool:
        """Return whether the job waits in a queue (asks :meth:`status`)."""
        return self.status() == JobStatus.QUEUED

    def cancelled(self) -> bool:
        """Return whether the job was cancelled (asks :meth:`status`)."""
        return self.status() == JobStatus.CANCELLED

    def in_final_state(self) -> bool:
        """Return whether the job is ``DONE``, ``CANCELLED`` or ``ERROR`` (asks :meth:`status`)."""
        return self.status() in JOB_FINAL_STATES

    def refresh(self) -> JobStatus:
        """Update :attr:`last_known_status` from a live query and return it."""
        return self.status()

    def _raise_for_status(self, status: JobStatus | None = None) -> None:
        """Raise the contract's error for a job that did not end successfully.

        Args:
            status: The final status already known to the caller; None asks :meth:`status`.

        Raises:
            JobFailureError: the status is ``ERROR`` (chained to the failure's cause).
            JobCancelledError: the status is ``CANCELLED``.
        """
        if status is None:
            status = self.status()
        if status == JobStatus.ERROR:
            cause = self._failure_cause
            if cause is None:
                raise JobFailureError(f"Job {self._job_id!r} terminated with status ERROR.")
            raise JobFailureError(f"Job {self._job_id!r} failed: {cause}") from cause
        if status == JobStatus.CANCELLED:
            raise JobCancelledError(f"Job {self._job_id!r} was cancelled.")

    def __repr__(self) -> str:
        # Only the cached status: repr runs in logs, debuggers and test reports, where a
        # live query would be a surprise (and, for a stored job, a read of the job store).
        return (
            f"{type(self).__name__}(job_id={self._job_id!r}, status={self._last_known_status.name})"
        )


