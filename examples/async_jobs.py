"""Awaiting jobs: three simulations run while the event loop keeps ticking.

``await job`` waits for a job without blocking the event loop (no thread is parked per job),
so a service or a notebook keeps answering while its simulations run. Here a heartbeat
coroutine ticks every 10 ms while three ~1 s jobs run; the largest gap between its ticks
shows the loop was never held up. Then :func:`qiskit_myprovider.as_completed` yields the
same kind of jobs in the order they finish, without an event loop.

Run it with::

    python examples/async_jobs.py [--qubits 20]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume

from qiskit_myprovider import MyBackend, MyProvider, as_completed


async def heartbeat(stop: asyncio.Event, period: float = 0.01) -> float:
    """Tick every ``period`` seconds until ``stop`` is set; return the largest gap seen."""
    largest, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(period)
        now = time.perf_counter()
        largest, last = max(largest, now - last), now
    return largest


async def run_three(backend: MyBackend, circuit: QuantumCircuit) -> tuple[list[int], float]:
    """Await three jobs with ``asyncio.gather`` while the heartbeat ticks."""
    stop = asyncio.Event()
    ticking = asyncio.create_task(heartbeat(stop))
    jobs = [backend.run(circuit, shots=100, seed_simulator=seed) for seed in range(3)]
    results = await asyncio.gather(*jobs)
    stop.set()
    return [sum(r.get_counts().values()) for r in results], await ticking


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qubits", type=int, default=20)
    args = parser.parse_args()
    with MyProvider(executor="process") as provider:
        backend = provider.get_backend("myprovider_statevector")
        circuit = quantum_volume(args.qubits, 10, seed=1)
        circuit.measure_all()
        circuit = transpile(circuit, backend, optimization_level=0)

        started = time.perf_counter()
        shots, gap = asyncio.run(run_three(backend, circuit))
        took = time.perf_counter() - started
        print(f"awaited 3 jobs in {took:.1f} s: shots {shots}")
        print(f"largest gap between heartbeat ticks: {gap * 1000:.0f} ms")

        jobs = [backend.run(circuit, shots=10 * (i + 1)) for i in range(3)]
        for job in as_completed(jobs, timeout=600):
            print(f"finished: job {job.job_id()[:8]} with {job.backend_options()['shots']} shots")


if __name__ == "__main__":
    main()
