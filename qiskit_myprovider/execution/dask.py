"""A :class:`dask.distributed.Client` as a job executor: the route beyond one machine.

Each job becomes one Dask task. The task runs :func:`~.simulate.simulate` on a Dask worker;
each backend's simulator is scattered to the cluster once and stays in the workers' memory,
so a task carries only its circuits and options. The worker announces
the start of a task through Dask's event log, so the job turns RUNNING when it really starts;
errors come back with their remote traceback. A queued task is cancelled in the scheduler; a
running one cannot be interrupted by Dask, so cancelling it marks the job CANCELLED and its
result is discarded.

``dask[distributed]`` is an optional dependency (``pip install qiskit-myprovider[dask]``); it
is imported only when this executor is used.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.remote import with_remote_traceback

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = ["DaskExecutor", "is_dask_client"]

_TOPIC: Final = "qiskit-myprovider-started"

def is_dask_client(obj: object) -> bool:
    """Return whether ``obj`` is a ``dask.distributed.Client`` (without importing Dask)."""
    return any(
        cls.__name__ == "Client" and cls.__module__.startswith("distributed")
        for cls in type(obj).__mro__
    )


def _run_on_worker(task: SimulationTask, simulator: AerSimulator, topic: str, token: str) -> Any:
    from dataclasses import replace

    from distributed import get_client

    from qiskit_myprovider.execution.simulate import simulate

    # Synchronous on purpose: Aer keeps the GIL for the whole simulation, so an event only
    # queued on the worker (Worker.log_event) would not leave before the result does.
    get_client().log_event(topic, token)
    return simulate(replace(task, simulator=simulator))


class _DaskTask(TaskHandle):
    def __init__(self, owner: DaskExecutor, listener: TaskListener, token: str) -> None:
        self.owner = owner
        self.listener = listener
        self.token = token
        self.future: Any = None
        self.started = False
        self.done = False

    def cancel(self) -> bool:
        with self.owner._lock:
            if self.done:
                return False
            self.done = True
            self.owner._forget_locked(self)
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
            token,
            key=f"myprovider-{token}",
            pure=False,
        )
        handle.future.add_done_callback(lambda f: self._finished(handle, f))
        return handle

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
        with self._lock:
            if handle.done:
                return
            handle.done = True
            seen_start, handle.started = handle.started, True
            self._forget_locked(handle)
        status = future.status
        if status == "cancelled":
            handle.listener.task_cancelled()
            return
        if not seen_start:  # the start event may trail the result
            handle.listener.task_started()
        if status == "error":
            error = future.exception()
            tb = future.traceback()
            if tb is not None:
                with_remote_traceback(error, "".join(traceback.format_tb(tb)))
            handle.listener.task_failed(error)
        else:
            handle.listener.task_succeeded(future.result())
