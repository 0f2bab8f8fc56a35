"""The in-process executor: a FIFO queue served by background threads.

Aer releases the GIL only inside its C++ kernels, so threads suit small jobs (where a process
hop would cost more than the job) and tests; long jobs belong in worker processes
(``"process"``). A task that is running in a thread cannot be interrupted: cancelling it
marks the job CANCELLED at once and the simulation's result is discarded when it ends.
"""

from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.simulate import simulate

if TYPE_CHECKING:
    from collections.abc import Callable

    from qiskit.result import Result

__all__ = ["ThreadExecutor"]


class _ThreadTask(TaskHandle):
    def __init__(self, executor: ThreadExecutor, task: SimulationTask, listener: TaskListener):
        self.task = task
        self.listener = listener
        self._executor = executor
        self.started = False
        self.finished = False
        self.abandoned = False

    def cancel(self) -> bool:
        return self._executor._cancel(self)

    def queue_position(self) -> int | None:
        return self._executor._position(self)


class ThreadExecutor(JobExecutor):
    """Run tasks on ``max_workers`` daemon threads in submission order.

    Args:
        max_workers: How many tasks run at once. One is right for Aer, which already spreads
            a single simulation over all cores with OpenMP.
        run: The function that simulates a task (tests substitute a slow or failing one).
    """

    name = "thread"

    def __init__(
        self, max_workers: int = 1, *, run: Callable[[SimulationTask], Result] = simulate
    ) -> None:
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ValueError(f"max_workers must be a positive int, not {max_workers!r}")
        self._max_workers = max_workers
        self._run = run
        self._queue: collections.deque[_ThreadTask] = collections.deque()
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def __repr__(self) -> str:
        return f"<ThreadExecutor max_workers={self._max_workers}>"

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Queue ``task`` behind the tasks already waiting (see :class:`JobExecutor`)."""
        handle = _ThreadTask(self, task, listener)
        with self._cond:
            if self._closed:
                raise RuntimeError("this executor has been shut down")
            self._queue.append(handle)
            if self._idle == 0 and len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._work, name=f"myprovider-thread-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._cond.notify()
        return handle

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Stop the threads once idle; with ``cancel_pending`` drop every queued task."""
        with self._cond:
            self._closed = True
            dropped = list(self._queue) if cancel_pending else []
            if cancel_pending:
                self._queue.clear()
            self._cond.notify_all()
        for handle in dropped:
            handle.listener.task_cancelled()

    def _position(self, handle: _ThreadTask) -> int | None:
        with self._cond:
            if handle.started or handle.finished:
                return None
            try:
                return self._queue.index(handle)
            except ValueError:
                return None

    def _cancel(self, handle: _ThreadTask) -> bool:
        with self._cond:
            if handle.finished:
                return False
            if handle.started:
                handle.abandoned = True
            else:
                try:
                    self._queue.remove(handle)
                except ValueError:
                    return False
                handle.finished = True
        handle.listener.task_cancelled()
        return True

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._idle += 1
                    self._cond.wait()
                    self._idle -= 1
                if not self._queue:
                    return
                handle = self._queue.popleft()
                handle.started = True
            if not handle.listener.task_started():
                with self._cond:
                    handle.finished = True
                continue
            result: Result | None = None
            error: BaseException | None = None
            try:
                result = self._run(handle.task)
            except BaseException as exc:  # every failure belongs to the job, not the thread
                error = exc
            with self._cond:
                handle.finished = True
                abandoned = handle.abandoned
            if abandoned:
                continue
            if result is not None:
                handle.listener.task_succeeded(result)
            else:
                assert error is not None
                handle.listener.task_failed(error)
