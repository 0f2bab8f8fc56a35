"""The execution engine: the caller never stalls, cheap jobs stay in-process, thread budgets."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import time

import pytest
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit.circuit.random import random_circuit
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution import (
    AutoExecutor,
    FuturesExecutor,
    ProcessExecutor,
    ThreadExecutor,
    make_executor,
)
from qiskit_myprovider.execution import process as process_module
from tests.support import children_of, wait_until

from .conftest import bell_circuit, process_alive

#: Creating a provider must stay instant: the warm-up happens on another thread (generous).
CREATION_BOUND = 0.5

pytestmark = pytest.mark.slow


def test_caller_keeps_running_while_a_long_job_runs_on_the_default_executor() -> None:
    """Ticks every 10 ms on the caller's thread; the largest gap stays under 0.2 s."""
    with MyProvider(store=":memory:") as provider:  # executor="auto", the default
        backend = provider.get_backend()
        qc = quantum_volume(21, 10, seed=3)
        qc.measure_all()
        qc = transpile(qc, backend, optimization_level=0)
        backend.run(bell_circuit(), shots=10).result()
        job = backend.run(qc, shots=100)
        ticks = [time.perf_counter()]
        while not job.in_final_state():
            time.sleep(0.01)
            ticks.append(time.perf_counter())
        assert job.status() is JobStatus.DONE
        runtime = (job.time_per_step()["DONE"] - job.time_per_step()["RUNNING"]).total_seconds()
        assert runtime > 0.3, "the job was too short to show anything"
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert max(gaps) < 0.2, f"the caller stalled for {max(gaps):.3f} s"
        assert len(ticks) > runtime / 0.05  # it really ticked throughout


def test_auto_routes_cheap_jobs_to_a_thread_and_the_rest_to_workers() -> None:
    executor = AutoExecutor(threshold=0.005)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend()
        cheap = backend.run(bell_circuit(), shots=10)
        cheap.result()
        assert executor._process is None  # no worker process was needed
        expensive = transpile(random_circuit(18, 10, measure=True, seed=2), backend)
        job = backend.run(expensive, shots=10)
        job.result(timeout=120)
        assert executor.process_executor.worker_pids()  # it ran in a worker
    executor.shutdown()


def test_auto_keeps_a_whole_batch_of_many_small_circuits_in_process() -> None:
    """Unsplit, its time is Aer's Python-side preparation: one worker would only add the hop.

    (Split, each worker prepares its share: see tests/execution/test_split.py.)
    """
    executor = AutoExecutor(split=False)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend()
        batch = [
            transpile(random_circuit(8 + s % 3, 10, measure=True, seed=s), backend)
            for s in range(200)
        ]
        job = backend.run(batch, shots=100)
        assert len(job.result(timeout=120).results) == 200
        assert executor._process is None
    executor.shutdown()


def test_auto_threshold_is_configurable() -> None:
    executor = AutoExecutor(threshold=0, transfer_ratio=1e9)
    with MyProvider(store=":memory:", executor=executor) as provider:
        provider.get_backend().run(bell_circuit(), shots=10).result(timeout=120)
        assert executor.process_executor.worker_pids()
    executor.shutdown()
    with pytest.raises(InvalidInputError, match="threshold"):
        AutoExecutor(threshold=-1)
    with pytest.raises(InvalidInputError, match="transfer_ratio"):
        AutoExecutor(transfer_ratio=True)


