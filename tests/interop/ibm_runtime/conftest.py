"""Fixtures for the qiskit-ibm-runtime suite: our backends and plain Aer's, side by side.

qiskit-ibm-runtime is imported unconditionally: a missing library fails this suite at
collection, never skips it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Set before qiskit_myprovider's default provider is made: tests never touch a real store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

import pytest
from qiskit.providers import BackendV2
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_myprovider import MyBackend, MyProvider


@dataclass(frozen=True)
class Pair:
    """One of our backends and the plain Aer simulator it must agree with."""

    ours: MyBackend
    reference: BackendV2
    noisy: bool


@pytest.fixture(scope="module")
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:") as prov:
        yield prov


@pytest.fixture(scope="module", params=["ideal", "fake_manila"])
def pair(request: Any, provider: MyProvider) -> Pair:
    """Our default backend against ``AerSimulator()``, a mimic against Aer's mimic."""
    if request.param == "ideal":
        return Pair(provider.get_backend(), AerSimulator(), noisy=False)
    device = FakeManilaV2()
    ours = MyBackend.from_backend(device, provider=provider)
    return Pair(ours, AerSimulator.from_backend(device), noisy=True)
