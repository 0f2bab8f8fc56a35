"""pennylane-qiskit's ``qiskit.remote`` device on our backends, against ``default.qubit``.

``qml.device("qiskit.remote", wires=..., backend=backend)`` transpiles each tape for the
backend and runs it through qiskit-ibm-runtime's ``EstimatorV2`` (expectation values) or
``SamplerV2`` (probabilities, counts, samples) in local mode, which deep-copies our backend.
Shots are set per QNode with ``qml.set_shots`` (setting them on the device is deprecated in
PennyLane 0.45). Each estimate is checked against the exact value from ``default.qubit``
within ``tolerance.SIGMAS`` standard deviations of a ``SHOTS``-shot estimate, or, on a noisy
mimic, against the same device on plain Aer's mimic.
"""

from __future__ import annotations

import math
from typing import Any

import pennylane as qml
import pytest
from pennylane import numpy as pnp
from pennylane_qiskit import qiskit_session
from qiskit.providers import JobStatus
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_myprovider import MyBackend, MyProvider

from ..tolerance import SIGMAS, assert_expectation, assert_frequency

SHOTS = 4000
#: Parameters of the test circuit: generic angles, so no expectation value is trivially 0 or 1.
ANGLES = [(0.3, 0.7), (1.2, -0.4), (2.5, 1.9)]


def entangler(x: float, y: float) -> None:
    qml.RX(x, wires=0)
    qml.RY(y, wires=1)
    qml.CNOT(wires=[0, 1])


def observables() -> list[Any]:
    return [
        qml.expval(qml.PauliZ(0)),
        qml.expval(qml.PauliZ(0) @ qml.PauliZ(1)),
        qml.expval(qml.PauliX(1)),
        qml.expval(qml.PauliY(0) @ qml.PauliX(1)),
    ]


def expectations(device: Any, x: float, y: float) -> list[float]:
    @qml.qnode(device)
    def circuit(x: float, y: float) -> Any:
        entangler(x, y)
        return tuple(observables())

    if device.name != "default.qubit":
        circuit = qml.set_shots(circuit, shots=SHOTS)
    return [float(value) for value in circuit(x, y)]


def pauli_sigma(exact: float, shots: int = SHOTS) -> float:
    """The standard deviation of a Pauli expectation value estimated from ``shots`` shots."""
    return math.sqrt(max(1 - exact**2, 0.0) / shots)


@pytest.mark.parametrize(("x", "y"), ANGLES)
def test_expectation_values_match_default_qubit(provider: MyProvider, x: float, y: float) -> None:
    device = qml.device("qiskit.remote", wires=2, backend=provider.get_backend())
    exact = expectations(qml.device("default.qubit", wires=2), x, y)
    for index, (value, expected) in enumerate(zip(expectations(device, x, y), exact, strict=True)):
        assert_expectation(value, expected, pauli_sigma(expected), f"observable {index}")


def test_probabilities_and_counts_match_default_qubit(provider: MyProvider) -> None:
    device = qml.device("qiskit.remote", wires=2, backend=provider.get_backend())

    def circuit() -> Any:
        entangler(1.2, -0.4)
        return qml.probs(wires=[0, 1]), qml.counts(wires=[0, 1])

    def exact_circuit() -> Any:
        entangler(1.2, -0.4)
        return qml.probs(wires=[0, 1])

    probs, counts = qml.set_shots(qml.QNode(circuit, device), shots=SHOTS)()
    exact = qml.QNode(exact_circuit, qml.device("default.qubit", wires=2))()
    assert sum(counts.values()) == SHOTS
    for index, expected in enumerate(exact):
        outcome = format(index, "02b")
        assert_frequency(round(float(probs[index]) * SHOTS), SHOTS, float(expected), outcome)
        assert_frequency(int(counts.get(outcome, 0)), SHOTS, float(expected), outcome)


