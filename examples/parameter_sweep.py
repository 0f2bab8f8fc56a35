"""A parameter sweep: 40 jobs submitted at once, followed with one progress bar.

A quench of the transverse-field Ising chain: 14 qubits start in |00...0> and evolve under
H = -J Σ Z_i Z_i+1 - h Σ X_i (first-order Trotter steps). The field h is a circuit
parameter; the circuit is transpiled once, then bound to 40 values of h and every bound
circuit is submitted as its own job, all at once. ``backend.run`` returns at once, so the
jobs queue up and run while :class:`~qiskit_myprovider.progress.JobsProgress` shows how many
are done. At h = 0 nothing flips the spins, so <Z> stays 1; a stronger field melts the
magnetisation.

Run it with::

    python examples/parameter_sweep.py [--qubits 14] [--points 40] [--shots 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter

from qiskit_myprovider import MyProvider
from qiskit_myprovider.progress import JobsProgress


def ising_quench(qubits: int, steps: int, dt: float, coupling: float = 1.0) -> QuantumCircuit:
    """Trotterised evolution under the transverse-field Ising chain, with the field as ``h``."""
    h = Parameter("h")
    circuit = QuantumCircuit(qubits, name="ising_quench")
    for _ in range(steps):
        for first in (0, 1):  # even bonds, then odd bonds
            for qubit in range(first, qubits - 1, 2):
                circuit.rzz(-2 * coupling * dt, qubit, qubit + 1)
        for qubit in range(qubits):
            circuit.rx(-2 * h * dt, qubit)
    circuit.measure_all()
    return circuit


def magnetisation(counts: dict[str, int]) -> float:
    """The mean <Z> over all qubits: +1 when every qubit reads 0, -1 when every one reads 1."""
    shots = sum(counts.values())
    ones = sum(bits.count("1") * count for bits, count in counts.items())
    width = len(next(iter(counts)))
    return 1.0 - 2.0 * ones / (shots * width)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, default=14)
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--shots", type=int, default=2000)
    args = parser.parse_args()

    fields = np.linspace(0.0, 2.0, args.points)
    with MyProvider() as provider:
        backend = provider.get_backend()
        template = transpile(ising_quench(args.qubits, steps=8, dt=0.25), backend)
        (h,) = template.parameters

        start = time.perf_counter()
        jobs = [
            backend.run(
                template.assign_parameters({h: value}),
                shots=args.shots,
                seed_simulator=1,
                job_name=f"ising h={value:.3f}",
                job_tags=["parameter-sweep"],
            )
            for value in fields
        ]
        with JobsProgress(jobs, description="Sweep") as progress:
            progress.wait(timeout=600)
        elapsed = time.perf_counter() - start

        print(f"{len(jobs)} jobs of {args.qubits} qubits on {backend.name} in {elapsed:.1f} s")
        print(f"{'h':>6}  {'<Z>':>6}  {'P(all 0)':>8}")
        for value, job in list(zip(fields, jobs, strict=True))[:: max(1, args.points // 10)]:
            counts = job.result().get_counts()
            all_zero = counts.get("0" * args.qubits, 0) / args.shots
            print(f"{value:6.3f}  {magnetisation(counts):6.3f}  {all_zero:8.3f}")


if __name__ == "__main__":
    main()
