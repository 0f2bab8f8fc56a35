"""The Job contract suite on Qrisp's reference backend, and on ours with Qrisp's circuits.

Run against ``QrispSimulatorBackend`` (the implementation Qrisp's documentation names as
the reference) with Qrisp's own ``Job``, ``JobStatus``, ``JobResult`` and errors, the suite
passes wherever a clause can apply to a synchronous backend: the tests encode Qrisp's
contract, not our reading of it. The clauses that cannot apply are listed with the reason,
and a test checks that each reason holds. The same suite then runs on
``JobContractBackend`` fed with real Qrisp circuits, every clause applying.
"""

from __future__ import annotations

import time

import pytest
from qiskit import QuantumCircuit as QiskitCircuit
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qrisp import QuantumCircuit
from qrisp.circuit import Operation
from qrisp.interface import (
    Job,
    JobCancelledError,
    JobFailureError,
    JobResult,
    JobStatus,
    QrispSimulatorBackend,
)

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider import adapters as ours
from tests.contract.job_contract_suite import ContractUnderTest, JobContractSuite

#: What cannot apply to a synchronous backend whose jobs are final before run_async returns.
REFERENCE_NOT_APPLICABLE = {
    "C1-async": (
        "QrispSimulatorBackend simulates inside run_async: its job is DONE before "
        "run_async returns, so there is no unfinished job to look at"
    ),
    "C6": "result() of a synchronous job never waits, so it cannot time out",
    "C8": "QrispSimulatorJob.cancel() always returns False: no job of it is ever CANCELLED",
    "C9-running": "no job of a synchronous backend is running when the caller gets it",
    "C14-run_async": (
        "the contract makes validating shots in run_async optional (Backend._validate_shots: "
        "'and optionally inside run_async'); QrispSimulatorBackend validates them in run()"
    ),
}


def qrisp_basis(bits: str) -> QuantumCircuit:
    """A Qrisp circuit preparing ``bits`` (rightmost = qubit 0), qubit i measured into clbit i."""
    qc = QuantumCircuit(len(bits), len(bits))
    for index, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(index)
    for index in range(len(bits)):
        qc.measure(index, index)
    return qc


def qrisp_failing() -> QuantumCircuit:
    """A Qrisp circuit its simulator cannot run: an operation with no unitary."""
    qc = QuantumCircuit(1, 1)
    qc.append(Operation("mystery", num_qubits=1), [qc.qubits[0]])
    qc.measure(0, 0)
    return qc


def qiskit_failing() -> QiskitCircuit:
    """A circuit Aer accepts but fails to simulate: two save instructions with one label."""
    qc = QiskitCircuit(2, 2)
    qc.h(0)
    qc.save_statevector(label="state")
    qc.save_statevector(label="state")
    qc.measure([0, 1], [0, 1])
    return qc


class LimitedReference(QrispSimulatorBackend):
    """Qrisp's reference backend with a per-job circuit limit."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    @property
    def max_circuits(self) -> int | None:
        return self._limit


class LimitedContractBackend(ours.JobContractBackend):
    """Our contract backend with a per-job circuit limit."""

    def __init__(self, backend: MyBackend, limit: int) -> None:
        super().__init__(backend)
        self._limit = limit

    @property
    def max_circuits(self) -> int | None:
        return self._limit


def reference_contract() -> ContractUnderTest:
    return ContractUnderTest(
        name="QrispSimulatorBackend",
        backend=QrispSimulatorBackend(),
        job_class=Job,
        status_enum=JobStatus,
        result_class=JobResult,
        failure_error=JobFailureError,
        cancelled_error=JobCancelledError,
        circuit=qrisp_basis,
        failing_circuit=qrisp_failing,
        limited_backend=LimitedReference,
        retrieves_jobs=False,
        not_applicable=REFERENCE_NOT_APPLICABLE,
    )


@pytest.fixture(scope="module")
def slow(provider: MyProvider) -> QiskitCircuit:
    qc = quantum_volume(22, 10, seed=5)
    qc.measure_all()
    return transpile(qc, provider.get_backend(), optimization_level=0)


def ours_contract(provider: MyProvider, slow: QiskitCircuit) -> ContractUnderTest:
    backend = provider.get_backend()
    return ContractUnderTest(
        name="JobContractBackend (Qrisp circuits)",
        backend=ours.JobContractBackend(backend),
        job_class=ours.Job,
        status_enum=ours.JobStatus,
        result_class=ours.JobResult,
        failure_error=ours.JobFailureError,
        cancelled_error=ours.JobCancelledError,
        circuit=qrisp_basis,
        failing_circuit=qiskit_failing,
        limited_backend=lambda limit: LimitedContractBackend(backend, limit),
        slow_circuit=lambda: slow,
        retrieves_jobs=True,
    )


@pytest.fixture(params=["qrisp-reference", "job-contract-backend"])
def contract(request: pytest.FixtureRequest) -> ContractUnderTest:
    if request.param == "qrisp-reference":
        return reference_contract()
    return ours_contract(request.getfixturevalue("provider"), request.getfixturevalue("slow"))


class TestJobContract(JobContractSuite):
    """Every clause of the Job contract, on Qrisp's reference backend and on ours."""


def test_the_reference_backend_is_what_the_not_applicable_reasons_say() -> None:
    """Each clause left out for the reference backend is left out for the reason given."""
    contract = reference_contract()
    backend = contract.backend
    job = backend.run_async(qrisp_basis("1"), 5)
    assert job.last_known_status == JobStatus.DONE  # C1-async, C6, C9-running: synchronous
    start = time.monotonic()
    assert job.result(timeout=0).get_counts() == {"1": 5}
    assert time.monotonic() - start < 0.5
    assert job.cancel() is False  # C8: never cancelled
    bad = backend.run_async(qrisp_basis("1"), -1)  # C14-run_async: not refused up front ...
    assert bad.status() == JobStatus.ERROR  # ... the job fails instead
    with pytest.raises(ValueError, match="'shots' must be a positive integer"):
        backend.run(qrisp_basis("1"), -1)


def test_our_contract_types_mirror_qrisps() -> None:
    """Same names, same status values, same error bases, same abstract methods."""
    assert [(s.name, s.value) for s in ours.JobStatus] == [(s.name, s.value) for s in JobStatus]
    assert ours.JobStatus.final_states() == tuple(
        ours.JobStatus(s.value) for s in JobStatus.final_states()
    )
    for mine, theirs in [
        (ours.JobFailureError, JobFailureError),
        (ours.JobCancelledError, JobCancelledError),
    ]:
        assert mine.__name__ == theirs.__name__
        assert issubclass(mine, RuntimeError)
        assert issubclass(theirs, RuntimeError)
    assert ours.Job.__abstractmethods__ == Job.__abstractmethods__
    public = {name for name in dir(Job) if not name.startswith("__")}
    assert public <= set(dir(ours.Job))
    result_api = {name for name in dir(JobResult) if not name.startswith("__")}
    assert result_api <= set(dir(ours.JobResult)) | {"_counts"}


def test_our_status_compares_equal_to_qrisps() -> None:
    """Both are str enums of the same values, so code comparing to Qrisp's statuses works."""
    for theirs in JobStatus:
        assert ours.JobStatus(theirs.value) == theirs


def test_job_contract_backend_is_a_qrisp_backend_like(provider: MyProvider) -> None:
    from qrisp.interface import BackendLike

    assert isinstance(ours.JobContractBackend(provider.get_backend()), BackendLike)
