"""Several jobs as one: the logical job an adapter hands out over one or more ``MyJob`` s.

Aer runs one shot count per job, so a submission whose circuits ask for different shot
counts becomes one :class:`~qiskit_myprovider.MyJob` per count (:func:`group_by_shots`). Both
adapters then treat those parts as one job, by the same rules, kept here:

- **Submission is all or nothing** (:func:`submit_all`): if part *k* fails to submit, the
  parts already submitted are cancelled and the error is raised; no part runs on alone.
- **The combined state** (:func:`combined_status`, :meth:`JobGroup.status`), one rule:

  A logical job is DONE when every part is DONE. If any part ended in ERROR, the logical
  job is ERROR, whatever happened to the other parts: a real failure is never reported as a
  cancellation, and its error is the first failed part's. Otherwise, if any part was
  CANCELLED, it is CANCELLED. Otherwise it is RUNNING while any part runs or has finished,
  else QUEUED.

  "First" is the parts' order (the order they were submitted in), so the error reported
  does not depend on which part happened to end first. The rule reads the parts' states at
  the moment of asking. Each adapter maps the combined state (a Qiskit
  :class:`~qiskit.providers.JobStatus`) into its own status enum.
- **The first failure** (:meth:`JobGroup.first_failure`, :meth:`JobGroup.failure_cause`,
  :meth:`JobGroup.raise_for_status`): the first part in ERROR, its error and its cause.
- **Retrieval** (:func:`find_job`, :func:`find_jobs`): the only calls through which the
  adapters read the job store, so that how the engine is reached is written once.

What an adapter does to the other parts when one fails is the adapter's choice (the Job
contract cancels them; the AsyncJobBackend adapter lets them finish): the rule above gives
the same combined state either way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from qiskit.providers import JobStatus

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.exceptions import (
    ExecutionError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    MyJobError,
)
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.provider import default_provider
from qiskit_myprovider.validation import deadline

__all__ = [
    "FINAL_STATES",
    "JobGroup",
    "combined_status",
    "default_backend",
    "find_job",
    "find_jobs",
    "group_by_shots",
    "store_location",
    "submit_all",
]

#: The states a logical job (and each part) cannot leave.
FINAL_STATES: Final = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED})
#: The callback interval handed to ``wait_for_final_state``: no callback is passed, and a
#: live job wakes its waiter the moment it ends, so this only bounds one sleep.
_WAKE_INTERVAL: Final = 3600.0

P = TypeVar("P")


def combined_status(statuses: Iterable[JobStatus]) -> JobStatus:
    """Return the state of a logical job from the states of its parts (the module's rule).

    Args:
        statuses: Each part's status, in the parts' order.

    Returns:
        ``ERROR`` if any part is in ERROR; else ``CANCELLED`` if any part is; else ``DONE``
        if every part is; else ``RUNNING`` if any part runs or has finished; else ``QUEUED``.

    Raises:
        InvalidInputError: no statuses (a logical job has at least one part).
    """
    seen = list(statuses)
    if not seen:
        raise InvalidInputError("a logical job has at least one part; got no statuses")
    if JobStatus.ERROR in seen:
        return JobStatus.ERROR
    if JobStatus.CANCELLED in seen:
        return JobStatus.CANCELLED
    if all(status is JobStatus.DONE for status in seen):
        return JobStatus.DONE
    if any(status in (JobStatus.RUNNING, JobStatus.DONE) for status in seen):
        return JobStatus.RUNNING
    return JobStatus.QUEUED


def group_by_shots(shots: Sequence[int]) -> dict[int, list[int]]:
    """Group positions by shot count: one future part per distinct count.

    Args:
        shots: One shot count per position (circuit or experiment).

    Returns:
        Shot count -> the positions asking for it, in order; the counts in order of first
        appearance (the order the parts are submitted in).
    """
    groups: dict[int, list[int]] = {}
    for position, count in enumerate(shots):
        groups.setdefault(count, []).append(position)
    return groups


def submit_all(plans: Iterable[P], submit: Callable[[P, Sequence[MyJob]], MyJob]) -> list[MyJob]:
    """Submit one part per plan, all or nothing.

    Args:
        plans: What each part runs, in order.
        submit: ``submit(plan, submitted)`` submits one part and returns its job;
            ``submitted`` holds the parts submitted before it (the first one's id names the
            logical job).

    Returns:
        The parts, in the order of ``plans``.

    Raises:
        BaseException: whatever ``submit`` raised for some plan, after the parts already
            submitted were cancelled (so none runs on alone).
    """
    jobs: list[MyJob] = []
    try:
        for plan in plans:
            jobs.append(submit(plan, tuple(jobs)))
    except BaseException:
        for job in jobs:
            # These parts were submitted by this process a moment ago, so it can cancel them;
            # should one refuse, the submission's own error is still the one to raise.
            with contextlib.suppress(MyJobError):
                job.cancel()
        raise
    return jobs


@dataclass(frozen=True)
class JobGroup:
    """The parts of one logical job, in order, and the rules that make them one job.

    Attributes:
        jobs: The parts (at least one), in the order they were submitted.

    Raises:
        InvalidInputError: ``jobs`` is empty.
    """

    jobs: tuple[MyJob, ...]

    def __post_init__(self) -> None:
        if not self.jobs:
            raise InvalidInputError("a logical job needs at least one MyJob")

    @property
    def job_ids(self) -> list[str]:
        """The parts' ids, in order."""
        return [job.job_id() for job in self.jobs]

    def statuses(self) -> list[JobStatus]:
        """Return each part's current status (a live query per part)."""
        return [job.status() for job in self.jobs]

    def status(self) -> JobStatus:
        """Return the combined state, by the module's rule (a live query per part)."""
        return combined_status(self.statuses())

    def first_failure(self) -> MyJob | None:
        """Return the first part, in order, that ended in ERROR; None if none did."""
        return next((job for job in self.jobs if job.status() is JobStatus.ERROR), None)

    def failure_cause(self) -> BaseException:
        """Return why the first failed part failed (its error's ``__cause__``).

        Returns:
            The cause (e.g. the simulation's error); an :class:`ExecutionError` saying so
            when no part is in ERROR or the failure recorded no cause.
        """
        failed = self.first_failure()
        if failed is not None:
            try:
                failed.result(timeout=0)
            except JobFailedError as exc:
                return exc.__cause__ if exc.__cause__ is not None else exc
        return ExecutionError("the job ended in ERROR without a recorded cause")

    def raise_for_status(self) -> None:
        """Raise the error of a logical job that did not end successfully.

        Raises:
            JobFailedError: a part ended in ERROR: the first failed part's error, chained to
                its cause.
            JobCancelledError: no part failed and one was cancelled: the first such part's.
        """
        failed = self.first_failure()
        if failed is not None:
            failed.result(timeout=0)  # raises its JobFailedError
        for job in self.jobs:
            if job.status() is JobStatus.CANCELLED:
                job.result(timeout=0)  # raises its JobCancelledError

    def cancel(self) -> bool:
        """Cancel every part that has not ended.

        Returns:
            True if some part was cancelled now; False if every part had already ended.

        Raises:
            MyJobError: a part runs in another process, which alone can cancel it.
        """
        cancelled = False
        for job in self.jobs:
            cancelled = job.cancel() or cancelled
        return cancelled

    def cancel_unfinished(self) -> None:
        """Cancel the parts that have not ended, skipping those another process runs.

        For an adapter that stops the other parts once the logical job has ended: a part
        that another process runs can only be cancelled there, and ends on its own.
        """
        for job in self.jobs:
            with contextlib.suppress(MyJobError):
                job.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the logical job is final (by the rule) or ``timeout`` passes.

        Waits on the parts themselves, in order, so it wakes the moment the part it waits on
        ends (a part run by another process is followed through the job store).

        Args:
            timeout: Seconds to wait, >= 0; None waits as long as it takes.

        Returns:
            Whether the logical job is final.

        Raises:
            InvalidInputError: ``timeout`` is negative.
            InvalidInputTypeError: ``timeout`` is not a number.
        """
        until = deadline(timeout)
        while True:
            if self.status() in FINAL_STATES:
                return True
            pending = next((job for job in self.jobs if not job.in_final_state()), None)
            if pending is None:  # every part final means the group is: checked just above
                return True
            remaining = None if until is None else until - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            with contextlib.suppress(JobTimeoutError):
                pending.wait_for_final_state(timeout=remaining, wait=_WAKE_INTERVAL)


# -- where the adapters reach the engine ---------------------------------------------------
# Every call the adapters make into the provider goes through these functions, so that how
# a backend's engine is reached is written in one place.


def default_backend() -> MyBackend:
    """Return the process-wide provider's default backend (``myprovider_simulator``)."""
    return default_provider().get_backend()


def find_job(backend: MyBackend, job_id: str) -> MyJob:
    """Return a job of ``backend`` by id, live in this process or read from its engine's store.

    Raises:
        InvalidInputTypeError: ``job_id`` is not a string.
        InvalidInputError: ``job_id`` is not a job id.
        JobNotFoundError: no such job, or it ran on another backend.
    """
    return backend.retrieve_job(job_id)


def find_jobs(
    backend: MyBackend, *, tag: str | None = None, status: JobStatus | str | None = None
) -> list[MyJob]:
    """Return every stored job of ``backend`` with ``tag`` and/or in ``status``, newest first.

    Args:
        backend: The backend whose jobs to list.
        tag: Only jobs that carry this tag (how a logical job's later parts are found).
        status: Only jobs in this status (a ``JobStatus`` or its name).

    Raises:
        InvalidInputError: an unknown status name.
    """
    return backend.jobs(limit=None, status=status, job_tags=None if tag is None else [tag])


def store_location(backend: MyBackend) -> str:
    """Return where ``backend``'s jobs are stored (a path, or ``":memory:"``)."""
    return backend.engine.store.location
