"""A :class:`dask.distributed.Client` as a job executor: the route beyond one machine.

Each job becomes one Dask task. On the Dask worker the task hands the simulation to a small
pool of our own worker processes (a :class:`~.process.ProcessExecutor` that lives in that
Dask worker), so a running job can be stopped for real: cancelling it sets a Dask ``Event``
that the task polls, and the task kills the simulating process and frees the Dask worker
within a fraction of a second. A crash of the simulation leaves the Dask worker alive and
ends the job in ERROR. Each backend's simulator is scattered to the cluster once and stays in
the workers' memory, so a task carries only its circuits and options. The task announces its
start through Dask's event log, so the job turns RUNNING when it really starts; errors come
back with their remote traceback. A queued task is cancelled in the scheduler.

A Dask worker lost mid-job (killed, out of memory, its machine gone): Dask's scheduler runs
the task again on another worker, up to ``distributed.scheduler.allowed-failures`` times
(default 3), so the job still ends DONE; past that limit the job ends in ERROR with a message
that says its Dask workers died.

``dask[distributed]`` is an optional dependency (``pip install qiskit-myprovider[dask]``); it
is imported only when this executor is used.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.remote import (
    RemoteTaskError,
    RemoteTraceback,
    with_remote_traceback,
)

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = ["DaskExecutor", "is_dask_client"]

_TOPIC: Final = "qiskit-myprovider-started"
#: How often a task on a Dask worker checks whether its job was cancelled (seconds).
_CANCEL_POLL: Final = 0.1
#: How many times a task the cluster drops on its own is sent (the first time included).
_ATTEMPTS: Final = 2

logger = logging.getLogger(__name__)

_pool: Any = None
_pool_lock = threading.Lock()


def is_dask_client(obj: object) -> bool:
    """Return whether ``obj`` is a ``dask.distributed.Client`` (without importing Dask)."""
    return any(
        cls.__name__ == "Client" and cls.__module__.startswith("distributed")
        for cls in type(obj).__mro__
    )


def _worker_pool() -> Any:
    """The pool of simulating processes of this Dask worker (one per Dask thread)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from distributed import get_worker

            from qiskit_myprovider.execution.process import ProcessExecutor

            try:
                slots = int(get_worker().state.nthreads)
            except Exception:  # not on a worker (a test calling the task directly)
                slots = 1
            _pool = ProcessExecutor(max_workers=max(slots, 1))
        return _pool


