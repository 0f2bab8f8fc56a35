"""One job-lifecycle suite, run on every executor: thread, process and Dask (LocalCluster).

A long job is one the test can count on being RUNNING for a while. In worker processes and on
Dask it is a real 22-qubit simulation of a few seconds; on the thread executor it is held at
its start by a gate, because Aer keeps the GIL while it simulates in a thread and the test
could not look at the job meanwhile (the very stall the process executor removes).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume
from qiskit.providers import JobStatus
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.exceptions import (
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
    SimulationError,
)
from qiskit_myprovider.execution import (
    DaskExecutor,
    JobExecutor,
    ProcessExecutor,
    SimulationTask,
    ThreadExecutor,
    simulate,
)

from .conftest import Gate, bell_circuit, ghz_circuit, process_alive

pytestmark = pytest.mark.slow

HOLD = "hold-me"


class HoldingGate(Gate):
    """Holds only tasks whose first circuit is named ``hold-me``."""

    def run(self, task: SimulationTask) -> Result:
        if task.circuits[0].name == HOLD:
            return super().run(task)
        return simulate(task)


@dataclass
class Engine:
    kind: str
    executor: JobExecutor
    slots: int
    gate: HoldingGate | None = None
    providers: list[MyProvider] = field(default_factory=list)

    def provider(self) -> MyProvider:
        provider = MyProvider(store=":memory:", executor=self.executor)
        self.providers.append(provider)
        return provider

    def long_circuit(self, backend: MyBackend) -> QuantumCircuit:
        if self.gate is not None:
            qc = bell_circuit()
            qc.name = HOLD
            return qc
        qc = quantum_volume(22, 10, seed=5)
        qc.measure_all()
        qc = transpile(qc, backend, optimization_level=0)
        qc.name = HOLD
        return qc

    def long_jobs(self, backend: MyBackend) -> list[MyJob]:
        """Occupy every slot of the executor with a job that stays RUNNING."""
        jobs = [backend.run(self.long_circuit(backend), shots=10) for _ in range(self.slots)]
        for job in jobs:
            _wait_for(lambda j=job: j.status() is JobStatus.RUNNING, what="job to start")
        return jobs

    def release(self) -> None:
        if self.gate is not None:
            self.gate.open()


def _wait_for(condition: Any, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # a free port: never clash with a running Dask
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def process_executor() -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(max_workers=2)
    yield executor
    executor.shutdown()


@pytest.fixture(params=["thread", "process", "dask"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "thread":
        gate = HoldingGate()
        result = Engine("thread", ThreadExecutor(run=gate.run), slots=1, gate=gate)
    elif request.param == "process":
        result = Engine("process", request.getfixturevalue("process_executor"), slots=2)
    else:
        client = request.getfixturevalue("dask_client")
        result = Engine("dask", DaskExecutor(client), slots=1)
    yield result
    result.release()
    for provider in result.providers:
        for job in provider.jobs(limit=None):
            if not job.in_final_state():
                job.cancel()
        provider.close()
    if result.kind != "process":
        result.executor.shutdown()


def test_seeded_results_equal_plain_aer(engine: Engine) -> None:
    backend = engine.provider().get_backend("myprovider_statevector")
    qc = transpile(ghz_circuit(4), backend)
    qc.h(range(2))
    qc.measure_all()
    expected = AerSimulator(method="statevector").run(qc, shots=500, seed_simulator=17).result()
    result = backend.run(qc, shots=500, seed_simulator=17).result(timeout=120)
    assert result.get_counts() == expected.get_counts()
    assert result.job_id != expected.job_id


def test_job_goes_queued_running_done(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    running = engine.long_jobs(backend)
    queued = backend.run(bell_circuit(), shots=10)
    assert queued.status() is JobStatus.QUEUED
    assert queued.queue_position() == 0
    assert all(job.queue_position() is None for job in running)
    engine.release()
    assert queued.result(timeout=120).get_counts().keys() <= {"00", "11"}
    assert list(queued.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    for job in running:
        job.wait_for_final_state(timeout=120)
        assert job.done()


def test_cancel_queued_job(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    running = engine.long_jobs(backend)
    queued = backend.run(bell_circuit(), shots=10)
    assert queued.cancel() is True
    assert queued.status() is JobStatus.CANCELLED
    with pytest.raises(JobCancelledError, match="cancelled"):
        queued.result()
    engine.release()
    for job in running:
        assert job.result(timeout=120).success
    assert queued.status() is JobStatus.CANCELLED
    assert "RUNNING" not in queued.time_per_step()


def test_cancel_running_job(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    started = time.monotonic()
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    assert time.monotonic() - started < 0.5
    with pytest.raises(JobCancelledError):
        job.result()
    engine.release()
    after = backend.run(bell_circuit(), shots=10)
    assert after.result(timeout=120).success
    assert job.status() is JobStatus.CANCELLED


def test_result_timeout_leaves_job_running(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.05)
    assert job.status() is JobStatus.RUNNING
    engine.release()
    assert job.result(timeout=120).success


def test_wait_for_final_state_returns_at_completion(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    with pytest.raises(JobTimeoutError):
        job.wait_for_final_state(timeout=0.05, wait=0.01)
    if engine.gate is not None:
        threading.Timer(0.5, engine.release).start()
    calls: list[JobStatus] = []
    started = time.monotonic()
    job.wait_for_final_state(wait=5, callback=lambda _id, status, _job: calls.append(status))
    waited = time.monotonic() - started
    lag = time.time() - job.time_per_step()["DONE"].timestamp()
    assert lag < 0.5
    # One call when the wait starts, then at most one per 5 s while the job runs.
    assert 1 <= len(calls) <= 1 + int(waited // 5)
    assert set(calls) == {JobStatus.RUNNING}


def test_aer_failure_is_an_error_with_its_cause(engine: Engine) -> None:
    backend = engine.provider().get_backend("myprovider_stabilizer")
    qc = QuantumCircuit(1)
    qc.t(0)
    qc.measure_all()
    job = backend.run(qc, shots=10)
    with pytest.raises(JobFailedError) as info:
        job.result(timeout=120)
    assert job.status() is JobStatus.ERROR
    assert "invalid instructions" in (job.error_message() or "")
    assert isinstance(info.value.__cause__, SimulationError)
    if engine.kind != "thread":
        # The worker's traceback travels back as the cause of the cause.
        assert "simulate" in str(info.value.__cause__.__cause__)


def test_process_cancel_really_stops_the_worker(process_executor: ProcessExecutor) -> None:
    with MyProvider(store=":memory:", executor=process_executor) as provider:
        backend = provider.get_backend()
        engine = Engine("process", process_executor, slots=1)
        job = engine.long_jobs(backend)[0]
        pid = process_executor.running_pid(job._handle)  # type: ignore[arg-type]
        assert pid is not None
        assert job.cancel() is True
        _wait_for(lambda: not process_alive(pid), what="the worker to exit", timeout=5)
        assert pid not in process_executor.worker_pids()
        assert backend.run(bell_circuit(), shots=10).result(timeout=120).success


def test_sigkilled_worker_gives_error_naming_the_signal(
    process_executor: ProcessExecutor,
) -> None:
    import signal

    with MyProvider(store=":memory:", executor=process_executor) as provider:
        backend = provider.get_backend()
        engine = Engine("process", process_executor, slots=2)
        victim, bystander = engine.long_jobs(backend)
        pid = process_executor.running_pid(victim._handle)  # type: ignore[arg-type]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait_for_final_state(timeout=10)
        assert time.monotonic() - killed_at < 1.0
        assert victim.status() is JobStatus.ERROR
        message = victim.error_message() or ""
        assert "worker process" in message
        assert "SIGKILL" in message
        with pytest.raises(JobFailedError):
            victim.result()
        assert bystander.result(timeout=120).success  # the other job finished
        assert backend.run(bell_circuit(), shots=10).result(timeout=120).success


def test_memory_limit_on_the_worker_gives_error() -> None:
    executor = ProcessExecutor(max_workers=1, memory_limit_mb=512)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend("myprovider_statevector")
        big = QuantumCircuit(26)  # 1 GiB of amplitudes
        big.h(range(26))
        big.measure_all()
        job = backend.run(big, shots=10)
        job.wait_for_final_state(timeout=120)
        assert job.status() is JobStatus.ERROR
        assert "memory" in (job.error_message() or "").lower()
        assert backend.run(bell_circuit(), shots=10).result(timeout=120).success
    executor.shutdown()


def test_no_worker_processes_remain_after_close() -> None:
    provider = MyProvider(store=":memory:", executor="process")
    backend = provider.get_backend()
    jobs = [backend.run(ghz_circuit(3), shots=10) for _ in range(3)]
    for job in jobs:
        job.result(timeout=120)
    executor = provider.executor
    assert isinstance(executor, ProcessExecutor)
    pids = executor.worker_pids()
    assert pids
    provider.close()
    _wait_for(
        lambda: not any(process_alive(pid) for pid in pids), what="workers to exit", timeout=10
    )
