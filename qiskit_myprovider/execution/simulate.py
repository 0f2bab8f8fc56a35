"""Run one :class:`SimulationTask` on Aer; the same function runs in threads, workers and Dask.

It calls Aer's circuit-execution path directly (no ``AerJob``, no extra thread hop), then
turns Aer's "DONE but ``success=False``" results into a :class:`SimulationError` carrying
Aer's own message, and stamps the result with our job id and backend name.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.exceptions import SimulationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from qiskit import QuantumCircuit
    from qiskit.result import Result

    from qiskit_myprovider.execution.base import SimulationTask

__all__ = ["estimate_cost", "estimate_transfer", "simulate"]


def simulate(task: SimulationTask) -> Any:
    """Simulate ``task`` in the calling thread and return its result.

    Args:
        task: The simulation to run.

    Returns:
        The :class:`~qiskit.result.Result`, with ``job_id`` and ``backend_name`` set to ours;
        for a part of a primitive job, its
        :class:`~qiskit_myprovider.execution.pubs.PartOutput`.

    Raises:
        SimulationError: Aer reported a failure (message from Aer, per experiment).
    """
    start = time.perf_counter()
    simulator = task.simulator
    if simulator is None:
        raise SimulationError(f"job {task.job_id} reached the simulator without its simulator")

    def execute(
        circuits: list[Any], binds: list[dict[Any, Any]] | None, options: dict[str, Any]
    ) -> Result:
        return _execute(simulator, task.job_id, circuits, binds, options)

    if task.primitive is not None:
        from qiskit_myprovider.execution.pubs import run_part

        return run_part(task.primitive, task.circuits, task.run_options, execute)
    binds = [dict(b) for b in task.parameter_binds] if task.parameter_binds else None
    result = execute(list(task.circuits), binds, dict(task.run_options))
    result.job_id = task.job_id
    result.backend_name = task.backend_name
    # Aer's own figure lives in the result's metadata, which is what to_dict() (and so the
    # store) keeps; an attribute set here would differ from the stored result.
    if getattr(result, "time_taken", None) is None:
        result.time_taken = time.perf_counter() - start
    return result


def _execute(
    simulator: Any,
    job_id: str,
    circuits: list[Any],
    binds: list[dict[Any, Any]] | None,
    run_options: dict[str, Any],
) -> Result:
    """One Aer call through its circuit-execution path; a failure is a SimulationError."""
    execute = getattr(simulator, "_execute_circuits_job", None)
    try:
        if execute is not None:
            result: Result = execute(circuits, binds, run_options, job_id)
        else:  # pragma: no cover - older/newer Aer without the private entry point
            result = simulator.run(circuits, parameter_binds=binds, **run_options).result()
    except SimulationError:
        raise
    except Exception as exc:
        raise SimulationError(f"Aer could not run job {job_id}: {exc}") from exc
    if not result.success:
        raise SimulationError(_failure_message(job_id, result))
    return result


def _failure_message(job_id: str, result: Result) -> str:
    details = [
        f"experiment {index}: {exp.status}"
        for index, exp in enumerate(result.results)
        if not exp.success
    ]
    text = "; ".join(details) or str(result.status)
    return f"Aer reported that the simulation of job {job_id} failed: {text}"


#: Amplitude updates per second Aer manages on one core-pair (measured: a 20-qubit quantum
#: volume circuit of 120 instructions in about half a second).
_AMPLITUDE_RATE: Final = 2.5e8
#: Fixed cost of each circuit in Aer's kernel (set-up, sampling).
_PER_CIRCUIT: Final = 2e-4
#: Cost of sampling one shot (measured: 5,000,000 shots of a Bell circuit in 2.8 s).
_PER_SHOT: Final = 5.6e-7
#: What moving one instruction to a worker and back costs (QPY both ways, measured).
_TRANSFER_PER_INSTRUCTION: Final = 1e-5
_TRANSFER_BASE: Final = 1e-3


def estimate_cost(
    circuits: Sequence[QuantumCircuit],
    method: str,
    options: Mapping[str, Any] | None = None,
    *,
    rows: Sequence[int] | None = None,
) -> float:
    """Estimate how long Aer's kernel will take to simulate a job, in seconds.

    The estimate only needs to tell microsecond jobs from second-long ones, so it is cheap:
    constant time per circuit (instruction count, never a walk over the instructions). It
    is the state size the method handles times the number of instructions, times the shots
    when every shot needs its own trajectory (a noise model), plus the sampling of every
    shot and a fixed cost per circuit.

    Args:
        circuits: The job's circuits.
        method: The Aer simulation method.
        options: The run options (``shots``, ``noise_model``).
        rows: For each circuit, how many parameter sets Aer binds it with (each is a run).

    Returns:
        Estimated seconds of simulation on this kind of machine (order of magnitude).
    """
    options = options or {}
    shots = int(options.get("shots") or 1)
    trajectories = shots if options.get("noise_model") is not None else 1
    # Sampling costs too, whatever the state: millions of shots of a tiny circuit take seconds.
    sampling = shots * _PER_SHOT
    total = 0.0
    counts = rows if rows is not None else [1] * len(circuits)
    for circuit, runs in zip(circuits, counts, strict=True):
        n = circuit.num_qubits
        ops = max(len(circuit), 1)
        if method == "stabilizer":
            state = float(n * n)
        elif method == "matrix_product_state":
            state = float(n) * 64.0
        elif method in ("density_matrix", "superop"):
            state = math.ldexp(1.0, min(2 * n, 1000))
        else:
            state = math.ldexp(1.0, min(n, 1000))
        per_run = state * ops * trajectories / _AMPLITUDE_RATE + _PER_CIRCUIT + sampling
        total += per_run * max(runs, 1)
    return total


def estimate_transfer(circuits: Sequence[QuantumCircuit]) -> float:
    """Estimate what sending ``circuits`` to a worker process and the result back costs (s)."""
    return _TRANSFER_BASE + _TRANSFER_PER_INSTRUCTION * sum(len(c) for c in circuits)
