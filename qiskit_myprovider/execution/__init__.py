"""Executors: where simulations run, behind the one small interface of :mod:`.base`.

``make_executor`` turns the user's ``executor=`` argument into a :class:`JobExecutor`.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any, TypeAlias

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution.auto import DEFAULT_THRESHOLD, AutoExecutor
from qiskit_myprovider.execution.base import (
    JobExecutor,
    ProgressListener,
    SimulationTask,
    TaskHandle,
    TaskListener,
)
from qiskit_myprovider.execution.dask import DaskExecutor, is_dask_client
from qiskit_myprovider.execution.futures import FuturesExecutor
from qiskit_myprovider.execution.process import ProcessExecutor
from qiskit_myprovider.execution.remote import RemoteTraceback
from qiskit_myprovider.execution.simulate import estimate_cost, estimate_transfer, simulate
from qiskit_myprovider.execution.split import combine_results, split_circuits, submit_parts
from qiskit_myprovider.execution.thread import ThreadExecutor

__all__ = [
    "DEFAULT_THRESHOLD",
    "EXECUTOR_NAMES",
    "AutoExecutor",
    "DaskExecutor",
    "ExecutorSpec",
    "FuturesExecutor",
    "JobExecutor",
    "ProcessExecutor",
    "ProgressListener",
    "RemoteTraceback",
    "SimulationTask",
    "TaskHandle",
    "TaskListener",
    "ThreadExecutor",
    "combine_results",
    "estimate_cost",
    "estimate_transfer",
    "make_executor",
    "simulate",
    "split_circuits",
    "submit_parts",
]

#: What ``executor=`` accepts: a name from :data:`EXECUTOR_NAMES`, a :class:`JobExecutor`,
#: a :class:`concurrent.futures.Executor` or a ``dask.distributed.Client``.
ExecutorSpec: TypeAlias = "str | JobExecutor | concurrent.futures.Executor | Any"

#: The executor names ``executor=`` accepts.
EXECUTOR_NAMES = ("auto", "process", "thread", "dask")


def make_executor(spec: ExecutorSpec, *, validate_only: bool = False) -> JobExecutor:
    """Build the executor that ``spec`` names.

    Args:
        spec: ``"auto"`` (cheap jobs on a thread, the rest in worker processes),
            ``"process"``, ``"thread"``, ``"dask"`` (the current ``distributed`` client), a
            :class:`JobExecutor`, a :class:`concurrent.futures.Executor`, or a
            ``dask.distributed.Client``.
        validate_only: Only check ``spec``; the returned value is then meaningless.

    Returns:
        The executor.

    Raises:
        InvalidInputError: an unknown executor name (the message lists the valid ones), or
            ``"dask"`` without a running Dask client or without Dask installed.
        InvalidInputTypeError: ``spec`` is none of the above.
    """
    if isinstance(spec, JobExecutor):
        return spec
    if isinstance(spec, concurrent.futures.Executor):
        return _VALIDATED if validate_only else FuturesExecutor(spec)
    if is_dask_client(spec):
        return _VALIDATED if validate_only else DaskExecutor(spec)
    if not isinstance(spec, str):
        raise InvalidInputTypeError(
            f"executor must be one of {', '.join(EXECUTOR_NAMES)}, a JobExecutor, a "
            f"concurrent.futures.Executor or a dask.distributed.Client, not {type(spec).__name__}"
        )
    if spec not in EXECUTOR_NAMES:
        raise InvalidInputError(
            f"Unknown executor '{spec}'. Valid executors: {', '.join(EXECUTOR_NAMES)}"
        )
    if spec == "dask":
        client = _current_dask_client()
        return _VALIDATED if validate_only else DaskExecutor(client)
    if validate_only:
        return _VALIDATED
    if spec == "process":
        return ProcessExecutor()
    if spec == "thread":
        return ThreadExecutor()
    return AutoExecutor()


def _current_dask_client() -> Any:
    try:
        from distributed import default_client
    except ImportError as exc:
        raise InvalidInputError(
            "executor='dask' needs Dask: pip install 'qiskit-myprovider[dask]'"
        ) from exc
    try:
        return default_client()  # type: ignore[no-untyped-call]
    except ValueError as exc:
        raise InvalidInputError(
            "executor='dask' found no Dask client: create one first "
            "(from distributed import Client; client = Client(...)) or pass it as executor=client"
        ) from exc


class _Unused(JobExecutor):
    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        raise NotImplementedError

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        pass


_VALIDATED = _Unused()
