"""MyBackend: a real BackendV2 that Qiskit's transpiler and primitives work with."""

from __future__ import annotations

import copy
import uuid

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2
from qiskit.providers import BackendV2, JobStatus
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.clock import now
from qiskit_myprovider.exceptions import InvalidInputTypeError, MyJobError, UnknownOptionError
from qiskit_myprovider.store import JobRecord

from .conftest import bell_circuit, ghz_circuit


def test_backend_is_a_backend_v2_with_a_real_target(backend: MyBackend) -> None:
    assert isinstance(backend, BackendV2)
    assert backend.num_qubits == backend.target.num_qubits >= 20
    assert {"cx", "h", "measure", "rz"} <= set(backend.target.operation_names)
    assert backend.max_circuits is None
    assert backend.provider is not None


def test_transpile_then_run_gives_ghz_outcomes_only(backend: MyBackend) -> None:
    circuit = transpile(ghz_circuit(5), backend, seed_transpiler=3)
    counts = backend.run(circuit, shots=500, seed_simulator=11).result().get_counts()
    assert set(counts) == {"00000", "11111"}
    assert sum(counts.values()) == 500


def test_preset_pass_manager_works_on_the_backend(backend: MyBackend) -> None:
    pm = generate_preset_pass_manager(backend=backend, optimization_level=2, seed_transpiler=1)
    isa = pm.run(bell_circuit())
    counts = backend.run(isa, shots=300, seed_simulator=5).result().get_counts()
    assert set(counts) <= {"00", "11"}
    assert len(counts) == 2


def test_backend_sampler_v2_gives_bell_counts(backend: MyBackend) -> None:
    sampler = BackendSamplerV2(backend=backend, options={"seed_simulator": 7})
    result = sampler.run([bell_circuit()], shots=400).result()
    counts = result[0].data.meas.get_counts()
    assert set(counts) == {"00", "11"}
    assert sum(counts.values()) == 400


def test_backend_estimator_v2_gives_zz_one_on_bell(backend: MyBackend) -> None:
    estimator = BackendEstimatorV2(backend=backend, options={"seed_simulator": 7})
    observables = [SparsePauliOp("ZZ"), SparsePauliOp("ZI")]
    result = estimator.run([(bell_circuit(measure=False), observables)]).result()
    zz, zi = result[0].data.evs
    assert zz == pytest.approx(1.0)
    assert abs(zi) < 0.1


def test_memory_is_one_hex_string_per_shot(backend: MyBackend) -> None:
    result = backend.run(bell_circuit(), shots=20, memory=True, seed_simulator=1).result()
    memory = result.results[0].data.memory
    assert len(memory) == 20
    assert all(m in ("0x0", "0x3") for m in memory)
    assert set(result.get_memory()) <= {"00", "11"}


def test_result_carries_our_job_id_backend_name_metadata_and_time(backend: MyBackend) -> None:
    qc = bell_circuit()
    qc.metadata = {"experiment": "bell-1"}
    job = backend.run([qc, ghz_circuit(3)], shots=50, seed_simulator=2)
    result = job.result()
    assert result.job_id == job.job_id()
    assert result.backend_name == backend.name
    assert result.success is True
    assert result.time_taken > 0
    assert len(result.results) == 2
    assert result.results[0].header["metadata"] == {"experiment": "bell-1"}
    assert result.results[0].metadata["method"] == "stabilizer"  # automatic picked Clifford
    assert sum(result.get_counts(1).values()) == 50


def test_seeded_runs_are_reproducible(backend: MyBackend) -> None:
    qc = QuantumCircuit(3)
    qc.h(range(3))
    qc.measure_all()
    first = backend.run(qc, shots=200, seed_simulator=42).result().get_counts()
    second = backend.run(qc, shots=200, seed_simulator=42).result().get_counts()
    assert first == second


def test_set_options_changes_defaults_and_validates(backend: MyBackend) -> None:
    backend.set_options(shots=77)
    assert backend.options.shots == 77
    assert sum(backend.run(bell_circuit()).result().get_counts().values()) == 77
    with pytest.raises(UnknownOptionError, match="shot"):
        backend.set_options(shot=5)
    with pytest.raises(InvalidInputTypeError):
        backend.set_options(memory="yes")
    assert backend.options.shots == 77


def test_every_aer_option_passes_through(backend: MyBackend) -> None:
    job = backend.run(bell_circuit(), shots=64, fusion_enable=False, max_parallel_threads=1)
    assert job.backend_options()["fusion_enable"] is False
    assert sum(job.result().get_counts().values()) == 64


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("myprovider_simulator", "automatic"),
        ("myprovider_statevector", "statevector"),
        ("myprovider_density_matrix", "density_matrix"),
        ("myprovider_matrix_product_state", "matrix_product_state"),
        ("myprovider_stabilizer", "stabilizer"),
    ],
)
def test_each_catalogue_backend_runs_bell_with_its_method(
    provider: MyProvider, name: str, method: str
) -> None:
    backend = provider.get_backend(name)
    assert backend.method == method
    result = backend.run(bell_circuit(), shots=100, seed_simulator=3).result()
    assert set(result.get_counts()) == {"00", "11"}
    if method != "automatic":
        assert result.results[0].metadata["method"] == method


def test_noisy_backend_produces_noise(provider: MyProvider) -> None:
    backend = provider.get_backend("myprovider_noisy_simulator")
    assert backend.noisy
    qc = transpile(ghz_circuit(5), backend)
    counts = backend.run(qc, shots=4000, seed_simulator=9).result().get_counts()
    assert len(counts) > 2  # errors show up as other bitstrings
    assert counts.get("00000", 0) + counts.get("11111", 0) > 3000


