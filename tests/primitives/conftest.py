"""Fixtures of the primitive tests: backends on real executors, and Aer's primitives beside them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter

from qiskit_myprovider import MyBackend, MyProvider

#: Keys of Aer's result metadata that depend on the run, not on the PUBs: timings, and the
#: thread settings of the process that ran it (our workers run Aer with their own).
VOLATILE_METADATA: Final = frozenset(
    {
        "time_taken",
        "time_taken_execute",
        "time_taken_parameter_binding",
        "omp_enabled",
        "parallel_experiments",
        "max_memory_mb",
        "max_gpu_memory_mb",
        "num_processes_per_experiments",
        "num_mpi_processes",
        "mpi_rank",
        "parallel_state_update",
        "parallel_shots",
    }
)


@pytest.fixture(params=["thread", "process"])
def executor_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def primitive_provider(executor_name: str) -> Iterator[MyProvider]:
    with MyProvider(store=":memory:", executor=executor_name) as prov:
        yield prov


@pytest.fixture
def primitive_backend(primitive_provider: MyProvider) -> MyBackend:
    return primitive_provider.get_backend()


def stable(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` without the keys that differ from run to run."""
    return {k: v for k, v in metadata.items() if k not in VOLATILE_METADATA}


def two_register_circuit() -> QuantumCircuit:
    """Registers of 3 and 9 bits (two bytes), measured out of order, and two parameters."""
    a, b = Parameter("a"), Parameter("b")
    q = QuantumRegister(5)
    small, wide = ClassicalRegister(3, "small"), ClassicalRegister(9, "wide")
    qc = QuantumCircuit(q, small, wide)
    qc.rx(a, 0)
    qc.ry(b, 1)
    qc.h(2)
    qc.cx(0, 3)
    qc.cx(1, 4)
    qc.measure([4, 3, 2], small)
    qc.measure([0, 1, 2, 3, 4, 0, 1, 2, 3], wide)
    qc.metadata = {"name": "two registers"}
    return qc


def values(shape: tuple[int, ...], count: int, seed: int = 3) -> np.ndarray[Any, Any]:
    return np.random.default_rng(seed).uniform(0, np.pi, (*shape, count))
