"""JobContractBackend: the Job contract suite on our adapter, then what only ours promises.

The suite (``tests/contract/job_contract_suite.py``) has one test per clause of the
contract; here every clause must apply. The tests after it cover what the contract leaves
to the backend: per-circuit shots as separate jobs, real cancellation of a running job in a
worker process, retrieval from another process, circuits with ``to_qiskit()``, the metadata
properties, and the exported names.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Gate, Parameter
from qiskit.circuit.library import QFTGate, quantum_volume
from qiskit.providers import JobStatus as QiskitJobStatus

import qiskit_myprovider.adapters as adapters
from qiskit_myprovider import MyBackend, MyProvider, exceptions
from qiskit_myprovider.adapters import (
    Job,
    JobCancelledError,
    JobContractBackend,
    JobFailureError,
    JobResult,
    JobStatus,
)
from qiskit_myprovider.adapters.job_contract import (
    CONTRACT_TAG,
    PART_TAG_PREFIX,
    ContractJob,
)

from .contract.job_contract_suite import ContractUnderTest, JobContractSuite, wait_until

ROOT = Path(__file__).resolve().parent.parent


def basis_circuit(bits: str) -> QuantumCircuit:
    """Prepare ``bits`` (rightmost = qubit 0) and measure each qubit into its own register.

    One classical register per bit, as Qrisp's ``to_qiskit()`` makes them, so Qiskit's
    counts keys carry separators that the adapter must remove.
    """
    qubits = QuantumRegister(len(bits), "q")
    registers = [ClassicalRegister(1, f"c{i}") for i in range(len(bits))]
    qc = QuantumCircuit(qubits, *registers, name=f"basis_{bits}")
    for index, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(index)
    for index, register in enumerate(registers):
        qc.measure(index, register[0])
    return qc


def failing_circuit() -> QuantumCircuit:
    """A circuit Aer accepts but fails to simulate: two save instructions with one label."""
    qc = QuantumCircuit(2, 2, name="duplicate_save")
    qc.h(0)
    qc.save_statevector(label="state")
    qc.save_statevector(label="state")
    qc.measure([0, 1], [0, 1])
    return qc


class LimitedBackend(JobContractBackend):
    """A JobContractBackend that takes at most ``limit`` circuits per job."""

    def __init__(self, backend: MyBackend, limit: int) -> None:
        super().__init__(backend)
        self._limit = limit

    @property
    def max_circuits(self) -> int | None:
        return self._limit


@pytest.fixture(scope="module")
def engine() -> Iterator[MyProvider]:
    """One provider for the module: its warm worker processes run the slow circuits."""
    with MyProvider(store=":memory:", executor="auto") as provider:
        yield provider


@pytest.fixture(scope="module")
def slow(engine: MyProvider) -> QuantumCircuit:
    """A real 22-qubit statevector simulation of a few seconds (runs in a worker process)."""
    backend = engine.get_backend()
    qc = quantum_volume(22, 10, seed=5)
    qc.measure_all()
    return transpile(qc, backend, optimization_level=0)


@pytest.fixture
def contract(engine: MyProvider, slow: QuantumCircuit) -> ContractUnderTest:
    backend = engine.get_backend()
    return ContractUnderTest(
        name="JobContractBackend",
        backend=JobContractBackend(backend),
        job_class=Job,
        status_enum=JobStatus,
        result_class=JobResult,
        failure_error=JobFailureError,
        cancelled_error=JobCancelledError,
        circuit=basis_circuit,
        failing_circuit=failing_circuit,
        limited_backend=lambda limit: LimitedBackend(backend, limit),
        slow_circuit=lambda: slow,
        retrieves_jobs=True,
    )


class TestJobContractBackendMeetsTheContract(JobContractSuite):
    """Every clause of the Job contract, on JobContractBackend."""


def test_every_clause_applies_to_job_contract_backend(contract: ContractUnderTest) -> None:
    assert contract.not_applicable == {}
    assert contract.slow_circuit is not None
    assert contract.retrieves_jobs


# -- exports and types ----------------------------------------------------------------------


def test_adapters_export_the_pinned_contract_names_in_a_sorted_all() -> None:
    assert adapters.__all__ == sorted(adapters.__all__)
    pinned = {"JobContractBackend", "Job", "JobStatus", "JobResult", "JobFailureError"}
    assert pinned | {"JobCancelledError"} <= set(adapters.__all__)
    for name in adapters.__all__:
        assert getattr(adapters, name) is not None


def test_no_qrisp_import_at_runtime() -> None:
    code = "import sys, qiskit_myprovider.adapters; print('qrisp' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_contract_errors_are_also_this_packages_job_errors() -> None:
    assert issubclass(JobFailureError, exceptions.JobFailedError)
    assert issubclass(JobCancelledError, exceptions.JobCancelledError)
    assert issubclass(JobFailureError, exceptions.MyProviderError)
    assert JobStatus.DONE == "done"
    assert JobStatus("cancelled") is JobStatus.CANCELLED


def test_job_result_is_read_only() -> None:
    result = JobResult([{"0": 1}], job_id="x")
    result.all_counts[0]["0"] = 99
    result.get_counts()["1"] = 5
    result.metadata["job_id"] = "y"
    assert result.all_counts == [{"0": 1}]
    assert result.metadata == {"job_id": "x"}
    with pytest.raises(AttributeError):
        result.all_counts = []  # type: ignore[misc]


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
    assert backend.options["seed_simulator"] == 11


def test_metadata_properties_hold_real_values(engine: MyProvider) -> None:
    backend = JobContractBackend(engine.get_backend())
    assert backend.num_qubits == engine.get_backend().num_qubits
    assert backend.max_circuits is None
    assert backend.health is None
    assert backend.info["backend"] == "myprovider_simulator"
    assert backend.info["method"] == "automatic"
    assert backend.queue == {"queued": 0, "running": 0} or set(backend.queue) == {
        "queued",
        "running",
    }
    assert {"cx", "h", "measure"} <= backend.gate_set
    assert backend.connectivity is None  # Aer's own target couples every pair
    assert backend.error_rates is None  # an ideal simulator


def test_metadata_of_a_mimicked_device(engine: MyProvider) -> None:
    from qiskit.providers.fake_provider import GenericBackendV2

    device = GenericBackendV2(num_qubits=5, coupling_map=[[0, 1], [1, 2], [2, 3], [3, 4]], seed=3)
    backend = JobContractBackend(MyBackend.from_backend(device, provider=engine))
    assert backend.num_qubits == 5
    assert backend.connectivity is not None
    assert (0, 1) in backend.connectivity
    assert (0, 4) not in backend.connectivity
    rates = backend.error_rates
    assert rates is not None
    assert "calibration" in rates
    assert all(0 <= error < 1 for error in rates["errors"].values())
    # A circuit off the coupling map is routed for it, and still gives the right answer.
    qc = QuantumCircuit(5, 2)
    qc.x(0)
    qc.cx(0, 4)
    qc.measure([0, 4], [0, 1])
    counts = backend.run(qc, shots=200)
    assert max(counts, key=counts.__getitem__) == "11"


def test_queue_counts_waiting_and_running_jobs(gated_backend: MyBackend, gate: Any) -> None:
    backend = JobContractBackend(gated_backend)
    first = backend.run_async(basis_circuit("1"), 5)
    second = backend.run_async(basis_circuit("1"), 5)
    gate.wait_started()
    assert backend.queue == {"queued": 1, "running": 1}
    gate.open()
    first.result(timeout=60)
    second.result(timeout=60)
    assert backend.queue == {"queued": 0, "running": 0}


# -- circuits -------------------------------------------------------------------------------


class ToQiskit:
    """Any circuit object with a ``to_qiskit()`` method (as Qrisp's have)."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self._circuit = circuit
        self.calls = 0

    def to_qiskit(self) -> QuantumCircuit:
        self.calls += 1
        return self._circuit


def test_circuits_with_to_qiskit_are_converted(contract: ContractUnderTest) -> None:
    backend = contract.backend
    one = ToQiskit(basis_circuit("10"))
    assert backend.run(one, shots=8) == {"10": 8}
    mixed = [ToQiskit(basis_circuit("01")), basis_circuit("11")]
    assert backend.run(mixed, shots=8) == [{"01": 8}, {"11": 8}]
    assert one.calls == 1


def test_gates_the_target_lacks_are_transpiled_and_others_are_not(
    contract: ContractUnderTest, engine: MyProvider
) -> None:
    qft = QuantumCircuit(3, 3, name="qft_round_trip")
    qft.x(0)
    qft.append(QFTGate(3), [0, 1, 2])
    qft.append(QFTGate(3).inverse(), [0, 1, 2])
    qft.barrier()
    qft.measure(range(3), range(3))
    job = contract.backend.run_async(qft, 16)
    assert job.result(timeout=60).get_counts() == {"001": 16}
    ran = job.jobs[0].circuits()[0]
    assert "qft" not in ran.count_ops()

    plain = basis_circuit("11")
    plain.barrier()
    job = contract.backend.run_async(plain, 4)
    job.result(timeout=60)
    assert job.jobs[0].circuits()[0] == plain  # ran as given: nothing to translate


@pytest.mark.parametrize(
    ("circuits", "error", "match"),
    [
        ("not a circuit", TypeError, "takes a circuit"),
        ([], ValueError, "at least one circuit"),
        ([QuantumCircuit(1), 5], TypeError, "Circuit 1 is a int"),
        ({"a": QuantumCircuit(1)}, TypeError, "not dict"),
    ],
)
def test_bad_circuits_are_refused(
    contract: ContractUnderTest, circuits: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        contract.backend.run_async(circuits)


def test_wide_unbound_or_untranslatable_circuits_are_refused_before_queueing(
    engine: MyProvider,
) -> None:
    backend = JobContractBackend(engine.get_backend())
    theta = Parameter("theta")
    unbound = QuantumCircuit(1, 1)
    unbound.rx(theta, 0)
    unbound.measure(0, 0)
    wide = QuantumCircuit(backend.num_qubits + 1)
    opaque = QuantumCircuit(1)
    opaque.append(Gate("mystery", 1, []), [0])

    class Broken:
        def to_qiskit(self) -> QuantumCircuit:
            raise RuntimeError("cannot convert")

    class Wrong:
        def to_qiskit(self) -> str:
            return "OPENQASM 2.0;"

    before = len(engine.jobs(limit=None))
    cases: list[tuple[object, type[Exception], str]] = [
        ([basis_circuit("1"), unbound], ValueError, "unbound parameters"),
        ([basis_circuit("1"), wide], ValueError, "simulates at most"),
        ([basis_circuit("1"), opaque], ValueError, "cannot be translated"),
        (Broken(), ValueError, "to_qiskit\\(\\) failed: cannot convert"),
        (Wrong(), TypeError, "returned a str"),
    ]
    for circuits, error, match in cases:
        with pytest.raises(error, match=match):
            backend.run_async(circuits, [5, 6] if isinstance(circuits, list) else 5)
    assert len(engine.jobs(limit=None)) == before  # nothing was queued


# -- per-circuit shots ----------------------------------------------------------------------


def test_per_circuit_shots_each_circuit_sums_to_its_shots(contract: ContractUnderTest) -> None:
    circuits = [basis_circuit(bits) for bits in ("000", "001", "010", "011", "100")]
    shots = [100, 7, 100, 1, 7]
    job = contract.backend.run_async(circuits, shots)
    result = job.result(timeout=60)
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
    assert job.result(timeout=60).all_counts == [{"0": 9}, {"1": 9}]


def test_a_failing_part_fails_the_whole_job_and_stops_the_rest(
    engine: MyProvider, slow: QuantumCircuit
) -> None:
    backend = JobContractBackend(engine.get_backend())
    job = backend.run_async([slow, failing_circuit()], [10, 20])
    with pytest.raises(JobFailureError, match="Duplicate key") as info:
        job.result(timeout=120)
    assert isinstance(info.value.__cause__, exceptions.SimulationError)
    assert job.status() is JobStatus.ERROR
    wait_until(lambda: job.jobs[0].in_final_state(), what="the slow part to be stopped", timeout=10)
    assert job.jobs[0].status() in (QiskitJobStatus.CANCELLED, QiskitJobStatus.DONE)


def test_cancel_of_a_multi_part_job_cancels_every_part(gated_backend: MyBackend, gate: Any) -> None:
    backend = JobContractBackend(gated_backend)
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [3, 4])
    gate.wait_started()
    assert job.status() is JobStatus.RUNNING
    assert job.cancel() is True
    assert job.status() is JobStatus.CANCELLED
    assert [part.status() for part in job.jobs] == [QiskitJobStatus.CANCELLED] * 2
    with pytest.raises(JobCancelledError):
        job.result(timeout=0)


def test_queued_then_running_then_done(gated_backend: MyBackend, gate: Any) -> None:
    backend = JobContractBackend(gated_backend)
    first = backend.run_async(basis_circuit("1"), 5)
    second = backend.run_async(basis_circuit("1"), 5)
    gate.wait_started()
    assert first.status() is JobStatus.RUNNING
    assert second.status() is JobStatus.QUEUED
    assert second.queued()
    assert repr(second) == f"ContractJob(job_id='{second.job_id}', status=QUEUED)"
    with pytest.raises(TimeoutError):
        second.result(timeout=0.05)
    gate.open()
    assert second.result(timeout=60).get_counts() == {"1": 5}
    assert first.status() is JobStatus.DONE


@pytest.mark.parametrize(("timeout", "error"), [(-1, ValueError), ("soon", TypeError)])
def test_result_refuses_a_bad_timeout(
    contract: ContractUnderTest, timeout: object, error: type[Exception]
) -> None:
    job = contract.backend.run_async(basis_circuit("1"), 5)
    with pytest.raises(error):
        job.result(timeout=timeout)  # type: ignore[arg-type]


# -- cancelling a running job through the contract ------------------------------------------


@pytest.mark.slow
def test_cancel_of_a_running_job_in_a_worker_process_stops_it() -> None:
    with MyProvider(store=":memory:", executor="process") as provider:
        backend = JobContractBackend(provider.get_backend())
        qc = quantum_volume(22, 10, seed=9)
        qc.measure_all()
        job = backend.run_async(qc, 10)
        wait_until(lambda: job.status() is JobStatus.RUNNING, what="the job to start", timeout=120)
        start = time.monotonic()
        assert job.cancel() is True
        assert job.status() is JobStatus.CANCELLED
        with pytest.raises(JobCancelledError):
            job.result(timeout=5)
        assert time.monotonic() - start < 2
        # The worker was replaced: the next job runs at once.
        assert backend.run(basis_circuit("1"), 3) == {"1": 3}


# -- retrieval ------------------------------------------------------------------------------


def test_retrieve_job_of_a_plain_my_job(engine: MyProvider) -> None:
    backend = engine.get_backend()
    my_job = backend.run([basis_circuit("10"), basis_circuit("01")], shots=6)
    job = JobContractBackend(backend).retrieve_job(my_job.job_id())
    assert isinstance(job, ContractJob)
    assert job.result(timeout=60).all_counts == [{"10": 6}, {"01": 6}]


def test_retrieve_job_refuses_ids_of_parts_other_backends_and_garbage(
    engine: MyProvider,
) -> None:
    backend = JobContractBackend(engine.get_backend())
    job = backend.run_async([basis_circuit("0"), basis_circuit("1")], [2, 3])
    job.result(timeout=60)
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
    job.result(timeout=60)
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
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": str(store)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
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
def test_another_process_waits_on_a_job_this_process_runs(tmp_path: Path, gate: Any) -> None:
    """The other process sees the job run here, waits on it, and gets its counts."""
    from qiskit_myprovider.execution import ThreadExecutor

    store = tmp_path / "jobs.sqlite3"
    with MyProvider(store=store, executor=ThreadExecutor(run=gate.run)) as provider:
        backend = JobContractBackend(provider.get_backend())
        job = backend.run_async([basis_circuit("01"), basis_circuit("10")], [4, 6])
        gate.wait_started()
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(RETRIEVE), job.job_id],
            env={
                **os.environ,
                "QISKIT_MYPROVIDER_STORE": str(store),
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
                ),
            },
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        assert child.poll() is None  # still waiting: the job is held at its start
        gate.open()
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        assert out.strip() == "[{'01': 4}, {'10': 6}] done"


def test_run_returns_plain_dicts_that_also_answer_qrisps_lazy_result_protocol(
    contract: ContractUnderTest,
) -> None:
    """Qrisp's multi_measurement reads ``_ensure_populated()`` and ``_data`` of run()'s result."""
    counts = contract.backend.run(basis_circuit("10"), 7)
    assert isinstance(counts, dict)
    assert counts == {"10": 7}
    assert counts._populated is True
    counts._ensure_populated()
    assert counts._data == {"10": 7}
    assert repr(counts) == "{'10': 7}"