def test_parameter_shift_gradient_matches_default_qubit(provider: MyProvider) -> None:
    def cost(params: Any) -> Any:
        entangler(params[0], params[1])
        return qml.expval(qml.PauliZ(1))

    params = pnp.array([0.3, 0.7], requires_grad=True)
    device = qml.device("qiskit.remote", wires=2, backend=provider.get_backend())
    ours = qml.set_shots(qml.QNode(cost, device, diff_method="parameter-shift"), shots=SHOTS)
    exact = qml.grad(qml.QNode(cost, qml.device("default.qubit", wires=2)))(params)
    # Each component is (f(+pi/2) - f(-pi/2)) / 2 of two SHOTS-shot estimates:
    # sigma <= sqrt(1/SHOTS + 1/SHOTS) / 2.
    sigma = math.sqrt(2 / SHOTS) / 2
    for index, (value, expected) in enumerate(zip(qml.grad(ours)(params), exact, strict=True)):
        assert_expectation(float(value), float(expected), sigma, f"d<Z1>/d(param {index})")


def test_gradient_descent_finds_the_minimum(provider: MyProvider) -> None:
    """Minimise <Z0 Z1> + <X1>: its minimum is -sqrt(2), which default.qubit confirms."""
    device = qml.device("qiskit.remote", wires=2, backend=provider.get_backend())

    def cost(params: Any) -> Any:
        qml.RY(params[0], wires=0)
        qml.RY(params[1], wires=1)
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1) + qml.PauliX(1))

    qnode = qml.set_shots(qml.QNode(cost, device, diff_method="parameter-shift"), shots=SHOTS)
    optimizer = qml.GradientDescentOptimizer(stepsize=0.3)
    params = pnp.array([0.4, -0.3], requires_grad=True)
    for _ in range(25):
        params = optimizer.step(qnode, params)
    found = float(qml.QNode(cost, qml.device("default.qubit", wires=2))(params))
    assert found < -math.sqrt(2) + 0.02, f"stopped at {found} with parameters {params}"


def test_a_noisy_mimic_agrees_with_plain_aers_mimic(provider: MyProvider) -> None:
    device = FakeManilaV2()
    ours = qml.device(
        "qiskit.remote",
        wires=2,
        backend=MyBackend.from_backend(device, provider=provider),
        seed_transpiler=42,
    )
    aer = qml.device(
        "qiskit.remote", wires=2, backend=AerSimulator.from_backend(device), seed_transpiler=42
    )
    mine, theirs = expectations(ours, 1.2, -0.4), expectations(aer, 1.2, -0.4)
    for index, (value, reference) in enumerate(zip(mine, theirs, strict=True)):
        sigma = math.hypot(pauli_sigma(value), pauli_sigma(reference))
        assert_expectation(value, reference, sigma, f"observable {index} against plain Aer")

    def bell_zz() -> Any:
        qml.Hadamard(wires=0)
        qml.CNOT(wires=[0, 1])
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))

    # The mimic is noisy: <Z0 Z1> of a Bell state (exactly 1) is pulled below 1 by readout
    # and gate errors, by far more than the estimate's own spread.
    zz = float(qml.set_shots(qml.QNode(bell_zz, ours), shots=SHOTS)())
    assert zz < 1 - SIGMAS * pauli_sigma(zz)


def test_a_qiskit_session_runs_on_our_backend(provider: MyProvider) -> None:
    backend = provider.get_backend()
    device = qml.device("qiskit.remote", wires=2, backend=backend)
    before = {job.job_id() for job in provider.jobs(limit=None)}
    with qiskit_session(device):
        values = expectations(device, 0.3, 0.7)
    exact = expectations(qml.device("default.qubit", wires=2), 0.3, 0.7)
    for value, expected in zip(values, exact, strict=True):
        assert_expectation(value, expected, pauli_sigma(expected))
    # The estimator runs one job of ours per measurement basis it needs.
    new = [job for job in provider.jobs(limit=None) if job.job_id() not in before]
    assert new
    assert all(job.status() is JobStatus.DONE for job in new)
    assert {job.backend().name for job in new} == {backend.name}


def test_seeded_runs_repeat(provider: MyProvider) -> None:
    device = qml.device(
        "qiskit.remote",
        wires=2,
        backend=provider.get_backend(),
        simulator={"seed_simulator": 7},
    )
    assert expectations(device, 0.3, 0.7) == expectations(device, 0.3, 0.7)