def test_thread_budgets_give_each_parallel_job_one_core_and_a_lone_job_all() -> None:
    cores = os.cpu_count() or 1
    executor = ProcessExecutor(max_workers=2)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend("myprovider_statevector")
        circuits = [
            transpile(random_circuit(16, 20, measure=True, seed=s), backend) for s in range(6)
        ]
        lone = backend.run(circuits[0], shots=100).result(timeout=120)
        assert lone.results[0].metadata["parallel_state_update"] == cores
        jobs = [backend.run(c, shots=100) for c in circuits]
        results = [j.result(timeout=120) for j in jobs]
        used = [r.results[0].metadata["parallel_state_update"] for r in results]
        # While others wait, a job gets its fair share, never the whole machine (the first
        # may start before the rest arrive, and then rightly takes every free core).
        assert used[1:5] == [max(1, cores // 2)] * 4
        assert all(u <= cores for u in used)
        mine = backend.run(circuits[1], shots=100, max_parallel_threads=1).result(timeout=120)
        assert mine.results[0].metadata["parallel_state_update"] == 1  # the user's choice wins
    executor.shutdown()


def test_independent_jobs_run_in_parallel_across_workers() -> None:
    executor = ProcessExecutor(max_workers=2)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend()
        qc = quantum_volume(20, 10, seed=1)
        qc.measure_all()
        qc = transpile(qc, backend, optimization_level=0)
        jobs = [backend.run(qc, shots=10) for _ in range(2)]
        deadline = time.monotonic() + 60
        while not all(j.status() is JobStatus.RUNNING for j in jobs):
            assert time.monotonic() < deadline
            assert not any(j.in_final_state() for j in jobs)
            time.sleep(0.005)
        assert len(set(executor.worker_pids())) == 2
        for job in jobs:
            job.result(timeout=120)
    executor.shutdown()


def test_a_backend_can_have_its_own_executor() -> None:
    with MyProvider(store=":memory:", executor="thread") as provider:
        statevector = provider.get_backend("myprovider_statevector")
        statevector.set_executor("process")
        assert isinstance(statevector.executor, ProcessExecutor)
        assert isinstance(provider.get_backend().executor, ThreadExecutor)
        assert statevector.run(bell_circuit(), shots=10).result(timeout=120).success
        pids = statevector.executor.worker_pids()  # type: ignore[attr-defined]
        assert pids
        statevector.set_executor(None)
        assert statevector.executor is provider.executor
        with pytest.raises(InvalidInputError, match="Valid executors"):
            statevector.set_executor("cluster")


def test_any_concurrent_futures_executor_runs_jobs() -> None:
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool,
        MyProvider(store=":memory:", executor=pool) as provider,
    ):
        assert isinstance(provider.executor, FuturesExecutor)
        job = provider.get_backend().run(bell_circuit(), shots=50, seed_simulator=3)
        assert sum(job.result(timeout=60).get_counts().values()) == 50
        assert list(job.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "DONE"]


def test_a_spawn_process_pool_runs_jobs_and_reports_running() -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with (
        concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool,
        MyProvider(store=":memory:", executor=pool) as provider,
    ):
        job = provider.get_backend().run(bell_circuit(), shots=50, seed_simulator=3)
        assert sum(job.result(timeout=120).get_counts().values()) == 50
        assert "RUNNING" in job.time_per_step()


def test_executor_specs_are_validated() -> None:
    with pytest.raises(InvalidInputError, match="Valid executors: auto, process, thread, dask"):
        make_executor("gpu")
    with pytest.raises(InvalidInputTypeError, match="executor must be"):
        make_executor(42)
    with pytest.raises(InvalidInputError, match="mp_context"):
        ProcessExecutor(mp_context="fork")
    with pytest.raises(InvalidInputError, match="max_workers"):
        ProcessExecutor(max_workers=0)


def test_idle_workers_are_released() -> None:
    executor = ProcessExecutor(max_workers=1, idle_timeout=0.5)
    with MyProvider(store=":memory:", executor=executor) as provider:
        provider.get_backend().run(bell_circuit(), shots=10).result(timeout=120)
        pids = executor.worker_pids()
        assert pids
        deadline = time.monotonic() + 10
        while executor.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert executor.worker_pids() == []
        assert not any(process_alive(pid) for pid in pids)
        # A new job starts a fresh worker.
        assert provider.get_backend().run(bell_circuit(), shots=10).result(timeout=120).success
    executor.shutdown()


_CHILD = """
import os, sys, time
from qiskit import QuantumCircuit
from qiskit_myprovider import MyProvider
qc = QuantumCircuit(1)
qc.x(0)
qc.measure_all()
provider = MyProvider(store=":memory:", executor="process")
provider.get_backend().run(qc, shots=5).result(timeout=120)
print(*provider.executor.worker_pids(), flush=True)
if sys.argv[1] == "hang":
    time.sleep(600)
"""


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_no_orphan_workers_when_the_parent_exits_or_is_killed(how: str) -> None:
    import signal
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, "hang" if how == "sigkill" else "exit"],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        pids = [int(p) for p in child.stdout.readline().split()]
        assert pids, "the child reported no worker"
        if how == "sigkill":
            child.send_signal(signal.SIGKILL)
        child.wait(60)
    deadline = time.monotonic() + 15
    while any(process_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(process_alive(pid) for pid in pids), "a worker outlived its parent"


def test_a_provider_warms_one_worker_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Created at once; a worker is ready soon after, and the first big job runs on it."""
    monkeypatch.setenv("QISKIT_MYPROVIDER_WARM", "1")
    start = time.perf_counter()
    provider = MyProvider(store=":memory:")
    created = time.perf_counter() - start
    try:
        executor = provider.engine.executor
        assert isinstance(executor, AutoExecutor)
        wait_until(lambda: len(executor.process_executor.worker_pids()) == 1, what="a worker")
        assert created < CREATION_BOUND, f"creating the provider took {created:.3f} s"
        pid = executor.process_executor.worker_pids()[0]
        backend = provider.get_backend()
        qc = transpile(random_circuit(18, 10, measure=True, seed=2), backend)
        backend.run(qc, shots=10).result(timeout=120)
        assert executor.process_executor.worker_pids()[0] == pid  # the warm one ran it
    finally:
        provider.close()
    assert not process_alive(pid)


def test_a_warm_worker_no_job_uses_is_released_early(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process_module, "WARM_IDLE_TIMEOUT", 0.5)
    executor = ProcessExecutor(max_workers=1)
    executor.warm()
    wait_until(lambda: len(executor.worker_pids()) == 1, what="the warm worker")
    pid = executor.worker_pids()[0]
    wait_until(lambda: not process_alive(pid), what="the unused worker to go", timeout=30)
    assert executor.worker_pids() == []
    executor.shutdown()


def test_thread_providers_warm_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_MYPROVIDER_WARM", "1")
    before = set(children_of(os.getpid()))
    with MyProvider(store=":memory:", executor="thread"):
        time.sleep(0.3)
        assert set(children_of(os.getpid())) <= before
