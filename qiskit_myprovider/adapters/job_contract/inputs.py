"""What ``run_async`` and ``run`` take and give: circuits, shot counts and counts dicts.

The contract's own wording is kept where its tests (which also run on Qrisp's reference
backend) read it, e.g. "'shots' must be a positive integer"; the checks themselves are the
package's validators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from qiskit import QuantumCircuit

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.validation import MAX_SHOTS, validate_shots

__all__ = [
    "CountsDict",
    "SupportsToQiskit",
    "check_shots",
    "is_circuit",
    "normalise",
    "shots_per_circuit",
    "to_qiskit",
]


class CountsDict(dict[str, int]):
    """One circuit's counts (bitstring -> count), as :meth:`JobContractBackend.run` returns them.

    A plain ``dict``. Qrisp functions that read a backend's ``run()`` result themselves
    (``multi_measurement``, which Grover's algorithm uses) expect Qrisp's own lazy result
    objects and ask them ``_ensure_populated()`` and ``_data``; these counts, always
    complete, answer both, so those functions work without this package importing Qrisp.
    """

    __slots__ = ()

    #: Always complete (Qrisp's lazy results say so through this flag).
    _populated: ClassVar[bool] = True

    def _ensure_populated(self) -> None:
        """Do nothing: the counts are complete (for Qrisp's lazy-result protocol)."""

    @property
    def _data(self) -> dict[str, int]:
        """The counts themselves (for Qrisp's lazy-result protocol)."""
        return self


@runtime_checkable
class SupportsToQiskit(Protocol):
    """A circuit from another framework that converts itself (Qrisp's ``QuantumCircuit``)."""

    def to_qiskit(self) -> Any:
        """Return the circuit as a :class:`qiskit.QuantumCircuit`."""


def is_circuit(value: object) -> bool:
    """Return whether ``value`` is one circuit: Qiskit's, or one with ``to_qiskit()``."""
    return isinstance(value, QuantumCircuit) or callable(getattr(value, "to_qiskit", None))


def check_shots(shots: object) -> int:
    """Return ``shots`` if it is a valid shot count, worded as the contract words a refusal.

    Raises:
        InvalidInputTypeError: a bool or non-int.
        InvalidInputError: not between 1 and :data:`~qiskit_myprovider.validation.MAX_SHOTS`.
    """
    try:
        return validate_shots(shots)
    except InvalidInputTypeError:
        raise InvalidInputTypeError(
            f"'shots' must be a positive integer, got {type(shots).__name__!r}"
        ) from None
    except InvalidInputError:
        raise InvalidInputError(
            f"'shots' must be a positive integer (at most {MAX_SHOTS}), got {shots!r}"
        ) from None


def shots_per_circuit(shots: object, count: int, default: int) -> list[int]:
    """Return one shot count per circuit.

    Args:
        shots: An int for every circuit, one int per circuit, or None for ``default``.
        count: How many circuits there are.
        default: The shot count that None stands for.

    Raises:
        InvalidInputTypeError: a bool or non-int shot count.
        InvalidInputError: a shot count out of range, or a list of the wrong length.
    """
    if shots is None:
        return [default] * count
    if isinstance(shots, Sequence) and not isinstance(shots, str | bytes):
        if len(shots) != count:
            raise InvalidInputError(
                f"'shots' list has {len(shots)} element(s) but {count} circuit(s) were "
                "submitted. When passing per-circuit shot counts, provide exactly one "
                "value per circuit."
            )
        return [check_shots(value) for value in shots]
    return [check_shots(shots)] * count


def normalise(circuits: object) -> list[object]:
    """Return the circuits of ``run_async``'s argument as a list (not converted yet).

    Raises:
        InvalidInputTypeError: neither a circuit nor a sequence of them.
        InvalidInputError: an empty sequence.
    """
    if is_circuit(circuits):
        return [circuits]
    if isinstance(circuits, str | bytes | Mapping) or not isinstance(circuits, Iterable):
        raise InvalidInputTypeError(
            "run_async() takes a circuit (Qiskit's, or one with a to_qiskit() method) or a "
            f"sequence of them, not {type(circuits).__name__}"
        )
    batch = list(circuits)
    if not batch:
        raise InvalidInputError("run_async() needs at least one circuit; got none")
    return batch


def to_qiskit(circuit: object, index: int) -> QuantumCircuit:
    """Return ``circuit`` as a Qiskit circuit, converting it with its ``to_qiskit()``.

    Raises:
        InvalidInputTypeError: not a circuit, or ``to_qiskit()`` returned something else.
        InvalidInputError: ``to_qiskit()`` raised (``__cause__``: its error).
    """
    if isinstance(circuit, QuantumCircuit):
        return circuit
    convert = getattr(circuit, "to_qiskit", None)
    if not callable(convert):
        raise InvalidInputTypeError(
            f"Circuit {index} is a {type(circuit).__name__}: neither a qiskit QuantumCircuit "
            "nor an object with a to_qiskit() method"
        )
    try:
        converted = convert()
    except Exception as exc:
        raise InvalidInputError(
            f"Circuit {index}: {type(circuit).__name__}.to_qiskit() failed: {exc}"
        ) from exc
    if not isinstance(converted, QuantumCircuit):
        raise InvalidInputTypeError(
            f"Circuit {index}: {type(circuit).__name__}.to_qiskit() returned a "
            f"{type(converted).__name__}, not a qiskit QuantumCircuit"
        )
    return converted
