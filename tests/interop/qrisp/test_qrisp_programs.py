"""Real Qrisp programs with known answers, on our backends, through both of Qrisp's routes.

- ``qrisp.interface.QiskitBackend(backend=<our MyBackend>)``: Qrisp's wrapper for any Qiskit
  backend, which transpiles for our target and calls ``MyBackend.run``.
- ``JobContractBackend``: our backend speaking Qrisp's ``Backend`` contract natively.

Arithmetic (3 * 3) and phase estimation are exact; Grover's search is checked for the most
likely outcome; an expectation value against its analytic value.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from qrisp import (
    QPE,
    QuantumCircuit,
    QuantumFloat,
    QuantumVariable,
    multi_measurement,
    p,
    ry,
    x,
)
from qrisp.grover import grovers_alg, tag_state
from qrisp.interface import BackendLike, BatchedBackend, QiskitBackend
from qrisp.interface import JobStatus as QrispJobStatus
from qrisp.operators import X, Z

from qiskit_myprovider import MyJob, MyProvider
from qiskit_myprovider.adapters import JobContractBackend, JobStatus
from qiskit_myprovider.adapters.job_contract import ContractJob

ROUTES = ["QiskitBackend(MyBackend)", "JobContractBackend"]


@pytest.fixture(params=ROUTES)
def backend(request: pytest.FixtureRequest, provider: MyProvider) -> Any:
    if request.param == "QiskitBackend(MyBackend)":
        return QiskitBackend(backend=provider.get_backend())
    return JobContractBackend(provider.get_backend())


def square_of_three() -> QuantumFloat:
    a = QuantumFloat(3)
    a[:] = 3
    return a * a


def test_quantum_float_3_times_3_through_qiskit_backend_on_my_backend() -> None:
    """``QiskitBackend(backend=MyProvider().get_backend())`` computes 3 * 3 exactly."""
    with MyProvider(store=":memory:") as provider:
        qrisp_backend = QiskitBackend(backend=provider.get_backend())
        assert square_of_three().get_measurement(backend=qrisp_backend) == {9: 1.0}
        # The job went through our engine and store.
        (job,) = provider.jobs(limit=None)
        assert isinstance(job, MyJob)
        assert job.status().name == "DONE"


def test_quantum_float_3_times_3_through_job_contract_backend() -> None:
    """``qv.get_measurement(backend=JobContractBackend())`` computes 3 * 3 exactly."""
    assert square_of_three().get_measurement(backend=JobContractBackend()) == {9: 1.0}


def test_phase_estimation_is_exact(backend: Any) -> None:
    """QPE of P(2π·0.375) on its eigenstate |1> with 3 bits gives 0.375 with certainty."""
    psi = QuantumVariable(1)
    x(psi)

    def unitary(qv: QuantumVariable) -> None:
        p(2 * np.pi * 0.375, qv[0])

    phase = QPE(psi, unitary, precision=3)
    assert phase.get_measurement(backend=backend) == {0.375: 1.0}


def test_grover_finds_the_tagged_pair(backend: Any) -> None:
    """Grover's search over two signed 2-bit floats finds (-3, 2) (via multi_measurement)."""

    def oracle(qfs: list[QuantumFloat]) -> None:
        tag_state({qfs[0]: -3, qfs[1]: 2})

    qfs = [QuantumFloat(2, signed=True), QuantumFloat(2, signed=True)]
    grovers_alg(qfs, oracle)
    outcomes = multi_measurement(qfs, backend=backend)
    best = max(outcomes, key=outcomes.__getitem__)
    assert best == (-3, 2)
    assert outcomes[best] > 0.9


def test_expectation_value_matches_the_analytic_value(provider: MyProvider) -> None:
    """<X0 Z1 + Z0 X1 + X0> on RY(π/2)⊗RY(π/2)|00> = 1, from several measured circuits."""
    backend = JobContractBackend(provider.get_backend(), shots=20_000)
    backend.update_options(seed_simulator=5)

    def state_prep(theta: float) -> QuantumFloat:
        qv = QuantumFloat(2)
        ry(theta, qv)
        return qv

    hamiltonian = X(0) * Z(1) + Z(0) * X(1) + X(0)
    value = hamiltonian.expectation_value(state_prep, backend=backend)(np.pi / 2)
    assert value == pytest.approx(1.0, abs=0.05)


def test_job_contract_backend_is_backend_like(provider: MyProvider) -> None:
    assert isinstance(JobContractBackend(provider.get_backend()), BackendLike)


def qrisp_basis(bits: str) -> QuantumCircuit:
    qc = QuantumCircuit(len(bits), len(bits))
    for index, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(index)
    for index in range(len(bits)):
        qc.measure(index, index)
    return qc


def test_batched_backend_dispatches_per_circuit_shots_natively(provider: MyProvider) -> None:
    """Qrisp's BatchedBackend sends a shots list; ours runs it without the max(shots) warning."""
    batched = BatchedBackend(JobContractBackend(provider.get_backend()))
    first = batched.run(qrisp_basis("01"), shots=10)
    second = batched.run(qrisp_basis("10"), shots=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batched.dispatch(timeout=60)
    assert first == {"01": 10}
    assert second == {"10": 30}


def test_qiskit_backend_warns_and_uses_max_shots_where_ours_does_not(
    provider: MyProvider,
) -> None:
    """The difference the docs page states: QiskitBackend falls back to max(shots)."""
    circuits = [qrisp_basis("0"), qrisp_basis("1")]
    with pytest.warns(UserWarning, match="max\\(shots\\)=7"):
        theirs = QiskitBackend(backend=provider.get_backend()).run_async(circuits, [3, 7])
    assert [sum(c.values()) for c in theirs.result(timeout=60).all_counts] == [7, 7]
    ours = JobContractBackend(provider.get_backend()).run_async(circuits, [3, 7])
    assert [sum(c.values()) for c in ours.result(timeout=60).all_counts] == [3, 7]


def test_run_async_with_compiled_qrisp_circuits(provider: MyProvider) -> None:
    """A circuit compiled from a Qrisp session (composite gates, allocation ops) runs as is."""
    product = square_of_three()
    qc = product.qs.compile()
    qc.measure(product.reg)  # the product's qubits, into new classical bits 0..5
    backend = JobContractBackend(provider.get_backend())
    job = backend.run_async(qc, 50)
    assert isinstance(job, ContractJob)
    counts = job.result(timeout=60).get_counts()
    assert job.status() is JobStatus.DONE
    assert counts == {"001001": 50}  # 9, with qubit 0 of the product as the rightmost bit
    # What ran is recorded in the store: the Qiskit translation, for Aer's gates.
    (ran,) = provider.job(job.job_id).circuits()
    assert set(ran.count_ops()) <= backend.gate_set | {"barrier"}


def test_cancel_through_qiskit_backend_reaches_our_job(provider: MyProvider) -> None:
    """QiskitBackend's job cancels the MyJob underneath (QUEUED or RUNNING -> CANCELLED)."""
    qc = QuantumCircuit(20)
    for layer in range(30):
        for qubit in range(20):
            qc.ry(0.1 * (layer + qubit + 1), qubit)
        for qubit in range(0, 19, 2 if layer % 2 else 1):
            qc.cx(qubit, qubit + 1)
    qc.measure(list(range(20)))
    job = QiskitBackend(backend=provider.get_backend()).run_async(qc, 10)
    assert job.cancel() is True
    assert job.status() == QrispJobStatus.CANCELLED
    assert provider.job(job.job_id).status().name == "CANCELLED"
