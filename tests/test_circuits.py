"""Circuit preparation (``qiskit_myprovider/circuits.py``): one check, one message each."""

from __future__ import annotations

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Clbit, Gate, Parameter
from qiskit.circuit.library import QFTGate
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.result import Result
from qiskit.transpiler import Target
from qiskit_aer import AerSimulator

from qiskit_myprovider.circuits import (
    AER_BINDABLE_GATES,
    TargetSupport,
    aer_binds_correctly,
    check_bound,
    check_width,
    counts,
    describe,
    prepare,
    runs_as_given,
    translate,
)
from qiskit_myprovider.exceptions import InvalidInputError, UnboundParametersError


@pytest.fixture(scope="module")
def aer_target() -> Target:
    return AerSimulator().target


@pytest.fixture(scope="module")
def device_target() -> Target:
    device = GenericBackendV2(num_qubits=3, coupling_map=[[0, 1], [1, 2]], seed=1)
    return device.target


def bell() -> QuantumCircuit:
    qc = QuantumCircuit(2, 2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def simulate(*circuits: QuantumCircuit, shots: int = 16) -> Result:
    return AerSimulator().run(list(circuits), shots=shots, seed_simulator=1).result()


# -- width and parameters -------------------------------------------------------------------


def test_circuits_are_named_by_position_and_name_or_by_label() -> None:
    assert describe(bell(), 3) == "3 ('bell')"
    assert describe(bell(), "mine") == "'mine'"


def test_check_width_names_the_circuit_the_backend_and_the_limit() -> None:
    check_width(bell(), 2, key=0, backend="sim")
    with pytest.raises(InvalidInputError) as info:
        check_width(bell(), 1, key=0, backend="sim")
    assert str(info.value) == "Circuit 0 ('bell') has 2 qubits; backend 'sim' simulates at most 1"
    with pytest.raises(ValueError, match="Circuit 'wide' has 2 qubits"):
        check_width(bell(), 1, key="wide", backend="sim")


def test_check_bound_lists_the_parameters_and_the_fix() -> None:
    qc = QuantumCircuit(1)
    qc.rx(Parameter("b"), 0)
    qc.ry(Parameter("a"), 0)
    check_bound(bell(), key=0)
    with pytest.raises(UnboundParametersError) as info:
        check_bound(qc, key="free")
    assert str(info.value) == (
        "Circuit 'free' has unbound parameters (a, b); bind them with "
        "circuit.assign_parameters(...)"
    )
    with pytest.raises(ValueError, match=r"bind them with parameter_binds$"):
        check_bound(qc, key=0, bind_with="parameter_binds")


# -- does it run as given -------------------------------------------------------------------


def test_aer_runs_its_own_gates_directives_and_control_flow_as_given(aer_target: Target) -> None:
    qc = bell()
    qc.barrier()
    qc.delay(10, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.save_statevector()
    assert runs_as_given(qc, aer_target)
    assert runs_as_given(qc, TargetSupport.of(aer_target))


def test_a_gate_the_target_lacks_needs_translation_also_inside_control_flow(
    aer_target: Target,
) -> None:
    top = QuantumCircuit(3)
    top.append(QFTGate(3), [0, 1, 2])
    assert not runs_as_given(top, aer_target)
    nested = QuantumCircuit(1, 1)
    nested.measure(0, 0)
    with nested.if_test((nested.clbits[0], 1)):
        nested.append(Gate("mystery", 1, []), [0])
    assert not runs_as_given(nested, aer_target)


def test_on_a_device_a_gate_runs_as_given_only_on_qubits_it_couples(
    device_target: Target,
) -> None:
    coupled = QuantumCircuit(3)
    coupled.cx(0, 1)
    coupled.cx(1, 2)
    assert runs_as_given(coupled, device_target)
    apart = QuantumCircuit(3)
    apart.cx(0, 2)
    assert not runs_as_given(apart, device_target)
    foreign = QuantumCircuit(1)
    foreign.h(0)  # the generic device's basis has no h
    assert not runs_as_given(foreign, device_target)


def test_the_summary_agrees_with_the_targets_own_answer(
    aer_target: Target, device_target: Target
) -> None:
    gates = [("cx", (0, 1)), ("cx", (0, 2)), ("cx", (2, 1)), ("x", (2,)), ("h", (0,))]
    for target in (aer_target, device_target):
        support = TargetSupport.of(target)
        for name, qubits in gates:
            qc = QuantumCircuit(3)
            getattr(qc, name)(*qubits)
            assert support.runs(qc) == target.instruction_supported(name, qubits), (name, qubits)


# -- translation and preparation ------------------------------------------------------------


def test_translate_gives_a_circuit_the_target_runs(aer_target: Target) -> None:
    qc = QuantumCircuit(3)
    qc.append(QFTGate(3), [0, 1, 2])
    translated = translate(qc, aer_target, key=0, backend="sim")
    assert runs_as_given(translated, aer_target)
    assert "qft" not in translated.count_ops()


def test_translate_says_which_circuit_cannot_be_translated(aer_target: Target) -> None:
    qc = QuantumCircuit(1, name="opaque")
    qc.append(Gate("mystery", 1, []), [0])
    expected = r"Circuit 0 \('opaque'\) cannot be translated for backend 'sim'"
    with pytest.raises(InvalidInputError, match=expected) as info:
        translate(qc, aer_target, key=0, backend="sim")
    assert info.value.__cause__ is not None


def test_prepare_returns_a_runnable_circuit_itself(aer_target: Target) -> None:
    qc = bell()
    assert prepare(qc, aer_target, key=0, backend="sim") is qc
    lacking = QuantumCircuit(3)
    lacking.append(QFTGate(3), [0, 1, 2])
    assert prepare(lacking, aer_target, key=0, backend="sim") is not lacking


def test_prepare_checks_width_then_parameters_unless_a_template(aer_target: Target) -> None:
    theta = Parameter("theta")
    template = QuantumCircuit(1, 1)
    template.rx(theta, 0)
    template.measure(0, 0)
    with pytest.raises(UnboundParametersError):
        prepare(template, aer_target, key=0, backend="sim")
    assert prepare(template, aer_target, key="t", backend="sim", bound=False) is template
    wide = QuantumCircuit(aer_target.num_qubits + 1)
    wide.rx(theta, 0)
    with pytest.raises(InvalidInputError, match="simulates at most"):
        prepare(wide, aer_target, key=0, backend="sim")


# -- counts ---------------------------------------------------------------------------------


def test_counts_of_one_register_equal_qiskits() -> None:
    qc = QuantumCircuit(3, 3)
    qc.x(0)
    qc.h(2)
    qc.measure(range(3), range(3))
    result = simulate(qc)
    assert counts(result, 0) == result.get_counts(0)
    assert set(counts(result, 0)) == {"001", "101"}


def test_counts_of_several_registers_drop_or_keep_the_separators() -> None:
    qc = QuantumCircuit(QuantumRegister(2), ClassicalRegister(1, "a"), ClassicalRegister(1, "b"))
    qc.x(1)
    qc.measure(0, 0)
    qc.measure(1, 1)
    result = simulate(qc)
    assert counts(result, 0) == {"10": 16}
    assert counts(result, 0, separators=True) == {"1 0": 16}


def test_counts_of_a_register_and_loose_bits_equal_qiskits() -> None:
    qc = QuantumCircuit(2)
    qc.add_bits([Clbit()])
    qc.add_register(ClassicalRegister(1, "c"))
    qc.x([0, 1])
    qc.measure(0, 0)
    qc.measure(1, 1)
    result = simulate(qc)
    assert counts(result, 0, separators=True) == dict(result.get_counts(0))


def test_counts_of_a_circuit_without_classical_bits_is_the_empty_outcome() -> None:
    qc = QuantumCircuit(1)
    qc.h(0)
    assert counts(simulate(qc, shots=9), 0) == {"": 9}


# -- Aer's parameter binding ----------------------------------------------------------------


def test_aer_binds_rotations_but_not_controlled_ones_nor_inside_control_flow() -> None:
    theta = Parameter("theta")
    assert "rx" in AER_BINDABLE_GATES
    assert "cp" not in AER_BINDABLE_GATES
    rotation = QuantumCircuit(2)
    rotation.rx(theta, 0)
    assert aer_binds_correctly(rotation)
    controlled = QuantumCircuit(2)
    controlled.cp(theta, 0, 1)
    assert not aer_binds_correctly(controlled)
    assert aer_binds_correctly(bell())
    flow = QuantumCircuit(1, 1)
    flow.measure(0, 0)
    with flow.if_test((flow.clbits[0], 1)):
        flow.rx(theta, 0)
    assert not aer_binds_correctly(flow)


def test_gates_aer_binds_wrongly_are_decomposed_into_ones_it_binds_right() -> None:
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import Operator

    from qiskit_myprovider.circuits import aer_binds_correctly, decompose_for_aer_binding

    theta = Parameter("t")
    circuit = QuantumCircuit(3)
    circuit.crx(theta, 0, 1)
    circuit.cu(theta, 0.1, theta, 0.2, 1, 2)
    circuit.mcp(theta, [0, 1], 2)
    assert not aer_binds_correctly(circuit)
    fixed = decompose_for_aer_binding(circuit)
    assert aer_binds_correctly(fixed)
    assert fixed.parameters == circuit.parameters
    bound = {theta: 0.7}
    expected = Operator(circuit.assign_parameters(bound))
    assert Operator(fixed.assign_parameters(bound)).equiv(expected)
    plain = QuantumCircuit(1)
    plain.rx(theta, 0)
    assert decompose_for_aer_binding(plain) is plain
