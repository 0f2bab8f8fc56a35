"""SamplerV2 gives what Aer's SamplerV2 gives on the same PUBs: fields, shapes, bits, metadata."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import BaseSamplerV2, PrimitiveResult, SamplerPubResult
from qiskit_aer.primitives import SamplerV2 as AerSamplerV2

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.primitives import MyPrimitiveJob, SamplerOptions, SamplerV2
from tests.conftest import bell_circuit
from tests.primitives.conftest import stable, two_register_circuit, values


def aer_result(backend: MyBackend, pubs: list[Any], **kwargs: Any) -> PrimitiveResult:
    seed = kwargs.pop("seed", None)
    sampler = AerSamplerV2.from_backend(backend.simulator, seed=seed)
    return sampler.run(pubs, **kwargs).result()


def assert_same(ours: PrimitiveResult, theirs: PrimitiveResult) -> None:
    assert isinstance(ours, PrimitiveResult)
    assert ours.metadata == theirs.metadata
    assert len(ours) == len(theirs)
    for mine, aer in zip(ours, theirs, strict=True):
        assert type(mine) is type(aer) is SamplerPubResult
        assert mine.data.shape == aer.data.shape
        assert list(mine.data.keys()) == list(aer.data.keys())
        for name in aer.data:
            assert mine.data[name].num_bits == aer.data[name].num_bits
            assert mine.data[name].num_shots == aer.data[name].num_shots
            np.testing.assert_array_equal(mine.data[name].array, aer.data[name].array)
        assert mine.metadata.keys() == aer.metadata.keys()
        assert mine.metadata["shots"] == aer.metadata["shots"]
        assert mine.metadata["circuit_metadata"] == aer.metadata["circuit_metadata"]
        ours_sim, aer_sim = mine.metadata["simulator_metadata"], aer.metadata["simulator_metadata"]
        assert ours_sim.keys() == aer_sim.keys()
        assert stable(ours_sim) == stable(aer_sim)


def test_is_a_qiskit_sampler_and_its_job_a_primitive_job(primitive_backend: MyBackend) -> None:
    sampler = SamplerV2(mode=primitive_backend)
    assert isinstance(sampler, BaseSamplerV2)
    job = sampler.run([bell_circuit()], shots=50)
    assert isinstance(job, MyPrimitiveJob)
    assert job.primitive_id == "sampler"
    counts = job.result()[0].data.meas.get_counts()
    assert set(counts) <= {"00", "11"}
    assert sum(counts.values()) == 50


def test_one_circuit_equals_aer(primitive_backend: MyBackend) -> None:
    pubs = [bell_circuit()]
    ours = SamplerV2(mode=primitive_backend, options={"seed": 11}).run(pubs, shots=300)
    assert_same(ours.result(), aer_result(primitive_backend, pubs, seed=11, shots=300))


def test_broadcast_shapes_and_registers_equal_aer(primitive_backend: MyBackend) -> None:
    circuit = two_register_circuit()
    pubs = [(circuit, values((2, 3), 2)), (circuit, values((4,), 2, seed=5), 17)]
    ours = SamplerV2(mode=primitive_backend, options={"seed": 2}).run(pubs, shots=64).result()
    assert ours[0].data.small.shape == (2, 3)
    assert ours[0].data.wide.num_bits == 9
    assert ours[1].data.wide.num_shots == 17
    assert_same(ours, aer_result(primitive_backend, pubs, seed=2, shots=64))


def test_several_pubs_with_their_own_shots_equal_aer(primitive_backend: MyBackend) -> None:
    ansatz = efficient_su2(4, reps=1)
    ansatz.measure_all()
    pubs = [
        (ansatz, values((3,), ansatz.num_parameters), 100),
        (bell_circuit(), None, 40),
        (ansatz, values((2, 2), ansatz.num_parameters, seed=9)),
        (bell_circuit(), None, 100),
    ]
    ours = SamplerV2(mode=primitive_backend, options={"seed": 123}).run(pubs, shots=25).result()
    assert [r.metadata["shots"] for r in ours] == [100, 40, 25, 100]
    assert_same(ours, aer_result(primitive_backend, pubs, seed=123, shots=25))


def test_run_options_seed_is_used_when_no_seed_is_set(primitive_backend: MyBackend) -> None:
    pubs = [bell_circuit()]
    options = SamplerOptions(run_options={"seed_simulator": 77})
    ours = SamplerV2(mode=primitive_backend, options=options).run(pubs).result()
    aer = AerSamplerV2.from_backend(
        primitive_backend.simulator, options={"run_options": {"seed_simulator": 77}}
    )
    assert_same(ours, aer.run(pubs).result())


def test_noisy_backend_equals_aer_for_a_seed(primitive_provider: MyProvider) -> None:
    backend = primitive_provider.get_backend("myprovider_noisy_simulator")
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    pubs = [circuit]
    ours = SamplerV2(mode=backend, options={"seed": 4}).run(pubs, shots=500).result()
    counts = ours[0].data.meas.get_counts()
    assert len(counts) > 2  # the noise shows
    assert_same(ours, aer_result(backend, pubs, seed=4, shots=500))


def test_a_circuit_without_registers_warns_as_aer_does(backend: MyBackend) -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    with pytest.warns(UserWarning, match="no output classical registers"):
        job = SamplerV2(mode=backend).run([circuit], shots=10)
    with pytest.warns(UserWarning, match="no output classical registers"):
        aer = aer_result(backend, [circuit], shots=10)
    result = job.result()
    assert list(result[0].data.keys()) == list(aer[0].data.keys()) == []


def test_no_pubs_gives_an_empty_result(backend: MyBackend) -> None:
    result = SamplerV2(mode=backend).run([]).result()
    assert isinstance(result, PrimitiveResult)
    assert len(result) == 0
    assert result.metadata == {"version": 2}


def test_default_mode_is_the_default_backend() -> None:
    sampler = SamplerV2()
    assert sampler.backend.name == "myprovider_simulator"
    assert sampler.default_shots == 1024
    assert sampler.seed is None


def test_an_aer_simulator_as_mode_is_wrapped(provider: MyProvider) -> None:
    backend = provider.get_backend()
    sampler = SamplerV2(mode=backend.simulator)
    assert isinstance(sampler.backend, MyBackend)
    assert sampler.run([bell_circuit()], shots=10).result()[0].data.meas.num_shots == 10
