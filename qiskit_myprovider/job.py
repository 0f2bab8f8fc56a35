"""The job handle returned by :meth:`MyBackend.run`.

A :class:`MyJob` is either *live* (made in this process: an executor reports its progress and
waiting wakes the moment it ends) or *stored* (read back from the job store, possibly written
by another process: its state is re-read from the store when queried). Both kinds answer the
same questions the same way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import BackendV2, JobStatus, JobV1
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from typing_extensions import override

from qiskit_myprovider.clock import now
from qiskit_myprovider.completion import store_watcher
from qiskit_myprovider.exceptions import (
    ExecutionError,
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
    MyJobError,
)
from qiskit_myprovider.validation import (
    validate_interval,
    validate_tags,
    validate_text,
    validate_timeout,
)

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

    from qiskit_myprovider.engine import Engine
    from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle
    from qiskit_myprovider.store import JobRecord

__all__ = ["MyJob", "now"]

logger = logging.getLogger(__name__)

#: How often a stored job (run by another process) is re-read while waiting on it.
_STORE_POLL_MIN: Final = 0.02
_STORE_POLL_MAX: Final = 0.5


class _Listener:
    """Receives an executor's reports and turns them into job state changes."""

    def __init__(self, job: MyJob) -> None:
        self._job = job

    def task_started(self) -> bool:
        return self._job._transition(JobStatus.RUNNING)

    def task_succeeded(self, result: Result) -> None:
        self._job._transition(JobStatus.DONE, result=result)

    def task_failed(self, error: BaseException) -> None:
        self._job._transition(JobStatus.ERROR, error=error)

    def task_cancelled(self) -> None:
        self._job._transition(JobStatus.CANCELLED)


