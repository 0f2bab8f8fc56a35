"""AsyncJobBackendAdapter (``async_job/adapter.py``): protocol, polling, results, cancelling.

Clauses 1, 4-8 and 10 of the design contract: the members Divi reads, a set event that
refuses to dispatch, polling that wakes the moment the jobs end, results in submission
order, idempotent cancelling, and several jobs as one (all-or-nothing submission, and the
ERROR-vs-CANCELLED rule of ``adapters/job_group.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, Final

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus
from qiskit.result import Result

import qiskit_myprovider.adapters
from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.adapters import (
    AsyncJobBackendAdapter,
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
    async_job,
)
from qiskit_myprovider.adapters.async_job import JobResponse
from qiskit_myprovider.exceptions import (
    JobCancelledError,
    JobFailedError,
    MyJobError,
    SimulationError,
)
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor
from qiskit_myprovider.validation import MAX_SEED
from tests.adapters.async_job.helpers import BELL, X0, X2
from tests.adapters.helpers import failing_circuit, other_failing_circuit
from tests.conftest import Gate, slow_circuit
from tests.support import PATIENCE, POLL_STEP, wait_until

#: How long the gate holds the job while polling: over two progress intervals (0.5 s each).
GATE_HELD: Final = 1.2
#: When the job is let go in the wake-up test.
RELEASE_AFTER: Final = 0.3
#: How late the poll may return after the job could end (it waits on the job, no sleeps).
WAKE_LATENESS: Final = 0.25
#: How long a set cancellation event may go unnoticed (the adapter promises 50 ms).
EVENT_NOTICED: Final = 1.0


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
    with pytest.raises(ValueError, match=r"between 0 and 2\*\*63 - 1"):
        adapter.set_seed(-1)
    with pytest.raises(ValueError, match=r"seed must be between 0 and 2\*\*63 - 1"):
        adapter.set_seed(MAX_SEED + 1)
    adapter.set_seed(MAX_SEED)


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


def test_a_set_event_refuses_to_dispatch(
    provider: MyProvider, adapter: AsyncJobBackendAdapter
) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(ExecutionCancelledError, match="before dispatch"):
        adapter.submit_circuits({"bell": BELL}, cancellation_event=event)
    assert provider.jobs() == []


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
    timer = threading.Timer(GATE_HELD, gate.open)
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

    timer = threading.Timer(RELEASE_AFTER, release)
    timer.start()
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    late = time.monotonic() - opened[0]
    assert late < WAKE_LATENESS, f"poll returned {late:.3f} s after the job could end"


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
            wait_until(lambda: job.status() is JobStatus.RUNNING, what="the job to start")
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
        assert noticed < EVENT_NOTICED, f"the event was noticed after {noticed:.2f} s"
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
    job.wait_for_final_state(timeout=PATIENCE, wait=POLL_STEP)
    with pytest.raises(ValueError, match="not submitted through"):
        adapter.get_job_results(ExecutionResult(job_id=job.job_id()))


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


def test_the_module_docstring_example_runs() -> None:
    import doctest

    failures, tried = doctest.testmod(async_job, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0


# -- 10. several jobs as one ----------------------------------------------------------------


def parts_of(provider: MyProvider, handle: ExecutionResult) -> list[MyJob]:
    """The MyJobs of a submission, in order (live: the provider returns its own objects)."""
    assert handle.job_id is not None
    return [provider.job(part) for part in handle.job_id.split(async_job.ID_SEPARATOR)]


@pytest.fixture
def gated_provider(gate: Gate) -> Iterator[MyProvider]:
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=gate.run)) as provider:
        yield provider


def test_a_job_cancelled_before_another_failed_makes_the_submission_failed(
    gated_provider: MyProvider, gate: Gate
) -> None:
    """Job 0 is cancelled first, job 1 fails later: FAILED, with job 1's error."""
    adapter = AsyncJobBackendAdapter(gated_provider.get_backend())
    handle = adapter.submit_circuits(
        {"good": BELL, "bad": failing_circuit()}, shot_groups=[[0, 1, 10], [1, 2, 20]]
    )
    gate.wait_started()  # job 0 holds the executor, job 1 waits behind it
    first, second = parts_of(gated_provider, handle)
    assert first.cancel() is True
    gate.open()
    wait_until(second.in_final_state, what="job 1 to fail", timeout=PATIENCE)
    assert [first.status(), second.status()] == [JobStatus.CANCELLED, JobStatus.ERROR]
    assert first.time_per_step()["CANCELLED"] < second.time_per_step()["ERROR"]
    assert adapter.poll_job_status(handle, verbose=False) == ExecutionStatus.FAILED
    with pytest.raises(JobFailedError, match="Duplicate key") as info:
        adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert isinstance(info.value.__cause__, SimulationError)
    with pytest.raises(JobFailedError, match="Duplicate key"):
        adapter.get_job_results(handle)
    assert adapter.cancel_job(handle).status == ExecutionStatus.FAILED


