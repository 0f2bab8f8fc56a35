"""The options Divi sends: ``ham_ops`` (Pauli terms per circuit) and ``shot_groups``.

Terms put qubit 0 *leftmost* (Divi's convention; Qiskit's Pauli labels put it rightmost).
Each experiment is measured for its ``|``-group of terms (``circuit_ham_map``) or, outside
every range, for all of them; its values come from Aer's ``save_expval`` on the circuit
without its final measurements, so they are exact rather than sampled.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Final

from qiskit import QuantumCircuit
from qiskit.quantum_info import Pauli
from qiskit_aer.library import SaveExpectationValue

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.validation import validate_shots

__all__ = ["add_expectation_values", "expand_shot_groups", "terms_per_experiment"]

_PAULI_TERM: Final = re.compile(r"[IXYZ]+")


def terms_per_experiment(
    ham_ops: str, circuit_ham_map: Sequence[Sequence[int]] | None, widths: Sequence[int]
) -> list[list[str]]:
    """Return the Pauli terms each experiment is measured for (Divi's layout rules).

    Terms shorter than their circuits are padded with identities onto the circuits' first
    qubits (with a warning), as Divi's own runner does; results are keyed by padded terms.
    """
    if not isinstance(ham_ops, str) or not ham_ops.strip():
        raise InvalidInputTypeError(
            f"ham_ops must be a non-empty string of Pauli terms, not {ham_ops!r}"
        )
    groups = [[term.strip() for term in group.split(";")] for group in ham_ops.split("|")]
    for group in groups:
        for term in group:
            if not _PAULI_TERM.fullmatch(term):
                raise InvalidInputError(
                    f"ham_ops term '{term}' is not a Pauli string (letters I, X, Y, Z, "
                    "qubit 0 leftmost)"
                )
    n = len(widths)
    ranges = _check_ham_map(circuit_ham_map, len(groups), n)

    def group_of(position: int) -> int | None:
        for index, (start, end) in enumerate(ranges):
            if start <= position < end:
                return index
        return None

    group_widths: list[set[int]] = [set() for _ in groups]
    for position, width in enumerate(widths):
        index = group_of(position)
        for widths_seen in group_widths if index is None else [group_widths[index]]:
            widths_seen.add(width)
    padded: list[list[str]] = []
    example: tuple[str, str] | None = None
    for group, seen in zip(groups, group_widths, strict=True):
        if seen and min(map(len, group)) < max(seen):
            if len(seen) > 1:
                raise InvalidInputError(
                    f"Observables {group} are too short for circuits of widths {sorted(seen)}"
                )
            (width,) = seen
            short = next(term for term in group if len(term) < width)
            example = example or (short, short.ljust(width, "I"))
            group = [term.ljust(width, "I") for term in group]
        padded.append(group)
    if example is not None:
        warnings.warn(
            "Observables shorter than their circuit are padded onto its first qubits, "
            f"e.g. {example[0]!r} -> {example[1]!r}.",
            UserWarning,
            stacklevel=4,
        )
    everything = [term for group in padded for term in group]
    per_experiment = []
    for position in range(n):
        index = group_of(position)
        terms = everything if index is None else padded[index]
        per_experiment.append(list(dict.fromkeys(terms)))  # a term measured twice is one value
    return per_experiment


def _check_ham_map(
    circuit_ham_map: Sequence[Sequence[int]] | None, groups: int, n: int
) -> list[tuple[int, int]]:
    if circuit_ham_map is None:
        return []
    ranges = _int_rows(circuit_ham_map, 2, "circuit_ham_map", "[start, end]")
    if len(ranges) != groups:
        raise InvalidInputError(
            f"circuit_ham_map has {len(ranges)} range(s) but ham_ops has {groups} "
            "'|'-separated group(s); give one [start, end) range per group"
        )
    for start, end in ranges:
        if not 0 <= start < end <= n:
            raise InvalidInputError(
                f"circuit_ham_map range [{start}, {end}) is out of bounds for {n} circuit(s)"
            )
    return [(start, end) for start, end in ranges]


def expand_shot_groups(shot_groups: Sequence[Sequence[int]], n: int) -> list[int]:
    """Return one shot count per experiment from ``[start, end, shots]`` triples."""
    triples = _int_rows(shot_groups, 3, "shot_groups", "[start, end, shots]")
    per_experiment: list[int | None] = [None] * n
    for start, end, shots in triples:
        if shots <= 0:
            raise InvalidInputError(f"shot_groups entry {[start, end, shots]} has {shots} shots")
        if not 0 <= start < end <= n:
            raise InvalidInputError(
                f"shot_groups entry {[start, end, shots]} is out of bounds for {n} circuit(s) "
                "(ranges are [start, end), end exclusive)"
            )
        for position in range(start, end):
            if per_experiment[position] is not None:
                raise InvalidInputError(
                    f"shot_groups entry {[start, end, shots]} overlaps an earlier one at "
                    f"circuit {position}"
                )
            per_experiment[position] = shots
    missing = [position for position, shots in enumerate(per_experiment) if shots is None]
    if missing:
        raise InvalidInputError(
            f"shot_groups do not cover every circuit; missing positions {missing}"
        )
    return [validate_shots(shots, name="shot_groups shots") for shots in per_experiment]


def _int_rows(rows: object, size: int, name: str, shape: str) -> list[tuple[int, ...]]:
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInputTypeError(f"{name} must be a list of {shape} lists, not {rows!r}")
    checked = []
    for row in rows:
        if (
            isinstance(row, str | bytes)
            or not isinstance(row, Iterable)
            or len(values := tuple(row)) != size
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        ):
            raise InvalidInputTypeError(
                f"{name} entries must be {shape} lists of ints, not {row!r}"
            )
        checked.append(tuple(int(v) for v in values))
    return checked


def add_expectation_values(
    runnable: QuantumCircuit, width: int, ops: Sequence[str]
) -> QuantumCircuit:
    """Append one ``save_expval`` per term to ``runnable`` (in place) and return it.

    Args:
        runnable: The circuit as the backend runs it, final measurements removed (it may
            have been translated, and so laid out on other qubits).
        width: How many qubits the submitted circuit had (the terms' length).
        ops: The Pauli terms, qubit 0 leftmost; each result is saved under its term.
    """
    physical = _virtual_to_physical(runnable, width)
    total = runnable.num_qubits
    for term in ops:
        chars = ["I"] * total
        for virtual, char in enumerate(term):
            chars[physical[virtual]] = char
        # Terms put qubit 0 leftmost; Qiskit's Pauli labels put it rightmost.
        pauli = Pauli("".join(reversed(chars)))
        runnable.append(SaveExpectationValue(pauli, label=term), list(range(total)))
    return runnable


def _virtual_to_physical(circuit: QuantumCircuit, width: int) -> list[int]:
    layout = circuit.layout
    if layout is None:
        return list(range(width))
    return list(layout.final_index_layout())[:width]