class MyJob(JobV1):
    """A job on a :class:`~qiskit_myprovider.MyBackend`: a future with an IBM-style handle.

    States go INITIALIZING → QUEUED → RUNNING → DONE | ERROR | CANCELLED; a final state never
    changes. The job is written to the job store at submission and at every change; a job
    expected to run longer than 50 ms also flushes the store at RUNNING and at its end, so
    other processes see those moments exactly (a shorter job's changes of state reach them
    within milliseconds).

    Args:
        backend: The backend the job belongs to.
        record: The job's record (its id, status, circuits, options, ...).
        engine: The engine whose store keeps the record (and, for a new job, that registers
            it as run by this process).
        task: For a new job, the simulation to hand to ``executor`` on :meth:`submit`.
        executor: For a new job, the executor that will run it.
    """

    def __init__(
        self,
        backend: BackendV2,
        record: JobRecord,
        engine: Engine,
        *,
        task: SimulationTask | None = None,
        executor: JobExecutor | None = None,
    ) -> None:
        super().__init__(backend, record.job_id)
        self._record = record
        self._engine = engine
        self._store = engine.store
        self._task = task
        self._executor = executor
        self._handle: TaskHandle | None = None
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._live = task is not None
        self._future: concurrent.futures.Future[Result] | None = None
        self._flush_steps = task is not None and engine.flushes_steps(task.cost)

    # -- JobV1 ---------------------------------------------------------------------------

    @override
    def submit(self) -> None:
        """Record the job, then hand it to its executor. Called once, by :meth:`MyBackend.run`.

        The record is written before this returns, so the job id is at once findable from
        any process that shares the store.

        Raises:
            MyJobError: the job was already submitted, or is not a new job.
            StoreError: the job store could not record the job (nothing was queued).
        """
        with self._cond:
            if not self._live or self._handle is not None or self._task is None:
                raise MyJobError(f"Job {self.job_id()} has already been submitted")
            if self._executor is None:
                raise MyJobError(f"Job {self.job_id()} has no executor to run on")
            task, executor = self._task, self._executor
            self._store.add(self._record)
            self._engine.register(self.job_id(), self)
            self._set_state_locked(JobStatus.QUEUED)
        # Outside the lock: a thread executor may start (and report on) the task at once.
        handle = executor.submit(task, _Listener(self))
        with self._cond:
            self._handle = handle
            self._task = None  # the executor holds it now; the job does not need the payload

    @override
    def status(self) -> JobStatus:
        """Return the job's current status (re-read from the store for a stored job)."""
        if not self._live:
            self.refresh()
        return self._record.status

    @override
    def result(self, timeout: float | None = None) -> Result:
        """Wait for the job to end and return its result.

        Args:
            timeout: Seconds to wait; None waits as long as it takes.

        Returns:
            The :class:`~qiskit.result.Result` (counts, memory, metadata, ``time_taken``).

        Raises:
            JobTimeoutError: the job did not end within ``timeout``; it keeps going.
            JobFailedError: the job ended in ERROR; ``__cause__`` is the simulation's error.
            JobCancelledError: the job was cancelled.
        """
        self._wait(timeout)
        return self._final_result()

    def _final_result(self) -> Result:
        """The result of a final job, or the error that says why it has none."""
        status = self._record.status
        if status is JobStatus.DONE:
            result = self._record.result
            if result is None:  # a stored job whose listing did not load the result
                self._reload()
                result = self._record.result
            if result is None:
                raise MyJobError(
                    f"Job {self.job_id()} is DONE but its record in {self._store.location} "
                    "holds no result (the store was damaged or edited); run the job again"
                )
            return result
        if status is JobStatus.CANCELLED:
            raise JobCancelledError(f"Job {self.job_id()} was cancelled, so it has no result")
        cause = self._error or ExecutionError(self._record.error_message or "unknown error")
        raise JobFailedError(
            f"Job {self.job_id()} failed: {self._record.error_message}"
        ) from cause

    # -- futures and asyncio -------------------------------------------------------------

    def future(self) -> concurrent.futures.Future[Result]:
        """Return a :class:`~concurrent.futures.Future` that completes when the job ends.

        Its result is the job's :class:`~qiskit.result.Result`; for a failed or cancelled job
        it raises what :meth:`result` raises (``JobFailedError``, ``JobCancelledError``). So
        ``concurrent.futures.wait`` / ``as_completed`` and ``asyncio.wrap_future`` work on
        jobs. The same future is returned on every call; cancelling the future does not
        cancel the job (use :meth:`cancel`).

        A job this process runs completes its future the moment it ends; a job run by
        another process is watched by one shared thread that re-reads the store.
        """
        with self._cond:
            if self._future is not None:
                return self._future
            future: concurrent.futures.Future[Result] = concurrent.futures.Future()
            future.set_running_or_notify_cancel()  # a job's future cannot be cancelled
            self._future = future
            final = self._record.status in JOB_FINAL_STATES
        if final:
            self._complete_future()
        elif not self._live:
            store_watcher().watch(self._poll_for_future)
        return future

    def __await__(self) -> Generator[Any, None, Result]:
        """``await job``: the job's result, without blocking the event loop.

        Raises:
            JobFailedError: the job ended in ERROR.
            JobCancelledError: the job was cancelled.
        """
        return asyncio.wrap_future(self.future()).__await__()

    def _poll_for_future(self) -> bool:
        self._reload()
        if self._record.status not in JOB_FINAL_STATES:
            return False
        self._complete_future()
        return True

    def _complete_future(self) -> None:
        future = self._future
        if future is None or future.done():
            return
        settle: Callable[[], None]
        try:
            result = self._final_result()
        except Exception as error:
            settle = functools.partial(future.set_exception, error)
        else:
            settle = functools.partial(future.set_result, result)
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            settle()  # unless another thread completed it meanwhile

    @override
    def cancel(self) -> bool:
        """Cancel the job if it is not final yet.

        A queued job is removed from its executor's queue; a running job in a worker process
        is stopped (its worker is replaced). A job running in a thread cannot be interrupted:
        it is marked CANCELLED at once and its result is discarded when it ends.

        Returns:
            True if the job is now CANCELLED; False if it had already ended.

        Raises:
            MyJobError: the job belongs to another process, which alone can cancel it.
        """
        if not self._live:
            if self.in_final_state():
                return False
            raise MyJobError(
                f"Job {self.job_id()} is {self._record.status.name} in another process "
                f"({self._record.owner}); only that process can cancel it"
            )
        with self._cond:
            if self._record.status in JOB_FINAL_STATES:
                return False
            handle = self._handle
        if handle is None or handle.cancel():
            self._transition(JobStatus.CANCELLED)
        return self._record.status is JobStatus.CANCELLED

    @override
    def done(self) -> bool:
        """Return whether the job finished successfully."""
        return self.status() is JobStatus.DONE

    @override
    def running(self) -> bool:
        """Return whether the job is running."""
        return self.status() is JobStatus.RUNNING

    @override
    def cancelled(self) -> bool:
        """Return whether the job was cancelled."""
        return self.status() is JobStatus.CANCELLED

    def queued(self) -> bool:
        """Return whether the job is waiting in a queue."""
        return self.status() is JobStatus.QUEUED

    @override
    def in_final_state(self) -> bool:
        """Return whether the job is DONE, ERROR or CANCELLED."""
        return self.status() in JOB_FINAL_STATES

    @override
    def wait_for_final_state(
        self,
        timeout: float | None = None,
        wait: float = 5,
        callback: Callable[[str, JobStatus, MyJob], Any] | None = None,
    ) -> None:
        """Wait until the job is final; return the moment it is, not at the next poll.

        Args:
            timeout: Seconds to wait; None waits as long as it takes.
            wait: Seconds between calls of ``callback``.
            callback: Called as ``callback(job_id, status, job)`` when the wait starts and then
                at most every ``wait`` seconds while the job is not final. Its exceptions
                are logged, never raised.

        Raises:
            JobTimeoutError: the job was not final within ``timeout``; it keeps going.
            InvalidInputError: ``wait`` or ``timeout`` is not a positive number.
        """
        wait = validate_interval(wait, name="wait")
        timeout = validate_timeout(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status()
            if status in JOB_FINAL_STATES:
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise self._timeout_error(timeout)
            if callback is not None:
                try:
                    callback(self.job_id(), status, self)
                except Exception:
                    logger.exception("wait_for_final_state callback raised; ignored")
            step = wait if remaining is None else min(wait, remaining)
            self._wait_for_final(step)

    # -- IBM-style handle ----------------------------------------------------------------

    def name(self) -> str | None:
        """Return the job's name, or None if it has none."""
        return self._record.name

    def tags(self) -> list[str]:
        """Return the job's tags."""
        return list(self._record.tags)

    def update_name(self, name: str) -> str:
        """Rename the job (persisted in the store).

        Args:
            name: The new name.

        Returns:
            The new name.

        Raises:
            InvalidInputTypeError: ``name`` is not a string.
            InvalidInputError: text the store cannot keep (NUL, unpaired surrogates, over
                1000 characters).
        """
        validate_text(name, name="A job name")
        with self._cond:
            self._store.update(self.job_id(), name=name)
            self._record.name = name
        return name

    def update_tags(self, tags: Sequence[str]) -> list[str]:
        """Replace the job's tags (persisted in the store).

        Args:
            tags: The new tags.

        Returns:
            The new tags.

        Raises:
            InvalidInputTypeError: ``tags`` is not a sequence of strings.
        """
        new_tags = validate_tags(tags)
        with self._cond:
            self._store.update(self.job_id(), tags=new_tags)
            self._record.tags = list(new_tags)
        return list(new_tags)

    def creation_date(self) -> datetime:
        """Return when the job was created (local time, timezone-aware)."""
        return self._record.creation_date

    def time_per_step(self) -> dict[str, datetime]:
        """Return when the job reached each step.

        Returns:
            A dict with keys ``CREATED``, ``QUEUED``, ``RUNNING`` and the final status name
            (``DONE``, ``ERROR`` or ``CANCELLED``); steps not reached are absent.
        """
        return dict(self._record.time_per_step)

    def queue_position(self, refresh: bool = False) -> int | None:
        """Return the job's place in its executor's queue (0 = next), or None if not QUEUED.

        Args:
            refresh: Re-read a stored job's state first (a live job is always current).
        """
        if refresh and not self._live:
            self.refresh()
        with self._cond:
            if self._record.status is not JobStatus.QUEUED:
                return None
            handle = self._handle
        if handle is None:
            return None
        position = handle.queue_position()
        return position if self._record.status is JobStatus.QUEUED else None

    def error_message(self) -> str | None:
        """Return why the job failed (or was lost), or None if it did not fail."""
        return self._record.error_message

    def circuits(self) -> list[QuantumCircuit]:
        """Return the circuits submitted in this job."""
        if self._record.circuits is None:
            self._reload()
        return list(self._record.circuits or [])

    def backend_options(self) -> dict[str, Any]:
        """Return the simulator options the job ran with."""
        return dict(self._record.options)

    def header(self) -> dict[str, Any]:
        """Return the user header given at submission (empty if none)."""
        return dict(self._record.header)

    def refresh(self) -> None:
        """Re-read the job's record from the store (name, tags and, for a stored job, state)."""
        if self._live:
            stored = self._store.get(self.job_id())
            with self._cond:
                self._record.name = stored.name
                self._record.tags = list(stored.tags)
            return
        self._reload()

    @override
    def __repr__(self) -> str:
        name = f", name={self._record.name!r}" if self._record.name else ""
        return (
            f"<MyJob('{self.job_id()}', backend='{self._record.backend_name}'"
            f"{name}, status={self._record.status.name}>"
        )

    # -- internals -----------------------------------------------------------------------

    def _reload(self) -> None:
        stored = self._store.get(self.job_id())
        with self._cond:
            self._record = stored
            if stored.status in JOB_FINAL_STATES:
                self._cond.notify_all()

    def _timeout_error(self, timeout: float | None) -> JobTimeoutError:
        return JobTimeoutError(
            f"Job {self.job_id()} is still {self._record.status.name} after {timeout} s; "
            "it keeps running (wait longer, or cancel it)"
        )

    def _wait(self, timeout: float | None) -> None:
        timeout = validate_timeout(timeout)
        if not self._wait_for_final(timeout):
            raise self._timeout_error(timeout)

    def _wait_for_final(self, timeout: float | None) -> bool:
        """Block until the job is final or ``timeout`` passes; return whether it is final."""
        if self._live:
            with self._cond:
                return self._cond.wait_for(
                    lambda: self._record.status in JOB_FINAL_STATES, timeout
                )
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = _STORE_POLL_MIN
        while True:
            self.refresh()
            if self._record.status in JOB_FINAL_STATES:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            time.sleep(delay if remaining is None else min(delay, remaining))
            delay = min(delay * 2, _STORE_POLL_MAX)

    def _transition(
        self,
        status: JobStatus,
        *,
        result: Result | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Move to ``status`` unless the job is already final; return whether it moved."""
        with self._cond:
            current = self._record.status
            if current in JOB_FINAL_STATES:
                return False
            if status is JobStatus.RUNNING and current is not JobStatus.QUEUED:
                return False
            self._set_state_locked(status, result=result, error=error)
        if status in JOB_FINAL_STATES:
            # Outside the lock: the future's callbacks may call back into the job.
            self._complete_future()
        return True

    def _set_state_locked(
        self,
        status: JobStatus,
        *,
        result: Result | None = None,
        error: BaseException | None = None,
    ) -> None:
        changes: dict[str, Any] = {"status": status}
        steps = dict(self._record.time_per_step)
        steps[status.name] = now()
        changes["time_per_step"] = steps
        if result is not None:
            changes["result"] = result
        if error is not None:
            changes["error_message"] = _describe(error)
        try:
            self._store.update(self.job_id(), **changes)
            if self._flush_steps and (status is JobStatus.RUNNING or status in JOB_FINAL_STATES):
                self._store.flush()
        except Exception:
            # The job's own state must still advance, or waiters would hang forever.
            logger.exception("could not record job %s as %s", self.job_id(), status.name)
        for key, value in changes.items():
            setattr(self._record, key, value)
        if error is not None:
            self._error = error
        self._cond.notify_all()


def _describe(error: BaseException) -> str:
    text = str(error)
    return text if isinstance(error, ExecutionError) else f"{type(error).__name__}: {text}"
