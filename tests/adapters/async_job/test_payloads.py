# ruff: noqa: RUF001  (the Greek placeholders of Divi's payloads are the point)
"""What ``submit_circuits`` takes (``async_job/payloads.py``): clause 2 of the design contract.

Mappings, sequences and payloads, OpenQASM 2 and 3, templates with placeholders, and every
kind of bad input, which is refused before anything is queued.
"""

from __future__ import annotations

from typing import Any

import pytest
from qiskit import QuantumCircuit, qasm2
from qiskit.circuit import Parameter

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter
from tests.adapters.async_job.helpers import (
    BELL,
    HEADER,
    QAOA_TEMPLATE,
    X0,
    X2,
    Payload,
    by_label,
    run,
)


def test_mapping_keeps_labels_and_counts_are_in_qiskit_bit_order(
    adapter: AsyncJobBackendAdapter,
) -> None:
    results = run(adapter, {"a": X0, "b": X2})
    assert results == [
        {"label": "a", "results": {"001": 200}},
        {"label": "b", "results": {"100": 200}},
    ]


def test_a_sequence_is_labelled_by_index_and_takes_circuits_and_openqasm3(
    adapter: AsyncJobBackendAdapter,
) -> None:
    qc = QuantumCircuit(2, 2)
    qc.x(1)
    qc.measure([0, 1], [0, 1])
    qasm3 = (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\nbit[1] c;\nx q[0];\nc = measure q;\n'
    )
    assert by_label(run(adapter, [X0, qc, qasm3])) == {
        "0": {"001": 200},
        "1": {"10": 200},
        "2": {"1": 200},
    }


def test_results_come_back_in_submission_order(adapter: AsyncJobBackendAdapter) -> None:
    labels = [f"c{i}" for i in range(12)]
    results = run(adapter, {label: (X0 if i % 2 else X2) for i, label in enumerate(labels)})
    assert [entry["label"] for entry in results] == labels


def test_counts_of_circuits_with_several_registers_keep_qiskits_separators(
    adapter: AsyncJobBackendAdapter,
) -> None:
    two = HEADER + "qreg q[2];\ncreg a[1];\ncreg b[1];\nx q[1];\nmeasure q[0] -> a[0];\n"
    two += "measure q[1] -> b[0];\n"
    assert run(adapter, {"two": two}) == [{"label": "two", "results": {"1 0": 200}}]


def test_payloads_with_circuits_parameter_objects_and_bound_rows(
    adapter: AsyncJobBackendAdapter,
) -> None:
    theta = Parameter("theta")
    qc = QuantumCircuit(1, 1)
    qc.rx(theta, 0)
    qc.measure(0, 0)
    results = by_label(
        run(
            adapter,
            [
                Payload(qc, (theta,), (("off", (0.0,)), ("on", (3.141592653589793,)))),
                Payload(X2, (), (("bound", ()),)),
            ],
        )
    )
    assert results == {"off": {"0": 200}, "on": {"1": 200}, "bound": {"100": 200}}


def test_template_expressions_are_read_symbolically(adapter: AsyncJobBackendAdapter) -> None:
    template = HEADER + (
        "qreg q[3];\ncreg c[3];\n"
        "rx(-w_1 + pi) q[0];\n"  # w_1 must not match inside w_10
        "ry(2*asin(sqrt(w_10))) q[1];\n"
        "u(w_1^2/pi, 0, pi/2) q[2];\n"
        "measure q -> c;\n"
    )
    results = by_label(
        run(adapter, [Payload(template, ("w_1", "w_10"), (("a", (3.141592653589793, 1.0)),))])
    )
    assert results == {"a": {"110": 200}}


def test_an_openqasm3_template_with_placeholders_and_modifiers(
    adapter: AsyncJobBackendAdapter,
) -> None:
    template = (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\n'
        "// a comment that names t0 is ignored\n"
        "x q[0];\nctrl @ rx(t0) q[0], q[1];\nc = measure q;\n"
    )
    results = by_label(run(adapter, [Payload(template, ("t0",), (("pi", (3.141592653589793,)),))]))
    assert results == {"pi": {"11": 200}}


