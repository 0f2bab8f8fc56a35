"""The job of a primitive (``SamplerV2``/``EstimatorV2``): a ``MyJob`` and a ``BasePrimitiveJob``.

Its result is a ``PrimitiveResult``.

The simulation parts of a primitive job return raw arrays (see
:mod:`qiskit_myprovider.execution.pubs`); the job turns them into the ``PrimitiveResult``
with the ``assemble`` function its primitive gave it, before the job is DONE, so the store
keeps, and any process reads back, the finished ``PrimitiveResult``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qiskit.primitives import BasePrimitiveJob
from typing_extensions import override

from qiskit_myprovider.exceptions import ExecutionError
from qiskit_myprovider.job import MyJob

if TYPE_CHECKING:
    from qiskit.primitives import PrimitiveResult
    from qiskit.providers import BackendV2, JobStatus

    from qiskit_myprovider.engine import Engine
    from qiskit_myprovider.execution.base import (
        JobExecutor,
        SimulationTask,
        TaskHandle,
        TaskListener,
    )
    from qiskit_myprovider.store import JobRecord

__all__ = ["MyPrimitiveJob", "job_from_record"]

#: Turns the outputs of a job's parts, in order, into its ``PrimitiveResult``.
Assemble = Callable[[Sequence[Any]], "PrimitiveResult"]


class MyPrimitiveJob(MyJob, BasePrimitiveJob):
    """A primitive's job: the whole :class:`MyJob` handle, a ``PrimitiveResult`` at the end.

    Args:
        backend: The backend the primitive runs on.
        record: The job's record (``primitive_id`` set).
        engine: The engine whose store keeps the record.
        parts: For a new job, its simulation tasks (each with a ``primitive`` part).
        executor: For a new job, the executor that runs the parts.
        assemble: For a new job, builds the ``PrimitiveResult`` from the parts' outputs.
    """

    def __init__(
        self,
        backend: BackendV2,
        record: JobRecord,
        engine: Engine,
        *,
        parts: Sequence[SimulationTask] = (),
        executor: JobExecutor | None = None,
        assemble: Assemble | None = None,
    ) -> None:
        self._parts = tuple(parts)
        self._assemble = assemble
        super().__init__(
            backend,
            record,
            engine,
            task=self._parts[0] if self._parts else None,
            executor=executor,
            cost=sum(part.cost for part in self._parts),
        )

    @property
    def primitive_id(self) -> str:
        """``"sampler"`` or ``"estimator"``."""
        return str(self._state.record.primitive_id)

    @override
    def _launch(
        self, executor: JobExecutor, task: SimulationTask, listener: TaskListener
    ) -> TaskHandle:
        assemble = self._assemble
        if assemble is None:
            raise ExecutionError(f"primitive job {self.job_id()} has nothing to assemble with")
        self._parts = ()  # the executor holds them now
        return executor.submit(task, _Assembling(listener, assemble))

    @override
    def result(self, timeout: float | None = None) -> PrimitiveResult:
        """Wait for the job to end and return its ``PrimitiveResult``.

        Args:
            timeout: Seconds to wait; None waits as long as it takes.

        Raises:
            JobTimeoutError: the job did not end within ``timeout``; it keeps going.
            JobFailedError: the job ended in ERROR; ``__cause__`` is the simulation's error.
            JobCancelledError: the job was cancelled.
        """
        result: PrimitiveResult = super().result(timeout)
        return result

    @override
    def status(self) -> JobStatus:
        """Return the job's current status (re-read from the store for a stored job)."""
        return super().status()

    @override
    def __repr__(self) -> str:
        record = self._state.record
        name = f", name={record.name!r}" if record.name else ""
        return (
            f"<MyPrimitiveJob('{self.job_id()}', primitive='{record.primitive_id}', "
            f"backend='{record.backend_name}'{name}, status={record.status.name}>"
        )


class _Assembling:
    """A listener that turns the part's raw output into the job's ``PrimitiveResult``."""

    def __init__(self, listener: TaskListener, assemble: Assemble) -> None:
        self._listener = listener
        self._assemble = assemble

    def task_started(self) -> bool:
        return self._listener.task_started()

    def task_succeeded(self, result: Any) -> None:
        try:
            assembled = self._assemble([result])
        except Exception as exc:  # a result that cannot be assembled fails the job
            self._listener.task_failed(exc)
            return
        self._listener.task_succeeded(assembled)

    def task_failed(self, error: BaseException) -> None:
        self._listener.task_failed(error)

    def task_cancelled(self) -> None:
        self._listener.task_cancelled()


def job_from_record(backend: BackendV2, record: JobRecord, engine: Engine) -> MyJob:
    """The stored job of ``record``: a :class:`MyPrimitiveJob` for a primitive's, else a MyJob."""
    if record.primitive_id is not None:
        return MyPrimitiveJob(backend, record, engine)
    return MyJob(backend, record, engine)
