# ruff: noqa: RUF001  (the Greek placeholders of Divi's payloads are the point)
"""AsyncJobBackendAdapter: each clause of its design contract, without Divi installed.

Payloads here are a local stand-in with Divi's duck-typed shape (``circuit``, ``parameters``,
``parameter_sets``); ``tests/interop/divi`` runs the same adapter against the real package.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import threading
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
from qiskit import QuantumCircuit, qasm2
from qiskit.circuit import Parameter
from qiskit.providers import JobStatus
from qiskit.result import Result

import qiskit_myprovider.adapters
from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.adapters import (
    AsyncJobBackendAdapter,
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
    async_job,
)
from qiskit_myprovider.adapters.async_job import JOB_TAG, JobResponse
from qiskit_myprovider.exceptions import (
    JobCancelledError,
    JobFailedError,
    MyJobError,
    MyProviderError,
    SimulationError,
)
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor

from .conftest import Gate, slow_circuit

HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
BELL = HEADER + "qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n"
X0 = HEADER + "qreg q[3];\ncreg c[3];\nx q[0];\nmeasure q -> c;\n"
X2 = X0.replace("x q[0]", "x q[2]")
QAOA_TEMPLATE = HEADER + (
    "qreg q[3];\ncreg c[3];\nh q[0];\nh q[1];\nh q[2];\n"
    "cx q[0],q[1];\nrz(1*β[0]) q[1];\ncx q[0],q[1];\n"
    "cx q[1],q[2];\nrz(1*β[0]) q[2];\ncx q[1],q[2];\n"
    "rx(2*γ[0]) q[0];\nrx(2*γ[0]) q[1];\nrx(2*γ[0]) q[2];\n"
    "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"
)


@dataclasses.dataclass(frozen=True)
class Payload:
    """Divi's payload shape: one circuit, its parameters, and (label, values) rows."""

    circuit: Any
    parameters: tuple[Any, ...]
    parameter_sets: tuple[tuple[str, tuple[float, ...]], ...]


@pytest.fixture
def adapter(backend: MyBackend) -> AsyncJobBackendAdapter:
    return AsyncJobBackendAdapter(backend, shots=200)


def run(adapter: AsyncJobBackendAdapter, circuits: Any, **options: Any) -> list[dict[str, Any]]:
    handle = adapter.submit_circuits(circuits, **options)
    assert adapter.poll_job_status(handle, loop_until_complete=True, verbose=False) == (
        ExecutionStatus.COMPLETED
    )
    results = adapter.get_job_results(handle).results
    assert results is not None
    return results


