"""Executors: where simulations run, behind the one small interface of :mod:`.base`.

``make_executor`` turns the user's ``executor=`` argument into a :class:`JobExecutor`.
"""

from __future__ import annotations

from typing import TypeAlias

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution.base import (
    JobExecutor,
    SimulationTask,
    TaskHandle,
    TaskListener,
)
from qiskit_myprovider.execution.simulate import estimate_cost, simulate
from qiskit_myprovider.execution.thread import ThreadExecutor

__all__ = [
    "EXECUTOR_NAMES",
    "ExecutorSpec",
    "JobExecutor",
    "SimulationTask",
    "TaskHandle",
    "TaskListener",
    "ThreadExecutor",
    "estimate_cost",
    "make_executor",
    "simulate",
]

#: What ``executor=`` accepts: a name from :data:`EXECUTOR_NAMES` or a ready executor.
ExecutorSpec: TypeAlias = str | JobExecutor

#: The executor names ``executor=`` accepts.
EXECUTOR_NAMES = ("auto", "thread")


def make_executor(spec: ExecutorSpec, *, validate_only: bool = False) -> JobExecutor:
    """Build the executor that ``spec`` names.

    Args:
        spec: ``"auto"`` or ``"thread"``, or a :class:`JobExecutor` to use as it is.
        validate_only: Only check ``spec``; the returned value is then meaningless.

    Returns:
        The executor.

    Raises:
        InvalidInputError: an unknown executor name (the message lists the valid ones).
        InvalidInputTypeError: ``spec`` is neither a name nor an executor.
    """
    if isinstance(spec, JobExecutor):
        return spec
    if not isinstance(spec, str):
        raise InvalidInputTypeError(
            f"executor must be one of {', '.join(EXECUTOR_NAMES)} or a JobExecutor, "
            f"not {type(spec).__name__}"
        )
    if spec not in EXECUTOR_NAMES:
        raise InvalidInputError(
            f"Unknown executor '{spec}'. Valid executors: {', '.join(EXECUTOR_NAMES)}"
        )
    if validate_only:
        return _VALIDATED
    return ThreadExecutor()


class _Unused(JobExecutor):
    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        raise NotImplementedError

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        pass


_VALIDATED = _Unused()