def test_from_backend_copies_target_and_noise() -> None:
    device = GenericBackendV2(num_qubits=5, seed=3)
    with MyProvider(store=":memory:", executor="thread") as provider:
        backend = MyBackend.from_backend(device, provider=provider)
        assert backend.name == f"myprovider_{device.name}"
        assert backend.num_qubits == 5
        assert backend.noisy
        assert backend.target.build_coupling_map() == device.target.build_coupling_map()
        isa = transpile(ghz_circuit(3), backend, seed_transpiler=1)
        counts = backend.run(isa, shots=2000, seed_simulator=1).result().get_counts()
        assert counts["000"] + counts["111"] > 1500
        assert len(counts) > 2


def test_from_backend_rejects_non_backends() -> None:
    with pytest.raises(InvalidInputTypeError, match="BackendV2"):
        MyBackend.from_backend("ibm_brisbane")  # type: ignore[arg-type]


def test_deep_copies_run_jobs_share_the_store_and_keep_options_apart(
    provider: MyProvider, backend: MyBackend
) -> None:
    clone = copy.deepcopy(backend)
    assert clone is not backend
    assert clone.engine is backend.engine
    clone.set_options(shots=7)
    assert backend.options.shots == 1024
    assert clone.options.shots == 7
    job = clone.run(bell_circuit())
    assert sum(job.result().get_counts().values()) == 7
    assert provider.job(job.job_id()).job_id() == job.job_id()
    assert backend.retrieve_job(job.job_id()).status().name == "DONE"
    assert sum(backend.run(bell_circuit()).result().get_counts().values()) == 1024


def test_shallow_copies_keep_options_apart_too(backend: MyBackend) -> None:
    clone = copy.copy(backend)
    clone.set_options(shots=9)
    assert backend.options.shots == 1024
    assert clone.options.shots == 9
    assert clone.engine is backend.engine


def test_a_copy_of_a_device_mimic_keeps_its_target_and_noise(provider: MyProvider) -> None:
    device = GenericBackendV2(num_qubits=5, seed=11)
    mimic = MyBackend.from_backend(device, provider=provider)
    clone = copy.deepcopy(mimic)
    assert clone.num_qubits == 5
    assert set(clone.target.operation_names) == set(mimic.target.operation_names)
    assert clone.noisy
    assert clone.options.noise_model is not None
    qc = transpile(ghz_circuit(3), clone, seed_transpiler=1)
    counts = clone.run(qc, shots=2000, seed_simulator=3).result().get_counts()
    assert set(counts) - {"000", "111"}, "the noise model did not survive the copy"
    assert counts.get("000", 0) + counts.get("111", 0) > 1500


# -- run_recorded: a job another process recorded ------------------------------------------


def recorded_job(backend: MyBackend, options: dict[str, object]) -> str:
    """Record an INITIALIZING job as ``run --no-wait`` does (another owner), return its id."""
    created = now()
    job_id = str(uuid.uuid4())
    backend.engine.store.add(
        JobRecord(
            job_id=job_id,
            backend_name=backend.name,
            status=JobStatus.INITIALIZING,
            creation_date=created,
            time_per_step={"CREATED": created},
            name="recorded",
            tags=["cli"],
            circuits=[bell_circuit()],
            options=options,
            owner="elsewhere:1:2:0123456789ab",
        )
    )
    return job_id


def test_run_recorded_runs_the_records_circuits_under_its_id(backend: MyBackend) -> None:
    job_id = recorded_job(backend, {"shots": 300, "seed_simulator": 4})
    job = backend.run_recorded(job_id, transpile(bell_circuit(), backend, seed_transpiler=1))
    assert job.job_id() == job_id
    counts = job.result(timeout=60).get_counts()
    assert sum(counts.values()) == 300
    assert set(counts) <= {"00", "11"}
    stored = backend.engine.store.get(job_id)
    assert stored.status is JobStatus.DONE
    assert stored.owner == backend.engine.owner_token  # this process took the job over
    assert (stored.name, stored.tags) == ("recorded", ["cli"])
    assert {"CREATED", "QUEUED", "DONE"} <= set(stored.time_per_step)
    # The record now holds what ran: the backend's options too, and the circuits given.
    assert stored.options["method"] == backend.method
    assert stored.options["shots"] == 300
    assert stored.circuits is not None
    assert stored.circuits[0] == transpile(bell_circuit(), backend, seed_transpiler=1)


def test_run_recorded_refuses_what_run_refuses_and_records_why(backend: MyBackend) -> None:
    job_id = recorded_job(backend, {"shots": 300, "no_such_option": 1})
    with pytest.raises(UnknownOptionError, match="no_such_option"):
        backend.run_recorded(job_id)
    stored = backend.engine.store.get(job_id)
    assert stored.status is JobStatus.ERROR
    assert stored.error_message is not None
    assert "no_such_option" in stored.error_message
    assert "ERROR" in stored.time_per_step


def test_run_recorded_runs_a_job_once(backend: MyBackend) -> None:
    job_id = recorded_job(backend, {"shots": 10})
    backend.run_recorded(job_id).result(timeout=60)
    with pytest.raises(MyJobError, match="not INITIALIZING"):
        backend.run_recorded(job_id)
    assert backend.engine.store.get(job_id).status is JobStatus.DONE
