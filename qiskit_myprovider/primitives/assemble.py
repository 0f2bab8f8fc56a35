"""Raw outputs in, Qiskit's ``PrimitiveResult`` out: the shapes, fields and metadata of Aer's.

The parts of a job return arrays per segment (see :mod:`qiskit_myprovider.execution.pubs`);
this module puts each PUB's rows back together in order, whatever the split, and builds
exactly what Aer's ``SamplerV2``/``EstimatorV2`` return for the same PUBs: ``BitArray``
fields named after the classical registers, or ``evs``/``stds`` over the broadcast shape,
with the same metadata keys. It runs in the caller's process, once per job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit.primitives.containers import (
    BitArray,
    DataBin,
    PrimitiveResult,
    PubResult,
    SamplerPubResult,
)

from qiskit_myprovider.exceptions import ExecutionError

if TYPE_CHECKING:
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    from qiskit_myprovider.execution.pubs import PartOutput

__all__ = ["assemble_estimator", "assemble_sampler"]

#: The ``PrimitiveResult`` metadata Aer's V2 primitives set.
_RESULT_METADATA = {"version": 2}


def _rows_by_pub(
    outputs: Sequence[PartOutput], count: int
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Each PUB's arrays, in row order, and the metadata of the call of its first row."""
    pieces: list[list[tuple[int, dict[str, Any]]]] = [[] for _ in range(count)]
    metadata: list[dict[str, Any] | None] = [None] * count
    for output in outputs:
        for segment, arrays, meta in zip(
            output.segments, output.arrays, output.metadata, strict=True
        ):
            pieces[segment.pub].append((segment.start, arrays))
            if segment.start == 0:
                metadata[segment.pub] = meta
    ordered = [[arrays for _, arrays in sorted(p, key=lambda item: item[0])] for p in pieces]
    missing = [index for index, meta in enumerate(metadata) if meta is None]
    if missing:
        raise ExecutionError(f"the simulation returned nothing for PUB {missing[0]}")
    return ordered, [meta or {} for meta in metadata]


def assemble_sampler(
    pubs: Sequence[SamplerPub], outputs: Sequence[PartOutput]
) -> PrimitiveResult[SamplerPubResult]:
    """The sampler's ``PrimitiveResult`` from its parts' outputs (in any order)."""
    rows, metadata = _rows_by_pub(outputs, len(pubs))
    results = []
    for pub, pieces, meta in zip(pubs, rows, metadata, strict=True):
        shape = pub.parameter_values.shape
        fields = {}
        for creg in pub.circuit.cregs:
            array = np.concatenate([piece[creg.name] for piece in pieces], axis=0)
            fields[creg.name] = BitArray(array.reshape(shape + array.shape[1:]), creg.size)
        results.append(
            SamplerPubResult(
                DataBin(**fields, shape=shape),
                metadata={
                    "shots": pub.shots,
                    "circuit_metadata": pub.circuit.metadata,
                    "simulator_metadata": meta,
                },
            )
        )
    return PrimitiveResult(results, metadata=dict(_RESULT_METADATA))


def assemble_estimator(
    pubs: Sequence[EstimatorPub], outputs: Sequence[PartOutput], seed: int | None
) -> PrimitiveResult[PubResult]:
    """The estimator's ``PrimitiveResult`` from its parts' outputs (in any order).

    Args:
        pubs: The job's PUBs.
        outputs: The parts' outputs: per segment, one expectation value per Pauli and row.
        seed: Seeds the ``N(value, precision)`` draws of a PUB with a positive precision (a
            generator per PUB, as Aer's estimator does).
    """
    rows, metadata = _rows_by_pub(outputs, len(pubs))
    results = []
    for index, (pub, pieces, meta) in enumerate(zip(pubs, rows, metadata, strict=True)):
        expvals = np.concatenate([piece["expvals"] for piece in pieces], axis=0)
        evs = _expectation_values(pub, expvals, outputs, index)
        precision = float(pub.precision)
        stds = np.full(evs.shape, precision)
        if precision > 0:
            rng = np.random.default_rng(seed)
            evs = rng.normal(evs, precision, evs.shape)
        results.append(
            PubResult(
                DataBin(evs=evs, stds=stds, shape=evs.shape),
                metadata={
                    "target_precision": precision,
                    "circuit_metadata": pub.circuit.metadata,
                    "simulator_metadata": meta,
                },
            )
        )
    return PrimitiveResult(results, metadata=dict(_RESULT_METADATA))


def _expectation_values(
    pub: EstimatorPub,
    expvals: np.ndarray[Any, Any],
    outputs: Sequence[PartOutput],
    index: int,
) -> np.ndarray[Any, Any]:
    """``sum_k coeff_k <P_k>`` for every element of the broadcast of parameters and observables.

    ``expvals[row, j]`` is the value of the ``j``-th saved Pauli at parameter row ``row``.
    """
    paulis = next(s.paulis for o in outputs for s in o.segments if s.pub == index)
    column = {label: j for j, label in enumerate(paulis)}
    observables = pub.observables
    terms = observables.ravel().tolist()
    coefficients = np.zeros((len(terms), len(paulis)))
    for row, term in enumerate(terms):
        for label, coeff in term.items():
            coefficients[row, column[label]] += np.real(coeff)
    param_shape = pub.parameter_values.shape
    shape = np.broadcast_shapes(param_shape, observables.shape)
    param_rows = np.broadcast_to(np.arange(expvals.shape[0]).reshape(param_shape), shape)
    obs_rows = np.broadcast_to(np.arange(len(terms)).reshape(observables.shape), shape)
    values: np.ndarray[Any, Any] = np.einsum(
        "ij,ij->i", coefficients[obs_rows.ravel()], expvals[param_rows.ravel()]
    )
    return values.reshape(shape)
