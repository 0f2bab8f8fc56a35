"""MyJob: truthful states, future semantics, prompt waiting, and the IBM-style handle."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus, JobV1
from qiskit.providers.exceptions import JobError

from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
    SimulationError,
)
from qiskit_myprovider.execution import JobExecutor, SimulationTask, TaskHandle, TaskListener

from .conftest import Gate, bell_circuit, slow_circuit


def test_job_is_a_jobv1_and_reaches_done(backend: MyBackend, bell: QuantumCircuit) -> None:
    job = backend.run(bell, shots=10)
    assert isinstance(job, JobV1)
    assert isinstance(job, MyJob)
    assert job.backend() is backend
    job.wait_for_final_state(timeout=60)
    assert job.status() is JobStatus.DONE
    assert job.done()
    assert job.in_final_state()
    assert not job.running()
    assert not job.queued()
    assert not job.cancelled()


def test_states_are_truthful_queued_then_running_then_done(
    gated_backend: MyBackend, gate: Gate
) -> None:
    first = gated_backend.run(bell_circuit(), shots=10)
    waiting = gated_backend.run(bell_circuit(), shots=10)
    last = gated_backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    assert first.status() is JobStatus.RUNNING
    assert first.running()
    assert first.queue_position() is None
    assert waiting.status() is JobStatus.QUEUED
    assert waiting.queued()
    assert waiting.queue_position() == 0
    assert last.queue_position() == 1
    assert "RUNNING" not in waiting.time_per_step()
    gate.open()
    last.result(timeout=60)
    steps = last.time_per_step()
    assert list(steps) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    assert steps["CREATED"] <= steps["QUEUED"] <= steps["RUNNING"] <= steps["DONE"]
    assert all(isinstance(v, datetime) and v.tzinfo is not None for v in steps.values())
    assert first.done()
    assert waiting.done()
    assert last.queue_position() is None


def test_cancel_queued_job(gated_backend: MyBackend, gate: Gate) -> None:
    running = gated_backend.run(bell_circuit(), shots=10)
    queued = gated_backend.run(bell_circuit(), shots=10)
    behind = gated_backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    assert queued.status() is JobStatus.QUEUED
    assert queued.cancel() is True
    assert queued.status() is JobStatus.CANCELLED
    assert behind.queue_position() == 0  # the queue closed up
    assert "RUNNING" not in queued.time_per_step()
    assert "CANCELLED" in queued.time_per_step()
    with pytest.raises(JobCancelledError, match="cancelled"):
        queued.result()
    gate.open()
    assert running.result(timeout=60).success  # the other jobs are untouched
    assert behind.result(timeout=60).success
    assert queued.status() is JobStatus.CANCELLED  # final states never change
    assert queued.cancel() is False


def test_cancel_running_thread_job_discards_its_result(
    gated_backend: MyBackend, gate: Gate
) -> None:
    job = gated_backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    assert job.status() is JobStatus.RUNNING
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    gate.open()
    after = gated_backend.run(bell_circuit(), shots=10)
    assert after.result(timeout=60).success
    assert job.status() is JobStatus.CANCELLED
    assert job.time_per_step().keys() == {"CREATED", "QUEUED", "RUNNING", "CANCELLED"}
    with pytest.raises(JobCancelledError):
        job.result()


def test_cancel_after_done_returns_false(backend: MyBackend, bell: QuantumCircuit) -> None:
    job = backend.run(bell, shots=10)
    job.result()
    assert job.cancel() is False
    assert job.status() is JobStatus.DONE


def test_result_timeout_raises_and_leaves_job_running(gated_backend: MyBackend, gate: Gate) -> None:
    job = gated_backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    with pytest.raises(JobTimeoutError) as info:
        job.result(timeout=0.05)
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value, JobError)
    assert job.job_id() in str(info.value)
    assert job.status() is JobStatus.RUNNING
    gate.open()
    assert job.result(timeout=60).success


def test_wait_for_final_state_returns_promptly_after_completion(backend: MyBackend) -> None:
    # A real Aer job of about a second; wait=5 must not sleep past its end.
    job = backend.run(slow_circuit(backend, qubits=21), shots=10)
    job.wait_for_final_state(wait=5)
    returned = datetime.now().astimezone()
    done_at = job.time_per_step()["DONE"]
    assert (returned - done_at).total_seconds() < 0.5
    # The job really took a while: waiting did not return early.
    assert (done_at - job.time_per_step()["RUNNING"]).total_seconds() > 0.2


def test_wait_for_final_state_calls_callback_at_most_every_wait_seconds(
    gated_backend: MyBackend, gate: Gate
) -> None:
    calls: list[tuple[float, Any, Any, Any]] = []

    def callback(job_id: str, status: JobStatus, job: MyJob) -> None:
        calls.append((time.monotonic(), job_id, status, job))

    job = gated_backend.run(bell_circuit(), shots=10)
    threading.Timer(1.0, gate.open).start()
    job.wait_for_final_state(wait=0.2, callback=callback)
    assert job.in_final_state()
    *waiting, last = calls
    assert 3 <= len(waiting) <= 7  # about 1 s of waiting at 0.2 s per call
    for _, job_id, status, passed in waiting:
        assert job_id == job.job_id()
        assert status in (JobStatus.QUEUED, JobStatus.RUNNING)
        assert passed is job
    # One more call as the wait returns, with the final status (a display's last frame).
    assert last[1:] == (job.job_id(), JobStatus.DONE, job)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(waiting)]
    assert min(gaps) >= 0.19


def test_callback_exceptions_are_logged_not_raised(
    backend: MyBackend, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("callback bug")

    job = backend.run(slow_circuit(backend), shots=10)
    job.wait_for_final_state(wait=0.1, callback=broken)
    assert job.done()
    assert "callback" in caplog.text


def test_wait_for_final_state_timeout(gated_backend: MyBackend, gate: Gate) -> None:
    job = gated_backend.run(bell_circuit(), shots=10)
    with pytest.raises(JobTimeoutError):
        job.wait_for_final_state(timeout=0.1, wait=0.05)
    assert not job.in_final_state()
    gate.open()
    job.wait_for_final_state(timeout=60)
    assert job.done()


def test_wait_rejects_non_positive_wait(backend: MyBackend, bell: QuantumCircuit) -> None:
    job = backend.run(bell, shots=10)
    with pytest.raises(InvalidInputError, match="wait"):
        job.wait_for_final_state(wait=0)


def test_several_threads_can_wait_on_one_job(backend: MyBackend) -> None:
    job = backend.run(slow_circuit(backend), shots=10)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(job.result(timeout=120).success))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(130)
    assert results == [True] * 4


def test_aer_failure_for_an_instruction_the_method_cannot_simulate(provider: MyProvider) -> None:
    backend = provider.get_backend("myprovider_stabilizer")
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.t(0)  # not a Clifford gate
    qc.measure_all()
    job = backend.run(qc, shots=10)
    job.wait_for_final_state(timeout=60)
    assert job.status() is JobStatus.ERROR
    message = job.error_message()
    assert message is not None
    assert "invalid instructions" in message
    assert "stabilizer" in message
    with pytest.raises(JobFailedError) as info:
        job.result()
    assert isinstance(info.value, JobError)
    assert isinstance(info.value.__cause__, SimulationError)
    assert "invalid instructions" in str(info.value.__cause__)
    assert job.time_per_step().keys() == {"CREATED", "QUEUED", "RUNNING", "ERROR"}


def test_aer_failure_for_a_state_too_large_for_memory(backend: MyBackend) -> None:
    qc = QuantumCircuit(24)
    qc.h(range(24))
    qc.measure_all()
    job = backend.run(qc, shots=10, max_memory_mb=1, method="statevector")
    with pytest.raises(JobFailedError) as info:
        job.result(timeout=60)
    assert job.status() is JobStatus.ERROR
    assert "Insufficient memory" in (job.error_message() or "")
    assert isinstance(info.value.__cause__, SimulationError)
    # The backend is fine afterwards.
    assert backend.run(bell_circuit(), shots=10).result().success


def test_job_handle_names_tags_header_circuits_options(backend: MyBackend) -> None:
    bell = bell_circuit()
    job = backend.run(
        bell, shots=20, job_name="bell-run", job_tags=["nightly", "bell"], header={"user": "ada"}
    )
    job.result()
    assert job.name() == "bell-run"
    assert job.tags() == ["nightly", "bell"]
    assert job.header() == {"user": "ada"}
    assert job.circuits() == [bell]
    assert job.backend_options()["shots"] == 20
    assert job.error_message() is None
    assert job.creation_date() == job.time_per_step()["CREATED"]
    assert job.update_name("renamed") == "renamed"
    assert job.update_tags(["x"]) == ["x"]
    job.refresh()
    assert job.name() == "renamed"
    assert job.tags() == ["x"]
    assert "renamed" in repr(job)
    assert "DONE" in repr(job)


def test_job_without_name_has_none(backend: MyBackend, bell: QuantumCircuit) -> None:
    job = backend.run(bell, shots=5)
    assert job.name() is None
    assert job.tags() == []
    assert job.header() == {}


def test_submit_twice_is_refused(backend: MyBackend, bell: QuantumCircuit) -> None:
    job = backend.run(bell, shots=5)
    with pytest.raises(JobError, match="already been submitted"):
        job.submit()


# -- progress ------------------------------------------------------------------------------


class _Reporting(JobExecutor):
    """Starts each task at once and hands the test its listener to report through."""

    def __init__(self) -> None:
        self.listener: Any = None

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        self.listener = listener
        assert listener.task_started()
        return _NoHandle()

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        pass


class _NoHandle(TaskHandle):
    def cancel(self) -> bool:
        return True

    def queue_position(self) -> int | None:
        return None


def test_a_whole_job_reports_zero_of_one_until_done_then_one_of_one(
    gated_backend: MyBackend, gate: Gate
) -> None:
    job = gated_backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    running = job.progress()
    assert running is not None
    assert (running.done, running.total, running.unit) == (0, 1, "circuits")
    assert running.expected is None  # no sound calibration for a job nobody reports on
    gate.open()
    job.result(timeout=30)
    done = job.progress()
    assert done is not None
    assert (done.done, done.total) == (1, 1)
    assert done.expected == done.elapsed
    assert done.elapsed > 0


def test_reports_of_parts_done_calibrate_the_expected_time() -> None:
    executor = _Reporting()
    with MyProvider(store=":memory:", executor=executor) as provider:
        job = provider.get_backend().run([bell_circuit()] * 4, shots=10)
        executor.listener.task_progress(0, 4, 0.0)
        first = job.progress()
        assert first is not None
        assert (first.done, first.total, first.unit, first.expected) == (0, 4, "circuits", None)
        time.sleep(0.05)
        executor.listener.task_progress(1, 4, 0.25)
        after = job.progress()
        assert after is not None
        assert (after.done, after.total) == (1, 4)
        assert after.expected is not None
        assert after.expected == pytest.approx(4 * after.elapsed, rel=0.5)
        assert after.expected >= 4 * 0.05
        job.cancel()


def test_a_job_with_parameter_sets_counts_them() -> None:
    from qiskit.circuit import Parameter

    theta = Parameter("t")
    qc = QuantumCircuit(1)
    qc.rx(theta, 0)
    qc.measure_all()
    executor = _Reporting()
    with MyProvider(store=":memory:", executor=executor) as provider:
        job = provider.get_backend().run(qc, shots=10, parameter_binds=[{theta: [0.1, 0.2, 0.3]}])
        executor.listener.task_progress(2, 3, 0.66)
        progress = job.progress()
        assert progress is not None
        assert progress.unit == "parameter sets"
        job.cancel()


def test_a_job_another_process_runs_has_no_progress(backend: MyBackend) -> None:
    job = backend.run(bell_circuit(), shots=10)
    job.result(timeout=30)
    stored = MyJob(backend, backend.engine.store.get(job.job_id()), backend.engine)
    assert stored.progress() is None
