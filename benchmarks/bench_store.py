"""Job store benchmark: lookups and listings in an SQLite store holding 10,000 jobs.

Fills a fresh store file with realistic records (Bell and GHZ circuits with their real Aer
results, names, tags, options), through the store API as jobs write them, then measures the
median time to encode a job's record (circuits, options, result) as its row, of
``provider.job(id)`` for random ids and of ``provider.jobs(limit=10)`` with
and without filters, from a fresh provider (so every job is read from the file), and the
file's size per job.

Usage::

    python benchmarks/bench_store.py [--jobs 10000] [--repeat 200] [--path FILE]

Prints one line per figure: ``figure: median X ms (target ≤ Y ms) OK|MISS``; exits 1 if a
target is missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from qiskit import QuantumCircuit
from qiskit.providers import JobStatus
from qiskit_aer import AerSimulator

from qiskit_myprovider import MyProvider
from qiskit_myprovider.clock import now
from qiskit_myprovider.store import JobRecord, MemoryJobStore, SQLiteJobStore, make_owner_token
from qiskit_myprovider.store.codec import encode_record

#: A job's record is encoded at submission and its result when it ends: a small fraction of
#: the few milliseconds the shortest job costs.
TARGETS_MS = {"job(id)": 5.0, "jobs(limit=10)": 20.0, "encode a job": 1.0}


def ghz(n: int) -> QuantumCircuit:
    circuit = QuantumCircuit(n, name=f"ghz{n}" if n > 2 else "bell")
    circuit.h(0)
    for q in range(n - 1):
        circuit.cx(q, q + 1)
    circuit.measure_all()
    return circuit


def records(count: int, seed: int = 1) -> list[JobRecord]:
    """``count`` records like real jobs: one or two small circuits, their real result, tags."""
    rng = random.Random(seed)
    simulator = AerSimulator()
    shapes = [[ghz(2)], [ghz(3)], [ghz(5)], [ghz(2), ghz(4)]]
    results = [simulator.run(s, shots=1024, seed_simulator=1).result() for s in shapes]
    owner = make_owner_token()
    start = now() - timedelta(days=30)
    made = []
    for index in range(count):
        shape = index % len(shapes)
        created = start + timedelta(seconds=index * 250 + rng.random())
        steps = {
            "CREATED": created,
            "QUEUED": created + timedelta(milliseconds=1),
            "RUNNING": created + timedelta(milliseconds=2),
            "DONE": created + timedelta(milliseconds=12),
        }
        made.append(
            JobRecord(
                job_id=str(uuid.uuid4()),
                backend_name=("myprovider_simulator", "myprovider_statevector")[index % 2],
                status=JobStatus.DONE,
                creation_date=created,
                time_per_step=steps,
                name=f"job-{index}",
                tags=["bench", f"batch{index % 100}"],  # "batch7": 1 job in 100
                circuits=shapes[shape],
                options={"shots": 1024, "seed_simulator": index, "method": "automatic"},
                header={},
                result=results[shape],
                owner=owner,
            )
        )
    return made


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def report(figure: str, value: float, target: float | None) -> bool:
    if target is None:
        print(f"{figure}: median {value:.3f} ms")
        return True
    ok = value <= target
    print(f"{figure}: median {value:.3f} ms (target ≤ {target:g} ms) {'OK' if ok else 'MISS'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--path", type=Path, help="the store file (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.path or Path(tmp) / "jobs.sqlite3"
        if path.exists():
            sys.exit(f"{path} exists; give a new file")
        rows = records(args.jobs)

        store = SQLiteJobStore(path)
        started = time.perf_counter()
        for row in rows:
            store.add(row)
        fill = time.perf_counter() - started
        store.close()  # the last connection out checkpoints the WAL into the file
        print(
            f"filled {args.jobs} jobs in {fill:.2f} s ({args.jobs / fill:.0f} jobs/s, one "
            "transaction each)"
        )

        rng = random.Random(2)
        ids = [r.job_id for r in rows]
        ok = report(
            "encode a job (its row: circuits, options, result)",
            median_ms(lambda: encode_record(rng.choice(rows)), args.repeat),
            TARGETS_MS["encode a job"],
        )
        with MyProvider(store=path) as provider:
            ok &= report(
                "job(id)",
                median_ms(lambda: provider.job(rng.choice(ids)), args.repeat),
                TARGETS_MS["job(id)"],
            )
            ok &= report(
                "job(id).result()",
                median_ms(lambda: provider.job(rng.choice(ids)).result(), args.repeat),
                TARGETS_MS["job(id)"],
            )
            ok &= report(
                "jobs(limit=10)",
                median_ms(lambda: provider.jobs(limit=10), args.repeat),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, skip=5000)",
                median_ms(lambda: provider.jobs(limit=10, skip=5000), args.repeat),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, job_tags=[common tag])",
                median_ms(lambda: provider.jobs(limit=10, job_tags=["bench"]), args.repeat),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, job_tags=[tag on 1% of jobs])",
                median_ms(lambda: provider.jobs(limit=10, job_tags=["batch7"]), args.repeat),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, job_tags=[tag on no job])",
                median_ms(lambda: provider.jobs(limit=10, job_tags=["absent"]), args.repeat),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, job_tags=[common tag, 1% tag])",
                median_ms(
                    lambda: provider.jobs(limit=10, job_tags=["bench", "batch7"]), args.repeat
                ),
                TARGETS_MS["jobs(limit=10)"],
            )
            ok &= report(
                "jobs(limit=10, backend_name=..., status='DONE')",
                median_ms(
                    lambda: provider.jobs(
                        limit=10, backend_name="myprovider_statevector", status="DONE"
                    ),
                    args.repeat,
                ),
                TARGETS_MS["jobs(limit=10)"],
            )

        # For scale: the same lookups in the in-process store (no file, no decoding).
        memory = MemoryJobStore()
        for row in rows:
            memory.add(row)
        with MyProvider(store=memory) as provider:
            report(
                "reference, :memory: job(id)",
                median_ms(lambda: provider.job(rng.choice(ids)), args.repeat),
                None,
            )
            report(
                "reference, :memory: jobs(limit=10)",
                median_ms(lambda: provider.jobs(limit=10), args.repeat),
                None,
            )

        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        print(
            f"store size: {size / 1e6:.1f} MB for {args.jobs} jobs = "
            f"{size / args.jobs:.0f} bytes per job"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
