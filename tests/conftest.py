"""Shared fixtures: a fresh provider per test, and circuits of known answer or known cost."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume
from qiskit.result import Result

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor, simulate
from tests.support import process_alive

__all__ = ["Gate", "bell_circuit", "ghz_circuit", "process_alive", "slow_circuit"]

# Tests never touch the user's real job store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")
# Nor start a worker ahead of need for every provider (tests of the warm-up turn it on).
os.environ.setdefault("QISKIT_MYPROVIDER_WARM", "0")


@pytest.fixture
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:", executor="thread") as prov:
        yield prov


@pytest.fixture
def backend(provider: MyProvider) -> MyBackend:
    return provider.get_backend()


def bell_circuit(measure: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def ghz_circuit(n: int = 3) -> QuantumCircuit:
    qc = QuantumCircuit(n, name=f"ghz{n}")
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    qc.measure_all()
    return qc


def slow_circuit(backend: MyBackend, qubits: int = 20, depth: int = 10) -> QuantumCircuit:
    """A real statevector workload of roughly a second on a 2-core machine."""
    qc = quantum_volume(qubits, depth, seed=7)
    qc.measure_all()
    return transpile(qc, backend, optimization_level=0, seed_transpiler=1)


@pytest.fixture
def bell() -> QuantumCircuit:
    return bell_circuit()


class Gate:
    """Holds each simulation at its start until the test releases it (then runs real Aer).

    Aer keeps the GIL while it simulates in a thread, so a test cannot reliably observe a
    thread-run job while it is RUNNING; the gate makes those moments deterministic.
    """

    def __init__(self) -> None:
        self.started = threading.Semaphore(0)
        self._release = threading.Event()

    def run(self, task: SimulationTask) -> Result:
        self.started.release()
        self._release.wait(60)
        return simulate(task)

    def wait_started(self, timeout: float = 30) -> None:
        assert self.started.acquire(timeout=timeout), "the simulation never started"

    def open(self) -> None:
        self._release.set()


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate()
    yield g
    g.open()


@pytest.fixture
def gated_backend(gate: Gate) -> Iterator[MyBackend]:
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=gate.run)) as prov:
        yield prov.get_backend()
