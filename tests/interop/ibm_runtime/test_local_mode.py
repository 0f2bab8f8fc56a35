"""qiskit-ibm-runtime's local testing mode on our backends, as IBM's guides tell users to test.

``SamplerV2(mode=backend)``, ``EstimatorV2(mode=backend)``, and both inside
``Session(backend=backend)`` and ``Batch(backend=backend)``, with circuits transpiled for the
backend (ISA circuits: a mimic takes only its device's gates). Local mode deep-copies the
backend and runs ``BackendSamplerV2`` / ``BackendEstimatorV2`` on the copy, so every job goes
through our ``run()`` into our job store. Each answer is checked against the exact value (on
the ideal backend) and against plain Aer through the same library calls, within
``tolerance.SIGMAS`` sigma.

qiskit-ibm-runtime 0.50 deprecated these two classes in favour of client-side primitives
(``qiskit_ibm_runtime.executor_sampler``); they are still what ``from qiskit_ibm_runtime
import SamplerV2`` gives, so they are what users run, and their deprecation warning is
allowed here (only that warning: every other one is still an error).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.providers import BackendV2, JobStatus
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.aererror import AerError
from qiskit_ibm_runtime import Batch, EstimatorV2, SamplerV2, Session
from qiskit_ibm_runtime.fake_provider import FakeManilaV2
from qiskit_ibm_runtime.utils.utils import is_simulator

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import InvalidInputError, JobFailedError

from ..tolerance import assert_expectation, assert_frequency, assert_same_distribution
from .conftest import Pair

pytestmark = pytest.mark.filterwarnings(
    "ignore:The (Sampler|Estimator)V2 class is deprecated:DeprecationWarning"
)

SHOTS = 4000
#: Pauli observables of the Bell state (|00> + |11>)/sqrt(2) and their exact values.
BELL_OBSERVABLES = {"ZZ": 1.0, "XX": 1.0, "YY": -1.0, "ZI": 0.0, "IX": 0.0}


def bell(measure: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def ghz(width: int) -> QuantumCircuit:
    qc = QuantumCircuit(width)
    qc.h(0)
    for qubit in range(1, width):
        qc.cx(qubit - 1, qubit)
    qc.measure_all()
    return qc


def isa(circuit: QuantumCircuit, backend: BackendV2) -> QuantumCircuit:
    """The circuit transpiled for ``backend`` (seeded: the same layout for ours and Aer's)."""
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=11)
    return pm.run(circuit)


def sample(mode: Any, circuits: list[QuantumCircuit], **options: Any) -> list[dict[str, int]]:
    sampler = SamplerV2(mode=mode, options=options or None)
    result = sampler.run(circuits, shots=SHOTS).result()
    return [pub.data.meas.get_counts() for pub in result]


def estimate(mode: Any, backend: BackendV2) -> tuple[np.ndarray, np.ndarray]:
    """Bell-state expectation values of BELL_OBSERVABLES, and their standard deviations."""
    circuit = isa(bell(measure=False), backend)
    observables = [SparsePauliOp(label).apply_layout(circuit.layout) for label in BELL_OBSERVABLES]
    result = EstimatorV2(mode=mode).run([(circuit, observables)]).result()
    return np.asarray(result[0].data.evs), np.asarray(result[0].data.stds)


def check_ideal_bell(counts: dict[str, int]) -> None:
    assert set(counts) <= {"00", "11"}, counts
    assert_frequency(counts.get("00", 0), sum(counts.values()), 0.5, "P(00) of a Bell state")


def check_estimates(pair: Pair, evs: np.ndarray, stds: np.ndarray) -> None:
    if pair.noisy:
        ref_evs, ref_stds = estimate(pair.reference, pair.reference)
        for label, value, ref, sigma in zip(
            BELL_OBSERVABLES, evs, ref_evs, np.hypot(stds, ref_stds), strict=True
        ):
            assert_expectation(value, ref, sigma, f"<{label}> against plain Aer")
    else:
        for (label, exact), value, sigma in zip(BELL_OBSERVABLES.items(), evs, stds, strict=True):
            assert_expectation(value, exact, sigma, f"<{label}>")


# -- job mode ------------------------------------------------------------------------------


def test_sampler_counts_agree_with_plain_aer(pair: Pair) -> None:
    circuits = [isa(bell(), pair.ours), isa(ghz(3), pair.ours)]
    counts = sample(pair.ours, circuits)
    reference = sample(pair.reference, [isa(bell(), pair.reference), isa(ghz(3), pair.reference)])
    for mine, theirs, what in zip(counts, reference, ["Bell", "GHZ-3"], strict=True):
        assert sum(mine.values()) == SHOTS
        assert_same_distribution(mine, theirs, what)
    if pair.noisy:
        # The mimic's noise survived local mode's deep copy: odd-parity Bell outcomes occur.
        assert counts[0].get("01", 0) + counts[0].get("10", 0) > 0
    else:
        check_ideal_bell(counts[0])
        assert set(counts[1]) <= {"000", "111"}


def test_estimator_expectation_values(pair: Pair) -> None:
    evs, stds = estimate(pair.ours, pair.ours)
    check_estimates(pair, evs, stds)


