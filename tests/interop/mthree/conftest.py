"""Fixtures for the mthree suite: a provider, a fake IBM device and its noisy mimic.

mthree is imported unconditionally: a missing library fails this suite at collection,
never skips it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# Set before qiskit_myprovider's default provider is made: tests never touch a real store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

import mthree  # noqa: F401  (fail loudly, at collection, where it is missing)
import pytest
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_myprovider import MyBackend, MyProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:") as prov:
        yield prov


@pytest.fixture(scope="module")
def device() -> FakeManilaV2:
    return FakeManilaV2()


@pytest.fixture(scope="module")
def mimic(device: FakeManilaV2, provider: MyProvider) -> MyBackend:
    """Our simulator of the fake device, readout errors included."""
    return MyBackend.from_backend(device, provider=provider)
