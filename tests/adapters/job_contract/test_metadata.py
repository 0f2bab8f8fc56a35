"""The contract backend's metadata properties (``job_contract/metadata.py``, clause C19)."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.adapters import JobContractBackend
from tests.adapters.helpers import basis_circuit
from tests.conftest import Gate
from tests.support import PATIENCE


def test_metadata_properties_hold_real_values(engine: MyProvider) -> None:
    backend = JobContractBackend(engine.get_backend())
    assert backend.num_qubits == engine.get_backend().num_qubits
    assert backend.max_circuits is None
    assert backend.health is None
    assert backend.info["backend"] == "myprovider_simulator"
    assert backend.info["method"] == "automatic"
    assert backend.info["job_store"] == ":memory:"
    assert backend.queue == {"queued": 0, "running": 0} or set(backend.queue) == {
        "queued",
        "running",
    }
    assert {"cx", "h", "measure"} <= backend.gate_set
    assert backend.connectivity is None  # Aer's own target couples every pair
    assert backend.error_rates is None  # an ideal simulator


def test_metadata_of_a_mimicked_device(engine: MyProvider) -> None:
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


def test_queue_counts_waiting_and_running_jobs(gated_backend: MyBackend, gate: Gate) -> None:
    backend = JobContractBackend(gated_backend)
    first = backend.run_async(basis_circuit("1"), 5)
    second = backend.run_async(basis_circuit("1"), 5)
    gate.wait_started()
    assert backend.queue == {"queued": 1, "running": 1}
    gate.open()
    first.result(timeout=PATIENCE)
    second.result(timeout=PATIENCE)
    assert backend.queue == {"queued": 0, "running": 0}
