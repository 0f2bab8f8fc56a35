"""Circuits, stand-ins and named bounds the adapter tests share."""

from __future__ import annotations

from typing import Final

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit_aer.library import SaveStatevector

from tests.support import PATIENCE

__all__ = [
    "WORKER_PATIENCE",
    "basis_circuit",
    "failing_circuit",
    "other_failing_circuit",
]

#: How long a real multi-second simulation in a worker process may take on a loaded machine.
WORKER_PATIENCE: Final = 2 * PATIENCE


def basis_circuit(bits: str) -> QuantumCircuit:
    """Prepare ``bits`` (rightmost = qubit 0) and measure each qubit into its own register.

    One classical register per bit, as Qrisp's ``to_qiskit()`` makes them, so Qiskit's
    counts keys carry separators that the Job-contract adapter must remove.
    """
    qubits = QuantumRegister(len(bits), "q")
    registers = [ClassicalRegister(1, f"c{i}") for i in range(len(bits))]
    qc = QuantumCircuit(qubits, *registers, name=f"basis_{bits}")
    for index, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(index)
    for index, register in enumerate(registers):
        qc.measure(index, register[0])
    return qc


def failing_circuit() -> QuantumCircuit:
    """A circuit Aer accepts but fails to simulate: two save instructions with one label."""
    qc = QuantumCircuit(2, 2, name="duplicate_save")
    qc.h(0)
    qc.save_statevector(label="state")
    qc.save_statevector(label="state")
    qc.measure([0, 1], [0, 1])
    return qc


def other_failing_circuit() -> QuantumCircuit:
    """A circuit that fails otherwise: it saves the statevector of one qubit out of two."""
    qc = QuantumCircuit(2, 2, name="partial_save")
    qc.h(0)
    qc.append(SaveStatevector(1, label="partial"), [0])
    qc.measure([0, 1], [0, 1])
    return qc
