"""ContractJob (``job_contract/job.py``): one contract job over one or more MyJobs.

The combined state follows the one rule of ``adapters/job_group.py`` (tested there on its
own, and in ``tests/adapters/async_job/test_adapter.py`` on the other adapter): a part in
ERROR makes the job ERROR whatever happened to the other parts, and the error is the
first failed part's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import quantum_volume
from qiskit.providers import JobStatus as QiskitJobStatus

from qiskit_myprovider import MyBackend, MyProvider, exceptions
from qiskit_myprovider.adapters import (
    JobCancelledError,
    JobContractBackend,
    JobFailureError,
    JobStatus,
)
from tests.adapters.helpers import (
    WORKER_PATIENCE,
    basis_circuit,
    failing_circuit,
    other_failing_circuit,
)
from tests.conftest import Gate
from tests.contract.job_contract_suite import ContractUnderTest
from tests.support import PATIENCE, PROMPT, wait_until

#: How long a failed job's other, slow part may take to be stopped.
STOP_PATIENCE: Final = 10.0
#: A wait that must run out: the job is held at its start meanwhile.
SHORT_WAIT: Final = 0.05


def test_a_failing_part_fails_the_whole_job_and_stops_the_rest(
    engine: MyProvider, slow: QuantumCircuit
) -> None:
    backend = JobContractBackend(engine.get_backend())
    job = backend.run_async([slow, failing_circuit()], [10, 20])
    with pytest.raises(JobFailureError, match="Duplicate key") as info:
        job.result(timeout=WORKER_PATIENCE)
    assert isinstance(info.value.__cause__, exceptions.SimulationError)
    assert job.status() is JobStatus.ERROR
    wait_until(
        lambda: job.jobs[0].in_final_state(),
        what="the slow part to be stopped",
        timeout=STOP_PATIENCE,
    )
    assert job.jobs[0].status() in (QiskitJobStatus.CANCELLED, QiskitJobStatus.DONE)


def test_cancel_of_a_multi_part_job_cancels_every_part(
    gated_backend: MyBackend, gate: Gate
) -> None:
    backend = JobContractBackend(gated_backend)
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [3, 4])
    gate.wait_started()
    assert job.status() is JobStatus.RUNNING
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    assert [part.status() for part in job.jobs] == [QiskitJobStatus.CANCELLED] * 2
    with pytest.raises(JobCancelledError):
        job.result(timeout=0)


def test_queued_then_running_then_done(gated_backend: MyBackend, gate: Gate) -> None:
    backend = JobContractBackend(gated_backend)
    first = backend.run_async(basis_circuit("1"), 5)
    second = backend.run_async(basis_circuit("1"), 5)
    gate.wait_started()
    assert first.status() is JobStatus.RUNNING
    assert second.status() is JobStatus.QUEUED
    assert second.queued()
    assert repr(second) == f"ContractJob(job_id='{second.job_id}', status=QUEUED)"
    with pytest.raises(TimeoutError):
        second.result(timeout=SHORT_WAIT)
    gate.open()
    assert second.result(timeout=PATIENCE).get_counts() == {"1": 5}
    assert first.status() is JobStatus.DONE


def test_a_multi_part_job_is_queued_while_every_part_waits(
    gated_backend: MyBackend, gate: Gate
) -> None:
    """The rule's last clause: QUEUED while no part runs or has finished."""
    backend = JobContractBackend(gated_backend)
    blocker = backend.run_async(basis_circuit("1"), 1)  # holds the executor's one thread
    gate.wait_started()
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [3, 4])
    assert job.status() is JobStatus.QUEUED
    gate.open()
    blocker.result(timeout=PATIENCE)
    job.result(timeout=PATIENCE)
    assert job.status() is JobStatus.DONE


@pytest.mark.parametrize(("timeout", "error"), [(-1, ValueError), ("soon", TypeError)])
def test_result_refuses_a_bad_timeout(
    contract: ContractUnderTest, timeout: object, error: type[Exception]
) -> None:
    job = contract.backend.run_async(basis_circuit("1"), 5)
    with pytest.raises(error):
        job.result(timeout=timeout)  # type: ignore[arg-type]