def test_a_job_failed_before_another_was_cancelled_makes_the_submission_failed(
    gated_provider: MyProvider, gate: Gate
) -> None:
    """Job 0 fails first, job 1 is cancelled later: FAILED, with job 0's error."""
    adapter = AsyncJobBackendAdapter(gated_provider.get_backend())
    handle = adapter.submit_circuits(
        {"bad": failing_circuit(), "good": X0}, shot_groups=[[0, 1, 10], [1, 2, 20]]
    )
    first, second = parts_of(gated_provider, handle)
    gate.open()
    wait_until(first.in_final_state, what="job 0 to fail", timeout=PATIENCE)
    second.cancel()  # it may have finished meanwhile: FAILED either way
    assert first.status() is JobStatus.ERROR
    assert adapter.poll_job_status(handle, verbose=False) == ExecutionStatus.FAILED
    with pytest.raises(JobFailedError, match="Duplicate key"):
        adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)


@pytest.mark.parametrize(
    ("circuits", "first_error"),
    [
        ((failing_circuit, other_failing_circuit), "Duplicate key"),
        ((other_failing_circuit, failing_circuit), "not applied to all qubits"),
    ],
)
def test_the_error_raised_is_the_first_failed_jobs(
    gated_provider: MyProvider,
    gate: Gate,
    circuits: tuple[Any, ...],
    first_error: str,
) -> None:
    adapter = AsyncJobBackendAdapter(gated_provider.get_backend())
    handle = adapter.submit_circuits(
        {"a": circuits[0](), "b": circuits[1]()}, shot_groups=[[0, 1, 10], [1, 2, 20]]
    )
    gate.open()
    parts = parts_of(gated_provider, handle)
    wait_until(lambda: all(job.in_final_state() for job in parts), what="both jobs to fail")
    with pytest.raises(JobFailedError, match=first_error) as info:
        adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert first_error in str(info.value.__cause__)


def test_a_job_that_cannot_be_submitted_cancels_the_jobs_submitted_before_it(
    gated_backend: MyBackend, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing: job 2 fails to submit, so job 1 is cancelled and nothing runs on."""
    submitted: list[MyJob] = []
    run = gated_backend.run

    def run_once_then_fail(*args: Any, **kwargs: Any) -> MyJob:
        if submitted:
            raise RuntimeError("the store is full")
        submitted.append(run(*args, **kwargs))
        return submitted[-1]

    monkeypatch.setattr(gated_backend, "run", run_once_then_fail)
    adapter = AsyncJobBackendAdapter(gated_backend)
    with pytest.raises(RuntimeError, match="the store is full"):
        adapter.submit_circuits({"a": X0, "b": X2}, shot_groups=[[0, 1, 10], [1, 2, 20]])
    assert len(submitted) == 1
    assert submitted[0].status() is JobStatus.CANCELLED
