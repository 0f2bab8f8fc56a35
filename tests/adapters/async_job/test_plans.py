# ruff: noqa: RUF001  (the Greek placeholders of Divi's payloads are the point)
"""Job planning (``async_job/plans.py``): which MyJobs a submission becomes.

A parametric payload is one circuit bound inside Aer; bound circuits of one shape are merged
into one parametric circuit; gates Aer binds wrongly are bound here; one job per distinct
shot count.
"""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter
from qiskit_myprovider.adapters.async_job import JOB_TAG
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
