"""JobContractBackend (``job_contract/backend.py``): the contract suite, then what only ours does.

The suite (``tests/contract/job_contract_suite.py``) has one test per clause of the
contract; here every clause must apply. The tests after it cover what the contract leaves
to the backend: options, per-circuit shots as separate jobs submitted all or nothing, and
retrieval, also from another process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Final

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus as QiskitJobStatus

from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.adapters import JobContractBackend, JobStatus
from qiskit_myprovider.adapters.job_contract import CONTRACT_TAG, PART_TAG_PREFIX, ContractJob
from qiskit_myprovider.execution import ThreadExecutor
from qiskit_myprovider.validation import MAX_SEED
from tests.adapters.helpers import WORKER_PATIENCE, basis_circuit
from tests.conftest import Gate
from tests.contract.job_contract_suite import ContractUnderTest, JobContractSuite
from tests.support import PATIENCE, ROOT, child_env

#: How long the other process is given to (wrongly) finish while the job is held.
HOLD: Final = 1.0


class TestJobContractBackendMeetsTheContract(JobContractSuite):
    """Every clause of the Job contract, on JobContractBackend."""


def test_every_clause_applies_to_job_contract_backend(contract: ContractUnderTest) -> None:
    assert contract.not_applicable == {}
    assert contract.slow_circuit is not None
    assert contract.retrieves_jobs


# -- the backend object ---------------------------------------------------------------------


def test_defaults_name_and_options(engine: MyProvider) -> None:
    backend = JobContractBackend(engine.get_backend("myprovider_statevector"), shots=64)
    assert backend.name == "myprovider_statevector"
    assert dict(backend.options) == {"shots": 64, "seed_simulator": None}
    assert JobContractBackend(engine.get_backend(), name="mine").name == "mine"
    assert "JobContractBackend(name='myprovider_statevector'" in repr(backend)


def test_default_backend_is_the_default_providers() -> None:
    backend = JobContractBackend()
    assert backend.name == "myprovider_simulator"
    assert isinstance(backend.backend, MyBackend)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"backend": "myprovider_simulator"}, TypeError),
        ({"shots": 0}, ValueError),
        ({"shots": True}, TypeError),
        ({"name": ""}, ValueError),
        ({"name": 3}, TypeError),
    ],
)
def test_constructor_refuses_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        JobContractBackend(**kwargs)


def test_seed_simulator_option_makes_runs_repeatable(engine: MyProvider) -> None:
    backend = JobContractBackend(engine.get_backend(), shots=200)
    qc = QuantumCircuit(3)
    qc.h(range(3))
    qc.measure_all()
    backend.update_options(seed_simulator=11)
    assert backend.run(qc) == backend.run(qc)
    with pytest.raises(TypeError):
        backend.update_options(seed_simulator="eleven")
    with pytest.raises(ValueError, match="2\\*\\*63 - 1"):
        backend.update_options(seed_simulator=MAX_SEED + 1)
    with pytest.raises(ValueError, match="between 0 and"):
        backend.update_options(shots=5, seed_simulator=-1)
    assert backend.options["seed_simulator"] == 11
    assert backend.options["shots"] == 200  # all or nothing: shots=5 was not applied
    backend.update_options(seed_simulator=None)
    assert backend.options["seed_simulator"] is None


# -- per-circuit shots: one MyJob per shot count --------------------------------------------


def test_per_circuit_shots_each_circuit_sums_to_its_shots(contract: ContractUnderTest) -> None:
    circuits = [basis_circuit(bits) for bits in ("000", "001", "010", "011", "100")]
    shots = [100, 7, 100, 1, 7]
    job = contract.backend.run_async(circuits, shots)
    result = job.result(timeout=PATIENCE)
    assert [sum(counts.values()) for counts in result.all_counts] == shots
    assert result.all_counts == [
        {"000": 100},
        {"001": 7},
        {"010": 100},
        {"011": 1},
        {"100": 7},
    ]
    assert result.metadata["shots"] == shots
    # One MyJob per distinct shot count, in order of first appearance.
    assert len(job.jobs) == 3
    assert [part.backend_options()["shots"] for part in job.jobs] == [100, 7, 1]
    assert result.metadata["job_ids"] == [part.job_id() for part in job.jobs]
    assert job.job_id == job.jobs[0].job_id()
    assert all(CONTRACT_TAG in part.tags() for part in job.jobs)
    assert PART_TAG_PREFIX + job.job_id in job.jobs[1].tags()


def test_shots_given_as_a_tuple_and_equal_counts_make_one_job(
    contract: ContractUnderTest,
) -> None:
    job = contract.backend.run_async([basis_circuit("0"), basis_circuit("1")], (9, 9))
    assert len(job.jobs) == 1
    assert job.result(timeout=PATIENCE).all_counts == [{"0": 9}, {"1": 9}]


def test_a_part_that_cannot_be_submitted_cancels_the_parts_submitted_before_it(
    gated_backend: MyBackend, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing: part 3 fails to submit, so parts 1 and 2 are cancelled."""
    submitted: list[MyJob] = []
    run = gated_backend.run

    def run_twice_then_fail(*args: Any, **kwargs: Any) -> MyJob:
        if len(submitted) == 2:
            raise RuntimeError("the store is full")
        submitted.append(run(*args, **kwargs))
        return submitted[-1]

    monkeypatch.setattr(gated_backend, "run", run_twice_then_fail)
    backend = JobContractBackend(gated_backend)
    circuits = [basis_circuit("0"), basis_circuit("1"), basis_circuit("1")]
    with pytest.raises(RuntimeError, match="the store is full"):
        backend.run_async(circuits, [3, 4, 5])
    assert len(submitted) == 2
    assert [job.status() for job in submitted] == [QiskitJobStatus.CANCELLED] * 2


