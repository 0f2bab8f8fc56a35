"""Interop suite for qoro-divi: needs Divi, so it runs only in its own environment.

``bash .ci/interop-divi.sh`` builds that environment and runs this folder; the main test
run ignores ``tests/interop`` (see ``addopts`` in pyproject.toml). Divi is imported here
unconditionally: a missing Divi is a failure of this suite, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import divi  # noqa: F401  (fail loudly, at collection, where Divi is missing)
import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter


@pytest.fixture
def provider() -> Iterator[MyProvider]:
    # The default executor, as Divi users get it: small jobs on a thread, the rest in workers.
    with MyProvider(store=":memory:") as prov:
        yield prov


@pytest.fixture
def adapter(provider: MyProvider) -> AsyncJobBackendAdapter:
    return AsyncJobBackendAdapter(provider.get_backend(), shots=1000)
