"""What ``submit_circuits`` takes: mappings, sequences and Divi's payloads, as :class:`Item` s.

Every input shape becomes a list of items, each one circuit (parsed once, OpenQASM texts
shared through a cache) with the rows ``(label, values)`` it is to be resolved with: one row
for a plain circuit, one per parameter set for a payload. Labels are checked unique here;
nothing is queued.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider.circuits import check_bound
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UnboundParametersError,
)
from qiskit_myprovider.qasm import load_template, parameter_name, parse_qasm

__all__ = ["Item", "is_payload", "measures", "normalise"]

#: How to bind a plain circuit's parameters, for the message that refuses one.
_BIND_WITH: Final = (
    "circuit.assign_parameters(...), or submit a payload with parameters and parameter_sets"
)


@dataclass(frozen=True)
class Item:
    """One circuit as submitted, with the rows (label, values) it is to be resolved with.

    ``columns`` maps a row's value index to the circuit parameter it binds.
    """

    circuit: QuantumCircuit
    rows: tuple[tuple[str, tuple[float, ...]], ...]
    columns: Mapping[int, Parameter]


def is_payload(value: object) -> bool:
    """Return whether ``value`` has a payload's shape (``circuit`` and ``parameter_sets``)."""
    return (
        not isinstance(value, str | bytes | QuantumCircuit)
        and hasattr(value, "circuit")
        and hasattr(value, "parameter_sets")
    )


def normalise(circuits: object) -> list[Item]:
    """Return ``submit_circuits``'s input as items, in submission order.

    Raises:
        InvalidInputTypeError: an input of the wrong shape or type.
        InvalidInputError: no circuits, a label used twice, malformed OpenQASM, bad rows.
        UnboundParametersError: a plain circuit with parameters, or a payload's circuit with
            parameters it does not declare.
    """
    if isinstance(circuits, str | bytes | QuantumCircuit) or is_payload(circuits):
        raise InvalidInputTypeError(
            "submit_circuits expects a collection of circuits (a mapping label -> circuit, "
            "or a sequence); wrap a single circuit in a list"
        )
    cache: dict[str, QuantumCircuit] = {}
    if isinstance(circuits, Mapping):
        items = []
        for label, circuit in circuits.items():
            if not isinstance(label, str):
                raise InvalidInputTypeError(
                    f"circuit labels must be strings, not {type(label).__name__} {label!r}"
                )
            items.append(_plain_item(label, circuit, cache))
    elif isinstance(circuits, Iterable):
        values = list(circuits)
        payloads = [is_payload(value) for value in values]
        if any(payloads) and not all(payloads):
            raise InvalidInputTypeError(
                "A sequence must hold either payloads or circuits, not both"
            )
        if values and all(payloads):
            items = [_payload_item(value, index, cache) for index, value in enumerate(values)]
        else:
            items = [_plain_item(str(i), value, cache) for i, value in enumerate(values)]
    else:
        raise InvalidInputTypeError(
            "submit_circuits expects a mapping label -> circuit or a sequence, "
            f"not {type(circuits).__name__}"
        )
    if not items:
        raise InvalidInputError("submit_circuits needs at least one circuit; got none")
    seen: set[str] = set()
    for item in items:
        for label, _ in item.rows:
            if label in seen:
                raise InvalidInputError(
                    f"Label '{label}' is used twice; each circuit needs its own label"
                )
            seen.add(label)
    return items


def _plain_item(label: str, circuit: object, cache: dict[str, QuantumCircuit]) -> Item:
    parsed = _to_circuit(circuit, label, cache)
    check_bound(parsed, key=label, bind_with=_BIND_WITH)
    return Item(parsed, ((label, ()),), {})


def _payload_item(payload: Any, index: int, cache: dict[str, QuantumCircuit]) -> Item:
    raw_rows = payload.parameter_sets
    if isinstance(raw_rows, str | bytes) or not isinstance(raw_rows, Iterable):
        raise InvalidInputTypeError(
            f"payload {index}: parameter_sets must be a sequence of (label, values) rows"
        )
    declared = tuple(getattr(payload, "parameters", ()) or ())
    rows: list[tuple[str, tuple[float, ...]]] = []
    for row in raw_rows:
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != 2:
            raise InvalidInputTypeError(
                f"payload {index}: each parameter set must be a (label, values) pair, not {row!r}"
            )
        label, values = row
        if not isinstance(label, str):
            raise InvalidInputTypeError(
                f"payload {index}: labels must be strings, not {type(label).__name__}"
            )
        try:
            numbers = tuple(float(value) for value in values)
        except (TypeError, ValueError) as exc:
            raise InvalidInputTypeError(
                f"Parameter set '{label}' must hold numbers: {exc}"
            ) from exc
        if len(numbers) != len(declared):
            raise InvalidInputError(
                f"Parameter set '{label}' has {len(numbers)} value(s) but the payload "
                f"declares {len(declared)} parameter(s)"
            )
        if not all(math.isfinite(value) for value in numbers):
            raise InvalidInputError(f"Parameter set '{label}' holds a non-finite value")
        rows.append((label, numbers))
    if not rows:
        raise InvalidInputError(f"payload {index} has no parameter sets, so no circuit to run")
    first = rows[0][0]
    source = payload.circuit
    if isinstance(source, str) and declared:
        circuit = load_template(source, declared, first)
    else:
        circuit = _to_circuit(source, first, cache)
    columns = _match_columns(circuit, declared, first)
    return Item(circuit, tuple(rows), columns)


def _match_columns(
    circuit: QuantumCircuit, declared: Sequence[object], label: str
) -> dict[int, Parameter]:
    by_name = {param.name: param for param in circuit.parameters}
    columns: dict[int, Parameter] = {}
    for column, declared_param in enumerate(declared):
        if isinstance(declared_param, Parameter) and declared_param in circuit.parameters:
            columns[column] = declared_param
        elif parameter_name(declared_param) in by_name:
            columns[column] = by_name[parameter_name(declared_param)]
    unbound = set(circuit.parameters) - set(columns.values())
    if unbound:
        names = ", ".join(sorted(p.name for p in unbound))
        raise UnboundParametersError(
            f"Circuit '{label}' has parameters the payload does not declare ({names})"
        )
    return columns


def _to_circuit(circuit: object, label: str, cache: dict[str, QuantumCircuit]) -> QuantumCircuit:
    if isinstance(circuit, QuantumCircuit):
        return circuit
    if isinstance(circuit, str):
        parsed = cache.get(circuit)
        if parsed is None:
            parsed = cache[circuit] = parse_qasm(circuit, label)
        return parsed
    raise InvalidInputTypeError(
        f"Circuit '{label}' must be OpenQASM text or a QuantumCircuit, not {type(circuit).__name__}"
    )


def measures(circuit: QuantumCircuit) -> bool:
    """Return whether ``circuit`` measures anything (has counts to report)."""
    return any(instruction.operation.name == "measure" for instruction in circuit.data)

