"""Property-based fuzzing of what users type: run() arguments and options, and the query API.

Properties, for every generated input:

- nothing crashes or freezes the caller: simulations run in worker processes (a crash there
  ends one job), and every accepted job reaches a final state within a bound;
- every rejection is in the documented tree (a ``MyProviderError`` that is also a
  ``ValueError`` or ``TypeError``, or a ``LookupError`` for an unknown job) and happens before
  anything is stored;
- a good job still runs afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import JobNotFoundError
from qiskit_myprovider.execution import ProcessExecutor
from qiskit_myprovider.options import AER_OPTION_NAMES, DEVICE_OPTION_NAMES, JOB_KEYWORDS
from tests.support import attempt, in_the_tree

from .conftest import bell_circuit

#: How long an accepted fuzzed job may take to end before it counts as a freeze.
FINAL_WITHIN = 60.0
#: Examples per property: enough to cover every option name several times.
EXAMPLES = 150

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

THETA = Parameter("theta")

#: Values of every shape a user might pass: the edges of numbers, text, containers.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    # Small ints, and the edges past every range; not the valid ints in between that ask for
    # real work (500 million shots run for minutes, rightly: that is not a freeze).
    st.integers(min_value=-10, max_value=10_000),
    st.sampled_from([0, 1, -1, 10**9 + 1, 2**31, 2**63, 2**64, 2**70, -(2**70)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["\x00", "\ud800", "automatic", "statevector", "CPU", "GPU", "single"]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)

OPTION_NAMES = st.one_of(
    st.sampled_from(sorted(AER_OPTION_NAMES | DEVICE_OPTION_NAMES | JOB_KEYWORDS)),
    st.text(min_size=1, max_size=12),
)




def assert_refused_in_the_tree(error: BaseException, what: object) -> None:
    assert in_the_tree(error), f"{type(error).__name__}: {error} for {what!r}"


@pytest.fixture(scope="module")
def fuzz_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MyProvider]:
    store = tmp_path_factory.mktemp("fuzz") / "jobs.sqlite3"
    executor = ProcessExecutor(max_workers=2)
    with MyProvider(store=store, executor=executor) as provider:
        yield provider
    executor.shutdown()


def count_jobs(provider: MyProvider) -> int:
    return len(provider.jobs(limit=None))


def check_accepted(job: Any) -> None:
    try:
        job.wait_for_final_state(timeout=FINAL_WITHIN, wait=FINAL_WITHIN)
    except Exception:
        job.cancel()
        raise AssertionError(f"an accepted job did not end within {FINAL_WITHIN} s") from None
    assert job.in_final_state()


@pytest.mark.slow
@FUZZ
@given(options=st.dictionaries(OPTION_NAMES, VALUES, max_size=3))
def test_fuzzed_run_options_are_run_or_refused_in_the_tree(
    fuzz_provider: MyProvider, options: dict[str, Any]
) -> None:
    backend = fuzz_provider.get_backend("myprovider_statevector")
    before = count_jobs(fuzz_provider)
    job, error = attempt(lambda: backend.run(bell_circuit(), **options))
    if error is not None:
        assert_refused_in_the_tree(error, options)
        assert count_jobs(fuzz_provider) == before, f"a refused run left a record: {options!r}"
    else:
        check_accepted(job)
    assert backend.run(bell_circuit(), shots=8).result(timeout=FINAL_WITHIN).success


BIND_VALUES = st.one_of(
    VALUES,
    st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), VALUES), max_size=4),
)


@pytest.mark.slow
@FUZZ
@given(binds=st.one_of(VALUES, st.lists(st.dictionaries(st.just(THETA), BIND_VALUES), max_size=2)))
def test_fuzzed_parameter_binds_are_run_or_refused_in_the_tree(
    fuzz_provider: MyProvider, binds: Any
) -> None:
    backend = fuzz_provider.get_backend()
    circuit = QuantumCircuit(1)
    circuit.rx(THETA, 0)
    circuit.measure_all()
    before = count_jobs(fuzz_provider)
    job, error = attempt(lambda: backend.run(circuit, parameter_binds=binds, shots=4))
    if error is not None:
        assert_refused_in_the_tree(error, binds)
        assert count_jobs(fuzz_provider) == before
    else:
        check_accepted(job)
        assert job.status().name == "DONE", job.error_message()


ANGLES = st.floats(allow_nan=True, allow_infinity=True)


@pytest.mark.slow
@FUZZ
@given(angles=st.lists(ANGLES, min_size=1, max_size=3), shots=VALUES)
def test_fuzzed_gate_angles_and_shots(
    fuzz_provider: MyProvider, angles: list[float], shots: Any
) -> None:
    backend = fuzz_provider.get_backend()
    circuit = QuantumCircuit(1)
    for value in angles:
        circuit.rx(value, 0)
    circuit.measure_all()
    before = count_jobs(fuzz_provider)
    job, error = attempt(lambda: backend.run(circuit, shots=shots))
    if error is not None:
        assert_refused_in_the_tree(error, (angles, shots))
        assert count_jobs(fuzz_provider) == before
    else:
        assert all(math.isfinite(a) for a in angles)
        check_accepted(job)
        assert job.status().name == "DONE", job.error_message()


DATES = st.one_of(
    st.none(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from([datetime.min, datetime.max]),
    VALUES,
)


@pytest.mark.slow
@FUZZ
@given(
    limit=VALUES,
    skip=VALUES,
    status=st.one_of(VALUES, st.sampled_from(["DONE", "done", "ERROR", "QUEUED"])),
    tags=st.one_of(VALUES, st.lists(st.text(max_size=4), max_size=3)),
    name=st.one_of(VALUES, st.text(max_size=5)),
    after=DATES,
    before=DATES,
)
def test_fuzzed_queries_answer_or_refuse_in_the_tree(
    fuzz_provider: MyProvider,
    limit: Any,
    skip: Any,
    status: Any,
    tags: Any,
    name: Any,
    after: Any,
    before: Any,
) -> None:
    filters = {
        "limit": limit,
        "skip": skip,
        "status": status,
        "job_tags": tags,
        "name": name,
        "created_after": after,
        "created_before": before,
    }
    jobs, error = attempt(lambda: fuzz_provider.jobs(**filters))
    if error is not None:
        assert_refused_in_the_tree(error, filters)
    else:
        assert isinstance(jobs, list)


@pytest.mark.slow
@FUZZ
@given(job_id=st.one_of(VALUES, st.uuids().map(str), st.text(max_size=40)))
def test_fuzzed_job_ids_are_found_or_refused_in_the_tree(
    fuzz_provider: MyProvider, job_id: Any
) -> None:
    for action in (fuzz_provider.job, fuzz_provider.delete_job):
        _, error = attempt(lambda action=action: action(job_id))  # type: ignore[misc]
        if error is not None and not isinstance(error, JobNotFoundError):
            assert_refused_in_the_tree(error, job_id)


@pytest.mark.slow
@FUZZ
@given(older_than=st.one_of(DATES, st.timedeltas(min_value=timedelta(days=-3)), VALUES))
def test_fuzzed_prune_cutoffs_prune_or_refuse_in_the_tree(
    fuzz_provider: MyProvider, older_than: Any
) -> None:
    backend: MyBackend = fuzz_provider.get_backend()
    keep = backend.run(bell_circuit(), shots=4)
    keep.result(timeout=FINAL_WITHIN)
    deleted, error = attempt(lambda: fuzz_provider.prune(older_than))
    if error is not None:
        assert_refused_in_the_tree(error, older_than)
    else:
        assert deleted >= 0


def test_the_fuzz_store_is_a_real_file(fuzz_provider: MyProvider) -> None:
    assert Path(fuzz_provider.store.location).exists()
