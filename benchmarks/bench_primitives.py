"""Our primitives against Aer's own and against Qiskit's generic ones over our backend.

Usage::

    python benchmarks/bench_primitives.py [--rounds N]

Every figure runs its sides interleaved in one run and prints medians and ratios (these
machines are shared; the load is printed on every line). The workloads are those of issue 14:

- estimator: a 14-qubit ``efficient_su2`` ansatz (reps 2), 13 ZZ observables broadcast
  against 20 parameter sets (260 values), exact (precision 0);
- the same PUB 8 times in one job;
- sampler: a 12-qubit ``efficient_su2`` (reps 2), 50 parameter sets, 1000 shots;
- the caller's longest stall during a ~1 s estimator job (a thread ticking every 1 ms);
- cancelling a RUNNING estimator job: seconds until CANCELLED;
- ``provider.job(id).result()`` of the stored 260-value estimator job (a new provider).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2
from qiskit_aer.primitives import SamplerV2 as AerSamplerV2

from qiskit_myprovider import MyProvider
from qiskit_myprovider.primitives import EstimatorV2, SamplerV2


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def medians(rounds: int, sides: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Run the sides interleaved, rotating which goes first; return each median."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for i in range(rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            times[name].append(timed(sides[name]))
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, figures: dict[str, float], reference: str, target: str, ok: bool) -> None:
    base = figures[reference]
    parts = [f"{name} {value * 1000:.1f} ms ({value / base:.2f}x)"
             for name, value in figures.items()]  # fmt: skip
    print(f"{title}: {', '.join(parts)}; target {target} {'OK' if ok else 'MISS'} [{load()}]",
          flush=True)  # fmt: skip


def estimator_pub() -> tuple[Any, ...]:
    n = 14
    ansatz = efficient_su2(n, reps=2)
    observables = [
        [SparsePauliOp.from_sparse_list([("ZZ", [i, i + 1], 1.0)], n)] for i in range(n - 1)
    ]
    values = np.random.default_rng(1).uniform(0, np.pi, (20, ansatz.num_parameters))
    return (ansatz, observables, values)


def sampler_pub() -> tuple[Any, ...]:
    circuit = efficient_su2(12, reps=2)
    circuit.measure_all()
    values = np.random.default_rng(2).uniform(0, np.pi, (50, circuit.num_parameters))
    return (circuit, values)


def longest_stall(action: Callable[[], Any]) -> float:
    gaps: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        action()
    finally:
        stop.set()
        ticker.join()
    return max(gaps) - 0.001


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rounds = args.rounds
    with (
        tempfile.TemporaryDirectory() as scratch,
        MyProvider(store=Path(scratch) / "jobs.sqlite3") as provider,
    ):
        backend = provider.get_backend()
        pub = estimator_pub()
        ours = EstimatorV2(mode=backend)
        aer = AerEstimatorV2.from_backend(backend.simulator)
        generic = BackendEstimatorV2(backend=backend)
        exact = aer.run([pub]).result()[0].data.evs
        mine = ours.run([pub]).result()[0].data.evs  # also warms a worker
        largest = np.abs(mine - exact).max()
        print(f"estimator values, largest difference from Aer's: {largest:.2e}")
        figures = medians(rounds, {
            "aer": lambda: aer.run([pub]).result(),
            "ours": lambda: ours.run([pub]).result(),
            "BackendEstimatorV2(ours)": lambda: generic.run([pub]).result(),
        })  # fmt: skip
        report("estimator, 260 values", figures, "aer", "ours <= 1.1x aer",
               figures["ours"] <= 1.1 * figures["aer"])  # fmt: skip

        eight = [pub] * 8
        figures = medians(max(3, rounds // 2), {
            "aer": lambda: aer.run(eight).result(),
            "ours": lambda: ours.run(eight).result(),
        })  # fmt: skip
        report("estimator, 8 PUBs in one job", figures, "aer", "ours <= aer/1.3",
               figures["ours"] * 1.3 <= figures["aer"])  # fmt: skip

        spub = sampler_pub()
        sampler = SamplerV2(mode=backend)
        aer_sampler = AerSamplerV2.from_backend(backend.simulator)
        generic_sampler = BackendSamplerV2(backend=backend)
        sampler.run([spub], shots=1000).result()
        figures = medians(rounds, {
            "aer": lambda: aer_sampler.run([spub], shots=1000).result(),
            "ours": lambda: sampler.run([spub], shots=1000).result(),
            "BackendSamplerV2(ours)": lambda: generic_sampler.run([spub], shots=1000).result(),
        })  # fmt: skip
        report("sampler, 50 sets x 1000 shots", figures, "aer", "ours <= 1.1x aer",
               figures["ours"] <= 1.1 * figures["aer"])  # fmt: skip

        ansatz = efficient_su2(20, reps=2)
        long_pub = (ansatz, [["Z" * 20], ["X" * 20]],
                    np.random.default_rng(0).uniform(0, 1, (6, ansatz.num_parameters)))  # fmt: skip
        stall_ours = longest_stall(lambda: ours.run([long_pub]).result())
        stall_aer = longest_stall(lambda: aer.run([long_pub]).result())
        verdict = "OK" if stall_ours <= 0.05 else "MISS"
        print(
            f"caller's longest stall during a ~1 s estimator job: ours {stall_ours * 1000:.1f}"
            f" ms, aer {stall_aer * 1000:.1f} ms; target ours <= 50 ms {verdict} [{load()}]",
            flush=True,
        )

        cancels = []
        for _ in range(max(3, rounds // 2)):
            job = ours.run([long_pub])
            while not job.running():
                time.sleep(0.001)
            time.sleep(0.05)
            start = time.perf_counter()
            job.cancel()
            while job.status().name != "CANCELLED":
                time.sleep(0.0005)
            cancels.append(time.perf_counter() - start)
        cancel = statistics.median(cancels)
        verdict = "OK" if cancel <= 0.5 else "MISS"
        print(
            f"cancel a RUNNING estimator job: CANCELLED after {cancel * 1000:.1f} ms "
            f"(aer: impossible); target <= 500 ms {verdict}"
        )

        stored = ours.run([pub])
        stored.result()
        job_id = stored.job_id()
        provider.store.flush()
        reads = []
        for _ in range(rounds):
            with MyProvider(store=Path(scratch) / "jobs.sqlite3") as other:
                reads.append(timed(lambda: other.job(job_id).result()))
        read = statistics.median(reads)
        verdict = "OK" if read <= 0.02 else "MISS"
        print(
            f"provider.job(id).result() of a stored 260-value estimator job: "
            f"{read * 1000:.1f} ms; target <= 20 ms {verdict} [{load()}]"
        )


if __name__ == "__main__":
    main()
