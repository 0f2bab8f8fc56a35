"""Each PUB of a primitive result reads as one short line."""

from __future__ import annotations

import numpy as np
from qiskit.primitives.containers import DataBin, PrimitiveResult, PubResult

from qiskit_myprovider import MyBackend
from qiskit_myprovider.primitives import EstimatorV2, SamplerV2
from qiskit_myprovider.primitives.summary import pub_summaries
from tests.conftest import bell_circuit


def test_sampler_and_estimator_pubs_are_summarised(backend: MyBackend) -> None:
    sampled = SamplerV2(mode=backend, options={"seed": 1}).run([bell_circuit()], shots=100)
    (line,) = pub_summaries(sampled.result())
    assert line.startswith("PUB 0: shape (), 100 shots, meas 2 bits; most common meas=")
    estimated = EstimatorV2(mode=backend).run(
        [(bell_circuit(False), ["ZZ", "XX"]), (bell_circuit(False), [["ZZ"]] * 8)]
    )
    small, large = pub_summaries(estimated.result())
    assert small == "PUB 0: evs (2,), precision 0; [1, 1]"
    assert large == "PUB 1: evs (8, 1), precision 0; mean 1, min 1, max 1"


def test_a_pub_that_cannot_be_summarised_says_so() -> None:
    broken = PubResult(DataBin(evs=np.array(["x"]), shape=(1,)))
    assert pub_summaries(PrimitiveResult([broken])) == ["PUB 0: (no summary: ValueError)"]