class _Outcome:
    """Collects what the pool reports about one task, on the Dask worker."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = False

    def task_started(self) -> bool:
        return True

    def task_succeeded(self, result: Any) -> None:
        self.result = result
        self.finished.set()

    def task_failed(self, error: BaseException) -> None:
        self.error = error
        self.finished.set()

    def task_cancelled(self) -> None:
        self.cancelled = True
        self.finished.set()


def _run_on_worker(
    task: SimulationTask, simulator: AerSimulator, topic: str, token: str, cancel_name: str
) -> Any:
    from distributed import Event, get_client

    get_client().log_event(topic, token)
    outcome = _Outcome()
    handle = _worker_pool().submit(replace(task, simulator=simulator), outcome)
    cancel = Event(cancel_name)  # type: ignore[no-untyped-call]
    while not outcome.finished.wait(_CANCEL_POLL):
        if cancel.is_set():  # type: ignore[no-untyped-call]
            handle.cancel()  # kills the simulating process; the pool starts a fresh one
            outcome.finished.wait()
            cancel.clear()  # type: ignore[no-untyped-call]
            break
    if outcome.error is not None:
        cause = outcome.error.__cause__
        tb = cause.tb if isinstance(cause, RemoteTraceback) else ""
        raise RemoteTaskError(outcome.error, tb)
    if outcome.cancelled:
        from qiskit_myprovider.exceptions import ExecutionError

        raise ExecutionError(f"job {task.job_id} was cancelled while it ran")
    return outcome.result


class _DaskTask(TaskHandle):
    def __init__(self, owner: DaskExecutor, listener: TaskListener, token: str) -> None:
        self.owner = owner
        self.listener = listener
        self.token = token
        self.future: Any = None
        self.started = False
        self.done = False
        self.task: SimulationTask | None = None
        self.attempts = 0

    def cancel(self) -> bool:
        with self.owner._lock:
            if self.done:
                return False
            self.done = True
            running = self.started
            self.owner._forget_locked(self)
        if running:
            self.owner._stop_running(self.token)
        if self.future is not None:
            self.future.cancel()
        self.listener.task_cancelled()
        return True

    def queue_position(self) -> int | None:
        return self.owner._position(self)


class DaskExecutor(JobExecutor):
    """Run tasks on a Dask cluster through ``client``.

    Args:
        client: A connected ``dask.distributed.Client`` (synchronous); it stays the
            caller's to close.
    """

    name = "dask"

    def __init__(self, client: Any) -> None:
        if not is_dask_client(client):
            from qiskit_myprovider.exceptions import InvalidInputTypeError

            raise InvalidInputTypeError(
                f"DaskExecutor needs a dask.distributed.Client, not {type(client).__name__}"
            )
        self._client = client
        self._lock = threading.Lock()
        self._tasks: dict[str, _DaskTask] = {}
        self._order: list[_DaskTask] = []
        self._simulators: dict[str, Any] = {}  # simulator key -> scattered future
        self._topic = f"{_TOPIC}-{uuid.uuid4().hex[:8]}"
        client.subscribe_topic(self._topic, self._on_event)

    def __repr__(self) -> str:
        return f"<DaskExecutor scheduler={getattr(self._client, 'scheduler', None)!r}>"

    @property
    def client(self) -> Any:
        """The Dask client tasks are submitted through."""
        return self._client

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Submit ``task`` as one Dask task (see :class:`JobExecutor`)."""
        token = f"{task.job_id}-{uuid.uuid4().hex[:8]}"
        handle = _DaskTask(self, listener, token)
        with self._lock:
            self._tasks[token] = handle
            self._order.append(handle)
        handle.task = task
        self._send(handle)
        return handle

    def _send(self, handle: _DaskTask) -> None:
        """Submit ``handle``'s task to the cluster (again, after the cluster dropped it)."""
        task = handle.task
        assert task is not None
        handle.attempts += 1
        with self._lock:
            simulator = self._simulators.get(task.simulator_key)
        if simulator is None:
            simulator = self._client.scatter(task.simulator, broadcast=True, hash=False)
            with self._lock:
                self._simulators[task.simulator_key] = simulator
        handle.future = self._client.submit(
            _run_on_worker,
            replace(task, simulator=None),
            simulator,
            self._topic,
            handle.token,
            _cancel_name(handle.token),
            key=f"myprovider-{handle.token}-{handle.attempts}",
            pure=False,
        )
        handle.future.add_done_callback(lambda f: self._finished(handle, f))

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Stop listening to the cluster; with ``cancel_pending`` cancel unfinished tasks."""
        if cancel_pending:
            with self._lock:
                pending = list(self._order)
            for handle in pending:
                handle.cancel()
        with contextlib.suppress(Exception):  # the client may already be closed
            self._client.unsubscribe_topic(self._topic)
        self._simulators.clear()

    def _stop_running(self, token: str) -> None:
        from distributed import Event

        with contextlib.suppress(Exception):  # the cluster may be gone: nothing runs then
            Event(_cancel_name(token), client=self._client).set()  # type: ignore[no-untyped-call]

    def _resend(self, handle: _DaskTask, future: Any) -> bool:
        """Send again a task the cluster dropped without our asking; return whether it was.

        A Dask worker that dies can take the only copy of a scattered simulator with it, and
        the scheduler then drops the tasks that needed it: scatter it again and retry once.
        """
        with self._lock:
            if handle.done or future is not handle.future or handle.attempts >= _ATTEMPTS:
                return False
            assert handle.task is not None
            self._simulators.pop(handle.task.simulator_key, None)
        try:
            self._send(handle)
        except Exception:  # the cluster is gone: report the drop as a failure
            logger.debug("could not resubmit %s", handle.token, exc_info=True)
            return False
        return True

    def _position(self, handle: _DaskTask) -> int | None:
        with self._lock:
            waiting = [h for h in self._order if not h.started]
        return waiting.index(handle) if handle in waiting else None

    def _forget_locked(self, handle: _DaskTask) -> None:
        self._tasks.pop(handle.token, None)
        if handle in self._order:
            self._order.remove(handle)

    def _on_event(self, event: Any) -> None:
        _, token = event
        with self._lock:
            handle = self._tasks.get(token)
            if handle is None or handle.started or handle.done:
                return
            handle.started = True
        handle.listener.task_started()

    def _finished(self, handle: _DaskTask, future: Any) -> None:
        if future.status == "cancelled" and self._resend(handle, future):
            return
        with self._lock:
            if handle.done:
                return
            handle.done = True
            seen_start, handle.started = handle.started, True
            self._forget_locked(handle)
        status = future.status
        if status == "cancelled":
            # Not cancelled by us (that path marks the handle done first): the scheduler
            # dropped the task, e.g. when the cluster lost it. That is a failure, not a cancel.
            from qiskit_myprovider.exceptions import ExecutionError

            handle.listener.task_failed(
                ExecutionError(
                    "the Dask scheduler dropped this job's task without running it to the end "
                    "(its worker or the cluster went away); submit the job again"
                )
            )
            return
        if not seen_start:  # the start event may trail the result
            handle.listener.task_started()
        if status == "error":
            error = future.exception()
            if type(error).__name__ == "KilledWorker":
                from qiskit_myprovider.exceptions import ExecutionError

                lost = ExecutionError(
                    f"The Dask workers that ran this job died ({error}); Dask ran it again on "
                    "other workers up to its limit (distributed.scheduler.allowed-failures)"
                )
                lost.__cause__ = error
                handle.listener.task_failed(lost)
                return
            if isinstance(error, RemoteTaskError):
                handle.listener.task_failed(error.unwrap())
                return
            tb = future.traceback()
            if tb is not None:
                with_remote_traceback(error, "".join(traceback.format_tb(tb)))
            handle.listener.task_failed(error)
        else:
            handle.listener.task_succeeded(future.result())


def _cancel_name(token: str) -> str:
    return f"qiskit-myprovider-cancel-{token}"