def test_template_placeholders_that_cannot_be_bound_are_refused(
    adapter: AsyncJobBackendAdapter,
) -> None:
    custom = (
        HEADER + "gate g(a) x { rz(a) x; }\nqreg q[1];\ncreg c[1];\ng(t) q[0];\nmeasure q -> c;\n"
    )
    with pytest.raises(ValueError, match="defined in the circuit"):
        adapter.submit_circuits([Payload(custom, ("t",), (("r", (0.5,)),))])
    outside = HEADER + "qreg t[1];\ncreg c[1];\nrz(t) t[0];\nmeasure t -> c;\n"
    with pytest.raises(ValueError, match="outside a gate argument"):
        adapter.submit_circuits([Payload(outside, ("t",), (("r", (0.5,)),))])
    unknown = HEADER + "qreg q[1];\ncreg c[1];\nrz(foo(t)) q[0];\nmeasure q -> c;\n"
    with pytest.raises(ValueError, match="cannot read the gate argument"):
        adapter.submit_circuits([Payload(unknown, ("t",), (("r", (0.5,)),))])


@pytest.mark.parametrize(
    ("circuits", "error", "match"),
    [
        (BELL, TypeError, "wrap a single circuit in a list"),
        (QuantumCircuit(1), TypeError, "wrap a single circuit in a list"),
        (42, TypeError, "mapping label -> circuit or a sequence"),
        ({}, ValueError, "at least one circuit"),
        ({1: BELL}, TypeError, "labels must be strings"),
        ({"a": 3}, TypeError, "Circuit 'a' must be OpenQASM text"),
        ([Payload(BELL, (), (("a", ()),)), BELL], TypeError, "not both"),
        ([Payload(BELL, (), (("a", ()),)), Payload(BELL, (), (("a", ()),))], ValueError, "twice"),
        ([Payload(BELL, (), ())], ValueError, "no parameter sets"),
        ([Payload(QAOA_TEMPLATE, ("β[0]", "γ[0]"), (("r", (1.0,)),))], ValueError, "2 param"),
        ([Payload(QAOA_TEMPLATE, ("β[0]", "γ[0]"), (("r", (1.0, "x")),))], TypeError, "numbers"),
        ([Payload(QAOA_TEMPLATE, ("β[0]",), (("r", (1.0,)),))], ValueError, "not valid OpenQASM 2"),
        ({"bell": BELL.replace("h q[0];", "h q[0]")}, ValueError, "Circuit 'bell' is not valid"),
        ({"v4": "OPENQASM 4.0;\nqubit q;"}, ValueError, "Circuit 'v4' declares OpenQASM 4"),
        ({"quiet": HEADER + "qreg q[1];\nh q[0];\n"}, ValueError, "'quiet' measures nothing"),
    ],
)
def test_bad_input_is_refused_before_anything_is_queued(
    provider: MyProvider,
    adapter: AsyncJobBackendAdapter,
    circuits: Any,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        adapter.submit_circuits(circuits)
    assert provider.jobs() == []


def test_a_circuit_with_unbound_parameters_is_refused_by_label(
    adapter: AsyncJobBackendAdapter,
) -> None:
    qc = QuantumCircuit(1, 1)
    qc.rx(Parameter("a"), 0)
    qc.measure(0, 0)
    with pytest.raises(ValueError, match="Circuit 'free' has unbound parameters"):
        adapter.submit_circuits({"free": qc})


def test_a_circuit_wider_than_the_backend_is_refused_by_label(
    adapter: AsyncJobBackendAdapter,
) -> None:
    wide = QuantumCircuit(adapter.backend.num_qubits + 1)
    wide.measure_all()
    with pytest.raises(ValueError, match="Circuit 'wide' has"):
        adapter.submit_circuits({"wide": wide})


def test_gates_aer_lacks_are_translated(adapter: AsyncJobBackendAdapter) -> None:
    custom = HEADER + "gate flip a { x a; }\nqreg q[1];\ncreg c[1];\nflip q[0];\nmeasure q -> c;\n"
    assert run(adapter, {"flip": custom}) == [{"label": "flip", "results": {"1": 200}}]


def test_circuits_from_qasm2_dumps_round_trip(adapter: AsyncJobBackendAdapter) -> None:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    results = run(adapter, {"dumped": qasm2.dumps(qc)}, ham_ops="ZZ")
    assert results == [{"label": "dumped", "results": {"ZZ": 1.0}}]
