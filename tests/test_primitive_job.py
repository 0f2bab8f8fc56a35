"""A primitive's job is a real job: at once, no stall, timeouts, running cancel, stored, by id."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import BasePrimitiveJob, PrimitiveResult
from qiskit.providers import JobStatus

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
)
from qiskit_myprovider.primitives import EstimatorV2, MyPrimitiveJob, SamplerV2
from tests.conftest import bell_circuit
from tests.support import PATIENCE, PROMPT, child_env, process_alive, wait_until

#: The caller's thread may pause this long while a primitive job runs in a worker (DESIGN:
#: never frozen; the benchmark measures the real figure, about a few milliseconds).
STALL_BOUND = 0.2


def long_estimator_pubs(qubits: int = 20, rows: int = 6) -> list[Any]:
    """About a second of exact estimation on a 2-core machine (22 qubits: several seconds)."""
    ansatz = efficient_su2(qubits, reps=2)
    values = np.random.default_rng(0).uniform(0, 1, (rows, ansatz.num_parameters))
    return [(ansatz, [["Z" * qubits], ["X" * qubits]], values)]


@pytest.fixture
def process_provider(tmp_path: Path) -> Iterator[MyProvider]:
    with MyProvider(store=tmp_path / "jobs.sqlite3", executor="process") as prov:
        yield prov


def test_the_job_is_a_base_primitive_job_with_the_whole_handle(backend: MyBackend) -> None:
    job = SamplerV2(mode=backend).run([bell_circuit()], shots=10)
    assert isinstance(job, BasePrimitiveJob)
    assert isinstance(job, MyPrimitiveJob)
    job.result(timeout=PATIENCE)
    assert job.status() is JobStatus.DONE
    assert job.done()
    assert job.in_final_state()
    assert not job.running()
    assert not job.cancelled()
    assert list(job.time_per_step()) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    assert job.creation_date() <= job.time_per_step()["DONE"]
    assert job.queue_position() is None
    assert job.error_message() is None
    assert job.update_name("bells") == "bells"
    assert job.name() == "bells"
    assert job.update_tags(["a", "b"]) == ["a", "b"]
    job.refresh()
    assert job.tags() == ["a", "b"]
    assert "sampler" in repr(job)


def test_run_returns_at_once_and_the_caller_never_stalls(process_provider: MyProvider) -> None:
    backend = process_provider.get_backend()
    estimator = EstimatorV2(mode=backend)
    estimator.run([(bell_circuit(measure=False), "ZZ")]).result(timeout=PATIENCE)  # warm
    gaps: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        started = time.perf_counter()
        job = estimator.run(long_estimator_pubs())
        returned = time.perf_counter() - started
        assert not job.in_final_state()
        job.result(timeout=PATIENCE)
    finally:
        stop.set()
        ticker.join()
    assert returned < PROMPT
    assert max(gaps) < STALL_BOUND, f"the caller stalled {max(gaps):.3f} s"


def test_result_timeout_raises_and_the_job_keeps_running(process_provider: MyProvider) -> None:
    job = EstimatorV2(mode=process_provider.get_backend()).run(long_estimator_pubs(22, 4))
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.05)
    assert not job.in_final_state()
    assert job.cancel()


def test_a_running_estimator_job_is_cancelled_for_real(process_provider: MyProvider) -> None:
    backend = process_provider.get_backend()
    job = EstimatorV2(mode=backend).run(long_estimator_pubs(22, 4))
    wait_until(job.running, what="the job to run")
    workers = process_provider.executor.worker_pids()  # type: ignore[attr-defined]
    started = time.perf_counter()
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    assert time.perf_counter() - started < PROMPT
    with pytest.raises(JobCancelledError):
        job.result()
    # The worker that ran it is stopped (the others, idle, may stay).
    wait_until(lambda: not all(process_alive(pid) for pid in workers), what="its worker to stop")
    assert process_provider.job(job.job_id()).status() is JobStatus.CANCELLED


def test_a_failing_simulation_ends_in_error(backend: MyBackend) -> None:
    estimator = EstimatorV2(mode=backend, options={"backend_options": {"max_memory_mb": 1}})
    ansatz = efficient_su2(20, reps=1)
    job = estimator.run([(ansatz, "Z" * 20, np.zeros(ansatz.num_parameters))])
    with pytest.raises(JobFailedError):
        job.result(timeout=PATIENCE)
    assert job.status() is JobStatus.ERROR
    assert "memory" in (job.error_message() or "").lower()


def test_stored_jobs_come_back_as_primitive_jobs_with_their_result(
    process_provider: MyProvider,
) -> None:
    backend = process_provider.get_backend()
    sampled = SamplerV2(mode=backend, options={"seed": 1}).run([bell_circuit()], shots=30)
    estimated = EstimatorV2(mode=backend).run([(bell_circuit(False), ["ZZ", "XX"])])
    run = backend.run(bell_circuit(), shots=5)
    for job in (sampled, estimated, run):
        job.result(timeout=PATIENCE)
    process_provider.store.flush()
    again = process_provider.job(estimated.job_id())
    assert isinstance(again, MyPrimitiveJob)
    assert again.primitive_id == "estimator"
    listed = process_provider.jobs(primitive_id="sampler", limit=None)
    assert [j.job_id() for j in listed] == [sampled.job_id()]
    assert {j.job_id() for j in process_provider.jobs(limit=None)} == {
        sampled.job_id(), estimated.job_id(), run.job_id()
    }
    with pytest.raises(InvalidInputError, match="estimator"):
        process_provider.jobs(primitive_id="sample")


OTHER_PROCESS = """
import json, sys
import numpy as np
from qiskit_myprovider import MyProvider
from qiskit_myprovider.primitives import MyPrimitiveJob
with MyProvider() as provider:
    job = provider.job(sys.argv[1])
    result = job.result(timeout=120)
    print(json.dumps({
        "kind": type(job).__name__, "primitive_id": job.primitive_id,
        "result": type(result).__name__, "evs": result[0].data.evs.tolist(),
        "steps": list(job.time_per_step()), "status": job.status().name,
        "listed": [j.job_id() for j in provider.jobs(primitive_id="estimator")],
    }))
