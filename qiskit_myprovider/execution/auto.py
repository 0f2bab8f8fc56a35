"""The default executor: cheap jobs on a background thread, the rest in worker processes.

A process hop costs about a millisecond (pickling, a pipe, a context switch): more than a
Bell circuit takes to simulate, nothing next to a 20-qubit job. And a job that runs in a
thread holds the GIL for its whole simulation (Aer does not release it), freezing the
caller. So jobs whose estimated cost (:func:`~.simulate.estimate_cost`, about
``2**qubits * gates`` for a statevector) is at most ``threshold`` run on a thread, where they
finish in well under a few milliseconds; everything else goes to the warm workers.
"""

from __future__ import annotations

import threading
from typing import Final

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.process import ProcessExecutor
from qiskit_myprovider.execution.thread import ThreadExecutor

__all__ = ["DEFAULT_THRESHOLD", "AutoExecutor"]

#: Estimated cost up to which a job stays in-process: a 14-qubit circuit of 60 gates, or a
#: 10-qubit one of 1000, takes about a millisecond or less in Aer.
DEFAULT_THRESHOLD: Final = 1_000_000.0


class AutoExecutor(JobExecutor):
    """Route each task by its estimated cost: thread when cheap, worker process otherwise.

    Args:
        threshold: The largest estimated cost that still runs in-process.
        process: The process executor for expensive tasks (default: one per core, started
            on first use).
    """

    name = "auto"

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, *, process: ProcessExecutor | None = None
    ) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold < 0:
            raise InvalidInputError(f"threshold must be a number >= 0, not {threshold!r}")
        self.threshold = float(threshold)
        self._thread = ThreadExecutor()
        self._process = process
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AutoExecutor threshold={self.threshold:g}>"

    @property
    def process_executor(self) -> ProcessExecutor:
        """The worker-process executor (created on first use)."""
        with self._lock:
            if self._process is None:
                self._process = ProcessExecutor()
            return self._process

    def route(self, task: SimulationTask) -> JobExecutor:
        """Return the executor that ``task`` goes to."""
        return self._thread if task.cost <= self.threshold else self.process_executor

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Submit ``task`` to the executor :meth:`route` picks (see :class:`JobExecutor`)."""
        return self.route(task).submit(task, listener)

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Shut down both executors."""
        self._thread.shutdown(cancel_pending=cancel_pending)
        with self._lock:
            process = self._process
        if process is not None:
            process.shutdown(cancel_pending=cancel_pending)
