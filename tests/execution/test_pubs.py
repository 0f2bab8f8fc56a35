"""Primitive parts: Aer's seed stride, register packing, splits that draw what the whole does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import efficient_su2
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit_aer import AerSimulator

from qiskit_myprovider.catalogue import default_noise_model
from qiskit_myprovider.execution import SimulationTask, simulate
from qiskit_myprovider.execution.pubs import SEED_STRIDE, PartOutput, PrimitivePart
from qiskit_myprovider.primitives.assemble import assemble_estimator, assemble_sampler
from qiskit_myprovider.primitives.pubs import (
    estimator_segments,
    sampler_segments,
    split_segments,
)
from tests.primitives.conftest import two_register_circuit


def test_aer_seeds_each_experiment_of_a_call_a_stride_apart() -> None:
    theta = Parameter("t")
    circuit = QuantumCircuit(1)
    circuit.rx(theta, 0)
    circuit.measure_all()
    result = AerSimulator().run(
        circuit, parameter_binds=[{theta: np.linspace(0, 1, 5)}], shots=4, seed_simulator=99
    ).result()
    assert [r.seed_simulator for r in result.results] == [99 + SEED_STRIDE * j for j in range(5)]


def run(kind: str, circuits: list[QuantumCircuit], pieces: list[Any], **options: Any) -> list[Any]:
    simulator = AerSimulator(noise_model=options.pop("noise_model", None))
    outputs = []
    for piece in pieces:
        task = SimulationTask(
            job_id="split", backend_name="b", simulator=simulator, circuits=tuple(circuits),
            run_options=options, primitive=PrimitivePart(kind, tuple(piece)),  # type: ignore[arg-type]
        )  # fmt: skip
        output = simulate(task)
        assert isinstance(output, PartOutput)
        outputs.append(output)
    return outputs


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_a_split_sampler_job_draws_exactly_what_the_whole_draws(parts: int) -> None:
    ansatz = efficient_su2(3, reps=1)
    ansatz.measure_all()
    rng = np.random.default_rng(4)
    pubs = [
        SamplerPub.coerce((ansatz, rng.uniform(0, 3, (5, ansatz.num_parameters))), 40),
        SamplerPub.coerce((two_register_circuit(), rng.uniform(0, 3, (2, 2))), 40),
        SamplerPub.coerce((ansatz, rng.uniform(0, 3, (4, ansatz.num_parameters)), 9), 40),
    ]
    segments = sampler_segments(pubs, seed=17)
    circuits = [pub.circuit for pub in pubs]
    whole = assemble_sampler(pubs, run("sampler", circuits, [segments]))
    pieces = split_segments(segments, parts)
    assert len(pieces) == parts
    assert sum(s.rows for piece in pieces for s in piece) == 11
    split = assemble_sampler(pubs, list(reversed(run("sampler", circuits, pieces))))
    for a, b in zip(whole, split, strict=True):
        assert a.data.keys() == b.data.keys()
        for name in a.data:
            np.testing.assert_array_equal(a.data[name].array, b.data[name].array)


@pytest.mark.parametrize("parts", [2, 5])
def test_a_split_noisy_estimator_job_gives_what_the_whole_gives(parts: int) -> None:
    ansatz = efficient_su2(3, reps=1)
    rng = np.random.default_rng(8)
    width = ansatz.num_parameters
    pubs = [
        EstimatorPub.coerce((ansatz, [["ZZI"], ["IXX"]], rng.uniform(0, 3, (3, width))), 0.0),
        EstimatorPub.coerce((ansatz, "YIY", rng.uniform(0, 3, (4, width))), 0.0),
    ]
    segments = estimator_segments(pubs, seed=3)
    circuits = [pub.circuit for pub in pubs]
    options = {"shots": 50, "noise_model": default_noise_model()}
    whole = assemble_estimator(pubs, run("estimator", circuits, [segments], **options), seed=3)
    split = assemble_estimator(
        pubs, run("estimator", circuits, split_segments(segments, parts), **options), seed=3
    )
    for a, b in zip(whole, split, strict=True):
        np.testing.assert_array_equal(a.data.evs, b.data.evs)


def test_registers_are_packed_as_qiskit_packs_them() -> None:
    circuit = two_register_circuit()
    pub = SamplerPub.coerce((circuit, [[0.3, 1.1]]), 30)
    (output,) = run("sampler", [circuit], [sampler_segments([pub], seed=1)])
    result = AerSimulator().run(
        circuit.assign_parameters([0.3, 1.1]), shots=30, seed_simulator=1, memory=True
    ).result()
    memory = result.get_memory()  # "wide small", each big-endian
    arrays = output.arrays[0]
    for shot, text in enumerate(memory):
        wide, small = text.split()
        assert int.from_bytes(arrays["small"][0, shot].tobytes(), "big") == int(small, 2)
        assert int.from_bytes(arrays["wide"][0, shot].tobytes(), "big") == int(wide, 2)
