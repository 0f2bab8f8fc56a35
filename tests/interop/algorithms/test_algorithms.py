"""qiskit-algorithms on Qiskit's V2 primitives built on our backend.

``BackendSamplerV2(backend=ours)`` and ``BackendEstimatorV2(backend=ours)`` are the
primitives qiskit-algorithms 0.4 takes; each algorithm gets a ``transpiler=`` pass manager
for our backend, as its documentation recommends for backend primitives. Answers are
checked against known values: Grover's success probability sin^2((2k+1) theta), the exact
ground energy from ``NumPyMinimumEigensolver``, the known maximum cut. Every warning is an
error, except the Qiskit 2.1 deprecations that qiskit-algorithms' own ``QAOA`` triggers
(it builds ``QAOAAnsatz``, an ``NLocal``), allowed in that one test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import grover_operator, real_amplitudes
from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2, StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager
from qiskit_algorithms import QAOA, VQE, AmplificationProblem, Grover, NumPyMinimumEigensolver
from qiskit_algorithms.optimizers import COBYLA

from qiskit_myprovider import MyBackend, MyProvider

from ..tolerance import SIGMAS, assert_expectation, assert_frequency

#: The two-qubit H2 Hamiltonian (STO-3G, 0.735 A, parity mapping), a common VQE benchmark.
H2 = SparsePauliOp.from_list(
    [
        ("II", -1.052373245772859),
        ("IZ", 0.39793742484318045),
        ("ZI", -0.39793742484318045),
        ("ZZ", -0.01128010425623538),
        ("XX", 0.18093119978423156),
    ]
)
#: The estimator's precision: each Pauli term is estimated from 1 / PRECISION**2 shots.
PRECISION = 0.01


def marking_oracle(bits: str) -> QuantumCircuit:
    """A phase oracle flipping the sign of |bits> (bits[-1] is qubit 0), and nothing else."""
    width = len(bits)
    oracle = QuantumCircuit(width)
    zeros = [qubit for qubit, bit in enumerate(reversed(bits)) if bit == "0"]
    if zeros:
        oracle.x(zeros)
    oracle.h(width - 1)
    oracle.mcx(list(range(width - 1)), width - 1)
    oracle.h(width - 1)
    if zeros:
        oracle.x(zeros)
    return oracle


@pytest.mark.parametrize("marked", ["101", "011", "110"])
def test_grover_finds_the_marked_state(
    backend: MyBackend, pass_manager: PassManager, marked: str
) -> None:
    oracle = marking_oracle(marked)
    # The function form of the Grover operator (the GroverOperator class is deprecated since
    # Qiskit 2.1); with it, Grover needs its iterations as a list.
    problem = AmplificationProblem(
        oracle, is_good_state=[marked], grover_operator=grover_operator(oracle)
    )
    iterations = Grover.optimal_num_iterations(num_solutions=1, num_qubits=3)
    sampler = BackendSamplerV2(backend=backend)
    grover = Grover(sampler=sampler, iterations=[iterations], transpiler=pass_manager)
    result = grover.amplify(problem)

    assert result.oracle_evaluation is True
    assert result.top_measurement == marked
    # k iterations rotate by (2k + 1) theta, sin(theta) = sqrt(1/8).
    expected = math.sin((2 * iterations + 1) * math.asin(math.sqrt(1 / 8))) ** 2
    shots = sampler.options.default_shots
    assert_frequency(round(result.max_probability * shots), shots, expected, f"P({marked})")


def test_vqe_reaches_the_ground_energy(backend: MyBackend, pass_manager: PassManager) -> None:
    exact = NumPyMinimumEigensolver().compute_minimum_eigenvalue(H2).eigenvalue.real
    ansatz = real_amplitudes(2, reps=1)
    estimator = BackendEstimatorV2(backend=backend, options={"default_precision": PRECISION})
    vqe = VQE(
        estimator,
        ansatz,
        COBYLA(maxiter=80),
        transpiler=pass_manager,
        initial_point=np.full(ansatz.num_parameters, 0.1),
    )
    result = vqe.compute_minimum_eigenvalue(H2)
    # Each term's estimate has sigma <= PRECISION, so the energy's is at most the sum of the
    # non-identity coefficients times PRECISION.
    sigma = PRECISION * float(np.abs(H2.coeffs[1:]).sum())
    assert_expectation(result.eigenvalue.real, exact, sigma, "VQE energy")
    # The parameters found are good, not only the (noisy) energy reported for them.
    at_optimum = StatevectorEstimator().run([(ansatz, H2, result.optimal_point)]).result()
    assert float(at_optimum[0].data.evs) - exact <= SIGMAS * sigma


@pytest.mark.filterwarnings(r"ignore:.* is deprecated as of Qiskit 2\.1\.:DeprecationWarning")
def test_qaoa_finds_the_maximum_cut_of_a_ring(
    backend: MyBackend, pass_manager: PassManager
) -> None:
    """MaxCut of the 4-cycle: cost sum Z_i Z_i+1, minimum -4 at 0101 and 1010.

    One QAOA layer reaches <cost> = -2 at best on a ring (each edge cut with probability
    3/4), and its best sampled bitstring is a maximum cut.
    """
    cost = SparsePauliOp.from_sparse_list(
        [("ZZ", [i, (i + 1) % 4], 1.0) for i in range(4)], num_qubits=4
    )
    shots = 2000
    sampler = BackendSamplerV2(backend=backend, options={"default_shots": shots})
    qaoa = QAOA(
        sampler, COBYLA(maxiter=60), reps=1, transpiler=pass_manager, initial_point=[0.5, 0.5]
    )
    result = qaoa.compute_minimum_eigenvalue(cost)

    assert result.best_measurement["bitstring"] in {"0101", "1010"}
    assert result.best_measurement["value"].real == pytest.approx(-4)
    # The cost lies in [-4, 4], so one estimate's sigma is at most 4 / sqrt(shots).
    assert_expectation(result.eigenvalue.real, -2.0, 4 / math.sqrt(shots), "QAOA p=1 energy")


def test_the_algorithms_jobs_are_ours(provider: MyProvider, pass_manager: PassManager) -> None:
    backend = provider.get_backend()
    before = len(provider.jobs(limit=None))
    oracle = marking_oracle("111")
    problem = AmplificationProblem(
        oracle, is_good_state=["111"], grover_operator=grover_operator(oracle)
    )
    Grover(
        sampler=BackendSamplerV2(backend=backend), iterations=[1, 2], transpiler=pass_manager
    ).amplify(problem)
    assert len(provider.jobs(limit=None)) > before