def by_label(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {entry["label"]: entry["results"] for entry in results}


# -- 1. protocol members --------------------------------------------------------------------


def test_adapter_exposes_the_protocol_members_and_runner_flags(
    adapter: AsyncJobBackendAdapter,
) -> None:
    for name in ("submit_circuits", "poll_job_status", "get_job_results", "cancel_job"):
        assert callable(getattr(adapter, name))
    assert adapter.shots == 200
    assert adapter.is_async is True
    assert adapter.supports_expval is True
    assert adapter.resolves_parameters is True
    adapter.set_seed(3)
    adapter.set_seed(None)
    with pytest.raises(TypeError):
        adapter.set_seed("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        adapter.set_seed(-1)


def test_adapter_defaults_to_the_default_providers_default_backend() -> None:
    adapter = AsyncJobBackendAdapter()
    assert adapter.backend.name == "myprovider_simulator"
    assert adapter.shots == 1024
    assert "myprovider_simulator" in repr(adapter)


def test_adapter_refuses_what_is_not_a_mybackend_and_bad_shots(backend: MyBackend) -> None:
    with pytest.raises(TypeError, match="MyBackend"):
        AsyncJobBackendAdapter(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shots"):
        AsyncJobBackendAdapter(backend, shots=0)


def test_adapters_package_exports_its_names_in_a_sorted_all() -> None:
    names = qiskit_myprovider.adapters.__all__
    assert names == sorted(names)
    assert {
        "AsyncJobBackendAdapter",
        "ExecutionCancelledError",
        "ExecutionResult",
        "ExecutionStatus",
    } <= set(names)


# -- value types ----------------------------------------------------------------------------


def test_execution_status_is_a_str_enum_with_the_protocols_values() -> None:
    assert [s.value for s in ExecutionStatus] == [
        "PENDING",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
    ]
    assert ExecutionStatus.COMPLETED == "COMPLETED"
    assert isinstance(ExecutionStatus.FAILED, str)
    assert ExecutionStatus("CANCELLED") is ExecutionStatus.CANCELLED
    assert ExecutionStatus.COMPLETED.is_final
    assert not ExecutionStatus.RUNNING.is_final


def test_execution_result_is_frozen_and_populates_by_copy() -> None:
    handle = ExecutionResult(job_id="j", backend_jobs=2)
    assert handle.is_async()
    with pytest.raises(dataclasses.FrozenInstanceError):
        handle.results = []  # type: ignore[misc]
    done = handle.with_results([{"label": "a", "results": {"0": 1}}], run_time=1.5)
    assert not done.is_async()
    assert (done.job_id, done.backend_jobs, done.run_time) == ("j", 2, 1.5)
    assert handle.results is None
    assert not ExecutionResult(results=[]).is_async()


def test_job_response_reads_like_an_http_response() -> None:
    response = JobResponse(409, "j", ExecutionStatus.COMPLETED, "already ended")
    assert not response.ok
    assert response.json() == {"job_id": "j", "status": "COMPLETED", "message": "already ended"}
    assert JobResponse(200, "j", ExecutionStatus.CANCELLED).ok


# -- 2. inputs ------------------------------------------------------------------------------


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


def test_a_parametric_payload_is_one_circuit_bound_inside_aer(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    rows = tuple((f"row{i}", (0.1 * i, 0.3 + 0.05 * i)) for i in range(100))
    handle = adapter.submit_circuits([Payload(QAOA_TEMPLATE, ("β[0]", "γ[0]"), rows)])
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert handle.job_id is not None
    job = provider.job(handle.job_id)
    assert len(job.circuits()) == 1  # parsed once, never re-exported per row
    assert len(job.circuits()[0].parameters) == 2
    assert JOB_TAG in job.tags()
    results = adapter.get_job_results(handle).results
    assert results is not None
    assert [entry["label"] for entry in results] == [label for label, _ in rows]
    assert all(sum(entry["results"].values()) == 200 for entry in results)


def test_a_parametric_payload_equals_binding_row_by_row(adapter: AsyncJobBackendAdapter) -> None:
    beta, gamma = Parameter("β[0]"), Parameter("γ[0]")
    rows = tuple((f"r{i}", (0.4 * i, 1.3 - 0.3 * i)) for i in range(6))
    adapter.set_seed(11)
    parametric = run(adapter, [Payload(QAOA_TEMPLATE, (beta, gamma), rows)])
    bound = {
        label: QAOA_TEMPLATE.replace("β[0]", repr(b)).replace("γ[0]", repr(g))
        for label, (b, g) in rows
    }
    assert parametric == run(adapter, bound)


def test_bound_circuits_of_one_shape_run_as_one_parametric_circuit(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    flip = HEADER + "qreg q[2];\ncreg c[2];\nrx(ANGLE) q[0];\nh q[1];\nh q[1];\nmeasure q -> c;\n"
    circuits = {f"a{i}": flip.replace("ANGLE", "0" if i % 2 else "pi") for i in range(20)}
    circuits["other"] = X2  # another shape
    circuits["lone"] = BELL.replace("h q[0];", "rx(0.5) q[0];")  # a shape of its own
    handle = adapter.submit_circuits(circuits)
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert handle.job_id is not None
    ran = provider.job(handle.job_id).circuits()
    assert len(ran) == 3
    assert sorted(len(circuit.parameters) for circuit in ran) == [0, 0, 1]
    results = adapter.get_job_results(handle).results
    assert results is not None
    assert [entry["label"] for entry in results] == list(circuits)
    counts = by_label(results)
    for i in range(20):
        assert counts[f"a{i}"] == ({"00": 200} if i % 2 else {"01": 200})
    assert counts["other"] == {"100": 200}


def test_bound_circuits_merged_by_shape_keep_their_expectation_values(
    adapter: AsyncJobBackendAdapter,
) -> None:
    ry = HEADER + "qreg q[1];\ncreg c[1];\nry(ANGLE) q[0];\nmeasure q -> c;\n"
    angles = {"zero": "0", "half": "pi/2", "pi": "pi"}
    results = by_label(
        run(adapter, {k: ry.replace("ANGLE", v) for k, v in angles.items()}, ham_ops="Z;X")
    )
    assert results["zero"] == pytest.approx({"Z": 1.0, "X": 0.0}, abs=1e-12)
    assert results["half"] == pytest.approx({"Z": 0.0, "X": 1.0}, abs=1e-12)
    assert results["pi"] == pytest.approx({"Z": -1.0, "X": 0.0}, abs=1e-12)


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


def test_controlled_rotations_which_aer_binds_wrongly_are_bound_correctly(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    theta = Parameter("theta")
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.cp(theta, 0, 1)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure([0, 1], [0, 1])
    rows = (("zero", (0.0,)), ("pi", (3.141592653589793,)))
    handle = adapter.submit_circuits([Payload(qc, (theta,), rows)], ham_ops="ZI")
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    results = adapter.get_job_results(handle).results
    assert results is not None
    values = {label: result["ZI"] for label, result in by_label(results).items()}
    assert values == pytest.approx({"zero": 1.0, "pi": -1.0})
    assert handle.job_id is not None
    assert len(provider.job(handle.job_id).circuits()) == 2  # bound here, one job still


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


# -- 3. options -----------------------------------------------------------------------------


def test_bell_expectation_values_are_exact(adapter: AsyncJobBackendAdapter) -> None:
    results = run(adapter, {"bell": BELL}, ham_ops="ZZ;XX;YY;ZI;IZ;II")
    assert results == [
        {
            "label": "bell",
            "results": {"ZZ": 1.0, "XX": 1.0, "YY": -1.0, "ZI": 0.0, "IZ": 0.0, "II": 1.0},
        }
    ]


def test_ham_ops_put_qubit_zero_leftmost(adapter: AsyncJobBackendAdapter) -> None:
    results = by_label(run(adapter, {"a": X0, "b": X2}, ham_ops="ZII;IIZ;XII"))
    assert results == {
        "a": {"ZII": -1.0, "IIZ": 1.0, "XII": 0.0},
        "b": {"ZII": 1.0, "IIZ": -1.0, "XII": 0.0},
    }


def test_ham_ops_groups_follow_circuit_ham_map(adapter: AsyncJobBackendAdapter) -> None:
    results = by_label(
        run(
            adapter,
            {"a": X0, "b": X2, "c": X0},
            ham_ops="ZII|IIZ;IZI",
            circuit_ham_map=[[0, 1], [1, 2]],
        )
    )
    # "c" is in no range, so it gets every term.
    assert results == {
        "a": {"ZII": -1.0},
        "b": {"IIZ": -1.0, "IZI": 1.0},
        "c": {"ZII": -1.0, "IIZ": 1.0, "IZI": 1.0},
    }


def test_expectation_values_of_a_parametric_payload(adapter: AsyncJobBackendAdapter) -> None:
    template = HEADER + "qreg q[1];\ncreg c[1];\nry(t) q[0];\nmeasure q -> c;\n"
    rows = (("zero", (0.0,)), ("half", (1.5707963267948966,)), ("pi", (3.141592653589793,)))
    results = by_label(run(adapter, [Payload(template, ("t",), rows)], ham_ops="Z;X"))
    assert results["zero"] == pytest.approx({"Z": 1.0, "X": 0.0}, abs=1e-12)
    assert results["half"] == pytest.approx({"Z": 0.0, "X": 1.0}, abs=1e-12)
    assert results["pi"] == pytest.approx({"Z": -1.0, "X": 0.0}, abs=1e-12)


def test_short_terms_are_padded_onto_the_first_qubits_with_a_warning(
    adapter: AsyncJobBackendAdapter,
) -> None:
    with pytest.warns(UserWarning, match="padded onto its first qubits"):
        handle = adapter.submit_circuits({"a": X0}, ham_ops="Z")
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert adapter.get_job_results(handle).results == [{"label": "a", "results": {"ZII": -1.0}}]


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"ham_ops": "ZA"}, ValueError, "not a Pauli string"),
        ({"ham_ops": ""}, TypeError, "non-empty"),
        ({"ham_ops": "ZZZZ"}, ValueError, "acts on 4 qubits"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, 1], [1, 2]]}, ValueError, "1 '|'"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, 3]]}, ValueError, "out of bounds"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, "1"]]}, TypeError, "lists of ints"),
        ({"circuit_ham_map": [[0, 1]]}, ValueError, "only applies with ham_ops"),
        ({"ham_ops": "ZZ", "shot_groups": [[0, 1, 5]]}, ValueError, "incompatible"),
        ({"shot_groups": [[0, 1, 5]]}, ValueError, r"missing positions \[1\]"),
        ({"shot_groups": [[0, 2, 0]]}, ValueError, "0 shots"),
        ({"shot_groups": [[0, 2, 5], [1, 2, 5]]}, ValueError, "overlaps"),
        ({"shot_groups": [[0, 3, 5]]}, ValueError, "out of bounds"),
        ({"shot_groups": [[0, 2]]}, TypeError, r"\[start, end, shots\]"),
        ({"shots": 5}, TypeError, r"unexpected keyword arguments \['shots'\]"),
        ({"foo": 1, "bar": 2}, TypeError, r"\['bar', 'foo'\]"),
    ],
)
def test_bad_options_are_refused_before_anything_is_queued(
    provider: MyProvider,
    adapter: AsyncJobBackendAdapter,
    options: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        adapter.submit_circuits({"a": BELL, "b": BELL}, **options)
    assert provider.jobs() == []


def test_shot_groups_give_each_circuit_its_groups_shots(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    circuits = {f"c{i}": (X0 if i % 2 else X2) for i in range(5)}
    handle = adapter.submit_circuits(circuits, shot_groups=[[0, 2, 10], [2, 3, 30], [3, 5, 10]])
    assert handle.backend_jobs == 2  # one job per distinct shot count
    assert handle.job_id is not None
    assert len(handle.job_id.split("+")) == 2
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    results = adapter.get_job_results(handle)
    assert results.results is not None
    totals = {entry["label"]: sum(entry["results"].values()) for entry in results.results}
    assert totals == {"c0": 10, "c1": 10, "c2": 30, "c3": 10, "c4": 10}
    assert [entry["label"] for entry in results.results] == list(circuits)
    assert len(provider.jobs(job_tags=[JOB_TAG])) == 2


def test_shot_groups_split_a_payloads_rows(adapter: AsyncJobBackendAdapter) -> None:
    rows = (("a", (0.1, 0.2)), ("b", (0.3, 0.4)), ("c", (0.5, 0.6)))
    results = run(
        adapter,
        [Payload(QAOA_TEMPLATE, ("β[0]", "γ[0]"), rows)],
        shot_groups=[[0, 1, 7], [1, 3, 9]],
    )
    assert {e["label"]: sum(e["results"].values()) for e in results} == {"a": 7, "b": 9, "c": 9}


# -- 4. cancellation before dispatch --------------------------------------------------------


def test_a_set_event_refuses_to_dispatch(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(ExecutionCancelledError, match="before dispatch"):
        adapter.submit_circuits({"bell": BELL}, cancellation_event=event)
    assert provider.jobs() == []


# -- 5./6. handles and polling --------------------------------------------------------------


def test_polling_once_reports_the_state_without_waiting(
    gated_backend: MyBackend, gate: Gate
) -> None:
    adapter = AsyncJobBackendAdapter(gated_backend)
    handle = adapter.submit_circuits({"bell": BELL})
    gate.wait_started()
    assert adapter.poll_job_status(handle) == ExecutionStatus.RUNNING
    gate.open()
    assert adapter.poll_job_status(handle, loop_until_complete=True) == ExecutionStatus.COMPLETED
    assert adapter.poll_job_status(handle, verbose=False) == "COMPLETED"


def test_polling_calls_progress_then_on_complete_once(gated_backend: MyBackend, gate: Gate) -> None:
    adapter = AsyncJobBackendAdapter(gated_backend)
    handle = adapter.submit_circuits({"bell": BELL})
    gate.wait_started()
    progress: list[tuple[int, str]] = []
    completed: list[JobResponse] = []
    timer = threading.Timer(1.2, gate.open)
    timer.start()
    try:
        status = adapter.poll_job_status(
            handle,
            loop_until_complete=True,
            on_complete=completed.append,
            verbose=False,
            progress_callback=lambda attempt, state: progress.append((attempt, state)),
        )
    finally:
        timer.cancel()
    assert status == ExecutionStatus.COMPLETED
    assert len(completed) == 1
    assert (completed[0].status, completed[0].job_id) == (ExecutionStatus.COMPLETED, handle.job_id)
    assert len(progress) >= 2  # at the start, then at least every half second
    assert [attempt for attempt, _ in progress] == list(range(1, len(progress) + 1))
    assert {state for _, state in progress} == {"RUNNING"}


def test_polling_wakes_the_moment_the_job_ends(gated_backend: MyBackend, gate: Gate) -> None:
    adapter = AsyncJobBackendAdapter(gated_backend)
    handle = adapter.submit_circuits({"bell": BELL})
    gate.wait_started()
    opened: list[float] = []

    def release() -> None:
        opened.append(time.monotonic())
        gate.open()

    timer = threading.Timer(0.3, release)
    timer.start()
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    late = time.monotonic() - opened[0]
    assert late < 0.25, f"poll returned {late:.3f} s after the job could end"


def test_callbacks_that_raise_are_logged_not_raised(
    adapter: AsyncJobBackendAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("callback bug")

    handle = adapter.submit_circuits({"bell": BELL})
    status = adapter.poll_job_status(
        handle, loop_until_complete=True, on_complete=boom, progress_callback=boom
    )
    assert status == ExecutionStatus.COMPLETED
    assert "callback bug" in caplog.text


def test_on_complete_must_be_callable(adapter: AsyncJobBackendAdapter) -> None:
    handle = adapter.submit_circuits({"bell": BELL})
    with pytest.raises(TypeError, match="on_complete must be callable"):
        adapter.poll_job_status(handle, True, on_complete=True)  # type: ignore[arg-type]


def test_setting_the_event_while_polling_cancels_a_running_job() -> None:
    with MyProvider(store=":memory:", executor="process") as provider:
        backend = provider.get_backend()
        adapter = AsyncJobBackendAdapter(backend)
        handle = adapter.submit_circuits({"slow": slow_circuit(backend, qubits=21)})
        assert handle.job_id is not None
        job = provider.job(handle.job_id)
        event = threading.Event()
        set_at: list[float] = []

        def cancel_when_running() -> None:
            deadline = time.monotonic() + 60
            while job.status() is not JobStatus.RUNNING and time.monotonic() < deadline:
                time.sleep(0.01)
            set_at.append(time.monotonic())
            event.set()

        canceller = threading.Thread(target=cancel_when_running)
        canceller.start()
        with pytest.raises(ExecutionCancelledError, match="cancelled"):
            adapter.poll_job_status(
                handle, loop_until_complete=True, verbose=False, cancellation_event=event
            )
        noticed = time.monotonic() - set_at[0]
        canceller.join()
        assert job.status() is JobStatus.CANCELLED
        assert "RUNNING" in job.time_per_step()
        assert noticed < 1.0, f"the event was noticed after {noticed:.2f} s"
        assert adapter.cancel_job(handle).status_code == 409


def test_a_failed_job_raises_its_error_when_polled_to_the_end() -> None:
    def fail(task: SimulationTask) -> Result:
        raise SimulationError("Aer said no")

    with MyProvider(store=":memory:", executor=ThreadExecutor(run=fail)) as provider:
        adapter = AsyncJobBackendAdapter(provider.get_backend())
        handle = adapter.submit_circuits({"bell": BELL})
        completed: list[JobResponse] = []
        with pytest.raises(JobFailedError, match="Aer said no") as info:
            adapter.poll_job_status(handle, loop_until_complete=True, on_complete=completed.append)
        assert isinstance(info.value.__cause__, SimulationError)
        assert [c.status for c in completed] == [ExecutionStatus.FAILED]
        assert adapter.poll_job_status(handle) == ExecutionStatus.FAILED
        with pytest.raises(JobFailedError):
            adapter.get_job_results(handle)


# -- 7. results -----------------------------------------------------------------------------


def test_results_are_refused_until_completed(gated_backend: MyBackend, gate: Gate) -> None:
    adapter = AsyncJobBackendAdapter(gated_backend)
    handle = adapter.submit_circuits({"bell": BELL})
    gate.wait_started()
    with pytest.raises(MyJobError, match="RUNNING, not COMPLETED"):
        adapter.get_job_results(handle)
    gate.open()
    adapter.poll_job_status(handle, loop_until_complete=True)
    done = adapter.get_job_results(handle)
    assert done.job_id == handle.job_id
    assert done.run_time > 0
    assert done.results is not None
    assert sum(done.results[0]["results"].values()) == 1024


def test_another_adapter_on_the_same_store_finds_the_job_by_id(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    handle = adapter.submit_circuits({"a": X0, "b": X2}, shot_groups=[[0, 1, 3], [1, 2, 4]])
    adapter.poll_job_status(handle, loop_until_complete=True)
    other = AsyncJobBackendAdapter(provider.get_backend())
    assert handle.job_id is not None
    assert other.poll_job_status(ExecutionResult(job_id=handle.job_id)) == "COMPLETED"
    assert other.get_job_results(handle).results == [
        {"label": "a", "results": {"001": 3}},
        {"label": "b", "results": {"100": 4}},
    ]


@pytest.mark.parametrize("handle", [ExecutionResult(), "not-a-job-id", object()])
def test_a_handle_without_a_job_id_is_refused(
    adapter: AsyncJobBackendAdapter, handle: object
) -> None:
    with pytest.raises(ValueError, match="job"):
        adapter.poll_job_status(handle)


def test_an_unknown_job_id_is_a_lookup_error(adapter: AsyncJobBackendAdapter) -> None:
    with pytest.raises(LookupError):
        adapter.get_job_results(ExecutionResult(job_id="3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"))


def test_a_plain_myjob_is_not_an_adapter_submission(
    backend: MyBackend, adapter: AsyncJobBackendAdapter
) -> None:
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    job = backend.run(qc)
    job.wait_for_final_state(timeout=30, wait=0.1)
    with pytest.raises(ValueError, match="not submitted through"):
        adapter.get_job_results(ExecutionResult(job_id=job.job_id()))


# -- 8. cancelling --------------------------------------------------------------------------


def test_cancel_job_is_idempotent(gated_backend: MyBackend, gate: Gate) -> None:
    adapter = AsyncJobBackendAdapter(gated_backend)
    handle = adapter.submit_circuits({"bell": BELL})
    gate.wait_started()
    first = adapter.cancel_job(handle)
    assert (first.status_code, first.status) == (200, ExecutionStatus.CANCELLED)
    second = adapter.cancel_job(handle)
    assert (second.status_code, second.status) == (409, ExecutionStatus.CANCELLED)
    assert adapter.poll_job_status(handle) == ExecutionStatus.CANCELLED
    with pytest.raises(JobCancelledError, match="cancelled"):
        adapter.poll_job_status(handle, loop_until_complete=True)
    with pytest.raises(JobCancelledError):
        adapter.get_job_results(handle)


def test_cancelling_a_finished_job_never_raises(adapter: AsyncJobBackendAdapter) -> None:
    results = adapter.submit_circuits({"bell": BELL})
    adapter.poll_job_status(results, loop_until_complete=True)
    response = adapter.cancel_job(results)
    assert (response.status_code, response.status) == (409, ExecutionStatus.COMPLETED)
    assert adapter.get_job_results(results).results is not None


# -- 9. ExecutionCancelledError and Divi ----------------------------------------------------


@pytest.fixture
def fake_divi(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Exception]]:
    """Install a stand-in ``divi.exceptions`` module, as if Divi were imported."""

    class DiviExecutionCancelledError(Exception):
        pass

    module = types.ModuleType("divi.exceptions")
    module.ExecutionCancelledError = DiviExecutionCancelledError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "divi", types.ModuleType("divi"))
    monkeypatch.setitem(sys.modules, "divi.exceptions", module)
    async_job._cancelled_error_class.cache_clear()
    yield DiviExecutionCancelledError
    async_job._cancelled_error_class.cache_clear()


def test_the_cancelled_error_is_also_divis_when_divi_is_there(
    adapter: AsyncJobBackendAdapter, fake_divi: type[Exception]
) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(ExecutionCancelledError) as info:
        adapter.submit_circuits({"bell": BELL}, cancellation_event=event)
    assert isinstance(info.value, fake_divi)
    assert isinstance(info.value, MyProviderError)
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, fake_divi)
    assert str(again) == str(info.value)


def test_without_divi_the_cancelled_error_is_ours_alone_and_pickles() -> None:
    async_job._cancelled_error_class.cache_clear()
    error = async_job._new_cancelled_error("stop")
    if "divi" not in sys.modules:
        assert type(error) is ExecutionCancelledError
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, ExecutionCancelledError)
    assert str(again) == "stop"


def test_the_adapter_module_does_not_import_divi() -> None:
    source = async_job.__file__
    assert source is not None
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert "import divi" not in text
    assert "from divi" not in text


def test_statuses_survive_a_round_trip_through_their_values() -> None:
    for status in ExecutionStatus:
        assert ExecutionStatus(str(status)) is status


def test_circuits_from_qasm2_dumps_round_trip(adapter: AsyncJobBackendAdapter) -> None:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    results = run(adapter, {"dumped": qasm2.dumps(qc)}, ham_ops="ZZ")
    assert results == [{"label": "dumped", "results": {"ZZ": 1.0}}]


def test_the_module_docstring_example_runs() -> None:
    import doctest

    failures, tried = doctest.testmod(async_job, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0
