"""From checked PUBs to a submitted :class:`MyPrimitiveJob`: the record, the task, the job.

Both primitives end here. The job is recorded like any ``backend.run`` job (its circuits,
the simulator options it runs with, ``primitive_id``), and its task goes to the backend's
executor, so primitive jobs run in worker processes or on Dask like every other job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qiskit_myprovider.execution.base import SimulationTask
from qiskit_myprovider.execution.pubs import PrimitivePart, Segment
from qiskit_myprovider.execution.simulate import estimate_cost
from qiskit_myprovider.options import simulator_options
from qiskit_myprovider.primitive_job import Assemble, MyPrimitiveJob
from qiskit_myprovider.store import JobRecord

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qiskit_myprovider.backend import MyBackend

__all__ = ["run_options_for", "submit_primitive_job"]


def run_options_for(backend: MyBackend, overrides: dict[str, Any]) -> dict[str, Any]:
    """The simulator options of a primitive's runs: the backend's, then the primitive's."""
    return simulator_options({**dict(backend.options.items()), **overrides})


def submit_primitive_job(
    backend: MyBackend,
    kind: str,
    circuits: Sequence[QuantumCircuit],
    segments: list[Segment],
    run_options: dict[str, Any],
    assemble: Assemble,
) -> MyPrimitiveJob:
    """Record and submit a primitive job of ``segments`` (its executor may split it).

    Raises:
        StoreError: the job store could not record the job (nothing was queued).
    """
    record = JobRecord.new(
        backend.name,
        list(circuits),
        dict(run_options),
        owner=backend.engine.owner_token,
        header={"pubs": len(circuits)},
        primitive_id=kind,
    )
    method = str(run_options.get("method", backend.method))
    task = SimulationTask(
        job_id=record.job_id,
        backend_name=backend.name,
        simulator=backend.simulator,
        circuits=tuple(circuits),
        run_options=run_options,
        cost=sum(_cost(circuits[s.circuit], s, run_options, method) for s in segments),
        simulator_key=backend.simulator_key,
        primitive=PrimitivePart(kind, tuple(segments)),  # type: ignore[arg-type]
    )
    job = MyPrimitiveJob(
        backend, record, backend.engine, task=task, executor=backend.executor,
        assemble=assemble,
    )  # fmt: skip
    job.submit()
    return job


def _cost(
    circuit: QuantumCircuit, segment: Segment, run_options: dict[str, Any], method: str
) -> float:
    options = dict(run_options)
    if segment.shots is not None:
        options["shots"] = segment.shots
    base = estimate_cost([circuit], method, options, rows=[segment.rows])
    # Each saved expectation value costs about one more pass over the state.
    return base * (1 + len(segment.paulis) / max(len(circuit), 1))
