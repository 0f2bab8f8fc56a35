"""Fixtures for the pennylane-qiskit suite: a provider, and devices on our backends.

PennyLane and pennylane-qiskit are imported unconditionally: a missing library fails this
suite at collection, never skips it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# Set before qiskit_myprovider's default provider is made: tests never touch a real store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

import pennylane_qiskit  # noqa: F401  (fail loudly, at collection, where it is missing)
import pytest

from qiskit_myprovider import MyProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:") as prov:
        yield prov
