"""qiskit-algorithms on our own primitives: exact VQE, Grover and QAOA, in stored jobs.

``qiskit_myprovider.primitives.EstimatorV2`` is exact at precision 0, so VQE reaches the
ground energy to the optimizer's tolerance, not to a sampling error; every evaluation is a
primitive job the provider lists.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.circuit.library import grover_operator, real_amplitudes
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager
from qiskit_algorithms import QAOA, VQE, AmplificationProblem, Grover, NumPyMinimumEigensolver
from qiskit_algorithms.optimizers import COBYLA, SLSQP

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.primitives import EstimatorV2, SamplerV2

from ..tolerance import assert_expectation, assert_frequency
from .test_algorithms import H2, marking_oracle

#: How close an exact VQE gets with SLSQP on the two-qubit H2 problem.
OPTIMIZER_TOLERANCE = 1e-5


def test_exact_vqe_reaches_the_ground_energy(provider: MyProvider, backend: MyBackend) -> None:
    exact = NumPyMinimumEigensolver().compute_minimum_eigenvalue(H2).eigenvalue.real
    before = len(provider.jobs(primitive_id="estimator", limit=None))
    ansatz = real_amplitudes(2, reps=1)
    vqe = VQE(EstimatorV2(mode=backend), ansatz, SLSQP(maxiter=200),
              initial_point=np.full(ansatz.num_parameters, 0.1))  # fmt: skip
    result = vqe.compute_minimum_eigenvalue(H2)
    assert abs(result.eigenvalue.real - exact) < OPTIMIZER_TOLERANCE
    assert len(provider.jobs(primitive_id="estimator", limit=None)) > before


def test_grover_on_our_sampler(backend: MyBackend, pass_manager: PassManager) -> None:
    marked = "101"
    oracle = marking_oracle(marked)
    problem = AmplificationProblem(
        oracle, is_good_state=[marked], grover_operator=grover_operator(oracle)
    )
    iterations = Grover.optimal_num_iterations(num_solutions=1, num_qubits=3)
    sampler = SamplerV2(mode=backend, options={"seed": 5})
    result = Grover(sampler=sampler, iterations=[iterations], transpiler=pass_manager).amplify(
        problem
    )
    assert result.top_measurement == marked
    expected = math.sin((2 * iterations + 1) * math.asin(math.sqrt(1 / 8))) ** 2
    shots = sampler.default_shots
    assert_frequency(round(result.max_probability * shots), shots, expected, f"P({marked})")


@pytest.mark.filterwarnings(r"ignore:.* is deprecated as of Qiskit 2\.1\.:DeprecationWarning")
def test_qaoa_on_our_sampler(backend: MyBackend, pass_manager: PassManager) -> None:
    cost = SparsePauliOp.from_sparse_list(
        [("ZZ", [i, (i + 1) % 4], 1.0) for i in range(4)], num_qubits=4
    )
    shots = 2000
    sampler = SamplerV2(mode=backend, options={"default_shots": shots, "seed": 2})
    qaoa = QAOA(sampler, COBYLA(maxiter=60), reps=1, transpiler=pass_manager,
                initial_point=[0.5, 0.5])  # fmt: skip
    result = qaoa.compute_minimum_eigenvalue(cost)
    assert result.best_measurement["bitstring"] in {"0101", "1010"}
    assert_expectation(result.eigenvalue.real, -2.0, 4 / math.sqrt(shots), "QAOA p=1 energy")
