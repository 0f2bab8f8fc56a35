"""The contract job of :class:`~qiskit_myprovider.adapters.JobContractBackend`: one or more MyJobs.

A :class:`ContractJob` is a logical job over the parts of
:mod:`~qiskit_myprovider.adapters.job_group` (one ``MyJob`` per distinct shot count): it
reports their combined state by that module's rule, stops the parts still going once it has
ended otherwise than DONE, and assembles their counts in input order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from qiskit.providers import JobStatus as QiskitJobStatus
from qiskit.result import Result
from typing_extensions import override

from qiskit_myprovider.adapters.job_contract.contract import (
    JOB_FINAL_STATES,
    Job,
    JobResult,
    JobStatus,
)
from qiskit_myprovider.adapters.job_group import JobGroup
from qiskit_myprovider.circuits import counts
from qiskit_myprovider.exceptions import ExecutionError, InvalidInputError, JobTimeoutError
from qiskit_myprovider.job import MyJob

__all__ = ["ContractBackendLike", "ContractJob", "ContractPart", "contract_status"]

#: The combined state of the parts (a Qiskit status) as the contract names it.
_FROM_QISKIT: Final = {
    QiskitJobStatus.INITIALIZING: JobStatus.INITIALIZING,
    QiskitJobStatus.QUEUED: JobStatus.QUEUED,
    QiskitJobStatus.VALIDATING: JobStatus.QUEUED,
    QiskitJobStatus.RUNNING: JobStatus.RUNNING,
    QiskitJobStatus.DONE: JobStatus.DONE,
    QiskitJobStatus.CANCELLED: JobStatus.CANCELLED,
    QiskitJobStatus.ERROR: JobStatus.ERROR,
}


class ContractBackendLike(Protocol):
    """What a contract job needs of the backend that made it (a ``JobContractBackend``)."""

    @property
    def name(self) -> str:
        """The backend's name, for the result's metadata."""


def contract_status(status: QiskitJobStatus) -> JobStatus:
    """Return the contract's name for a Qiskit job status (``VALIDATING`` is ``QUEUED``)."""
    return _FROM_QISKIT[status]


@dataclass(frozen=True)
class ContractPart:
    """One ``MyJob`` of a contract job and the input positions of its circuits.

    Attributes:
        job: The part.
        indices: The positions, in the submitted batch, of the part's circuits; None for a
            job not made through the contract, whose circuits are the contract job's
            circuits in order.
    """

    job: MyJob
    indices: tuple[int, ...] | None


