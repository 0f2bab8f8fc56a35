"""Jobs on a Dask cluster: a LocalCluster of two single-threaded worker processes.

``MyProvider(executor=client)`` sends every job to the cluster as one Dask task; the job is
QUEUED until a Dask worker starts it, RUNNING while it runs there, and its result comes back
through the same job handle and job store as with any other executor. Swap the LocalCluster
for a real cluster's address (``Client("tcp://scheduler:8786")``) and nothing else changes.

Needs the ``[dask]`` extra (``pip install "qiskit-myprovider[dask]"``). Run it with::

    python examples/dask_local_cluster.py
"""

from __future__ import annotations

from distributed import Client, LocalCluster
from qiskit import QuantumCircuit, transpile

from qiskit_myprovider import MyProvider
from qiskit_myprovider.progress import JobsProgress


def ghz(qubits: int) -> QuantumCircuit:
    circuit = QuantumCircuit(qubits, name=f"ghz{qubits}")
    circuit.h(0)
    for qubit in range(qubits - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit


def main() -> None:
    # One thread per Dask worker: Aer already parallelises inside a simulation.
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = client.scheduler_info()["workers"]
        print(f"Dask cluster with {len(workers)} workers at {client.scheduler.address}")

        with MyProvider(executor=client) as provider:
            backend = provider.get_backend()
            circuits = [ghz(qubits) for qubits in (3, 4, 5, 6, 7, 8)]
            jobs = [
                backend.run(transpile(circuit, backend), shots=1000, seed_simulator=11)
                for circuit in circuits
            ]
            with JobsProgress(jobs, description="Dask") as progress:
                progress.wait(timeout=300)

            for circuit, job in zip(circuits, jobs, strict=True):
                counts = job.result().get_counts()
                outcomes = ", ".join(f"{bits}: {count}" for bits, count in sorted(counts.items()))
                print(f"{circuit.name:<5} {job.status().name:<5} {outcomes}")


if __name__ == "__main__":  # needed: LocalCluster starts worker processes
    main()
