"""PUBs in: coerce and check them, then lay them out as segments (rows of parameter values).

Everything a user passes to ``run()`` is checked here, before anything is queued, and every
refusal is one of the package's exceptions naming the PUB: a non-PUB object, shapes that do
not broadcast, a wrong number of parameter values, NaN values, a circuit wider than the
backend, a negative precision. Qiskit's own coercion does most of the work; its
``ValueError``/``TypeError`` become :class:`InvalidInputError`/:class:`InvalidInputTypeError`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from qiskit import QuantumCircuit

from qiskit_myprovider.circuits import check_finite_angles, check_width
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution.pubs import Register, Segment, segment_seed

if TYPE_CHECKING:
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

__all__ = ["coerce_pubs", "estimator_segments", "sampler_segments", "split_segments"]

PubT = TypeVar("PubT")


def coerce_pubs(
    pubs: object,
    coerce: Callable[[Any], PubT],
    *,
    width: int,
    backend: str,
) -> list[PubT]:
    """Coerce each of ``pubs`` with ``coerce`` and check it against the backend.

    Raises:
        InvalidInputTypeError: ``pubs`` is not an iterable of PUBs, or a PUB is of a type
            Qiskit cannot coerce.
        InvalidInputError: a PUB Qiskit refuses (shapes, parameter counts, precision,
            shots), NaN or infinite parameter values or angles, or a circuit wider than the
            backend.
    """
    if isinstance(pubs, QuantumCircuit | str | bytes) or not isinstance(pubs, Iterable):
        raise InvalidInputTypeError(
            f"pubs must be a list of PUBs, not {type(pubs).__name__}; a single PUB goes in "
            "a list: run([pub]) or run([(circuit, parameter_values)])"
        )
    coerced: list[PubT] = []
    for index, pub in enumerate(pubs):
        try:
            item = coerce(pub)
        except (TypeError, AttributeError) as exc:
            raise InvalidInputTypeError(
                f"PUB {index} is not a valid PUB ({exc}); a PUB is a circuit or a tuple that "
                "starts with one"
            ) from exc
        except Exception as exc:  # Qiskit's coercion refuses with ValueError and others
            raise InvalidInputError(f"PUB {index} is not a valid PUB: {exc}") from exc
        circuit: QuantumCircuit = item.circuit  # type: ignore[attr-defined]
        key = f"of PUB {index}"
        check_width(circuit, width, key=key, backend=backend)
        check_finite_angles(circuit, key=key)
        values = _values(item)
        if values.size and not np.all(np.isfinite(values)):
            raise InvalidInputError(
                f"PUB {index}: its parameter values hold NaN or infinite numbers; "
                "values must be finite"
            )
        coerced.append(item)
    return coerced


def _values(pub: Any) -> np.ndarray[Any, Any]:
    """The PUB's parameter values as rows: ``(size, len(circuit.parameters))``."""
    circuit: QuantumCircuit = pub.circuit
    array = pub.parameter_values.as_array(circuit.parameters)
    rows = int(np.prod(pub.parameter_values.shape, dtype=int))
    return np.asarray(array, dtype=float).reshape(rows, circuit.num_parameters)


def sampler_segments(pubs: list[SamplerPub], seed: int | None) -> list[Segment]:
    """One segment per PUB, grouped by shots as Aer's sampler runs them, seeds as Aer's.

    Aer's sampler runs the PUBs of each shot count (in order of first appearance) in one
    call seeded with ``seed``; a PUB's first experiment sits after those of the PUBs before
    it in its call.
    """
    groups: dict[int, list[int]] = {}
    for index, pub in enumerate(pubs):
        groups.setdefault(pub.shots, []).append(index)
    segments: list[Segment] = []
    for shots, members in groups.items():
        offset = 0
        for index in members:
            pub = pubs[index]
            if not pub.circuit.cregs:
                warnings.warn(
                    f"The {index}-th pub's circuit has no output classical registers and so "
                    "the result will be empty. Did you mean to add measurement instructions?",
                    UserWarning,
                    stacklevel=4,
                )
            values = _values(pub)
            segments.append(
                Segment(
                    pub=index,
                    circuit=index,
                    start=0,
                    stop=values.shape[0],
                    values=values,
                    shots=shots,
                    seed=segment_seed(seed, offset),
                    registers=_registers(pub.circuit),
                    clbits=pub.circuit.num_clbits,
                )
            )
            offset += values.shape[0]
    return segments


def _registers(circuit: QuantumCircuit) -> tuple[Register, ...]:
    return tuple(
        Register(creg.name, creg.size, circuit.find_bit(creg[0]).index if creg.size else 0)
        for creg in circuit.cregs
    )


def estimator_segments(pubs: list[EstimatorPub], seed: int | None) -> list[Segment]:
    """One segment per PUB (Aer's estimator runs each PUB in a call of its own)."""
    segments = []
    for index, pub in enumerate(pubs):
        values = _values(pub)
        paulis = sorted({label for term in pub.observables.ravel().tolist() for label in term})
        segments.append(
            Segment(
                pub=index,
                circuit=index,
                start=0,
                stop=values.shape[0],
                values=values,
                seed=seed,
                paulis=tuple(paulis),
            )
        )
    return segments


def split_segments(segments: list[Segment], parts: int) -> list[list[Segment]]:
    """Cut ``segments`` into ``parts`` runs of rows as even as can be (fewer if rows are few).

    A segment cut at row ``r`` keeps its seeds: the second piece starts with the seed Aer
    gives row ``r`` of the original call, so the split draws what the whole would.
    """
    total = sum(s.rows for s in segments)
    parts = max(1, min(parts, total))
    if parts == 1:
        return [list(segments)]
    empty = [s for s in segments if s.rows == 0]  # nothing to run: they ride with the first
    segments = [s for s in segments if s.rows > 0]
    sizes = [total // parts + (1 if n < total % parts else 0) for n in range(parts)]
    cut: list[list[Segment]] = []
    pending = list(segments)
    for size in sizes:
        piece: list[Segment] = []
        while size:
            segment = pending.pop(0)
            if segment.rows > size:
                segment, rest = _cut(segment, size)
                pending.insert(0, rest)
            piece.append(segment)
            size -= segment.rows
        cut.append(piece)
    cut[0] = empty + cut[0]
    return cut


def _cut(segment: Segment, rows: int) -> tuple[Segment, Segment]:
    from dataclasses import replace

    middle = segment.start + rows
    head = replace(segment, stop=middle, values=segment.values[:rows])
    tail = replace(
        segment,
        start=middle,
        values=segment.values[rows:],
        seed=segment_seed(segment.seed, rows),
    )
    return head, tail