class ContractJob(Job):
    """The contract :class:`Job` of :class:`JobContractBackend`, over one or more ``MyJob`` s.

    Made by :meth:`JobContractBackend.run_async` and :meth:`JobContractBackend.retrieve_job`
    (this module knows no backend class: the job needs only its backend's name);
    not meant to be built directly. Its id is the id of its first ``MyJob`` (the only one
    unless the circuits were given different shot counts).

    Args:
        backend: The contract backend that made the job.
        parts: The ``MyJob`` s, the first one's id being the job's id.
        num_circuits: How many circuits were submitted (None: as many as the parts ran).

    Raises:
        InvalidInputError: ``parts`` is empty.
    """

    def __init__(
        self,
        backend: ContractBackendLike,
        parts: Sequence[ContractPart],
        num_circuits: int | None,
    ) -> None:
        if not parts:
            raise InvalidInputError("a contract job needs at least one MyJob")
        super().__init__(backend, parts[0].job.job_id())
        self._parts = tuple(parts)
        self._group = JobGroup(tuple(part.job for part in parts))
        self._num_circuits = num_circuits
        self._result: JobResult | None = None
        self._lock = threading.Lock()

    @property
    @override
    def job_id(self) -> str:
        """The job's id: the id of its first ``MyJob`` in the job store."""
        job_id = self._job_id
        assert job_id is not None
        return job_id

    @property
    @override
    def backend(self) -> Any:
        """The :class:`JobContractBackend` that made (or retrieved) the job."""
        return self._backend

    @property
    def jobs(self) -> list[MyJob]:
        """The ``MyJob`` s that run this job's circuits, one per distinct shot count."""
        return list(self._group.jobs)

    @override
    def status(self) -> JobStatus:
        """Return the job's current status (and cache it in :attr:`last_known_status`).

        With several parts, the rule of :mod:`~qiskit_myprovider.adapters.job_group`:
        ``ERROR`` if any part ended in ERROR (whatever the others did), else ``CANCELLED``
        if any part was cancelled, ``DONE`` when all are done, ``RUNNING`` once any part
        started, else ``QUEUED``. A part still going when the job has ended otherwise than
        DONE is cancelled, so it does not waste the executor's time.
        """
        if self._last_known_status in JOB_FINAL_STATES:
            return self._last_known_status  # a final state never changes: no query needed
        status = contract_status(self._group.status())
        if status in (JobStatus.ERROR, JobStatus.CANCELLED):
            self._group.cancel_unfinished()
        self._last_known_status = status
        return status

    @override
    def result(self, timeout: float | None = None) -> JobResult:
        """Wait until the job is final and return its counts.

        Waits on the job itself (it wakes when the job ends, no polling), unless the job runs
        in another process, whose progress is read from the job store.

        Args:
            timeout: Seconds to wait, >= 0; None waits as long as it takes. A job that is
                already final returns (or raises) at once.

        Returns:
            One counts dict per circuit, in input order, keys as contiguous bitstrings.

        Raises:
            JobTimeoutError: the job was not final within ``timeout`` (a ``TimeoutError``);
                it keeps going.
            JobFailureError: the job ended in ``ERROR``; ``__cause__`` is the error of the
                first part that failed.
            JobCancelledError: the job was cancelled.
            InvalidInputError: ``timeout`` is negative.
            InvalidInputTypeError: ``timeout`` is not a number.
        """
        if self._result is not None:
            return self._result
        if not self._group.wait(timeout):
            status = self.status()
            if status not in JOB_FINAL_STATES:
                raise JobTimeoutError(
                    f"Job {self.job_id} is still {status.name} after {timeout} s; it keeps "
                    "running (wait longer, or cancel it)"
                )
        status = self.status()
        if status is JobStatus.ERROR:
            self._failure_cause = self._group.failure_cause()
        self._raise_for_status(status)
        with self._lock:
            if self._result is None:
                self._result = self._assemble()
            return self._result

    @override
    def cancel(self) -> bool:
        """Cancel the job: every part that has not ended yet.

        A queued part leaves its executor's queue; a running part in a worker process is
        stopped (the worker is replaced); a part running in a thread is marked cancelled at
        once and its result is discarded.

        Returns:
            True if the job is now ``CANCELLED``; False if it had already ended (or a part
            had failed meanwhile: the job is then ``ERROR``).

        Raises:
            MyJobError: the job runs in another process, which alone can cancel it.
        """
        if self.status() in JOB_FINAL_STATES:
            return False
        self._group.cancel()
        return self.status() is JobStatus.CANCELLED

    # -- internals -----------------------------------------------------------------------

    def _assemble(self) -> JobResult:
        by_index: dict[int, dict[str, int]] = {}
        shots: dict[int, int] = {}
        time_taken = 0.0
        for part in self._parts:
            result = part.job.result(timeout=0)
            time_taken += float(getattr(result, "time_taken", 0.0) or 0.0)
            indices = part.indices
            if indices is None:
                indices = tuple(range(len(result.results)))
            for position, index in enumerate(indices):
                by_index[index], shots[index] = _counts_and_shots(result, position)
        total = self._num_circuits if self._num_circuits is not None else len(by_index)
        missing = [index for index in range(total) if index not in by_index]
        if missing:
            raise ExecutionError(
                f"Job {self.job_id} has no counts for circuit(s) {missing}: its parts in the "
                "job store do not match the circuits submitted"
            )
        return JobResult(
            [by_index[index] for index in range(total)],
            job_id=self.job_id,
            backend_name=self.backend.name,
            shots=[shots[index] for index in range(total)],
            job_ids=self._group.job_ids,
            time_taken=time_taken,
        )


def _counts_and_shots(result: Result, position: int) -> tuple[dict[str, int], int]:
    """Return one experiment's counts with contiguous keys, and its shot count."""
    experiment_shots = int(getattr(result.results[position], "shots", 0) or 0)
    found = counts(result, position)
    return found, experiment_shots or sum(found.values())
