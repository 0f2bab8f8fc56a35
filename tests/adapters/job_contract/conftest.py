"""Fixtures of the Job-contract tests: one engine per module, and the contract under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.adapters import (
    Job,
    JobCancelledError,
    JobContractBackend,
    JobFailureError,
    JobResult,
    JobStatus,
)
from tests.adapters.helpers import basis_circuit, failing_circuit
from tests.contract.job_contract_suite import ContractUnderTest


class LimitedBackend(JobContractBackend):
    """A JobContractBackend that takes at most ``limit`` circuits per job."""

    def __init__(self, backend: MyBackend, limit: int) -> None:
        super().__init__(backend)
        self._limit = limit

    @property
    def max_circuits(self) -> int | None:
        return self._limit


@pytest.fixture(scope="module")
def engine() -> Iterator[MyProvider]:
    """One provider for the module: its warm worker processes run the slow circuits."""
    with MyProvider(store=":memory:", executor="auto") as provider:
        yield provider


@pytest.fixture(scope="module")
def slow(engine: MyProvider) -> QuantumCircuit:
    """A real 22-qubit statevector simulation of a few seconds (runs in a worker process)."""
    backend = engine.get_backend()
    qc = quantum_volume(22, 10, seed=5)
    qc.measure_all()
    return transpile(qc, backend, optimization_level=0)


@pytest.fixture
def contract(engine: MyProvider, slow: QuantumCircuit) -> ContractUnderTest:
    backend = engine.get_backend()
    return ContractUnderTest(
        name="JobContractBackend",
        backend=JobContractBackend(backend),
        job_class=Job,
        status_enum=JobStatus,
        result_class=JobResult,
        failure_error=JobFailureError,
        cancelled_error=JobCancelledError,
        circuit=basis_circuit,
        failing_circuit=failing_circuit,
        limited_backend=lambda limit: LimitedBackend(backend, limit),
        slow_circuit=lambda: slow,
        retrieves_jobs=True,
    )
