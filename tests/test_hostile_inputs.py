"""Inputs that used to crash, freeze or fail late: each is refused before anything is queued.

Every case checks the error class (in the documented tree), that the message names the
culprit, that no job was recorded, and that the backend still runs a good job afterwards.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError, MyProviderError
from qiskit_myprovider.execution import AutoExecutor, SimulationTask, estimate_cost
from tests.support import BELL_QASM2

from .conftest import bell_circuit

THETA = Parameter("theta")


def rotation() -> QuantumCircuit:
    qc = QuantumCircuit(1, name="rot")
    qc.rx(THETA, 0)
    qc.measure_all()
    return qc


def angle(value: float) -> QuantumCircuit:
    qc = QuantumCircuit(1, name="bad-angle")
    qc.rx(value, 0)
    qc.measure_all()
    return qc


CASES = [
    # Aer segfaults the caller on an empty value list.
    ("empty bind list", rotation(), {"parameter_binds": [{THETA: []}]}, InvalidInputError,
     "empty"),
    ("scalar bind", rotation(), {"parameter_binds": [{THETA: 0.5}]}, InvalidInputTypeError,
     "[0.5]"),
    ("text bind", rotation(), {"parameter_binds": [{THETA: ["a"]}]}, InvalidInputTypeError,
     "real"),
    ("NaN bind", rotation(), {"parameter_binds": [{THETA: [math.nan]}]}, InvalidInputError,
     "finite"),
    ("inf bind", rotation(), {"parameter_binds": [{THETA: [math.inf]}]}, InvalidInputError,
     "finite"),
    ("NaN gate", angle(math.nan), {}, InvalidInputError, "angles must be finite"),
    ("inf gate", angle(-math.inf), {}, InvalidInputError, "angles must be finite"),
    # Aer loops forever holding the GIL on a bond dimension of 0.
    ("bond 0", bell_circuit(), {"matrix_product_state_max_bond_dimension": 0}, InvalidInputError,
     "matrix_product_state_max_bond_dimension"),
    ("seed 2**70", bell_circuit(), {"seed_simulator": 2**70}, InvalidInputError, "2**63 - 1"),
    ("float option as text", bell_circuit(), {"chop_threshold": "1e-8"}, InvalidInputTypeError,
     "chop_threshold"),
    ("float option NaN", bell_circuit(), {"zero_threshold": math.nan}, InvalidInputError, "finite"),
    ("int option huge", bell_circuit(), {"max_parallel_threads": 2**40}, InvalidInputError,
     "max_parallel_threads"),
    ("int option as text", bell_circuit(), {"fusion_max_qubit": "5"}, InvalidInputTypeError,
     "fusion_max_qubit"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("circuit", "options", "error", "fragment"),
    [pytest.param(c, o, e, f, id=i) for i, c, o, e, f in CASES],
)
def test_a_hostile_input_is_refused_up_front_and_nothing_is_lost(
    provider: MyProvider,
    backend: MyBackend,
    circuit: QuantumCircuit,
    options: dict[str, object],
    error: type[Exception],
    fragment: str,
) -> None:
    with pytest.raises(error) as info:
        backend.run(circuit, **options)
    assert isinstance(info.value, MyProviderError)
    assert fragment in str(info.value)
    assert provider.jobs(limit=None) == []
    assert backend.run(bell_circuit(), shots=10).result().get_counts().keys() <= {"00", "11"}


def test_an_endless_timeout_waits_instead_of_overflowing(backend: MyBackend) -> None:
    job = backend.run(bell_circuit(), shots=10)
    assert sum(job.result(timeout=math.inf).get_counts().values()) == 10
    job.wait_for_final_state(timeout=math.inf, wait=1e300)
    assert job.done()


def test_millions_of_shots_are_never_run_in_the_callers_process() -> None:
    """The cost estimate counts shots, so ``auto`` sends such a job to a worker process."""
    circuit = bell_circuit()
    options = {"shots": 5_000_000}
    task = SimulationTask(
        job_id="x",
        backend_name="b",
        simulator=None,
        circuits=(circuit,),
        run_options=options,
        cost=estimate_cost([circuit], "automatic", options),
    )
    auto = AutoExecutor()
    try:
        assert auto.route(task) is auto.process_executor
    finally:
        auto.shutdown()


@pytest.mark.parametrize(
    ("store", "error"),
    [
        ("a\x00b.sqlite3", InvalidInputError),
        ("\ud800.sqlite3", InvalidInputError),
        (b"jobs.sqlite3", InvalidInputTypeError),
        ("", InvalidInputError),
    ],
)
def test_a_store_path_no_file_can_have_is_refused_in_the_tree(store: object, error: type) -> None:
    with pytest.raises(error, match="store"):
        MyProvider(store=store)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("filters", "error", "fragment"),
    [
        ({"limit": 2**64}, InvalidInputError, "limit"),
        ({"skip": -1}, InvalidInputError, "skip"),
        ({"name": "\ud800"}, InvalidInputError, "surrogate"),
        ({"backend_name": "x\x00"}, InvalidInputError, "NUL"),
        ({"job_tags": ["\x00"]}, InvalidInputError, "NUL"),
        ({"created_after": datetime.min}, InvalidInputError, "out of range"),
        ({"status": "FINISHED"}, InvalidInputError, "Valid: "),
    ],
)
def test_queries_the_store_cannot_hold_are_refused_in_the_tree(
    tmp_path: Path, filters: dict[str, object], error: type, fragment: str
) -> None:
    with MyProvider(store=tmp_path / "jobs.sqlite3", executor="thread") as provider:
        provider.get_backend().run(bell_circuit(), shots=5).result()
        with pytest.raises(error, match=re.escape(fragment)):
            provider.jobs(**filters)  # type: ignore[arg-type]
        assert len(provider.jobs(limit=None)) == 1


@pytest.mark.parametrize(
    ("name", "tags"), [("x\x00", None), ("\udcff", None), ("n" * 1001, None), (None, ["\ud800"])]
)
def test_names_and_tags_the_store_cannot_hold_are_refused_before_queueing(
    tmp_path: Path, name: str | None, tags: list[str] | None
) -> None:
    with MyProvider(store=tmp_path / "jobs.sqlite3", executor="thread") as provider:
        backend = provider.get_backend()
        with pytest.raises(InvalidInputError):
            backend.run(bell_circuit(), job_name=name, job_tags=tags)
        assert provider.jobs(limit=None) == []
        job = backend.run(bell_circuit(), shots=5)
        with pytest.raises(InvalidInputError):
            job.update_name(name or "\ud800")
        with pytest.raises(InvalidInputError):
            job.update_tags(tags or ["\x00"])
        assert job.result().get_counts()
        assert provider.job(job.job_id()).name() is None


def test_the_adapters_refuse_seeds_aer_cannot_take_before_any_submission(
    provider: MyProvider,
) -> None:
    from qiskit_myprovider.adapters import AsyncJobBackendAdapter

    adapter = AsyncJobBackendAdapter(provider.get_backend(), shots=8)
    with pytest.raises(InvalidInputError, match=r"2\*\*63 - 1"):
        adapter.set_seed(2**70)
    # Nothing was changed: submissions still run.
    handle = adapter.submit_circuits({"bell": BELL_QASM2})
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert sum(adapter.get_job_results(handle).results[0]["results"].values()) == 8


def test_the_job_contract_refuses_a_seed_aer_cannot_take_and_keeps_its_options(
    provider: MyProvider,
) -> None:
    from qiskit_myprovider.adapters import JobContractBackend

    backend = JobContractBackend(provider.get_backend())
    before = dict(backend.options)
    with pytest.raises(InvalidInputError, match=r"2\*\*63 - 1"):
        backend.update_options(shots=10, seed_simulator=2**70)
    assert dict(backend.options) == before  # all or nothing
    assert sum(backend.run(bell_circuit()).values()) == before["shots"]