# -- the ERROR-vs-CANCELLED rule ------------------------------------------------------------


def test_a_part_cancelled_before_another_failed_makes_the_job_error(
    gated_backend: MyBackend, gate: Gate
) -> None:
    """Part 0 is cancelled first, part 1 fails later: the job is ERROR, not CANCELLED."""
    backend = JobContractBackend(gated_backend)
    job = backend.run_async([basis_circuit("1"), failing_circuit()], [3, 4])
    gate.wait_started()  # part 0 holds the executor, part 1 waits behind it
    first, second = job.jobs
    assert first.cancel() is True  # directly, so the contract job does not stop part 1
    gate.open()
    wait_until(second.in_final_state, what="part 1 to fail", timeout=PATIENCE)
    assert [first.status(), second.status()] == [QiskitJobStatus.CANCELLED, QiskitJobStatus.ERROR]
    assert first.time_per_step()["CANCELLED"] < second.time_per_step()["ERROR"]
    assert job.status() is JobStatus.ERROR
    with pytest.raises(JobFailureError, match="Duplicate key") as info:
        job.result(timeout=0)
    assert isinstance(info.value.__cause__, exceptions.SimulationError)


def test_a_part_failed_before_another_was_cancelled_makes_the_job_error(
    gated_backend: MyBackend, gate: Gate
) -> None:
    """Part 0 fails first, part 1 is cancelled later: the job is ERROR."""
    backend = JobContractBackend(gated_backend)
    job = backend.run_async([failing_circuit(), basis_circuit("1"), basis_circuit("0")], [3, 4, 5])
    first, second, third = job.jobs
    gate.wait_started()  # part 0 holds the executor
    gate.open()
    wait_until(first.in_final_state, what="part 0 to fail", timeout=PATIENCE)
    # Parts 1 and 2 may have started meanwhile; cancel whichever has not ended.
    second.cancel()
    third.cancel()
    assert first.status() is QiskitJobStatus.ERROR
    assert job.status() is JobStatus.ERROR
    with pytest.raises(JobFailureError, match="Duplicate key") as info:
        job.result(timeout=0)
    assert isinstance(info.value.__cause__, exceptions.SimulationError)


@pytest.mark.parametrize(
    ("circuits", "first_error"),
    [
        ((failing_circuit, other_failing_circuit), "Duplicate key"),
        ((other_failing_circuit, failing_circuit), "not applied to all qubits"),
    ],
)
def test_the_error_is_the_first_failed_parts(
    gated_backend: MyBackend,
    gate: Gate,
    circuits: tuple[Callable[[], QuantumCircuit], ...],
    first_error: str,
) -> None:
    """Two parts fail: the job's error is the first part's, in the order submitted."""
    backend = JobContractBackend(gated_backend)
    job = backend.run_async([make() for make in circuits], [3, 4])
    gate.open()
    wait_until(lambda: all(part.in_final_state() for part in job.jobs), what="both parts")
    assert [part.status() for part in job.jobs] == [QiskitJobStatus.ERROR] * 2
    with pytest.raises(JobFailureError, match=first_error) as info:
        job.result(timeout=0)
    assert isinstance(info.value.__cause__, exceptions.SimulationError)
    assert first_error in str(info.value.__cause__)


@pytest.mark.slow
def test_cancel_of_a_running_job_in_a_worker_process_stops_it() -> None:
    with MyProvider(store=":memory:", executor="process") as provider:
        backend = JobContractBackend(provider.get_backend())
        qc = quantum_volume(22, 10, seed=9)
        qc.measure_all()
        job = backend.run_async(qc, 10)
        wait_until(
            lambda: job.status() is JobStatus.RUNNING,
            what="the job to start",
            timeout=WORKER_PATIENCE,
        )
        start = time.monotonic()
        assert job.cancel() is True
        assert job.status() is JobStatus.CANCELLED
        with pytest.raises(JobCancelledError):
            job.result(timeout=PROMPT)
        assert time.monotonic() - start < PROMPT
        # The worker was replaced: the next job runs at once.
        assert backend.run(basis_circuit("1"), 3) == {"1": 3}
