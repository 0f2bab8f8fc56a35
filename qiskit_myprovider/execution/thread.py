"""The in-process executor: a FIFO queue served by background threads.

Aer releases the GIL only inside its C++ kernels, so threads suit small jobs (where a process
hop would cost more than the job) and tests; long jobs belong in worker processes
(``"process"``). A task that is running in a thread cannot be interrupted: cancelling it
marks the job CANCELLED at once and the simulation's result is discarded when it ends.

When the queue holds several tiny tasks that Aer would run the same way, a thread takes them
together and runs them as one Aer call (:mod:`~qiskit_myprovider.execution.batch` says which
and how many); each job still hears ``task_started`` and then its own result. A task
cancelled while queued is not taken; if the shared call fails, its tasks run one by one, so
that one bad job fails alone.
"""

from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.batch import (
    MAX_BATCH_COST,
    MAX_BATCH_TASKS,
    batchable,
    joins,
)
from qiskit_myprovider.execution.batch import (
    run_batch as run_batch_default,
)
from qiskit_myprovider.execution.simulate import simulate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

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
        run_batch: The function that simulates several tasks in one call and returns their
            results in order (default: :func:`~.batch.run_batch` when ``run`` is the default,
            else none: a substituted ``run`` sees every task).
        batch_limit: The most tasks one call takes (1 turns batching off).
    """

    name = "thread"

    def __init__(
        self,
        max_workers: int = 1,
        *,
        run: Callable[[SimulationTask], Result] = simulate,
        run_batch: Callable[[Sequence[SimulationTask]], Sequence[Result]] | None = None,
        batch_limit: int = MAX_BATCH_TASKS,
    ) -> None:
        for name, value in (("max_workers", max_workers), ("batch_limit", batch_limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")
        self._max_workers = max_workers
        self._run = run
        if run_batch is None and run is simulate:
            run_batch = run_batch_default
        self._run_batch = run_batch if batch_limit > 1 else None
        self._batch_limit = batch_limit
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
                taken = self._take()
            started = [handle for handle in taken if self._start(handle)]
            if len(started) > 1:
                self._run_together(started)
            elif started:
                self._run_one(started[0])

    def _take(self) -> list[_ThreadTask]:
        """Pop the next task and the queued ones that may share its Aer call (lock held)."""
        first = self._queue.popleft()
        first.started = True
        taken = [first]
        if self._run_batch is None or not batchable(first.task):
            return taken
        cost = first.task.cost
        while self._queue and len(taken) < self._batch_limit:
            handle = self._queue[0]
            if cost + handle.task.cost > MAX_BATCH_COST or not joins(first.task, handle.task):
                break
            self._queue.popleft()
            handle.started = True
            cost += handle.task.cost
            taken.append(handle)
        return taken

    def _start(self, handle: _ThreadTask) -> bool:
        if handle.listener.task_started():
            return True
        with self._cond:
            handle.finished = True
        return False

    def _run_one(self, handle: _ThreadTask) -> None:
        with self._cond:
            if handle.abandoned:  # cancelled while it waited inside a failed batch
                handle.finished = True
                return
        result: Result | None = None
        error: BaseException | None = None
        try:
            result = self._run(handle.task)
        except BaseException as exc:  # every failure belongs to the job, not the thread
            error = exc
        self._deliver(handle, result, error)

    def _run_together(self, handles: list[_ThreadTask]) -> None:
        assert self._run_batch is not None
        try:
            results = list(self._run_batch([handle.task for handle in handles]))
            if len(results) != len(handles):
                raise ValueError(f"{len(results)} results for {len(handles)} tasks")
        except BaseException:  # run each alone, so that the bad one fails alone
            for handle in handles:
                self._run_one(handle)
            return
        for handle, result in zip(handles, results, strict=True):
            self._deliver(handle, result, None)

    def _deliver(
        self, handle: _ThreadTask, result: Result | None, error: BaseException | None
    ) -> None:
        with self._cond:
            handle.finished = True
            abandoned = handle.abandoned
        if abandoned:
            return
        if result is not None:
            handle.listener.task_succeeded(result)
        else:
            assert error is not None
            handle.listener.task_failed(error)
