"""The simulation side of a primitive job: run a part of its PUBs on Aer, return raw arrays.

A primitive job (see :mod:`qiskit_myprovider.primitives`) is cut into *parts*; each part is a
:class:`SimulationTask` whose ``primitive`` is a :class:`PrimitivePart`: a run of *segments*,
each the parameter rows ``[start, stop)`` of one PUB's circuit. This module runs a part where
the task runs (a thread, a worker process, a Dask worker) and returns a :class:`PartOutput`
of plain NumPy arrays: packed measurement bits per register for a sampler, one expectation
value per Pauli and row for an estimator. The caller's process assembles those into Qiskit's
``PrimitiveResult``, so broadcasting, precision and result shapes live in one place.

The Aer calls are the ones Aer's own primitives make, seeds included: a sampler runs the PUBs
of one shot count in one call, an estimator each PUB in a call of its own, with
``save_expectation_value`` for every Pauli of its observables. Aer seeds experiment ``j`` of a
call with ``seed + SEED_STRIDE * j``, so a segment that starts at row ``r`` of its call runs
with seed ``seed + SEED_STRIDE * r`` and draws exactly what the unsplit call draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

__all__ = [
    "SEED_STRIDE",
    "PartOutput",
    "PrimitivePart",
    "Register",
    "Segment",
    "run_part",
    "segment_seed",
]

#: What Aer adds to ``seed_simulator`` for each experiment of one call (measured on
#: qiskit-aer 0.17 and 0.18; a test checks it against the installed Aer).
SEED_STRIDE: Final = 2113

#: How a part runs one Aer call: (circuits, parameter binds, run options) -> Result.
Execute = Callable[[list[Any], list[dict[Any, Any]] | None, dict[str, Any]], "Result"]


@dataclass(frozen=True)
class Register:
    """Where a classical register's bits sit in a sampler circuit's memory.

    Attributes:
        name: The register's name (the field of the PUB's ``DataBin``).
        num_bits: Its size.
        start: The index of its first clbit among the circuit's clbits.
    """

    name: str
    num_bits: int
    start: int

    @property
    def num_bytes(self) -> int:
        """Bytes per packed sample."""
        return (self.num_bits + 7) // 8


@dataclass(frozen=True)
class Segment:
    """The parameter rows ``[start, stop)`` of one PUB, run as (part of) one Aer call.

    Attributes:
        pub: The PUB's index in the job.
        circuit: The index of its circuit in the task's ``circuits``.
        start: The first flat parameter row.
        stop: One past the last row.
        values: The rows' parameter values, ``(stop - start, len(circuit.parameters))``, in
            the order of ``circuit.parameters``.
        shots: The shots of each row (sampler; None for an exact estimator).
        seed: The seed of the segment's first row (None: Aer picks).
        paulis: The Pauli labels whose expectation values are saved (estimator).
        registers: The circuit's classical registers (sampler).
        clbits: The circuit's number of clbits (sampler; its memory's width).
    """

    pub: int
    circuit: int
    start: int
    stop: int
    values: np.ndarray[Any, Any]
    shots: int | None = None
    seed: int | None = None
    paulis: tuple[str, ...] = ()
    registers: tuple[Register, ...] = ()
    clbits: int = 0

    @property
    def rows(self) -> int:
        """How many parameter rows (experiments) the segment runs."""
        return self.stop - self.start


@dataclass(frozen=True)
class PrimitivePart:
    """The primitive work of one task: its kind and its segments, in job order."""

    kind: Literal["sampler", "estimator"]
    segments: tuple[Segment, ...]


@dataclass
class PartOutput:
    """What one part hands back: one entry per segment, in the part's order.

    Attributes:
        segments: The segments that ran.
        arrays: Per segment: for a sampler, ``{register: uint8 array (rows, shots, bytes)}``;
            for an estimator, ``{"expvals": float array (rows, len(paulis))}``.
        metadata: Per segment, the ``Result.metadata`` of the Aer call it ran in.
    """

    segments: tuple[Segment, ...]
    arrays: list[dict[str, np.ndarray[Any, Any]]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)


def segment_seed(seed: int | None, row: int) -> int | None:
    """The seed Aer gives experiment ``row`` of a call seeded with ``seed``."""
    return None if seed is None else int(seed) + SEED_STRIDE * row


def run_part(
    part: PrimitivePart,
    circuits: Sequence[QuantumCircuit],
    run_options: Mapping[str, Any],
    execute: Execute,
) -> PartOutput:
    """Run a primitive part; see the module docstring.

    Args:
        part: The segments to run.
        circuits: The circuits the segments index.
        run_options: The simulator options of every call (seeds and shots are the
            segments' own).
        execute: Runs one Aer call and returns its successful ``Result``.

    Returns:
        The raw arrays of every segment.
    """
    task = _Context(tuple(circuits), dict(run_options))
    output = PartOutput(part.segments)
    runner = _run_estimator_call if part.kind == "estimator" else _run_sampler_call
    for call in _calls(part):
        if all(segment.rows == 0 for segment in call):
            # Aer crashes the process on an empty set of parameter values (a segfault, seen
            # with qiskit-aer 0.18): a PUB of no rows has nothing to run, only a shape.
            for segment in call:
                output.arrays.append(_empty(part.kind, segment))
                output.metadata.append({})
            continue
        runner(task, call, execute, output)
    return output


def _empty(kind: str, segment: Segment) -> dict[str, np.ndarray[Any, Any]]:
    if kind == "estimator":
        return {"expvals": np.zeros((0, len(segment.paulis)))}
    return {
        r.name: np.zeros((0, segment.shots or 0, r.num_bytes), dtype=np.uint8)
        for r in segment.registers
    }


def _calls(part: PrimitivePart) -> list[list[Segment]]:
    """Group segments into Aer calls as Aer's primitives would make them."""
    calls: list[list[Segment]] = []
    for segment in part.segments:
        previous = calls[-1][-1] if calls else None
        if (
            part.kind == "sampler"
            and segment.rows > 0
            and previous is not None
            and previous.rows > 0
            and previous.shots == segment.shots
            and segment.seed == segment_seed(previous.seed, previous.rows)
        ):
            calls[-1].append(segment)
        else:
            calls.append([segment])
    return calls


@dataclass(frozen=True)
class _Context:
    circuits: tuple[QuantumCircuit, ...]
    run_options: dict[str, Any]


def _binds(circuit: QuantumCircuit, segment: Segment) -> dict[Any, Any]:
    return {param: segment.values[:, i] for i, param in enumerate(circuit.parameters)}


def _options(task: _Context, segment: Segment, **extra: Any) -> dict[str, Any]:
    options = dict(task.run_options)
    options.pop("seed_simulator", None)
    if segment.seed is not None:
        options["seed_simulator"] = segment.seed
    if segment.shots is not None:
        options["shots"] = segment.shots
    options.update(extra)
    return options


def _run_sampler_call(
    task: _Context, call: list[Segment], execute: Execute, output: PartOutput
) -> None:
    circuits = [task.circuits[s.circuit] for s in call]
    binds = [_binds(c, s) for c, s in zip(circuits, call, strict=True)]
    result = execute(list(circuits), binds, _options(task, call[0], memory=True))
    experiments = iter(result.results)
    for segment in call:
        memories = [_memory(next(experiments)) for _ in range(segment.rows)]
        output.arrays.append(_pack_registers(memories, segment))
        output.metadata.append(dict(result.metadata))


def _memory(experiment: Any) -> list[str]:
    memory = getattr(experiment.data, "memory", None)
    return list(memory) if memory else ["0x0"] * int(experiment.shots)


def _pack_registers(memories: Sequence[list[str]], segment: Segment) -> dict[str, Any]:
    """Hex memory per row -> packed big-endian bytes per register, as Qiskit's sampler packs."""
    registers = segment.registers
    width = max((r.start + r.num_bits for r in registers), default=segment.clbits)
    width = max(width, segment.clbits)
    shots = segment.shots or 0
    total_bytes = (width + 7) // 8
    if total_bytes:
        raw = b"".join(int(h, 16).to_bytes(total_bytes, "big") for m in memories for h in m)
        packed = np.frombuffer(raw, dtype=np.uint8).reshape(len(memories), shots, total_bytes)
    else:
        packed = np.zeros((len(memories), shots, 0), dtype=np.uint8)
    # Bit k of the memory (clbit k) is bit k of the big-endian number: column -1-k here.
    bits = np.unpackbits(packed, axis=-1, bitorder="big")
    arrays = {}
    for register in registers:
        stop = bits.shape[-1] - register.start
        chosen = bits[..., stop - register.num_bits : stop]
        pad = -register.num_bits % 8
        if pad:
            chosen = np.pad(chosen, [(0, 0)] * (chosen.ndim - 1) + [(pad, 0)])
        arrays[register.name] = np.packbits(chosen, axis=-1, bitorder="big")
    return arrays


def _run_estimator_call(
    task: _Context, call: list[Segment], execute: Execute, output: PartOutput
) -> None:
    from qiskit.quantum_info import Pauli

    (segment,) = call
    circuit = task.circuits[segment.circuit].copy()
    binds = _binds(circuit, segment)
    qubits = range(circuit.num_qubits)
    for label in segment.paulis:
        circuit.save_expectation_value(Pauli(label), qubits=qubits, label=label)
    result = execute([circuit], [binds], _options(task, segment))
    values = np.empty((segment.rows, len(segment.paulis)), dtype=float)
    for row, experiment in enumerate(result.results):
        data = experiment.data
        saved = data.to_dict() if hasattr(data, "to_dict") else dict(data)
        values[row] = [float(np.real(saved[label])) for label in segment.paulis]
    output.arrays.append({"expvals": values})
    output.metadata.append(dict(result.metadata))
