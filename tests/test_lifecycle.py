"""One job-lifecycle suite, run on every executor: thread, process, Dask (LocalCluster), the
default ``"auto"`` and a plain ``concurrent.futures`` thread pool.

A long job is one the test can count on being RUNNING for a while. In worker processes and on
Dask it is a real 22-qubit simulation of a few seconds; on a thread (the thread executor, the
thread pool) it is held at its start by a gate, because Aer keeps the GIL while it simulates in
a thread and the test could not look at the job meanwhile (the very stall the process executor
removes). ``"auto"`` sends the long jobs to its worker processes and cheap ones to its thread.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

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
    AutoExecutor,
    DaskExecutor,
    ExecutorSpec,
    ProcessExecutor,
    SimulationTask,
    ThreadExecutor,
    estimate_cost,
    simulate,
)
from qiskit_myprovider.execution import futures as futures_executor

from .conftest import Gate, bell_circuit, ghz_circuit
from .support import POLL_STEP, process_alive, wait_until

pytestmark = pytest.mark.slow

HOLD = "hold-me"

#: How long a long job, or one queued behind it, may take to end.
RESULT_PATIENCE: Final = 120.0
#: A wait far shorter than any long job.
TOO_SHORT: Final = 0.05
#: How soon cancel() of a running job returns, CANCELLED: it never waits for the worker.
CANCELLED_PROMPTLY: Final = 0.5
#: How long after its DONE time stamp wait_for_final_state may return.
END_LAG: Final = 0.5
#: How long a gate holds the long job in the callback test.
GATE_HOLD: Final = 0.5
#: The callback interval of the callback test: longer than the gated hold.
CALLBACK_INTERVAL: Final = 5.0
#: How soon a SIGKILLed worker's job must be ERROR; and how long the test waits for it at most.
DEATH_NOTICED: Final = 1.0
DEATH_PATIENCE: Final = 10.0
#: How long a cancelled job's worker may take to exit; and all of a closed provider's.
WORKER_EXIT: Final = 5.0
WORKERS_EXIT: Final = 10.0
#: A register this wide makes a job dear by the cost estimate, whatever it does.
WIDE: Final = 22
#: The width of the long jobs' quantum-volume circuit: a few seconds of real simulation.
LONG_QUBITS: Final = 22


class HoldingGate(Gate):
    """Holds only tasks whose first circuit is named ``hold-me``."""

    def run(self, task: SimulationTask) -> Result:
        if task.circuits[0].name == HOLD:
            return super().run(task)
        return simulate(task)


def wide_bell() -> QuantumCircuit:
    """A Bell pair on a 22-qubit register: Aer drops the idle qubits and runs it at once.

    The cost estimate goes by the register's width, so ``"auto"`` sends it to its worker
    processes, behind the long jobs, where a plain Bell circuit would run at once on auto's
    thread: it is the job every executor has to queue.
    """
    qc = QuantumCircuit(WIDE, 2, name="wide-bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


@dataclass
class Engine:
    kind: str
    executor: ExecutorSpec
    slots: int
    gate: HoldingGate | None = None
    #: Whether a cheap job's failure comes back from another process, with its traceback.
    remote: bool = False
    #: Stops what the fixture made (None: a module fixture, or the provider, owns it).
    shutdown: Callable[[], object] | None = None
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
        qc = quantum_volume(LONG_QUBITS, 10, seed=5)
        qc.measure_all()
        qc = transpile(qc, backend, optimization_level=0)
        qc.name = HOLD
        return qc

    def long_jobs(self, backend: MyBackend) -> list[MyJob]:
        """Occupy every slot of the executor with a job that stays RUNNING."""
        jobs = [backend.run(self.long_circuit(backend), shots=10) for _ in range(self.slots)]
        for job in jobs:
            wait_until(lambda j=job: j.status() is JobStatus.RUNNING, what="job to start")
        return jobs

    def release(self) -> None:
        if self.gate is not None:
            self.gate.open()


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


@pytest.fixture(params=["thread", "process", "dask", "auto", "futures"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "thread":
        gate = HoldingGate()
        thread = ThreadExecutor(run=gate.run)
        result = Engine("thread", thread, slots=1, gate=gate, shutdown=thread.shutdown)
    elif request.param == "process":
        result = Engine("process", request.getfixturevalue("process_executor"), 2, remote=True)
    elif request.param == "dask":
        dask = DaskExecutor(request.getfixturevalue("dask_client"))
        result = Engine("dask", dask, slots=1, remote=True, shutdown=dask.shutdown)
    elif request.param == "auto":
        # Each provider builds (and closes) its own, as MyProvider() does by default; its
        # worker pool has one process per core, and cheap jobs (a failing one too) stay on
        # its thread.
        result = Engine("auto", "auto", slots=os.cpu_count() or 1)
    else:
        # A thread pool gives the job no hook to hold it by, so the gate stands in for the
        # simulate() the pool's tasks call.
        gate = HoldingGate()
        request.getfixturevalue("monkeypatch").setattr(futures_executor, "simulate", gate.run)
        pool = concurrent.futures.ThreadPoolExecutor(2)
        result = Engine("futures", pool, slots=2, gate=gate, shutdown=pool.shutdown)
    yield result
    result.release()
    for provider in result.providers:
        for job in provider.jobs(limit=None):
            if not job.in_final_state():
                job.cancel()
        provider.close()
    if result.shutdown is not None:
        result.shutdown()


def test_auto_queues_the_wide_bell_behind_its_long_jobs_but_runs_a_bell_at_once() -> None:
    """The premise of the queued jobs below, on the "auto" executor."""
    process = ProcessExecutor(max_workers=1)  # started only by a first task: none here
    auto = AutoExecutor(process=process)
    try:

        def task(circuit: QuantumCircuit) -> SimulationTask:
            cost = estimate_cost([circuit], "automatic")
            return SimulationTask("probe", "probe", None, (circuit,), cost=cost)

        assert auto.route(task(wide_bell())) is process
        assert auto.route(task(bell_circuit())) is not process
    finally:
        auto.shutdown()


def test_seeded_results_equal_plain_aer(engine: Engine) -> None:
    backend = engine.provider().get_backend("myprovider_statevector")
    qc = transpile(ghz_circuit(4), backend)
    qc.h(range(2))
    qc.measure_all()
    expected = AerSimulator(method="statevector").run(qc, shots=500, seed_simulator=17).result()
    result = backend.run(qc, shots=500, seed_simulator=17).result(timeout=RESULT_PATIENCE)
    assert result.get_counts() == expected.get_counts()
    assert result.job_id != expected.job_id


def test_job_goes_queued_running_done(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    running = engine.long_jobs(backend)
    queued = backend.run(wide_bell(), shots=10)
    assert queued.status() is JobStatus.QUEUED
    assert queued.queue_position() == 0
    assert all(job.queue_position() is None for job in running)
    engine.release()
    assert queued.result(timeout=RESULT_PATIENCE).get_counts().keys() <= {"00", "11"}
    assert list(queued.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    for job in running:
        job.wait_for_final_state(timeout=RESULT_PATIENCE)
        assert job.done()


def test_cancel_queued_job(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    running = engine.long_jobs(backend)
    queued = backend.run(wide_bell(), shots=10)
    assert queued.status() is JobStatus.QUEUED
    assert queued.cancel() is True
    assert queued.status() is JobStatus.CANCELLED
    with pytest.raises(JobCancelledError, match="cancelled"):
        queued.result()
    engine.release()
    for job in running:
        assert job.result(timeout=RESULT_PATIENCE).success
    assert queued.status() is JobStatus.CANCELLED
    assert "RUNNING" not in queued.time_per_step()


def test_cancel_running_job(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    started = time.monotonic()
    # A worker process is killed (test_process_cancel_really_stops_the_worker); a thread
    # cannot be stopped: its simulation runs on once released, and its result is dropped.
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    assert time.monotonic() - started < CANCELLED_PROMPTLY
    with pytest.raises(JobCancelledError):
        job.result()
    engine.release()
    after = backend.run(bell_circuit(), shots=10)
    assert after.result(timeout=RESULT_PATIENCE).success
    assert job.status() is JobStatus.CANCELLED


def test_result_timeout_leaves_job_running(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    with pytest.raises(JobTimeoutError):
        job.result(timeout=TOO_SHORT)
    assert job.status() is JobStatus.RUNNING
    engine.release()
    assert job.result(timeout=RESULT_PATIENCE).success


def test_wait_for_final_state_returns_at_completion(engine: Engine) -> None:
    backend = engine.provider().get_backend()
    job = engine.long_jobs(backend)[0]
    with pytest.raises(JobTimeoutError):
        job.wait_for_final_state(timeout=TOO_SHORT, wait=POLL_STEP)
    if engine.gate is not None:
        threading.Timer(GATE_HOLD, engine.release).start()
    calls: list[JobStatus] = []
    started = time.monotonic()
    job.wait_for_final_state(
        wait=CALLBACK_INTERVAL, callback=lambda _id, status, _job: calls.append(status)
    )
    waited = time.monotonic() - started
    lag = time.time() - job.time_per_step()["DONE"].timestamp()
    assert lag < END_LAG
    # One call when the wait starts, then at most one per interval while the job runs, and
    # one last call with the final status as the wait returns.
    *waiting, last = calls
    assert 1 <= len(waiting) <= 1 + int(waited // CALLBACK_INTERVAL)
    assert set(waiting) == {JobStatus.RUNNING}
    assert last is JobStatus.DONE


def test_aer_failure_is_an_error_with_its_cause(engine: Engine) -> None:
    backend = engine.provider().get_backend("myprovider_stabilizer")
    qc = QuantumCircuit(1)
    qc.t(0)
    qc.measure_all()
    job = backend.run(qc, shots=10)
    with pytest.raises(JobFailedError) as info:
        job.result(timeout=RESULT_PATIENCE)
    assert job.status() is JobStatus.ERROR
    assert "invalid instructions" in (job.error_message() or "")
    assert isinstance(info.value.__cause__, SimulationError)
    if engine.remote:
        # The worker's traceback travels back as the cause of the cause.
        assert "simulate" in str(info.value.__cause__.__cause__)
    else:
        # Raised in this process: the cause carries its own traceback instead.
        assert info.value.__cause__.__traceback__ is not None


def test_process_cancel_really_stops_the_worker(process_executor: ProcessExecutor) -> None:
    with MyProvider(store=":memory:", executor=process_executor) as provider:
        backend = provider.get_backend()
        engine = Engine("process", process_executor, slots=1, remote=True)
        job = engine.long_jobs(backend)[0]
        pid = process_executor.running_pid(job._handle)  # type: ignore[arg-type]
        assert pid is not None
        assert job.cancel() is True
        wait_until(lambda: not process_alive(pid), what="the worker to exit", timeout=WORKER_EXIT)
        # The manager drops the dead worker once it has seen it die (a moment later).
        wait_until(
            lambda: pid not in process_executor.worker_pids(),
            what="the executor to drop the dead worker",
            timeout=WORKER_EXIT,
        )
        assert backend.run(bell_circuit(), shots=10).result(timeout=RESULT_PATIENCE).success


def test_sigkilled_worker_gives_error_naming_the_signal(
    process_executor: ProcessExecutor,
) -> None:
    import signal

    with MyProvider(store=":memory:", executor=process_executor) as provider:
        backend = provider.get_backend()
        engine = Engine("process", process_executor, slots=2, remote=True)
        victim, bystander = engine.long_jobs(backend)
        pid = process_executor.running_pid(victim._handle)  # type: ignore[arg-type]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait_for_final_state(timeout=DEATH_PATIENCE)
        assert time.monotonic() - killed_at < DEATH_NOTICED
        assert victim.status() is JobStatus.ERROR
        message = victim.error_message() or ""
        assert "worker process" in message
        assert "SIGKILL" in message
        with pytest.raises(JobFailedError):
            victim.result()
        assert bystander.result(timeout=RESULT_PATIENCE).success  # the other job finished
        assert backend.run(bell_circuit(), shots=10).result(timeout=RESULT_PATIENCE).success


def test_memory_limit_on_the_worker_gives_error() -> None:
    executor = ProcessExecutor(max_workers=1, memory_limit_mb=512)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend("myprovider_statevector")
        big = QuantumCircuit(26)  # 1 GiB of amplitudes
        big.h(range(26))
        big.measure_all()
        job = backend.run(big, shots=10)
        job.wait_for_final_state(timeout=RESULT_PATIENCE)
        assert job.status() is JobStatus.ERROR
        assert "memory" in (job.error_message() or "").lower()
        assert backend.run(bell_circuit(), shots=10).result(timeout=RESULT_PATIENCE).success
    executor.shutdown()


def test_no_worker_processes_remain_after_close() -> None:
    provider = MyProvider(store=":memory:", executor="process")
    backend = provider.get_backend()
    jobs = [backend.run(ghz_circuit(3), shots=10) for _ in range(3)]
    for job in jobs:
        job.result(timeout=RESULT_PATIENCE)
    executor = provider.executor
    assert isinstance(executor, ProcessExecutor)
    pids = executor.worker_pids()
    assert pids
    provider.close()
    wait_until(
        lambda: not any(process_alive(pid) for pid in pids),
        what="workers to exit",
        timeout=WORKERS_EXIT,
    )
