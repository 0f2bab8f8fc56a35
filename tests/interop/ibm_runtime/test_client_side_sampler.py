"""qiskit-ibm-runtime's client-side Sampler (``executor_sampler``, new in 0.50) in local mode.

It is not a client of ``backend.run``: for a backend that is not an ``AerSimulator`` it builds
its own Aer sampler from the backend's target (``AerSamplerV2.from_backend``), so our job
store and executors are never used. These tests pin down what a user gets.
"""

from __future__ import annotations

import pytest
from qiskit_ibm_runtime.executor_sampler import Sampler
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_myprovider import MyBackend, MyProvider

from ..tolerance import assert_same_distribution
from .test_local_mode import SHOTS, bell, isa, sample

# sample() runs the (deprecated) SamplerV2, for comparison.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The SamplerV2 class is deprecated:DeprecationWarning"
)


def test_on_a_mimic_it_samples_the_mimic_but_bypasses_our_jobs(provider: MyProvider) -> None:
    backend = MyBackend.from_backend(FakeManilaV2(), provider=provider)
    before = len(provider.jobs(limit=None))
    circuit = isa(bell(), backend)
    result = Sampler(mode=backend).run([circuit], shots=SHOTS).result()
    counts = result[0].data.meas.get_counts()
    assert_same_distribution(counts, sample(backend, [circuit])[0], "Bell, client-side sampler")
    # sample() above ran one job through our backend; the client-side sampler ran none.
    assert len(provider.jobs(limit=None)) == before + 1


@pytest.mark.xfail(
    raises=AttributeError,
    strict=True,
    reason=(
        "not our gap: the client-side Sampler calls AerSimulator.from_backend(backend), which "
        "needs backend.coupling_map; an all-to-all simulator's target (ours, as any ideal "
        "simulator but AerSimulator itself, which it special-cases) has none"
    ),
)
def test_on_the_ideal_backend_aer_cannot_copy_an_all_to_all_target(provider: MyProvider) -> None:
    backend = provider.get_backend()
    Sampler(mode=backend).run([isa(bell(), backend)], shots=SHOTS).result()
