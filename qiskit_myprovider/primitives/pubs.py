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

from qiskit_myprovider.circuits import (
    aer_binds_correctly,
    check_finite_angles,
    check_width,
    decompose_for_aer_binding,
)
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution.pubs import Register, Segment, segment_seed

if TYPE_CHECKING:
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

__all__ = ["coerce_pubs", "estimator_segments", "replace_circuit", "sampler_segments"]

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
        if not aer_binds_correctly(circuit):
            circuit = _rebuilt(item, decompose_for_aer_binding(circuit), index)
            item = replace_circuit(item, circuit)
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


def _rebuilt(pub: Any, circuit: QuantumCircuit, index: int) -> QuantumCircuit:
    """``circuit`` (the PUB's, decomposed), or a clear refusal if Aer still binds it wrongly."""
    if not aer_binds_correctly(circuit):
        raise InvalidInputError(
            f"PUB {index}: its circuit has parameters inside control flow, which Aer's "
            "parameter binding gets wrong; bind them first (circuit.assign_parameters(...)) "
            "and pass one PUB per parameter set"
        )
    circuit.metadata = pub.circuit.metadata
    return circuit


def replace_circuit(pub: PubT, circuit: QuantumCircuit) -> PubT:
    """The same PUB over another circuit with the same parameters."""
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    rebuilt: Any
    if isinstance(pub, EstimatorPub):
        rebuilt = EstimatorPub(circuit, pub.observables, pub.parameter_values, pub.precision)
    elif isinstance(pub, SamplerPub):
        rebuilt = SamplerPub(circuit, pub.parameter_values, pub.shots)
    else:
        raise TypeError(f"not a PUB: {type(pub).__name__}")
    return rebuilt  # type: ignore[no-any-return]


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
