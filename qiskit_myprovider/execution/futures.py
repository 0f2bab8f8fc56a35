"""Any :class:`concurrent.futures.Executor` as a job executor.

The job is QUEUED until the executor starts the task: for a thread pool the task itself
reports its start; for other executors (process pools) a watcher notices the future turn
``running()``. A task that has started cannot be stopped through this interface: cancelling
it marks the job CANCELLED and discards its result.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.simulate import simulate

if TYPE_CHECKING:
    from qiskit.result import Result

__all__ = ["FuturesExecutor"]

_WATCH_INTERVAL: Final = 0.01


class _FutureTask(TaskHandle):
    def __init__(self, owner: FuturesExecutor, listener: TaskListener) -> None:
        self.owner = owner
        self.listener = listener
        self.future: concurrent.futures.Future[Result] | None = None
        self.started = False
        self.done = False
        self.lock = threading.Lock()

    def mark_started(self) -> bool:
        with self.lock:
            if self.started or self.done:
                return not self.done
            self.started = True
        return self.listener.task_started()

    def cancel(self) -> bool:
        with self.lock:
            if self.done:
                return False
            self.done = True
            future = self.future
        if future is not None:
            future.cancel()  # succeeds only while pending; a running task runs on unseen
        self.owner._forget(self)
        self.listener.task_cancelled()
        return True

    def queue_position(self) -> int | None:
        return self.owner._position(self)


class FuturesExecutor(JobExecutor):
    """Adapt a :class:`concurrent.futures.Executor` (thread or process pool).

    Args:
        executor: The executor to submit to; it stays the caller's to shut down.
    """

    name = "futures"

    def __init__(self, executor: concurrent.futures.Executor) -> None:
        self._executor = executor
        self._in_thread = isinstance(executor, concurrent.futures.ThreadPoolExecutor)
        self._pending: list[_FutureTask] = []
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._closed = threading.Event()

    def __repr__(self) -> str:
        return f"<FuturesExecutor {type(self._executor).__name__}>"

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Submit ``task`` to the wrapped executor (see :class:`JobExecutor`)."""
        handle = _FutureTask(self, listener)
        with self._lock:
            self._pending.append(handle)
        if self._in_thread:
            future = self._executor.submit(_run_reporting_start, handle, task)
        else:
            future = self._executor.submit(simulate, task)
            self._ensure_watcher()
        handle.future = future
        future.add_done_callback(lambda f: self._finished(handle, f))
        return handle

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Stop watching; with ``cancel_pending`` cancel the tasks not yet finished."""
        self._closed.set()
        if cancel_pending:
            with self._lock:
                pending = list(self._pending)
            for handle in pending:
                handle.cancel()

    def _position(self, handle: _FutureTask) -> int | None:
        with self._lock:
            waiting = [h for h in self._pending if not h.started]
        return waiting.index(handle) if handle in waiting else None

    def _forget(self, handle: _FutureTask) -> None:
        with self._lock:
            if handle in self._pending:
                self._pending.remove(handle)

    def _finished(self, handle: _FutureTask, future: concurrent.futures.Future[Result]) -> None:
        with handle.lock:
            if handle.done:
                return
            handle.done = True
            seen_start, handle.started = handle.started, True
        self._forget(handle)
        if future.cancelled():
            handle.listener.task_cancelled()
            return
        if not seen_start:  # it ran between two looks of the watcher
            handle.listener.task_started()
        error = future.exception()
        if error is not None:
            handle.listener.task_failed(error)
        else:
            handle.listener.task_succeeded(future.result())

    def _ensure_watcher(self) -> None:
        with self._lock:
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name="myprovider-futures-watch", daemon=True
                )
                self._watcher.start()

    def _watch(self) -> None:
        while not self._closed.wait(_WATCH_INTERVAL):
            with self._lock:
                pending = [h for h in self._pending if not h.started]
            for handle in pending:
                future = handle.future
                if future is not None and future.running():
                    handle.mark_started()


def _run_reporting_start(handle: _FutureTask, task: SimulationTask) -> Any:
    if not handle.mark_started():
        raise concurrent.futures.CancelledError()
    return simulate(task)
