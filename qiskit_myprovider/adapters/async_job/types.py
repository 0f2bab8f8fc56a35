"""The AsyncJobBackend protocol's value types: statuses, handles, responses, the cancel error.

:class:`ExecutionCancelledError` is also Divi's ``divi.exceptions.ExecutionCancelledError``
when Divi is installed: the class raised is built at run time (:func:`cancelled_error_class`)
and ``divi`` is only looked for, never imported otherwise.
"""

from __future__ import annotations

import enum
import functools
import importlib
import importlib.util
import logging
import sys
import threading
from dataclasses import dataclass, replace
from typing import Any, Final, Self

from qiskit.providers import JobStatus

from qiskit_myprovider.exceptions import MyProviderError

__all__ = [
    "ExecutionCancelledError",
    "ExecutionResult",
    "ExecutionStatus",
    "JobResponse",
    "cancelled_error_class",
    "execution_status",
    "new_cancelled_error",
    "raise_if_cancelled",
]

logger = logging.getLogger(__name__)


class ExecutionStatus(enum.StrEnum):
    """The state of a submission, as the AsyncJobBackend protocol names it.

    Members are strings, so ``ExecutionStatus.COMPLETED == "COMPLETED"`` and they compare
    equal to Divi's ``JobStatus`` members of the same name.
    """

    PENDING = "PENDING"
    """Created or queued; not running yet."""
    RUNNING = "RUNNING"
    """Simulating (for a submission of several jobs: at least one has started)."""
    COMPLETED = "COMPLETED"
    """Every job finished successfully; the results can be fetched."""
    FAILED = "FAILED"
    """A job ended in error (whatever became of the submission's other jobs)."""
    CANCELLED = "CANCELLED"
    """A job was cancelled, and none failed."""

    @property
    def is_final(self) -> bool:
        """Whether the state can no longer change (COMPLETED, FAILED or CANCELLED)."""
        return self in _FINAL


_FINAL: Final = frozenset(
    {ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED}
)

#: A logical job's combined state (a Qiskit status) as the protocol names it.
_FROM_JOB_STATUS: Final = {
    JobStatus.INITIALIZING: ExecutionStatus.PENDING,
    JobStatus.QUEUED: ExecutionStatus.PENDING,
    JobStatus.VALIDATING: ExecutionStatus.PENDING,
    JobStatus.RUNNING: ExecutionStatus.RUNNING,
    JobStatus.DONE: ExecutionStatus.COMPLETED,
    JobStatus.ERROR: ExecutionStatus.FAILED,
    JobStatus.CANCELLED: ExecutionStatus.CANCELLED,
}


def execution_status(status: JobStatus) -> ExecutionStatus:
    """Return the protocol's name for a Qiskit job status (not started yet is ``PENDING``)."""
    return _FROM_JOB_STATUS[status]


@dataclass(frozen=True)
class ExecutionResult:
    """A submission's handle and, once fetched, its results (the protocol's value type).

    Attributes:
        results: None until :meth:`AsyncJobBackendAdapter.get_job_results` fills it with one
            ``{"label": str, "results": dict}`` per circuit, in submission order.
        job_id: The submission's id: a ``MyJob`` id, or several joined by ``+``.
        backend_jobs: How many ``MyJob`` objects the submission became.
        run_time: Seconds of simulation, summed over those jobs (0.0 until fetched).
    """

    results: list[dict[str, Any]] | None = None
    job_id: str | None = None
    backend_jobs: int = 1
    run_time: float = 0.0

    def is_async(self) -> bool:
        """Return whether this is a handle still waiting for its results."""
        return self.job_id is not None and self.results is None

    def with_results(self, results: list[dict[str, Any]], run_time: float = 0.0) -> Self:
        """Return a copy with ``results`` and ``run_time`` filled in (``job_id`` kept).

        Args:
            results: One ``{"label", "results"}`` dict per circuit.
            run_time: Seconds of simulation.
        """
        return replace(self, results=results, run_time=run_time)


@dataclass(frozen=True)
class JobResponse:
    """The answer to :meth:`~AsyncJobBackendAdapter.cancel_job` and what ``on_complete`` gets.

    Shaped like the HTTP response the protocol was written for.

    Attributes:
        status_code: 200 when the request did what it asked (cancelled a job; reached a final
            state), 409 when it could not because every job had already ended.
        job_id: The submission's id.
        status: The submission's status after the request.
        message: A sentence saying what happened.
    """

    status_code: int
    job_id: str
    status: ExecutionStatus
    message: str = ""

    @property
    def ok(self) -> bool:
        """Whether ``status_code`` is below 400."""
        return self.status_code < 400

    def json(self) -> dict[str, Any]:
        """Return the response as a JSON-ready dict (``job_id``, ``status``, ``message``)."""
        return {"job_id": self.job_id, "status": self.status.value, "message": self.message}


class ExecutionCancelledError(MyProviderError):
    """A submission or a polling loop was cancelled through its ``cancellation_event``.

    When ``divi`` is installed, the instances raised are also instances of
    ``divi.exceptions.ExecutionCancelledError``.
    """

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        # The class raised may be built at run time (see cancelled_error_class): rebuild
        # through the factory, which picks the right class in the unpickling process too.
        return (new_cancelled_error, self.args)


def new_cancelled_error(*message: object) -> ExecutionCancelledError:
    """Return an :class:`ExecutionCancelledError` of the class to raise (Divi's too, if there)."""
    return cancelled_error_class()(*message)


@functools.cache
def cancelled_error_class() -> type[ExecutionCancelledError]:
    """Return the class to raise: ours, or ours mixed with Divi's when Divi is installed."""
    divi_class = _divi_cancelled_error()
    if divi_class is None:
        return ExecutionCancelledError
    mixed = type(
        "ExecutionCancelledError",
        (ExecutionCancelledError, divi_class),
        {"__module__": __name__, "__doc__": ExecutionCancelledError.__doc__},
    )
    return mixed


def _divi_cancelled_error() -> type[BaseException] | None:
    module = sys.modules.get("divi.exceptions")
    if module is None:
        try:
            if importlib.util.find_spec("divi") is None:
                return None
            module = importlib.import_module("divi.exceptions")
        except Exception:  # a broken Divi install must not break cancellation
            logger.debug("divi is present but divi.exceptions did not import", exc_info=True)
            return None
    found = getattr(module, "ExecutionCancelledError", None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def raise_if_cancelled(event: threading.Event | None, message: str) -> None:
    """Raise :class:`ExecutionCancelledError` with ``message`` if ``event`` is set."""
    if event is not None and event.is_set():
        raise new_cancelled_error(message)
