"""The executor interface: what a job hands to an executor and what it hears back.

A job never knows which executor runs it. It builds a :class:`SimulationTask` (everything
needed to simulate, picklable so it can cross a process or network boundary), passes it to
:meth:`JobExecutor.submit` together with a :class:`TaskListener`, and keeps the returned
:class:`TaskHandle` to ask for its queue position or to cancel it. The executor reports the
task's life through the listener, from whatever thread it likes.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result
    from qiskit_aer import AerSimulator

    from qiskit_myprovider.execution.pubs import PrimitivePart

__all__ = ["JobExecutor", "SimulationTask", "TaskHandle", "TaskListener"]


@dataclass(frozen=True)
class SimulationTask:
    """One job's simulation, complete and self-contained.

    Attributes:
        job_id: The id of the job this task belongs to.
        backend_name: The name of the backend, stamped on the result.
        simulator: The configured Aer simulator (method, noise model, target); None only
            while the task travels to a worker that already holds it under ``simulator_key``.
        circuits: The circuits to simulate, in order.
        run_options: Options for this run, already validated (shots, seed_simulator, ...).
        parameter_binds: Aer-style parameter bindings, one mapping per circuit, or None.
        cost: An estimate of the work (roughly amplitude updates); executors may route on it.
        simulator_key: Identifies ``simulator`` so workers can keep it between tasks.
        primitive: For a part of a primitive job, its PUB segments: the task then returns a
            :class:`~qiskit_myprovider.execution.pubs.PartOutput` instead of a ``Result``.
    """

    job_id: str
    backend_name: str
    simulator: AerSimulator | None
    circuits: tuple[QuantumCircuit, ...]
    run_options: Mapping[str, Any] = field(default_factory=dict)
    parameter_binds: Sequence[Mapping[Any, Sequence[float]]] | None = None
    cost: float = 0.0
    simulator_key: str = ""
    primitive: PrimitivePart | None = None


class TaskListener(Protocol):
    """What an executor tells the job about its task. Any method may be called from any thread."""

    def task_started(self) -> bool:
        """Report that the task is about to start simulating.

        Returns:
            False if the job was cancelled meanwhile: the executor must then skip the task.
        """

    def task_succeeded(self, result: Result) -> None:
        """Report the task's result."""

    def task_failed(self, error: BaseException) -> None:
        """Report that the task failed; ``error`` is the cause."""

    def task_cancelled(self) -> None:
        """Report that the executor dropped the task without running it to the end."""


class TaskHandle(abc.ABC):
    """The executor's handle on one submitted task."""

    @abc.abstractmethod
    def cancel(self) -> bool:
        """Stop the task if it is queued or running.

        Returns:
            True if the task will deliver no result (removed from the queue, or stopped);
            False if it had already finished.
        """

    @abc.abstractmethod
    def queue_position(self) -> int | None:
        """Return the task's place in the executor's queue (0 = next), or None once started."""


class JobExecutor(abc.ABC):
    """Runs simulation tasks in the background."""

    #: A short name for messages and ``repr`` ("thread", "process", "dask", ...).
    name: str = "executor"

    @abc.abstractmethod
    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Queue ``task``; report its progress to ``listener``.

        Args:
            task: The simulation to run.
            listener: Receives ``task_started`` then exactly one of the final reports.

        Returns:
            A handle to cancel the task or ask for its queue position.
        """

    @abc.abstractmethod
    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Release the executor's resources.

        Args:
            cancel_pending: Cancel queued and running tasks (reported through their listeners)
                instead of waiting for them.
        """
