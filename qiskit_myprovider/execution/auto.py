"""The default executor: cheap jobs on a background thread, the rest in worker processes.

Aer keeps the GIL while its C++ kernel simulates, so a job run on a thread freezes the
caller for the kernel's whole run; a worker process frees the caller but costs a hop
(the circuits go over a pipe as QPY, the result comes back pickled). The rule weighs the two
with cheap estimates (:func:`~.simulate.estimate_cost`, :func:`~.simulate.estimate_transfer`):

* a job whose estimated kernel time is at most ``threshold`` seconds (default 10 ms: a
  Bell circuit, a 14-qubit circuit of a few dozen gates) runs on the thread, where a hop
  would cost more than the job;
* a job whose hop would cost more than ``transfer_ratio`` (default half) of its kernel time
  also stays on the thread: a batch of hundreds of small circuits spends most of its time
  in Aer's Python-side preparation, which a process would not make faster;
* everything else (a 20-qubit circuit, a deep 16-qubit one) goes to the warm workers.

Before that rule, a job of many circuits or of many parameter sets is split across the
workers when :func:`~.split.split_circuits` estimates that it pays (a batch of hundreds of
small circuits included: each worker then does its share of Aer's serial preparation); the
job still sees one task (:func:`~.split.submit_parts`).
"""

from __future__ import annotations

import threading
from typing import Final

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.process import ProcessExecutor
from qiskit_myprovider.execution.pub_split import merge_outputs
from qiskit_myprovider.execution.simulate import estimate_transfer
from qiskit_myprovider.execution.split import combine_results, split_circuits, submit_parts
from qiskit_myprovider.execution.thread import ThreadExecutor

__all__ = ["DEFAULT_THRESHOLD", "DEFAULT_TRANSFER_RATIO", "AutoExecutor"]

#: Estimated kernel seconds up to which a job stays in-process.
DEFAULT_THRESHOLD: Final = 0.01
#: A job also stays in-process when moving it would cost more than this share of its run.
DEFAULT_TRANSFER_RATIO: Final = 0.5


class AutoExecutor(JobExecutor):
    """Route each task by its estimated cost: thread when cheap, worker process otherwise.

    Args:
        threshold: The largest estimated kernel time (seconds) that still runs in-process.
        transfer_ratio: Keep a job in-process when its estimated hop to a worker costs more
            than this share of its estimated kernel time.
        process: The process executor for expensive tasks (default: one per core, started
            on first use).
        split: Split big jobs of many circuits or parameter sets across the workers when
            the estimate says it pays.
    """

    name = "auto"

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        transfer_ratio: float = DEFAULT_TRANSFER_RATIO,
        process: ProcessExecutor | None = None,
        split: bool = True,
    ) -> None:
        for name, value in (("threshold", threshold), ("transfer_ratio", transfer_ratio)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise InvalidInputError(f"{name} must be a number >= 0, not {value!r}")
        self.threshold = float(threshold)
        self.transfer_ratio = float(transfer_ratio)
        self._thread = ThreadExecutor()
        self._process = process
        self.split = bool(split)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"<AutoExecutor threshold={self.threshold:g}s transfer_ratio={self.transfer_ratio:g}>"
        )

    @property
    def process_executor(self) -> ProcessExecutor:
        """The worker-process executor (created on first use)."""
        with self._lock:
            if self._process is None:
                self._process = ProcessExecutor()
            return self._process

    def warm(self) -> None:
        """Start one worker process now, so the first expensive job need not wait for it.

        See :meth:`ProcessExecutor.warm`: a worker that no job uses is released after a
        minute.
        """
        self.process_executor.warm(1)

    def route(self, task: SimulationTask) -> JobExecutor:
        """Return the executor that ``task`` goes to (see the module's rule)."""
        if task.cost <= self.threshold:
            return self._thread
        if estimate_transfer(task.circuits) > self.transfer_ratio * task.cost:
            return self._thread
        return self.process_executor

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Split ``task`` across the workers when it pays, else submit it as :meth:`route` says.

        See :class:`JobExecutor`.
        """
        if self.split and task.cost > self.threshold:
            process = self.process_executor
            parts = split_circuits(task, process.max_workers)
            if len(parts) > 1:
                combine = merge_outputs if task.primitive is not None else combine_results
                return submit_parts(process, parts, listener, combine)
        return self.route(task).submit(task, listener)

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Shut down both executors."""
        self._thread.shutdown(cancel_pending=cancel_pending)
        with self._lock:
            process = self._process
        if process is not None:
            process.shutdown(cancel_pending=cancel_pending)