def test_sampler_parameter_sweep() -> None:
    """P(1) after RY(theta) is sin^2(theta/2), for each of a sweep of bound values."""
    theta = Parameter("theta")
    qc = QuantumCircuit(1)
    qc.ry(theta, 0)
    qc.measure_all()
    with MyProvider(store=":memory:") as provider:
        backend = provider.get_backend()
        angles = np.linspace(0, math.pi, 5)
        result = SamplerV2(mode=backend).run([(isa(qc, backend), angles)], shots=SHOTS).result()
        counts = result[0].data.meas
        for index, angle in enumerate(angles):
            ones = counts[index].get_counts().get("1", 0)
            assert_frequency(ones, SHOTS, math.sin(angle / 2) ** 2, f"P(1) at theta={angle:.3f}")


def test_jobs_land_in_our_store(provider: MyProvider) -> None:
    backend = provider.get_backend()
    before = {job.job_id() for job in provider.jobs(limit=None)}
    SamplerV2(mode=backend).run([isa(bell(), backend)], shots=100).result()
    new = [job for job in provider.jobs(limit=None) if job.job_id() not in before]
    assert len(new) == 1
    (job,) = new
    assert job.status() is JobStatus.DONE
    assert job.backend().name == backend.name
    assert provider.job(job.job_id()).result().get_counts() == job.result().get_counts()


def test_seed_simulator_option_makes_runs_repeat(provider: MyProvider) -> None:
    backend = MyBackend.from_backend(FakeManilaV2(), provider=provider)
    circuit = isa(ghz(3), backend)
    options = {"simulator": {"seed_simulator": 1234}}
    assert sample(backend, [circuit], **options) == sample(backend, [circuit], **options)


def test_classified_measurements_are_accepted(provider: MyProvider) -> None:
    backend = provider.get_backend()
    (counts,) = sample(backend, [isa(bell(), backend)], execution={"meas_type": "classified"})
    check_ideal_bell(counts)


def test_kerneled_measurements_are_refused_with_our_message(provider: MyProvider) -> None:
    backend = provider.get_backend()
    sampler = SamplerV2(mode=backend, options={"execution": {"meas_type": "kerneled"}})
    job = sampler.run([isa(bell(), backend)], shots=100)
    with pytest.raises(InvalidInputError, match="meas_level'=1 asks for kerneled or raw"):
        job.result()


def test_local_mode_treats_our_backends_as_simulators(pair: Pair) -> None:
    """Like AerSimulator, ours passes ``is_simulator``: local mode does no ISA check.

    qiskit-ibm-runtime asks ``backend.configuration().simulator``, or else
    ``backend.simulator``: ours has no ``configuration()``, and its ``simulator`` is the Aer
    simulator it runs.
    """
    assert is_simulator(pair.ours)
    assert is_simulator(pair.reference)


def test_a_circuit_not_transpiled_runs_on_the_ideal_backend(provider: MyProvider) -> None:
    (counts,) = sample(provider.get_backend(), [bell()])
    check_ideal_bell(counts)


def test_a_circuit_not_transpiled_for_a_mimic_fails_as_on_plain_aer(provider: MyProvider) -> None:
    """With no ISA check, the H gate reaches Aer, which refuses it for a device's basis.

    Plain Aer's mimic raises the same error in ``run()``; ours ends the job in ERROR with
    Aer's message, and the primitive's ``result()`` raises it.
    """
    device = FakeManilaV2()
    with pytest.raises(AerError, match="unknown instruction: h"):
        sample(AerSimulator.from_backend(device), [bell()])
    with pytest.raises(JobFailedError, match="unknown instruction: h"):
        sample(MyBackend.from_backend(device, provider=provider), [bell()])


# -- sessions and batches ------------------------------------------------------------------


def test_session_runs_sampler_and_estimator(pair: Pair, provider: MyProvider) -> None:
    before = len(provider.jobs(limit=None))
    with Session(backend=pair.ours) as session:
        (counts,) = sample(session, [isa(bell(), pair.ours)])
        evs, stds = estimate(session, pair.ours)
    check_estimates(pair, evs, stds)
    if pair.noisy:
        assert_same_distribution(counts, sample(pair.reference, [isa(bell(), pair.reference)])[0])
    else:
        check_ideal_bell(counts)
    assert len(provider.jobs(limit=None)) == before + 2


def test_batch_runs_many_sampler_jobs(pair: Pair, provider: MyProvider) -> None:
    before = len(provider.jobs(limit=None))
    with Batch(backend=pair.ours) as batch:
        sampler = SamplerV2(mode=batch)
        jobs = [sampler.run([isa(ghz(width), pair.ours)], shots=SHOTS) for width in (2, 3, 4)]
        results = [job.result() for job in jobs]
        evs, stds = estimate(batch, pair.ours)
    check_estimates(pair, evs, stds)
    for width, result in zip((2, 3, 4), results, strict=True):
        counts = result[0].data.meas.get_counts()
        if pair.noisy:
            reference = sample(pair.reference, [isa(ghz(width), pair.reference)])[0]
            assert_same_distribution(counts, reference, f"GHZ-{width}")
        else:
            assert set(counts) <= {"0" * width, "1" * width}
            assert_frequency(counts.get("0" * width, 0), SHOTS, 0.5, f"GHZ-{width}")
    assert len(provider.jobs(limit=None)) == before + 4
