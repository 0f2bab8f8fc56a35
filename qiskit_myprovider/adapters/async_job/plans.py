"""Job planning: which ``MyJob`` s a submission becomes, and what each experiment is.

A submission becomes one :class:`JobPlan` per distinct shot count (counts), or a single plan
(expectation values, which use no shots). Within a plan, bound circuits that differ only in
their rotation angles are merged into one parametric circuit that Aer binds
(:func:`merge_same_shape`). A plan records in its job's header where each experiment's
result goes (:meth:`JobPlan.layout`), so any adapter on the same job store can assemble
the results from the jobs alone (:func:`results_of`). :func:`job_options` says how each
plan's job runs.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import get_standard_gate_name_mapping

from qiskit_myprovider.adapters.async_job.expval import (
    add_expectation_values,
    expand_shot_groups,
    terms_per_experiment,
)
from qiskit_myprovider.adapters.async_job.payloads import Item, measures
from qiskit_myprovider.adapters.job_group import group_by_shots
from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.circuits import AER_BINDABLE_GATES, aer_binds_correctly, counts
from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.job import MyJob

__all__ = [
    "HEADER_KEY",
    "JOB_TAG",
    "JobPlan",
    "Prepare",
    "counts_plans",
    "expval_plan",
    "job_options",
    "layout_of",
    "merge_same_shape",
    "results_of",
]

#: The tag every job submitted through the adapter carries.
JOB_TAG: Final = "async-job-adapter"
#: The header key under which each job records which labels its experiments belong to.
HEADER_KEY: Final = "async_job_adapter"
#: Aer parallelises a statevector only from this many qubits on (its own default threshold);
#: below it, a batch is faster with one experiment per core.
_SMALL_CIRCUIT_QUBITS: Final = 14

#: ``prepare(circuit, label)``: the circuit as the backend runs it (checked, translated).
Prepare = Callable[[QuantumCircuit, str], QuantumCircuit]

#: Rows of one item that go into one plan: ``(position in the submission, row index)``.
_Rows = list[tuple[int, int]]


@dataclass
class JobPlan:
    """One MyJob to be: its circuits, bindings, and where each experiment's result goes."""

    kind: str
    shots: int
    circuits: list[QuantumCircuit] = field(default_factory=list)
    bind_list: list[dict[Parameter, list[float]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    ops: list[list[str]] = field(default_factory=list)

    @property
    def binds(self) -> list[dict[Parameter, list[float]]] | None:
        """Aer's ``parameter_binds``, or None when no circuit has parameters."""
        return self.bind_list if any(self.bind_list) else None

    def add(
        self,
        circuit: QuantumCircuit,
        item: Item,
        rows: Sequence[tuple[int, int]],
        ops: list[str] | None,
    ) -> None:
        """Add ``item``'s ``rows`` (``(position, row)`` pairs) as experiments on ``circuit``."""
        if item.columns and aer_binds_correctly(circuit):
            self.circuits.append(circuit)
            self.bind_list.append(
                {
                    param: [item.rows[row][1][column] for _, row in rows]
                    for column, param in item.columns.items()
                }
            )
        elif item.columns:
            # A gate Aer would bind wrongly: bind here, row by row, still in one Aer run.
            for _, row in rows:
                values = item.rows[row][1]
                binding = {param: values[column] for column, param in item.columns.items()}
                self.circuits.append(circuit.assign_parameters(binding, inplace=False))
                self.bind_list.append({})
        else:
            # Nothing to bind: the same circuit once per row, under each row's label.
            self.circuits.extend([circuit] * len(rows))
            self.bind_list.extend({} for _ in rows)
        for position, row in rows:
            self.labels.append(item.rows[row][0])
            self.positions.append(position)
            if ops is not None:
                self.ops.append(ops)

    def layout(self) -> dict[str, Any]:
        """Return what the job header records: kind, labels, positions (and terms)."""
        layout: dict[str, Any] = {
            "kind": self.kind,
            "labels": self.labels,
            "positions": self.positions,
        }
        if self.kind == "expval":
            layout["ops"] = self.ops
        return layout




def counts_plans(
    items: list[Item],
    shot_groups: Sequence[Sequence[int]] | None,
    shots: int,
    prepare: Prepare,
) -> list[JobPlan]:
    """Plan a counts submission: one job per distinct shot count, in order of first use.

    Args:
        items: The submission's items.
        shot_groups: ``[start, end, shots]`` triples over the experiments, or None.
        shots: The shots of every experiment when ``shot_groups`` is None.
        prepare: Turns a circuit into the circuit the backend runs.

    Raises:
        InvalidInputError: bad ``shot_groups``, or a circuit that measures nothing.
        InvalidInputTypeError: ``shot_groups`` of the wrong shape.
    """
    experiments = [(i, r) for i, item in enumerate(items) for r in range(len(item.rows))]
    if shot_groups is None:
        per_experiment = [shots] * len(experiments)
    else:
        per_experiment = expand_shot_groups(shot_groups, len(experiments))
    for item in items:
        if not measures(item.circuit):
            raise InvalidInputError(
                f"Circuit '{item.rows[0][0]}' measures nothing, so it has no counts; add "
                "measurements, or pass ham_ops for expectation values"
            )
    runnable: dict[int, QuantumCircuit] = {}
    plans = []
    for count, positions in group_by_shots(per_experiment).items():
        plan = JobPlan(kind="counts", shots=count)
        entries = [(items[i], rows) for i, rows in _by_item(positions, experiments).items()]
        for item, rows in merge_same_shape(entries):
            if id(item.circuit) not in runnable:
                label = item.rows[rows[0][1]][0]
                runnable[id(item.circuit)] = prepare(item.circuit, label)
            plan.add(runnable[id(item.circuit)], item, rows, None)
        plans.append(plan)
    return plans


def expval_plan(
    items: list[Item],
    ham_ops: str,
    circuit_ham_map: Sequence[Sequence[int]] | None,
    shots: int,
    prepare: Prepare,
) -> JobPlan:
    """Plan an expectation-value submission: one job, one experiment per row.

    Args:
        items: The submission's items.
        ham_ops: The Pauli terms (see :func:`~.expval.terms_per_experiment`).
        circuit_ham_map: Which ``|``-group of terms each range of circuits gets, or None.
        shots: The shots to average over when a circuit measures mid-way (else 1: exact).
        prepare: Turns a circuit into the circuit the backend runs.

    Raises:
        InvalidInputError: bad terms or ranges, or a term longer than its circuit.
        InvalidInputTypeError: ``ham_ops`` or ``circuit_ham_map`` of the wrong type.
    """
    experiments = [(i, r) for i, item in enumerate(items) for r in range(len(item.rows))]
    widths = [items[i].circuit.num_qubits for i, _ in experiments]
    terms = terms_per_experiment(ham_ops, circuit_ham_map, widths)
    groups: dict[tuple[int, tuple[str, ...]], _Rows] = {}
    for position, ((item_index, row), ops) in enumerate(zip(experiments, terms, strict=True)):
        item = items[item_index]
        for term in ops:
            if len(term) > item.circuit.num_qubits:
                raise InvalidInputError(
                    f"Observable '{term}' acts on {len(term)} qubits but circuit "
                    f"'{item.rows[row][0]}' has {item.circuit.num_qubits}"
                )
        groups.setdefault((item_index, tuple(ops)), []).append((position, row))
    by_terms: dict[tuple[str, ...], list[tuple[Item, _Rows]]] = {}
    for (item_index, measured), rows in groups.items():
        by_terms.setdefault(measured, []).append((items[item_index], rows))
    plan = JobPlan(kind="expval", shots=1)
    for measured, entries in by_terms.items():
        for item, rows in merge_same_shape(entries):
            label = item.rows[rows[0][1]][0]
            base = item.circuit.remove_final_measurements(inplace=False)
            circuit = add_expectation_values(
                prepare(base, label), item.circuit.num_qubits, measured
            )
            plan.add(circuit, item, rows, list(measured))
    if any(measures(circuit) for circuit in plan.circuits):
        # Mid-circuit measurements make the state random: average over the shots.
        plan.shots = shots
    return plan


def job_options(plan: JobPlan, backend: MyBackend, seed: int | None) -> dict[str, Any]:
    """Return the ``run()`` options of the job that runs ``plan`` on ``backend``.

    Args:
        plan: The plan.
        backend: The backend the job runs on (its noise and parallelism options count).
        seed: ``seed_simulator``, or None for none.
    """
    options: dict[str, Any] = {
        "shots": plan.shots,
        "job_tags": [JOB_TAG],
        "header": {HEADER_KEY: plan.layout()},
    }
    if seed is not None:
        options["seed_simulator"] = seed
    if plan.binds is not None:
        options["parameter_binds"] = plan.binds
    if plan.kind == "expval" and backend.noisy:
        # Expectation values under noise are exact only on the density matrix; any
        # trajectory method would sample them.
        options["method"] = "density_matrix"
    backend_options = backend.options
    if (
        len(plan.labels) > 1
        and max(circuit.num_qubits for circuit in plan.circuits) < _SMALL_CIRCUIT_QUBITS
        and getattr(backend_options, "max_parallel_experiments", None) is None
        and getattr(backend_options, "max_parallel_shots", None) is None
    ):
        # Small circuits gain nothing from parallel state updates; spreading the
        # experiments over the cores is several times faster (and what Divi's own runner
        # configures). 0 means "as many as the job's thread budget".
        options["max_parallel_experiments"] = 0
        options["max_parallel_shots"] = 1
    return options


def results_of(jobs: Sequence[MyJob]) -> tuple[list[dict[str, Any]], float]:
    """Return the results of a submission's DONE jobs, in submission order, and its run time.

    Args:
        jobs: The submission's jobs, every one DONE.

    Returns:
        One ``{"label", "results"}`` per experiment (counts with Qiskit's register
        separators, or expectation values as floats keyed by term), and the seconds of
        simulation summed over the jobs.

    Raises:
        InvalidInputError: a job was not submitted through an ``AsyncJobBackendAdapter``.
    """
    placed: list[tuple[int, dict[str, Any]]] = []
    run_time = 0.0
    for job in jobs:
        result = job.result()
        run_time += float(getattr(result, "time_taken", 0.0) or 0.0)
        layout = layout_of(job)
        for index, (label, position) in enumerate(
            zip(layout["labels"], layout["positions"], strict=True)
        ):
            if layout["kind"] == "expval":
                data = result.data(index)
                values = {term: float(data[term]) for term in layout["ops"][index]}
                placed.append((position, {"label": label, "results": values}))
            else:
                found = counts(result, index, separators=True)
                placed.append((position, {"label": label, "results": found}))
    placed.sort(key=operator.itemgetter(0))
    return [entry for _, entry in placed], run_time


def layout_of(job: MyJob) -> dict[str, Any]:
    """Return what a job's header records about its experiments (see :meth:`JobPlan.layout`).

    Raises:
        InvalidInputError: the job was not submitted through an ``AsyncJobBackendAdapter``.
    """
    layout = job.header().get(HEADER_KEY)
    if not isinstance(layout, dict):
        raise InvalidInputError(
            f"Job {job.job_id()} was not submitted through an AsyncJobBackendAdapter"
        )
    return layout


#: Operations a circuit may hold to be merged with others of its shape (see below).
_SHAPE_OPERATIONS: Final = frozenset(get_standard_gate_name_mapping()) | {
    "measure",
    "barrier",
    "reset",
}


def merge_same_shape(entries: list[tuple[Item, _Rows]]) -> list[tuple[Item, _Rows]]:
    """Turn bound circuits that differ only in rotation angles into one parametric circuit.

    Divi binds a template row by row and sends the results as separate OpenQASM texts.
    Circuits of the same shape (the same gates on the same qubits, the same registers) run
    faster as one circuit whose angles Aer binds, one experiment per circuit: one circuit to
    assemble, store and ship instead of many. Each entry is an item and its
    ``(position, row)`` pairs; the result has the same form.
    """
    merged: list[tuple[Item, _Rows]] = []
    shapes: dict[Hashable, list[tuple[Item, tuple[int, int], list[float]]]] = {}
    for item, rows in entries:
        found = None if item.columns or len(rows) != 1 else _shape(item.circuit)
        if found is None:
            merged.append((item, rows))
        else:
            key, angles = found
            shapes.setdefault(key, []).append((item, rows[0], angles))
    for members in shapes.values():
        if len(members) == 1:
            item, row, _ = members[0]
            merged.append((item, [row]))
            continue
        template, parameters = _parametrise(members[0][0].circuit)
        rows_out = tuple((item.rows[row][0], tuple(angles)) for item, (_, row), angles in members)
        item = Item(template, rows_out, dict(enumerate(parameters)))
        merged.append((item, [(position, i) for i, (_, (position, _), _) in enumerate(members)]))
    return merged


def _shape(circuit: QuantumCircuit) -> tuple[Hashable, list[float]] | None:
    """Return a circuit's shape and its angles, or None if it is not a candidate."""
    qubits = {bit: index for index, bit in enumerate(circuit.qubits)}
    clbits = {bit: index for index, bit in enumerate(circuit.clbits)}
    parts: list[Hashable] = [
        circuit.num_qubits,
        tuple((register.name, register.size) for register in circuit.cregs),
    ]
    angles: list[float] = []
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        if name not in _SHAPE_OPERATIONS:
            return None
        params = operation.params
        if not all(isinstance(param, float) for param in params):
            return None
        where = (
            tuple(qubits[bit] for bit in instruction.qubits),
            tuple(clbits[bit] for bit in instruction.clbits),
        )
        if name in AER_BINDABLE_GATES:
            angles.extend(params)
            parts.append((name, where, len(params)))
        else:
            parts.append((name, where, tuple(params)))
    return tuple(parts), angles


def _parametrise(circuit: QuantumCircuit) -> tuple[QuantumCircuit, list[Parameter]]:
    """Return ``circuit`` with every angle Aer can bind replaced by a new parameter."""
    template = circuit.copy_empty_like()
    parameters: list[Parameter] = []
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in AER_BINDABLE_GATES and operation.params:
            fresh = [
                Parameter(f"_angle{len(parameters) + k}") for k in range(len(operation.params))
            ]
            parameters.extend(fresh)
            operation = operation.copy()
            operation.params = fresh
        template.append(instruction.replace(operation=operation))
    return template, parameters


def _by_item(
    positions: Iterable[int], experiments: Sequence[tuple[int, int]]
) -> dict[int, _Rows]:
    grouped: dict[int, _Rows] = {}
    for position in positions:
        item_index, row = experiments[position]
        grouped.setdefault(item_index, []).append((position, row))
    return grouped

