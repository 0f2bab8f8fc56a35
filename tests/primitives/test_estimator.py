"""EstimatorV2 gives what Aer's own EstimatorV2 gives on the same PUBs: evs, stds, metadata."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import BaseEstimatorV2, PrimitiveResult, PubResult
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.primitives import EstimatorOptions, EstimatorV2, MyPrimitiveJob
from tests.conftest import bell_circuit
from tests.primitives.conftest import stable, values

#: Exact values agree to this (the sums run in another order).
EXACT: float = 1e-10


def aer_result(backend: MyBackend, pubs: list[Any], **options: Any) -> PrimitiveResult:
    precision = options.pop("precision", None)
    estimator = AerEstimatorV2.from_backend(backend.simulator, options=options or None)
    return estimator.run(pubs, precision=precision).result()


def assert_same(ours: PrimitiveResult, theirs: PrimitiveResult, tolerance: float = EXACT) -> None:
    assert isinstance(ours, PrimitiveResult)
    assert ours.metadata == theirs.metadata
    assert len(ours) == len(theirs)
    for mine, aer in zip(ours, theirs, strict=True):
        assert type(mine) is type(aer) is PubResult
        assert mine.data.shape == aer.data.shape
        assert list(mine.data.keys()) == list(aer.data.keys()) == ["evs", "stds"]
        assert mine.data.evs.dtype == aer.data.evs.dtype
        np.testing.assert_allclose(mine.data.evs, aer.data.evs, rtol=0, atol=tolerance)
        np.testing.assert_array_equal(mine.data.stds, aer.data.stds)
        assert mine.metadata.keys() == aer.metadata.keys()
        assert mine.metadata["target_precision"] == aer.metadata["target_precision"]
        assert mine.metadata["circuit_metadata"] == aer.metadata["circuit_metadata"]
        ours_sim, aer_sim = mine.metadata["simulator_metadata"], aer.metadata["simulator_metadata"]
        assert ours_sim.keys() == aer_sim.keys()
        assert stable(ours_sim) == stable(aer_sim)


def zz_observables(n: int) -> list[SparsePauliOp]:
    return [SparsePauliOp.from_sparse_list([("ZZ", [i, i + 1], 1.0)], n) for i in range(n - 1)]


def test_is_a_qiskit_estimator_and_exact(primitive_backend: MyBackend) -> None:
    estimator = EstimatorV2(mode=primitive_backend)
    assert isinstance(estimator, BaseEstimatorV2)
    job = estimator.run([(bell_circuit(measure=False), ["ZZ", "XX", "ZI"])])
    assert isinstance(job, MyPrimitiveJob)
    assert job.primitive_id == "estimator"
    np.testing.assert_allclose(job.result()[0].data.evs, [1.0, 1.0, 0.0], atol=EXACT)


def test_broadcast_observables_against_parameter_sets_equal_aer(
    primitive_backend: MyBackend,
) -> None:
    ansatz = efficient_su2(5, reps=1)
    observables = [[op] for op in zz_observables(5)]  # shape (4, 1)
    pubs = [(ansatz, observables, values((6,), ansatz.num_parameters))]  # -> (4, 6)
    ours = EstimatorV2(mode=primitive_backend).run(pubs).result()
    assert ours[0].data.evs.shape == (4, 6)
    assert_same(ours, aer_result(primitive_backend, pubs))


def test_weighted_sums_and_two_dimensional_parameters_equal_aer(
    primitive_backend: MyBackend,
) -> None:
    ansatz = efficient_su2(3, reps=1)
    hamiltonian = SparsePauliOp(["XXI", "IZZ", "YIY", "III"], [0.5, -1.25, 0.3, 2.0])
    pubs = [
        (ansatz, hamiltonian, values((2, 3), ansatz.num_parameters)),
        (ansatz, [[hamiltonian, "ZZZ"]], values((3, 1), ansatz.num_parameters, seed=8)),
        (bell_circuit(measure=False), "YY"),
    ]
    ours = EstimatorV2(mode=primitive_backend).run(pubs).result()
    assert [r.data.evs.shape for r in ours] == [(2, 3), (3, 2), ()]
    assert_same(ours, aer_result(primitive_backend, pubs))


def test_precision_per_pub_and_seeded_sampling_equal_aer(primitive_backend: MyBackend) -> None:
    ansatz = efficient_su2(3, reps=1)
    pubs = [
        (ansatz, "ZZI", values((5,), ansatz.num_parameters)),
        (ansatz, "XIX", values((2,), ansatz.num_parameters), 0.05),
        (ansatz, "IYY", values((3,), ansatz.num_parameters), 0.0),
    ]
    options = {"run_options": {"seed_simulator": 21}}
    ours = EstimatorV2(mode=primitive_backend, options=options).run(pubs, precision=0.1)
    result = ours.result()
    assert [r.metadata["target_precision"] for r in result] == [0.1, 0.05, 0.0]
    assert_same(result, aer_result(primitive_backend, pubs, precision=0.1, **options))


def test_default_precision_option(primitive_backend: MyBackend) -> None:
    pubs = [(bell_circuit(measure=False), "ZZ")]
    options = EstimatorOptions(default_precision=0.2, run_options={"seed_simulator": 3})
    result = EstimatorV2(mode=primitive_backend, options=options).run(pubs).result()
    assert result[0].data.stds == pytest.approx(0.2)
    assert_same(result, aer_result(primitive_backend, pubs, default_precision=0.2,
                                   run_options={"seed_simulator": 3}))  # fmt: skip


def test_noisy_backend_equals_aer_for_a_seed(primitive_provider: MyProvider) -> None:
    backend = primitive_provider.get_backend("myprovider_noisy_simulator")
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    pubs = [(circuit, ["ZZI", "IZZ", "XXX"])]
    options = {"run_options": {"seed_simulator": 5, "shots": 200}}
    ours = EstimatorV2(mode=backend, options=options).run(pubs).result()
    assert np.all(np.abs(ours[0].data.evs) < 0.999)  # the noise shows
    assert_same(ours, aer_result(backend, pubs, **options))


def test_circuit_metadata_is_kept(backend: MyBackend) -> None:
    circuit = bell_circuit(measure=False)
    circuit.metadata = {"experiment": "bell", "index": 3}
    result = EstimatorV2(mode=backend).run([(circuit, "ZZ")]).result()
    assert result[0].metadata["circuit_metadata"] == {"experiment": "bell", "index": 3}
