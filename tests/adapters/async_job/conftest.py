"""Fixtures of the AsyncJobBackend adapter tests."""

from __future__ import annotations

import pytest

from qiskit_myprovider import MyBackend
from qiskit_myprovider.adapters import AsyncJobBackendAdapter


@pytest.fixture
def adapter(backend: MyBackend) -> AsyncJobBackendAdapter:
    return AsyncJobBackendAdapter(backend, shots=200)
