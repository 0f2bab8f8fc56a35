"""Noise models as plain data, and back, without Aer's deprecated and lossy ``from_dict``.

A noise model is written as ``NoiseModel.to_dict()`` (each quantum error's circuits as
instruction names, qubits, parameters and labels; readout errors as probability matrices)
plus its basis gates. Reading it back builds each instruction from its name alone: Qiskit's
standard gates, ``reset``, ``unitary``, ``pauli``, and a bare named instruction for anything
else (as Aer itself does for ``kraus``), so a stored model runs the same noise and compares
equal. Custom noise passes are not stored (they are code).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit.circuit import Instruction
    from qiskit_aer.noise import NoiseModel

__all__ = ["noise_model_from_data", "noise_model_to_data"]


def noise_model_to_data(model: NoiseModel) -> dict[str, Any]:
    """Return ``model`` as data: its basis gates and its errors (``NoiseModel.to_dict``)."""
    return {"basis_gates": list(model.basis_gates), "errors": model.to_dict()["errors"]}


def noise_model_from_data(data: dict[str, Any]) -> NoiseModel:
    """Build the noise model that :func:`noise_model_to_data` described.

    Raises:
        ValueError: an error entry is of an unknown type.
    """
    from qiskit_aer.noise import NoiseModel, QuantumError, ReadoutError

    model = NoiseModel(basis_gates=list(data["basis_gates"]))
    for error in data["errors"]:
        places = error.get("gate_qubits")
        if error["type"] == "qerror":
            size = _error_size(error, places)
            circuits = [_circuit(ops, size) for ops in error["instructions"]]
            qerror = QuantumError(list(zip(circuits, error["probabilities"], strict=True)))
            qerror._id = error.get("id") or qerror.id  # Aer's own from_dict keeps the id too
            for qubits in places or [None]:
                if qubits is None:
                    model.add_all_qubit_quantum_error(qerror, error["operations"], warnings=False)
                else:
                    model.add_quantum_error(qerror, error["operations"], qubits, warnings=False)
        elif error["type"] == "roerror":
            readout = ReadoutError(error["probabilities"])
            for qubits in places or [None]:
                if qubits is None:
                    model.add_all_qubit_readout_error(readout, warnings=False)
                else:
                    model.add_readout_error(readout, qubits, warnings=False)
        else:
            raise ValueError(f"unknown noise model error type {error['type']!r}")
    return model


def _error_size(error: dict[str, Any], places: Sequence[Sequence[int]] | None) -> int:
    if places:
        return len(places[0])
    return 1 + max((q for ops in error["instructions"] for op in ops for q in op["qubits"]),
                   default=0)  # fmt: skip


def _circuit(ops: Sequence[dict[str, Any]], size: int) -> Any:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(size)
    for op in ops:
        circuit.append(_instruction(op), op["qubits"])
    return circuit


def _instruction(op: dict[str, Any]) -> Instruction:
    from qiskit.circuit import Instruction, Reset
    from qiskit.circuit.library import PauliGate, UnitaryGate, get_standard_gate_name_mapping

    name, params, label = op["name"], list(op.get("params", [])), op.get("label")
    builders: dict[str, Callable[[], Instruction]] = {
        "reset": Reset,
        "unitary": lambda: UnitaryGate(params[0], label=label),
        "pauli": lambda: PauliGate(params[0]),
    }
    if name in builders:
        return builders[name]()
    standard = get_standard_gate_name_mapping().get(name)
    if standard is not None and len(params) == len(standard.params):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            gate: Instruction = standard.base_class(*params, label=label)
        return gate
    return Instruction(name, len(op["qubits"]), 0, params)
