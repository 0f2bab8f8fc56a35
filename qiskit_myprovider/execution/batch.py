"""Several tiny jobs as one Aer call: which tasks may share a call, and each one's own result.

Every Aer call pays a fixed cost (its Python-side set-up and the result's conversion: about
0.1 to 0.4 ms), which for a Bell circuit of 100 shots is most of the job. When the thread
executor's queue holds several tiny tasks that Aer would run the same way, it hands them to
:func:`run_batch`: one call with all their circuits, whose result is cut back into one
:class:`~qiskit.result.Result` per task (:func:`split_result`).

Tasks share a call only when nothing in the output could tell (:func:`batchable`,
:func:`joins`): the same simulator (``simulator_key``), equal run options, no parameter
bindings, no primitive part, circuits of one classical width (Aer reports the largest
``num_clbits`` of a call in every experiment's metadata), and no ``seed_simulator`` (Aer
seeds experiment *i* of a call ``seed + 2113 * i``, so a seeded job would draw other samples
inside a batch than alone); only tiny tasks (estimated cost at most :data:`TINY_COST`), so
that a big job never waits behind a batch, and at most :data:`MAX_BATCH_TASKS` tasks or
:data:`MAX_BATCH_COST` seconds of estimated work, so that the first job of a batch is not
kept waiting for the last.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.execution.base import SimulationTask
from qiskit_myprovider.execution.simulate import simulate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qiskit.result import Result

__all__ = [
    "MAX_BATCH_COST",
    "MAX_BATCH_TASKS",
    "TINY_COST",
    "batchable",
    "joins",
    "run_batch",
    "split_result",
]

#: The largest estimated cost (seconds) of a task that may share an Aer call (a Bell circuit
#: of 100 shots is estimated at 0.33 ms).
TINY_COST: Final = 0.002
#: The most tasks one call runs.
MAX_BATCH_TASKS: Final = 64
#: The most estimated work (seconds) one call runs: the first task's result waits for it.
MAX_BATCH_COST: Final = 0.005

#: The metadata figures of a call that are cut into each task's share.
_SHARED_TIMES: Final = ("time_taken_execute", "time_taken_parameter_binding")


def batchable(task: SimulationTask) -> bool:
    """Return whether ``task`` may share an Aer call with others (see the module's rule)."""
    return (
        task.primitive is None
        and not task.parameter_binds
        and task.simulator is not None
        and bool(task.circuits)
        and task.run_options.get("seed_simulator") is None
        and task.cost <= TINY_COST
        and _clbits(task) is not None
    )


def joins(first: SimulationTask, task: SimulationTask) -> bool:
    """Return whether ``task`` may run in the same Aer call as the batchable ``first``.

    It must be batchable itself, on the same simulator, with circuits of the same classical
    width and equal run options (compared value by value: identical objects, or equal ones;
    a value that cannot say, such as an array, counts as different).
    """
    if not batchable(task) or _clbits(task) != _clbits(first):
        return False
    if task.simulator is not first.simulator or task.simulator_key != first.simulator_key:
        return False
    return _same_options(first.run_options, task.run_options)


def _clbits(task: SimulationTask) -> int | None:
    """The one classical width of all of ``task``'s circuits, or None if they differ."""
    widths = {circuit.num_clbits for circuit in task.circuits}
    return widths.pop() if len(widths) == 1 else None


def _same_options(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if value is other:
            continue
        try:
            if not bool(value == other):
                return False
        except Exception:  # e.g. numpy arrays: ambiguous truth; keep such jobs apart
            return False
    return True


def run_batch(tasks: Sequence[SimulationTask]) -> list[Result]:
    """Simulate ``tasks`` in one Aer call and return one result per task, in order.

    Args:
        tasks: Tasks of which every one :func:`joins` the first.

    Returns:
        Each task's result, as :func:`split_result` makes it.

    Raises:
        SimulationError: The call failed (the caller then runs the tasks one by one, so that
            one bad job cannot fail the others).
    """
    first = tasks[0]
    whole = SimulationTask(
        job_id=first.job_id,
        backend_name=first.backend_name,
        simulator=first.simulator,
        circuits=tuple(circuit for task in tasks for circuit in task.circuits),
        run_options=first.run_options,
        cost=sum(task.cost for task in tasks),
        simulator_key=first.simulator_key,
    )
    result: Result = simulate(whole)
    return split_result(result, tasks)


def split_result(result: Result, tasks: Sequence[SimulationTask]) -> list[Result]:
    """Cut the result of one call over ``tasks``' circuits into each task's own result.

    Each gets its own experiments (in order, with Aer's headers and metadata), its job id and
    backend name, and the call's date, status and metadata. ``time_taken`` (and Aer's
    ``time_taken_execute`` and ``time_taken_parameter_binding``) is the task's share of the
    call's: the call's figure times the share of the call's experiment time that the task's
    experiments took (by experiment count when Aer gives no per-experiment time), so the
    shares add up to the call.

    Args:
        result: The call's result, its experiments in the order of ``tasks``' circuits.
        tasks: The tasks whose circuits the call ran.

    Returns:
        One new result per task; ``result`` is not changed.

    Raises:
        ValueError: ``result`` does not hold one experiment per circuit.
    """
    sizes = [len(task.circuits) for task in tasks]
    experiments = list(result.results)
    if len(experiments) != sum(sizes):
        raise ValueError(
            f"a batched call returned {len(experiments)} experiments for {sum(sizes)} circuits"
        )
    times = [getattr(exp, "time_taken", None) for exp in experiments]
    weights: list[float]
    if all(isinstance(t, int | float) for t in times) and sum(float(t or 0) for t in times) > 0:
        weights = [float(t or 0) for t in times]
    else:
        weights = [1.0] * len(experiments)
    total = sum(weights)
    parts: list[Result] = []
    start = 0
    for task, size in zip(tasks, sizes, strict=True):
        part = copy.copy(result)
        part._metadata = copy.deepcopy(result._metadata)
        part.results = experiments[start : start + size]
        part.success = all(exp.success for exp in part.results)
        part.job_id = task.job_id
        part.backend_name = task.backend_name
        share = sum(weights[start : start + size]) / total
        _scale_times(part._metadata, share)
        parts.append(part)
        start += size
    return parts


def _scale_times(metadata: dict[str, Any], share: float) -> None:
    if isinstance(metadata.get("time_taken"), int | float):
        metadata["time_taken"] = float(metadata["time_taken"]) * share
    inner = metadata.get("metadata")
    if isinstance(inner, dict):
        for key in _SHARED_TIMES:
            if isinstance(inner.get(key), int | float):
                inner[key] = float(inner[key]) * share
