"""Jobs as futures: ``future()``, ``await job`` and ``as_completed``, live and stored."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qiskit.result import Result

from qiskit_myprovider import MyBackend, MyProvider, as_completed
from qiskit_myprovider.exceptions import JobCancelledError, JobFailedError, JobTimeoutError
from tests.support import PATIENCE, child_env

from .conftest import Gate, bell_circuit, slow_circuit

#: The event loop's longest allowed gap while jobs are awaited.
LOOP_GAP = 0.2
#: The ticker's period.
TICK = 0.01


def test_awaiting_three_jobs_never_blocks_the_event_loop() -> None:
    with MyProvider(store=":memory:") as provider:  # the default "auto" executor
        backend = provider.get_backend("myprovider_statevector")
        circuit = slow_circuit(backend, qubits=20, depth=10)  # about a second each

        async def main() -> tuple[list[Result], float, float]:
            gaps: list[float] = []
            stop = asyncio.Event()

            async def ticker() -> None:
                last = time.monotonic()
                while not stop.is_set():
                    await asyncio.sleep(TICK)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            tick = asyncio.create_task(ticker())
            started = time.monotonic()
            jobs = [backend.run(circuit, shots=10, seed_simulator=s) for s in range(3)]
            results = await asyncio.gather(*jobs)
            took = time.monotonic() - started
            stop.set()
            await tick
            return list(results), max(gaps), took

        results, gap, took = asyncio.run(main())
    assert [sum(r.get_counts().values()) for r in results] == [10, 10, 10]
    assert took > 0.5, "the jobs were too quick to show anything"
    assert gap < LOOP_GAP, f"the event loop stood still for {gap:.3f} s"


def test_future_works_with_concurrent_futures_as_completed(backend: MyBackend) -> None:
    jobs = [backend.run(bell_circuit(), shots=5 + i) for i in range(4)]
    futures = {job.future(): job for job in jobs}
    seen = [futures[f] for f in concurrent.futures.as_completed(futures, timeout=PATIENCE)]
    assert sorted(j.job_id() for j in seen) == sorted(j.job_id() for j in jobs)
    for job in jobs:
        assert job.future() is job.future()
        assert job.future().result() is job.result()


def test_a_failed_or_cancelled_job_future_raises_what_result_raises(
    provider: MyProvider, gate: Gate, gated_backend: MyBackend
) -> None:
    stabilizer = provider.get_backend("myprovider_stabilizer")
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(1)
    qc.t(0)
    qc.measure_all()
    failed = stabilizer.run(qc, shots=5)
    with pytest.raises(JobFailedError):
        failed.future().result(timeout=PATIENCE)
    held = gated_backend.run(bell_circuit())
    waiting = gated_backend.run(bell_circuit())
    assert waiting.cancel()
    with pytest.raises(JobCancelledError):
        waiting.future().result(timeout=PATIENCE)
    gate.open()
    assert held.future().result(timeout=PATIENCE).success


def test_as_completed_yields_in_finishing_order_and_times_out(
    gate: Gate, gated_backend: MyBackend
) -> None:
    first = gated_backend.run(bell_circuit())  # held at the gate
    gate.wait_started()
    second = gated_backend.run(bell_circuit())  # queued behind it
    assert second.cancel()  # ends first
    stream = as_completed([first, second, second], timeout=0.3)
    assert next(stream) is second
    with pytest.raises(JobTimeoutError, match="1 of 2 jobs"):
        next(stream)
    gate.open()
    assert list(as_completed([first], timeout=PATIENCE)) == [first]


#: A program that runs one job and leaves it to finish while the test awaits it.
OTHER_PROCESS = """\
import sys, time
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider

provider = MyProvider(executor="process")
backend = provider.get_backend("myprovider_statevector")
qc = quantum_volume(18, 10, seed=1)
qc.measure_all()
job = backend.run(transpile(qc, backend, optimization_level=0), shots=7)
print(job.job_id(), flush=True)
job.result(timeout=120)
time.sleep(float(sys.argv[1]))
provider.close()
"""


@pytest.mark.slow
def test_awaiting_a_job_that_another_process_runs(tmp_path: Path) -> None:
    store = tmp_path / "jobs.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(store),
    ) as other:
        assert other.stdout is not None
        job_id = other.stdout.readline().strip()
        with MyProvider(store=store, executor="thread") as provider:
            stored = provider.job(job_id)

            async def main() -> Result:
                return await asyncio.wait_for(stored, timeout=PATIENCE)

            result = asyncio.run(main())
            assert sum(result.get_counts().values()) == 7
            assert stored.status().name == "DONE"
        other.wait(PATIENCE)
