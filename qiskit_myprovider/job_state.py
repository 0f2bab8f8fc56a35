"""One job's state: its record, its transitions, waiting on it, and its future.

:class:`JobState` is the thread-safe core under :class:`~qiskit_myprovider.MyJob`. A *live*
state (a job this process runs) changes when its executor reports, through a
:class:`StateListener`, and wakes waiters the moment the job ends; a *stored* state (a job
read from the store, run by another process) is re-read from the store when asked.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.clock import now
from qiskit_myprovider.completion import store_watcher
from qiskit_myprovider.exceptions import (
    ExecutionError,
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
    MyJobError,
)
from qiskit_myprovider.job_progress import JobProgress

if TYPE_CHECKING:
    from qiskit.result import Result

    from qiskit_myprovider.store import JobRecord, JobStore

__all__ = ["JobState", "StateListener"]

logger = logging.getLogger(__name__)

#: How often a stored job (run by another process) is re-read while waiting on it.
_STORE_POLL_MIN: Final = 0.02
_STORE_POLL_MAX: Final = 0.5


class JobState:
    """A job's record and its life. Every method may be called from any thread.

    Args:
        record: The job's record.
        store: The store that keeps it.
        live: Whether this process runs the job (an executor reports to it).
        flush_steps: Whether RUNNING and the final state are written at once (long jobs).
    """

    def __init__(
        self, record: JobRecord, store: JobStore, *, live: bool, flush_steps: bool
    ) -> None:
        self.record = record
        self.store = store
        self.live: Final = live
        #: Guards the record; waiters wait on it. The job guards its own fields with it too.
        self.lock = threading.Condition()
        self._flush_steps = flush_steps
        self._error: BaseException | None = None
        self._future: concurrent.futures.Future[Result] | None = None
        #: The executor's last progress report: (done, total, expected seconds or None).
        self._reported: tuple[int, int, float | None] | None = None

    @property
    def job_id(self) -> str:
        """The job's id."""
        return self.record.job_id

    # -- reading -------------------------------------------------------------------------

    def status(self) -> JobStatus:
        """The current status (a stored job's is re-read from the store first)."""
        if not self.live:
            self.reload()
        return self.record.status

    def reload(self) -> None:
        """Re-read the whole record from the store."""
        stored = self.store.get(self.job_id)
        with self.lock:
            self.record = stored
            if stored.status in JOB_FINAL_STATES:
                self.lock.notify_all()

    def final_result(self) -> Result:
        """The result of a final job, or the error that says why it has none.

        Raises:
            JobFailedError: the job ended in ERROR (chained to its cause).
            JobCancelledError: the job was cancelled.
            MyJobError: a DONE record holds no result (a damaged store).
        """
        record = self.record
        if record.status is JobStatus.DONE:
            result = record.result
            if result is None:  # a stored job whose listing did not load the result
                self.reload()
                result = self.record.result
            if result is None:
                raise MyJobError(
                    f"Job {self.job_id} is DONE but its record in {self.store.location} "
                    "holds no result (the store was damaged or edited); run the job again"
                )
            return result
        if record.status is JobStatus.CANCELLED:
            raise JobCancelledError(f"Job {self.job_id} was cancelled, so it has no result")
        cause = self._error or ExecutionError(record.error_message or "unknown error")
        raise JobFailedError(f"Job {self.job_id} failed: {record.error_message}") from cause

    # -- progress ------------------------------------------------------------------------

    def note_progress(self, done: int, total: int, cost_fraction: float | None) -> None:
        """Keep an executor's progress report; calibrate the expected run time on it.

        The expected time is the time RUNNING so far over the share of the estimated cost
        done (``elapsed / done-cost * total-cost``), once some of it is done.
        """
        with self.lock:
            if self.record.status in JOB_FINAL_STATES or total < 1:
                return
            expected = None
            elapsed = self._elapsed_locked()
            if cost_fraction is not None and cost_fraction > 0 and done > 0:
                expected = elapsed / min(cost_fraction, 1.0)
            self._reported = (max(0, min(done, total)), total, expected)

    def progress(self, unit: str, whole_unit: str) -> JobProgress:
        """The job's progress now.

        Args:
            unit: What the executor's reports count (``"circuits"``, ``"parameter sets"``).
            whole_unit: The unit of a job the executor reports nothing on (one part: 0/1
                until it is DONE, 1/1 then).
        """
        with self.lock:
            status = self.record.status
            elapsed = self._elapsed_locked()
            done_ok = status is JobStatus.DONE
            if self._reported is not None:
                done, total, expected = self._reported
                if done_ok:
                    return JobProgress(total, total, unit, elapsed, elapsed)
                return JobProgress(done, total, unit, elapsed, expected)
            # No calibration is sound for a job nobody reports on: expect nothing until it ends.
            if done_ok:
                return JobProgress(1, 1, whole_unit, elapsed, elapsed)
            return JobProgress(0, 1, whole_unit, elapsed, None)

    def _elapsed_locked(self) -> float:
        steps = self.record.time_per_step
        started = steps.get(JobStatus.RUNNING.name)
        if started is None:
            return 0.0
        final = self.record.status in JOB_FINAL_STATES
        ended = steps.get(self.record.status.name) if final else None
        return max(0.0, ((ended or now()) - started).total_seconds())

    # -- waiting -------------------------------------------------------------------------

    def wait_final(self, timeout: float | None) -> bool:
        """Block until the job is final or ``timeout`` passes; return whether it is final."""
        if self.live:
            with self.lock:
                return self.lock.wait_for(lambda: self.record.status in JOB_FINAL_STATES, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = _STORE_POLL_MIN
        while True:
            self.reload()
            if self.record.status in JOB_FINAL_STATES:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            time.sleep(delay if remaining is None else min(delay, remaining))
            delay = min(delay * 2, _STORE_POLL_MAX)

    def timeout_error(self, timeout: float | None) -> JobTimeoutError:
        """The error for a wait that ran out."""
        return JobTimeoutError(
            f"Job {self.job_id} is still {self.record.status.name} after {timeout} s; "
            "it keeps running (wait longer, or cancel it)"
        )

    # -- the future ----------------------------------------------------------------------

    def future(self) -> concurrent.futures.Future[Result]:
        """The future that completes with the job (see ``MyJob.future``)."""
        with self.lock:
            if self._future is not None:
                return self._future
            future: concurrent.futures.Future[Result] = concurrent.futures.Future()
            future.set_running_or_notify_cancel()  # a job's future cannot be cancelled
            self._future = future
            final = self.record.status in JOB_FINAL_STATES
        if final:
            self._complete_future()
        elif not self.live:
            store_watcher().watch(self._poll_for_future)
        return future

    def _poll_for_future(self) -> bool:
        self.reload()
        if self.record.status not in JOB_FINAL_STATES:
            return False
        self._complete_future()
        return True

    def _complete_future(self) -> None:
        future = self._future
        if future is None or future.done():
            return
        settle: Callable[[], None]
        try:
            result = self.final_result()
        except Exception as error:
            settle = functools.partial(future.set_exception, error)
        else:
            settle = functools.partial(future.set_result, result)
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            settle()  # unless another thread completed it meanwhile

    # -- changing ------------------------------------------------------------------------

    def update(self, **changes: Any) -> None:
        """Write ``changes`` (name, tags) to the store, then to the record."""
        with self.lock:
            self.store.update(self.job_id, **changes)
            for key, value in changes.items():
                setattr(self.record, key, value)

    def transition(
        self,
        status: JobStatus,
        *,
        result: Result | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Move to ``status`` unless the job is already final; return whether it moved.

        RUNNING is only reached from QUEUED. The store write is best effort: the state
        advances even if the store fails, or waiters would hang forever.
        """
        with self.lock:
            current = self.record.status
            if current in JOB_FINAL_STATES:
                return False
            if status is JobStatus.RUNNING and current is not JobStatus.QUEUED:
                return False
            self._set_locked(status, result=result, error=error)
        if status in JOB_FINAL_STATES:
            # Outside the lock: the future's callbacks may call back into the job.
            self._complete_future()
        return True

    def _set_locked(
        self, status: JobStatus, *, result: Result | None, error: BaseException | None
    ) -> None:
        changes: dict[str, Any] = {"status": status}
        steps = dict(self.record.time_per_step)
        steps[status.name] = now()
        changes["time_per_step"] = steps
        if result is not None:
            changes["result"] = result
        if error is not None:
            changes["error_message"] = _describe(error)
        try:
            self.store.update(self.job_id, **changes)
            if self._flush_steps and (status is JobStatus.RUNNING or status in JOB_FINAL_STATES):
                self.store.flush()
        except Exception:
            logger.exception("could not record job %s as %s", self.job_id, status.name)
        for key, value in changes.items():
            setattr(self.record, key, value)
        if error is not None:
            self._error = error
        self.lock.notify_all()


class StateListener:
    """Receives an executor's reports and turns them into state changes.

    Args:
        state: The state to change.
        job: The job the state belongs to: the executor holds the listener while the task
            is unfinished, which keeps the job (and its place among the live jobs) alive.
    """

    def __init__(self, state: JobState, job: object) -> None:
        self._state = state
        self._job = job

    def task_started(self) -> bool:
        """RUNNING; False if the job was cancelled meanwhile (the executor skips it)."""
        return self._state.transition(JobStatus.RUNNING)

    def task_succeeded(self, result: Result) -> None:
        """DONE, with its result."""
        self._state.transition(JobStatus.DONE, result=result)

    def task_failed(self, error: BaseException) -> None:
        """ERROR, with its cause."""
        self._state.transition(JobStatus.ERROR, error=error)

    def task_cancelled(self) -> None:
        """CANCELLED."""
        self._state.transition(JobStatus.CANCELLED)

    def task_progress(self, done: int, total: int, cost_fraction: float | None = None) -> None:
        """How far the task has got (see ``ProgressListener``)."""
        self._state.note_progress(done, total, cost_fraction)


def _describe(error: BaseException) -> str:
    text = str(error)
    return text if isinstance(error, ExecutionError) else f"{type(error).__name__}: {text}"
