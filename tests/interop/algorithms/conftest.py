"""Fixtures for the qiskit-algorithms suite: a provider and its default backend.

qiskit-algorithms is imported unconditionally: a missing library fails this suite at
collection, never skips it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# Set before qiskit_myprovider's default provider is made: tests never touch a real store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

import pytest
import qiskit_algorithms  # noqa: F401  (fail loudly, at collection, where it is missing)
from qiskit.transpiler import PassManager, generate_preset_pass_manager

from qiskit_myprovider import MyBackend, MyProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:") as prov:
        yield prov


@pytest.fixture(scope="module")
def backend(provider: MyProvider) -> MyBackend:
    return provider.get_backend()


@pytest.fixture(scope="module")
def pass_manager(backend: MyBackend) -> PassManager:
    """What the algorithms' ``transpiler=`` takes: circuits become ISA circuits of ours."""
    return generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=3)