# -- retrieval ------------------------------------------------------------------------------


def test_retrieve_job_of_a_plain_my_job(engine: MyProvider) -> None:
    backend = engine.get_backend()
    my_job = backend.run([basis_circuit("10"), basis_circuit("01")], shots=6)
    job = JobContractBackend(backend).retrieve_job(my_job.job_id())
    assert isinstance(job, ContractJob)
    assert job.result(timeout=PATIENCE).all_counts == [{"10": 6}, {"01": 6}]


def test_retrieve_job_refuses_ids_of_parts_other_backends_and_garbage(
    engine: MyProvider,
) -> None:
    backend = JobContractBackend(engine.get_backend())
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [2, 3])
    job.result(timeout=PATIENCE)
    with pytest.raises(LookupError, match=f"retrieve_job\\('{job.job_id}'\\)"):
        backend.retrieve_job(job.jobs[1].job_id())
    other = JobContractBackend(engine.get_backend("myprovider_statevector"))
    with pytest.raises(LookupError, match="ran on backend"):
        other.retrieve_job(job.job_id)
    with pytest.raises(LookupError, match="not a job id"):
        backend.retrieve_job("not-an-id")
    with pytest.raises(TypeError):
        backend.retrieve_job(42)  # type: ignore[arg-type]


def test_retrieve_job_with_a_deleted_part_says_so(engine: MyProvider) -> None:
    backend = JobContractBackend(engine.get_backend())
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [2, 3])
    job.result(timeout=PATIENCE)
    engine.delete_job(job.jobs[1].job_id())
    with pytest.raises(LookupError, match="2 parts"):
        backend.retrieve_job(job.job_id)


SUBMIT = """
import sys
from qiskit import QuantumCircuit
from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import JobContractBackend

def basis(bits):
    qc = QuantumCircuit(len(bits), len(bits))
    for i, b in enumerate(reversed(bits)):
        if b == "1":
            qc.x(i)
    qc.measure(range(len(bits)), range(len(bits)))
    return qc

with MyProvider() as provider:
    backend = JobContractBackend(provider.get_backend())
    job = backend.run_async([basis("01"), basis("10"), basis("11")], [5, 8, 5])
    job.result(timeout=120)
    print(job.job_id)
"""

RETRIEVE = """
import sys
from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import JobContractBackend

with MyProvider() as provider:
    job = JobContractBackend(provider.get_backend()).retrieve_job(sys.argv[1])
    print(job.result(timeout=120).all_counts, job.status())
"""


def run_python(store: Path, script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=child_env(store),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3 * PATIENCE,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_retrieve_job_from_another_process(tmp_path: Path) -> None:
    """A job submitted (in three circuits, two parts) by one process, retrieved by another."""
    store = tmp_path / "jobs.sqlite3"
    job_id = run_python(store, SUBMIT)
    with MyProvider(store=store) as provider:
        job = JobContractBackend(provider.get_backend()).retrieve_job(job_id)
        assert job.status() is JobStatus.DONE
        assert job.result(timeout=0).all_counts == [{"01": 5}, {"10": 8}, {"11": 5}]
        assert len(job.jobs) == 2
        assert job.cancel() is False


@pytest.mark.slow
def test_another_process_waits_on_a_job_this_process_runs(tmp_path: Path, gate: Gate) -> None:
    """The other process sees the job run here, waits on it, and gets its counts."""
    store = tmp_path / "jobs.sqlite3"
    with MyProvider(store=store, executor=ThreadExecutor(run=gate.run)) as provider:
        backend = JobContractBackend(provider.get_backend())
        job = backend.run_async([basis_circuit("01"), basis_circuit("10")], [4, 6])
        gate.wait_started()
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(RETRIEVE), job.job_id],
            env=child_env(store),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        time.sleep(HOLD)
        assert child.poll() is None  # still waiting: the job is held at its start
        gate.open()
        out, err = child.communicate(timeout=WORKER_PATIENCE)
        assert child.returncode == 0, err
        assert out.strip() == "[{'01': 4}, {'10': 6}] done"
