"""The job handle returned by :meth:`MyBackend.run`.

A :class:`MyJob` is either *live* (made in this process: an executor reports its progress and
waiting wakes the moment it ends) or *stored* (read back from the job store, possibly written
by another process: its state is re-read from the store when queried). Both kinds answer the
same questions the same way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import BackendV2, JobStatus, JobV1
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from typing_extensions import override

from qiskit_myprovider.exceptions import MyJobError
from qiskit_myprovider.execution.split import experiment_count
from qiskit_myprovider.job_progress import JobProgress
from qiskit_myprovider.job_state import JobState, StateListener
from qiskit_myprovider.notebook import summary_table
from qiskit_myprovider.store import parse_owner
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
    from qiskit_myprovider.execution.base import (
        JobExecutor,
        SimulationTask,
        TaskHandle,
        TaskListener,
    )
    from qiskit_myprovider.store import JobRecord

__all__ = ["MyJob"]

logger = logging.getLogger(__name__)

#: How long ``cancel()`` of a job run by another process waits for that process to act.
CANCEL_PATIENCE: Final = 10.0


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
        recorded: For a new job, whether its record is in the store already (written by
            another process, INITIALIZING; see :meth:`MyBackend.run_recorded`):
            :meth:`submit` then makes this process its owner instead of adding it.
    """

    def __init__(
        self,
        backend: BackendV2,
        record: JobRecord,
        engine: Engine,
        *,
        task: SimulationTask | None = None,
        executor: JobExecutor | None = None,
        recorded: bool = False,
    ) -> None:
        super().__init__(backend, record.job_id)
        self._recorded = recorded
        self._engine = engine
        self._task = task
        self._executor = executor
        self._handle: TaskHandle | None = None
        # What progress counts: the executor's reports are in experiments.
        by_rows = task is not None and (task.parameter_binds or task.primitive is not None)
        self._unit = "parameter sets" if by_rows else "circuits"
        single = task is not None and experiment_count(task) == 1
        self._whole_unit = "circuits" if single else "parts"
        self._state = JobState(
            record,
            engine.store,
            live=task is not None,
            flush_steps=task is not None and engine.flushes_steps(task.cost),
        )

    # -- JobV1 ---------------------------------------------------------------------------

    @override
    def submit(self) -> None:
        """Record the job, then hand it to its executor. Called once, by :meth:`MyBackend.run`.

        The record is written before this returns (for a job recorded by another process,
        its owner becomes this process), so the job id is at once findable from any process
        that shares the store.

        Raises:
            MyJobError: the job was already submitted, or is not a new job.
            StoreError: the job store could not record the job (nothing was queued).
        """
        state = self._state
        with state.lock:
            if not state.live or self._handle is not None or self._task is None:
                raise MyJobError(f"Job {self.job_id()} has already been submitted")
            if self._executor is None:
                raise MyJobError(f"Job {self.job_id()} has no executor to run on")
            task, executor = self._task, self._executor
            if self._recorded:  # another process wrote the record: take the job over
                record = state.record
                state.store.update(
                    self.job_id(),
                    owner=record.owner,
                    circuits=record.circuits,
                    options=record.options,
                )
            else:
                state.store.add(state.record)
            self._engine.register(self.job_id(), self)
            state.transition(JobStatus.QUEUED)
        # Outside the lock: a thread executor may start (and report on) the task at once.
        handle = self._launch(executor, task, StateListener(state, self))
        with state.lock:
            self._handle = handle
            self._task = None  # the executor holds it now; the job does not need the payload

    def _launch(
        self, executor: JobExecutor, task: SimulationTask, listener: TaskListener
    ) -> TaskHandle:
        """Hand the job's work to ``executor`` (a job of several parts hands them all)."""
        return executor.submit(task, listener)

    @override
    def status(self) -> JobStatus:
        """Return the job's current status (re-read from the store for a stored job)."""
        return self._state.status()

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
        timeout = validate_timeout(timeout)
        if not self._state.wait_final(timeout):
            raise self._state.timeout_error(timeout)
        return self._state.final_result()

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
        return self._state.future()

    def __await__(self) -> Generator[Any, None, Result]:
        """``await job``: the job's result, without blocking the event loop.

        Raises:
            JobFailedError: the job ended in ERROR.
            JobCancelledError: the job was cancelled.
        """
        return asyncio.wrap_future(self.future()).__await__()

    @override
    def cancel(self) -> bool:
        """Cancel the job if it is not final yet.

        A queued job is removed from its executor's queue; a running job in a worker process
        is stopped (its worker is replaced). A job running in a thread cannot be interrupted:
        it is marked CANCELLED at once and its result is discarded when it ends.

        A job that another live process runs is cancelled by that process: the request
        travels through the job store, the owner acts on it within a fraction of a second,
        and this call waits for it (up to 10 s).

        Returns:
            True if the job is now CANCELLED; False if it had already ended.

        Raises:
            MyJobError: another process runs the job and did not cancel it when asked.
        """
        state = self._state
        if not state.live:
            return self._cancel_elsewhere()
        with state.lock:
            if state.record.status in JOB_FINAL_STATES:
                return False
            handle = self._handle
        if handle is None or handle.cancel():
            state.transition(JobStatus.CANCELLED)
        return state.record.status is JobStatus.CANCELLED

    def _cancel_elsewhere(self) -> bool:
        """Ask the process that runs this job, through the store, to cancel it; wait for it."""
        state = self._state
        if self.in_final_state() or not state.store.request_cancel(self.job_id()):
            return False
        if state.wait_final(CANCEL_PATIENCE):
            return state.record.status is JobStatus.CANCELLED
        owner = parse_owner(state.record.owner)
        who = f"pid {owner.pid} on host {owner.host}" if owner else "an unknown process"
        raise MyJobError(
            f"Job {self.job_id()} is {state.record.status.name} in another process ({who}); "
            f"it was asked to cancel it, but had not after {CANCEL_PATIENCE:g} s (is that "
            "process stopped, or running an older qiskit-myprovider?)"
        )

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
            callback: Called as ``callback(job_id, status, job)`` when the wait starts, then
                at most every ``wait`` seconds while the job is not final, and once more with
                the final status as the wait returns (so a display draws its last frame).
                Its exceptions are logged, never raised.

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
                if callback is not None:
                    self._call_back(callback, status)
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise self._state.timeout_error(timeout)
            if callback is not None:
                self._call_back(callback, status)
            step = wait if remaining is None else min(wait, remaining)
            self._state.wait_final(step)

    def _call_back(
        self, callback: Callable[[str, JobStatus, MyJob], Any], status: JobStatus
    ) -> None:
        try:
            callback(self.job_id(), status, self)
        except Exception:
            logger.exception("wait_for_final_state callback raised; ignored")

    # -- progress ------------------------------------------------------------------------

    def progress(self) -> JobProgress | None:
        """Return how far the job has got, or None for a job another process runs.

        A job split into parts (see :mod:`qiskit_myprovider.execution.split`) counts the
        circuits (or parameter sets) of the parts done, and expects a run time calibrated on
        them; a job run whole reports 0/1 until it is DONE, with no expected time before then.

        Returns:
            A :class:`~qiskit_myprovider.job_progress.JobProgress`; None where this process
            does not run the job (its progress is not stored).
        """
        if not self._state.live:
            return None
        return self._state.progress(self._unit, self._whole_unit)

    # -- IBM-style handle ----------------------------------------------------------------

    @property
    def primitive_id(self) -> str | None:
        """``"sampler"`` or ``"estimator"`` for a primitive's job; None for a ``run`` job."""
        return self._state.record.primitive_id

    def name(self) -> str | None:
        """Return the job's name, or None if it has none."""
        return self._state.record.name

    def tags(self) -> list[str]:
        """Return the job's tags."""
        return list(self._state.record.tags)

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
        self._state.update(name=name)
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
        self._state.update(tags=list(new_tags))
        return list(new_tags)

    def creation_date(self) -> datetime:
        """Return when the job was created (local time, timezone-aware)."""
        return self._state.record.creation_date

    def time_per_step(self) -> dict[str, datetime]:
        """Return when the job reached each step.

        Returns:
            A dict with keys ``CREATED``, ``QUEUED``, ``RUNNING`` and the final status name
            (``DONE``, ``ERROR`` or ``CANCELLED``); steps not reached are absent.
        """
        return dict(self._state.record.time_per_step)

    def queue_position(self, refresh: bool = False) -> int | None:
        """Return the job's place in its executor's queue (0 = next), or None if not QUEUED.

        Args:
            refresh: Re-read a stored job's state first (a live job is always current).
        """
        state = self._state
        if refresh and not state.live:
            state.reload()
        with state.lock:
            if state.record.status is not JobStatus.QUEUED:
                return None
            handle = self._handle
        if handle is None:
            return None
        position = handle.queue_position()
        return position if state.record.status is JobStatus.QUEUED else None

    def error_message(self) -> str | None:
        """Return why the job failed (or was lost), or None if it did not fail."""
        return self._state.record.error_message

    def circuits(self) -> list[QuantumCircuit]:
        """Return the circuits submitted in this job."""
        if self._state.record.circuits is None:
            self._state.reload()
        return list(self._state.record.circuits or [])

    def backend_options(self) -> dict[str, Any]:
        """Return the simulator options the job ran with."""
        return dict(self._state.record.options)

    def header(self) -> dict[str, Any]:
        """Return the user header given at submission (empty if none)."""
        return dict(self._state.record.header)

    def refresh(self) -> None:
        """Re-read the job's record from the store (name, tags and, for a stored job, state)."""
        state = self._state
        if not state.live:
            state.reload()
            return
        stored = state.store.get(self.job_id())
        with state.lock:
            state.record.name = stored.name
            state.record.tags = list(stored.tags)

    def summary(self) -> dict[str, str]:
        """The job's facts as text, from what the job holds (no store read).

        Returns:
            ``job_id``, ``backend``, ``status``, and where known ``name``, ``tags``,
            ``created``, ``duration`` (creation to the final step) and ``error``.
        """
        record = self._state.record
        facts = {
            "job_id": record.job_id,
            "backend": record.backend_name,
            "status": record.status.name,
            "name": record.name or "",
            "tags": ", ".join(record.tags),
            "created": record.creation_date.isoformat(sep=" ", timespec="seconds"),
        }
        ended = record.time_per_step.get(record.status.name)
        if record.status in JOB_FINAL_STATES and ended is not None:
            seconds = (ended - record.creation_date).total_seconds()
            facts["duration"] = f"{seconds:.3f} s"
        if record.error_message:
            facts["error"] = record.error_message
        return facts

    def _repr_html_(self) -> str:
        return summary_table([self.summary()], caption="MyJob")

    @override
    def __repr__(self) -> str:
        record = self._state.record
        name = f", name={record.name!r}" if record.name else ""
        return (
            f"<MyJob('{self.job_id()}', backend='{record.backend_name}'"
            f"{name}, status={record.status.name}>"
        )
