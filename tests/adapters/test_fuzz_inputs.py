"""Property-based fuzzing of what frameworks hand the adapters.

For every generated input, each adapter either accepts it (and the job runs to a final
state) or refuses it before anything is stored, with an error from the documented tree (or
the exception class its contract names: ``AttributeError`` for an unknown option key of the
Job contract). A good submission still runs afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter, JobContractBackend
from qiskit_myprovider.exceptions import MyProviderError
from qiskit_myprovider.execution import ProcessExecutor
from tests.support import BELL_QASM2, BELL_QASM3, PATIENCE, attempt, in_the_tree

from ..conftest import bell_circuit

#: Examples per property.
EXAMPLES: Final = 100

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=5000),
    st.sampled_from([0, -1, 10**9 + 1, 2**63, 2**70]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["\x00", "\ud800", "ZZ", "XX;YY", "OPENQASM 2.0;", BELL_QASM2, BELL_QASM3]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)




@pytest.fixture(scope="module")
def fuzz_provider() -> Iterator[MyProvider]:
    executor = ProcessExecutor(max_workers=2)
    with MyProvider(store=":memory:", executor=executor) as provider:
        yield provider
    executor.shutdown()


def stored(provider: MyProvider) -> int:
    return len(provider.jobs(limit=None))


@pytest.mark.slow
@FUZZ
@given(circuits=st.one_of(VALUES, st.just(bell_circuit())), shots=VALUES)
def test_job_contract_run_async_runs_or_refuses(
    fuzz_provider: MyProvider, circuits: Any, shots: Any
) -> None:
    backend = JobContractBackend(fuzz_provider.get_backend())
    before = stored(fuzz_provider)
    job, error = attempt(lambda: backend.run_async(circuits, shots=shots))
    if error is not None:
        assert in_the_tree(error), f"{type(error).__name__}: {error} for {circuits!r}, {shots!r}"
        assert stored(fuzz_provider) == before
    else:
        job.result(timeout=PATIENCE)
    assert backend.run(bell_circuit(), shots=5).keys() <= {"00", "11"}


@pytest.mark.slow
@FUZZ
@given(options=st.dictionaries(st.sampled_from(["shots", "seed", "nope", "memory"]), VALUES))
def test_job_contract_update_options_is_all_or_nothing(
    fuzz_provider: MyProvider, options: dict[str, Any]
) -> None:
    backend = JobContractBackend(fuzz_provider.get_backend())
    before = dict(backend.options)
    _, error = attempt(lambda: backend.update_options(**options))
    if error is not None:
        assert in_the_tree(error) or isinstance(error, AttributeError), repr(error)
        assert dict(backend.options) == before, "a refused update changed the options"


PAYLOAD_KEYS = st.sampled_from(["ham_ops", "shot_groups", "circuit_ham_map", "bogus"])


@pytest.mark.slow
@FUZZ
@given(
    circuits=st.one_of(
        VALUES,
        st.dictionaries(st.text(min_size=1, max_size=3), st.sampled_from([BELL_QASM2, BELL_QASM3])),
    ),
    extra=st.dictionaries(PAYLOAD_KEYS, VALUES, max_size=2),
    seed=VALUES,
)
def test_async_adapter_submissions_run_or_refuse(
    fuzz_provider: MyProvider, circuits: Any, extra: dict[str, Any], seed: Any
) -> None:
    adapter = AsyncJobBackendAdapter(fuzz_provider.get_backend(), shots=16)
    _, seed_error = attempt(lambda: adapter.set_seed(seed))
    if seed_error is not None:
        assert in_the_tree(seed_error), repr(seed_error)
    before = stored(fuzz_provider)
    handle, error = attempt(lambda: adapter.submit_circuits(circuits, **extra))
    if error is not None:
        assert in_the_tree(error), f"{type(error).__name__}: {error} for {circuits!r} {extra!r}"
        assert stored(fuzz_provider) == before
    else:
        # Accepted: it ends; a job that ends FAILED raises the adapter's clear error.
        status, failed = attempt(
            lambda: adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
        )
        assert failed is None or isinstance(failed, MyProviderError), repr(failed)
        assert failed is not None or status.is_final
    good = adapter.submit_circuits({"bell": BELL_QASM2})
    adapter.poll_job_status(good, loop_until_complete=True, verbose=False)
    results = adapter.get_job_results(good).results
    assert sum(results[0]["results"].values()) == 16
