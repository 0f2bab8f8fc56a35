"""backend.run's input, checked in one place before anything is recorded."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider.exceptions import InvalidInputError, UnknownOptionError
from qiskit_myprovider.run_input import check_run
from tests.conftest import bell_circuit


def test_circuits_options_and_binds_come_back_checked() -> None:
    theta = Parameter("t")
    circuit = QuantumCircuit(1)
    circuit.rx(theta, 0)
    circuit.measure_all()
    checked = check_run(circuit, {"shots": 10, "parameter_binds": [{theta: [0.1, 0.2, 0.3]}]},
                        width=5, backend="b")  # fmt: skip
    assert checked.circuits == [circuit]
    assert checked.options == {"shots": 10}
    assert checked.rows == [3]


def test_gates_aer_binds_wrongly_are_bound_in_qiskit_one_circuit_per_row() -> None:
    theta = Parameter("t")
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.crx(theta, 0, 1)
    circuit.measure_all()
    checked = check_run([circuit], {"parameter_binds": [{theta: [0.5, 1.5]}]}, width=5, backend="b")
    assert checked.binds is None
    assert checked.rows is None
    assert [c.num_parameters for c in checked.circuits] == [0, 0]


def test_a_wide_circuit_and_an_unknown_option_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="b"):
        check_run(bell_circuit(), {}, width=1, backend="b")
    with pytest.raises(UnknownOptionError, match="shots"):
        check_run(bell_circuit(), {"shot": 3}, width=5, backend="b")
