"""Circuits as QPY bytes: the one encoding the job store and the worker processes share.

QPY is Qiskit's own, versioned circuit format: about five times faster than pickle, and
readable by later Qiskit versions. It cannot carry everything faithfully, though. Aer's own
instructions (``save_statevector``, ``set_density_matrix``, noise instructions ...) come back
as bare :class:`~qiskit.circuit.Instruction` objects that Aer no longer knows how to run,
and metadata that is not JSON cannot be written at all. :func:`encode_circuits` returns None
for such circuits, and each caller keeps them its own way (the worker processes pickle
them; the job store keeps none and notes why).

``qiskit.qpy`` is imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Instruction

__all__ = ["AER_ONLY_PREFIXES", "decode_circuits", "encode_circuits", "qpy_can_carry"]

#: Names of Aer's own instructions, which QPY reads back as bare instructions Aer cannot run.
AER_ONLY_PREFIXES: Final = ("save_", "set_", "qerror_loc", "roerror", "quantum_channel")


def qpy_can_carry(circuits: Sequence[QuantumCircuit]) -> bool:
    """Return whether QPY brings ``circuits`` back as circuits that run the same.

    False when any instruction, at any depth (inside control flow too), is one of Aer's own:
    its name starts with one of :data:`AER_ONLY_PREFIXES`, or its class comes from
    ``qiskit_aer``. Metadata QPY cannot write is found by :func:`encode_circuits` itself.

    Args:
        circuits: The circuits to check.

    Returns:
        True if QPY may encode them; False if they must travel another way.
    """
    return not any(_is_aer_only(op) for circuit in circuits for op in _operations(circuit))


def encode_circuits(circuits: Sequence[QuantumCircuit]) -> bytes | None:
    """Encode circuits as QPY, or return None where QPY cannot carry them faithfully.

    Args:
        circuits: The circuits, in order.

    Returns:
        The QPY bytes (for :func:`decode_circuits`); None when the circuits hold Aer's own
        instructions (see :func:`qpy_can_carry`) or something QPY fails to write (metadata
        that is not JSON, an unusual instruction). The caller then keeps them another way,
        for example pickled.
    """
    if not qpy_can_carry(circuits):
        return None
    from qiskit import qpy

    buffer = io.BytesIO()
    try:
        qpy.dump(list(circuits), buffer)
    except Exception:  # QPY reports what it cannot write with several exception types
        return None
    return buffer.getvalue()


def decode_circuits(data: bytes) -> list[QuantumCircuit]:
    """Decode circuits that :func:`encode_circuits` encoded.

    Args:
        data: The QPY bytes.

    Returns:
        The circuits, in their original order.

    Raises:
        ValueError: ``data`` is not QPY this Qiskit can read (damaged, or written by a newer
            Qiskit); the error from ``qiskit.qpy`` is its ``__cause__``.
    """
    from qiskit import qpy

    try:
        return list(qpy.load(io.BytesIO(data)))
    except Exception as exc:
        raise ValueError(
            f"cannot decode {len(data)} bytes of QPY circuits ({type(exc).__name__}: {exc}); "
            "they were damaged or written by a newer Qiskit: upgrade Qiskit to read them"
        ) from exc


def _operations(circuit: QuantumCircuit) -> Iterator[Instruction]:
    for instruction in circuit.data:
        operation = instruction.operation
        yield operation
        for block in getattr(operation, "blocks", ()):  # control flow: if/else, loops, switch
            yield from _operations(block)


def _is_aer_only(operation: Instruction) -> bool:
    # Qiskit's singleton gate classes are made at run time and have no module.
    module = type(operation).__module__ or ""
    return operation.name.startswith(AER_ONLY_PREFIXES) or module.startswith("qiskit_aer")
