"""Fixtures for the Qrisp interop tests: a provider on an in-memory job store."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Set before qiskit_myprovider's default provider is made: tests never touch a real store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

from qiskit_myprovider import MyProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[MyProvider]:
    with MyProvider(store=":memory:") as prov:
        yield prov
