"""The task message between the process executor and its workers, built and read in one place.

A task travels without its simulator when the worker already keeps it (by
``simulator_key``), and its circuits as QPY where QPY carries them faithfully (about five
times faster than pickle; see :mod:`qiskit_myprovider.circuit_codec`), else pickled with
the rest of the message. The parent may encode a queued task's circuits ahead of sending it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.circuit_codec import decode_circuits, encode_circuits

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

    from qiskit_myprovider.execution.base import SimulationTask

__all__ = ["UNPACKED", "pack", "read_task", "task_message"]

#: A queued task whose circuits are not encoded yet.
UNPACKED: Final = object()


def pack(task: SimulationTask) -> bytes | None:
    """The task's circuits as QPY, or None where QPY cannot carry them (they go pickled)."""
    return encode_circuits(task.circuits)


def task_message(
    task_id: int,
    task: SimulationTask,
    packed: object,
    *,
    send_simulator: bool,
    threads: int | None,
    memory_limit_mb: int | None,
) -> tuple[Any, ...]:
    """The message that hands ``task`` to a worker.

    Args:
        task_id: The executor's id for the task (the worker's reply names it).
        task: The task.
        packed: Its circuits from :func:`pack`, or :data:`UNPACKED` to encode them now.
        send_simulator: Whether the worker still needs the task's simulator.
        threads: The OpenMP threads the task may use (None: as the task says).
        memory_limit_mb: The worker's memory limit, which Aer is told unless the task says.
    """
    if memory_limit_mb is not None and "max_memory_mb" not in task.run_options:
        task = replace(task, run_options={**task.run_options, "max_memory_mb": memory_limit_mb})
    if packed is UNPACKED:
        packed = pack(task)
    bare = replace(task, simulator=None, circuits=() if packed else task.circuits)
    simulator = task.simulator if send_simulator else None
    return (task_id, task.simulator_key, simulator, bare, packed, threads)


def read_task(
    message: tuple[Any, ...], simulators: dict[str, AerSimulator]
) -> tuple[int, SimulationTask]:
    """The worker's side: the task of ``message``, whole again (``simulators`` is kept)."""
    task_id, key, simulator, task, packed, threads = message
    if simulator is not None:
        simulators[key] = simulator
    run_options = dict(task.run_options)
    if threads is not None:
        run_options.setdefault("max_parallel_threads", threads)
    circuits = tuple(decode_circuits(packed)) if packed is not None else task.circuits
    return task_id, replace(
        task, simulator=simulators[key], run_options=run_options, circuits=circuits
    )