"""


def test_another_process_retrieves_a_primitive_job_and_its_result(tmp_path: Path) -> None:
    store = tmp_path / "jobs.sqlite3"
    with MyProvider(store=store, executor="process") as provider:
        job = EstimatorV2(mode=provider.get_backend()).run(
            [(bell_circuit(False), [["ZZ"], ["XX"], ["ZI"]])]
        )
        evs = job.result(timeout=PATIENCE)[0].data.evs
        provider.store.flush()
        child = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, job.job_id()],
            capture_output=True, text=True, env=child_env(store), timeout=PATIENCE, check=True,
        )  # fmt: skip
    seen = json.loads(child.stdout)
    assert seen["kind"] == "MyPrimitiveJob"
    assert seen["primitive_id"] == "estimator"
    assert seen["result"] == "PrimitiveResult"
    assert seen["status"] == "DONE"
    np.testing.assert_allclose(seen["evs"], evs.tolist())
    assert seen["steps"] == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    assert seen["listed"] == [job.job_id()]


def test_a_stored_260_value_result_reads_back_equal(tmp_path: Path) -> None:
    store = tmp_path / "jobs.sqlite3"
    ansatz = efficient_su2(4, reps=1)
    values = np.random.default_rng(2).uniform(0, 1, (20, ansatz.num_parameters))
    observables = [["ZZII"], ["IZZI"], ["IIZZ"], ["XXII"], ["IXXI"], ["IIXX"], ["YYII"],
                   ["IYYI"], ["IIYY"], ["ZIIZ"], ["XIIX"], ["YIIY"], ["ZZZZ"]]  # fmt: skip
    with MyProvider(store=store, executor="thread") as provider:
        result = EstimatorV2(mode=provider.get_backend()).run([(ansatz, observables, values)])
        live = result.result(timeout=PATIENCE)
        job_id = result.job_id()
    with MyProvider(store=store) as provider:
        stored = provider.job(job_id).result()
    assert isinstance(stored, PrimitiveResult)
    assert stored[0].data.evs.shape == (13, 20)
    np.testing.assert_array_equal(stored[0].data.evs, live[0].data.evs)
    assert stored[0].metadata == live[0].metadata
    assert stored.metadata == live.metadata


def test_await_and_future_work_on_primitive_jobs(backend: MyBackend) -> None:
    jobs = [SamplerV2(mode=backend).run([bell_circuit()], shots=8) for _ in range(3)]

    async def gather() -> list[PrimitiveResult]:
        return list(await asyncio.gather(*jobs))

    results = asyncio.run(gather())
    assert all(isinstance(r, PrimitiveResult) for r in results)
    assert jobs[0].future().result(timeout=PATIENCE) is jobs[0].result()


def test_a_run_job_has_no_primitive_id(backend: MyBackend) -> None:
    assert backend.run(bell_circuit(), shots=5).primitive_id is None


OWNER = """
import json, time
import numpy as np
from qiskit.circuit.library import efficient_su2
from qiskit_myprovider import MyProvider
from qiskit_myprovider.primitives import EstimatorV2
with MyProvider(executor="process") as provider:
    ansatz = efficient_su2(23, reps=3)
    values = np.zeros((4, ansatz.num_parameters))
    job = EstimatorV2(mode=provider.get_backend()).run([(ansatz, "Z" * 23, values)])
    while not job.running():
        time.sleep(0.01)
    print(json.dumps({"job_id": job.job_id()}), flush=True)
    job.wait_for_final_state(timeout=300)
    print(json.dumps({"status": job.status().name}), flush=True)
"""


def test_a_primitive_job_another_process_runs_is_cancelled_through_the_store(
    tmp_path: Path,
) -> None:
    store = tmp_path / "jobs.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True, env=child_env(store)
    ) as child:
        assert child.stdout is not None
        job_id = json.loads(child.stdout.readline())["job_id"]
        with MyProvider(store=store) as provider:
            job = provider.job(job_id)
            assert isinstance(job, MyPrimitiveJob)
            assert job.running()
            assert job.cancel() is True
            assert job.status() is JobStatus.CANCELLED
        assert json.loads(child.stdout.readline()) == {"status": "CANCELLED"}
        assert child.wait(timeout=PATIENCE) == 0
