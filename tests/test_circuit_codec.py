"""The one QPY codec of the store and the worker processes: round trips, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider.circuit_codec import (
    AER_ONLY_PREFIXES,
    decode_circuits,
    encode_circuits,
    qpy_can_carry,
)

from .conftest import bell_circuit, ghz_circuit


def test_circuits_round_trip_in_order_with_names_and_metadata() -> None:
    theta = Parameter("θ")
    parametric = QuantumCircuit(1, name="rotation", metadata={"experiment": 7})
    parametric.rx(theta, 0)
    circuits = [bell_circuit(), ghz_circuit(4), parametric]
    data = encode_circuits(circuits)
    assert data is not None
    back = decode_circuits(data)
    assert back == circuits
    assert [c.name for c in back] == ["bell", "ghz4", "rotation"]
    assert back[2].metadata == {"experiment": 7}
    assert [p.name for p in back[2].parameters] == ["θ"]
    assert encode_circuits(()) is not None
    assert decode_circuits(encode_circuits(()) or b"") == []


def test_circuits_with_aers_own_instructions_are_left_to_the_caller() -> None:
    saving = QuantumCircuit(2)
    saving.h(0)
    saving.save_statevector()
    assert saving.data[-1].operation.name.startswith(AER_ONLY_PREFIXES)
    assert not qpy_can_carry([bell_circuit(), saving])
    assert encode_circuits([bell_circuit(), saving]) is None
    assert qpy_can_carry([bell_circuit()])


def test_aer_instructions_inside_control_flow_are_found() -> None:
    nested = QuantumCircuit(1, 1)
    nested.measure(0, 0)
    with nested.if_test((nested.clbits[0], 1)):
        nested.save_expectation_value(_pauli_z(), [0])
    assert set(nested.count_ops()) == {"measure", "if_else"}  # hidden from a top-level look
    assert encode_circuits([nested]) is None


def test_metadata_qpy_cannot_write_is_left_to_the_caller() -> None:
    odd = QuantumCircuit(1, metadata={"handle": object()})
    assert qpy_can_carry([odd])  # nothing of Aer's ...
    assert encode_circuits([odd]) is None  # ... but QPY cannot write it


def test_a_failing_qpy_writer_is_left_to_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    from qiskit import qpy

    def refuse(*_: Any, **__: Any) -> None:
        raise qpy.QpyError("cannot serialize this instruction")

    monkeypatch.setattr(qpy, "dump", refuse)
    assert encode_circuits([bell_circuit()]) is None


def test_bytes_that_are_not_qpy_are_a_value_error_with_the_cause() -> None:
    with pytest.raises(ValueError, match="cannot decode 9 bytes of QPY") as info:
        decode_circuits(b"not qpy!!")
    assert info.value.__cause__ is not None


def _pauli_z() -> Any:
    from qiskit.quantum_info import Pauli

    return Pauli("Z")


def test_worker_processes_get_qpy_where_it_carries_and_pickles_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qiskit_myprovider import MyProvider
    from qiskit_myprovider.execution import ProcessExecutor
    from qiskit_myprovider.execution import wire as wire_module

    from .support import PATIENCE

    sent: list[bool] = []

    def spy(circuits: Any) -> bytes | None:
        encoded = encode_circuits(circuits)
        sent.append(encoded is not None)
        return encoded

    monkeypatch.setattr(wire_module, "encode_circuits", spy)
    saving = QuantumCircuit(2)
    saving.h(0)
    saving.cx(0, 1)
    saving.save_statevector(label="psi")
    saving.measure_all()
    executor = ProcessExecutor(max_workers=1)
    try:
        with MyProvider(store=":memory:", executor=executor) as provider:
            backend = provider.get_backend()
            plain = backend.run(bell_circuit(), shots=20, seed_simulator=1).result(PATIENCE)
            saved = backend.run(saving, shots=20, seed_simulator=1).result(PATIENCE)
    finally:
        executor.shutdown()
    assert sent == [True, False]  # QPY for the Bell circuit, pickle for Aer's save
    assert set(plain.get_counts()) <= {"00", "11"}
    state = saved.data(0)["psi"]
    assert abs(state[0]) ** 2 == pytest.approx(0.5)
    assert set(saved.get_counts()) <= {"00", "11"}
