"""Qiskit's own V2-primitive test scenarios, run against ours.

Each test follows a scenario of Qiskit's ``test/python/primitives/test_backend_sampler_v2.py``,
``test_statevector_sampler.py``, ``test_backend_estimator_v2.py`` and
``test_statevector_estimator.py`` (named in each docstring), written here for our
primitives: the PUB forms Qiskit accepts, the errors it raises (as ``ValueError``: ours are
``InvalidInputError``, a ``ValueError``), shots and precision handling, registers, and
expected values checked against Qiskit's exact reference primitives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.library import UnitaryGate, real_amplitudes
from qiskit.primitives import (
    PrimitiveResult,
    PubResult,
    StatevectorEstimator,
)
from qiskit.primitives.containers import BitArray, DataBin
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.providers import JobStatus
from qiskit.quantum_info import SparsePauliOp

from qiskit_myprovider import MyBackend
from qiskit_myprovider.primitives import EstimatorV2, SamplerV2

SHOTS = 10_000
SEED = 123
#: Counts agree with the exact distribution to this many shots (5 sigma at 10,000 shots).
COUNT_SLACK = 250


def sampler(backend: MyBackend, **options: Any) -> SamplerV2:
    return SamplerV2(mode=backend, options={"default_shots": SHOTS, "seed": SEED, **options})


def assert_counts(bits: BitArray, target: dict[int, float] | list[dict[int, float]]) -> None:
    targets = np.array(target, dtype=object)
    assert bits.shape == targets.shape
    for index in np.ndindex(bits.shape):
        counts = bits.get_int_counts(index)
        expected = targets[index]
        for key in set(counts) | set(expected):
            assert abs(counts.get(key, 0) - expected.get(key, 0)) <= COUNT_SLACK, (index, key)


def bell() -> QuantumCircuit:
    qc = QuantumCircuit(2, name="Bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def pqc(reps: int = 2) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.append(real_amplitudes(num_qubits=2, reps=reps), [0, 1])
    qc.measure_all()
    return qc.decompose()


def test_sampler_run_single_with_param_and_multiple(backend: MyBackend) -> None:
    """test_sampler_run: one circuit, one with parameters by name, several parameter sets."""
    result = sampler(backend).run([bell()], shots=SHOTS).result()
    assert isinstance(result, PrimitiveResult)
    assert isinstance(result.metadata, dict)
    assert isinstance(result[0], PubResult)
    assert isinstance(result[0].data, DataBin)
    assert isinstance(result[0].data.meas, BitArray)
    assert_counts(result[0].data.meas, {0: 5000, 3: 5000})
    circuit = pqc()
    names = tuple(p.name for p in circuit.parameters)
    single = sampler(backend).run([(circuit, {names: [0] * 6})]).result()
    assert_counts(single[0].data.meas, {0: SHOTS})
    multiple = sampler(backend).run([(circuit, {names: [[0] * 6] * 3})]).result()
    assert_counts(multiple[0].data.meas, [{0: SHOTS}] * 3)


def test_sampler_run_multiple_times_gives_the_same_bits(backend: MyBackend) -> None:
    """test_sampler_run_multiple_times: a seeded sampler repeats itself exactly."""
    first = sampler(backend).run([bell()]).result()[0].data.meas
    second = sampler(backend).run([bell()]).result()[0].data.meas
    assert first == second


def test_run_1qubit_and_2qubit(backend: MyBackend) -> None:
    """test_run_1qubit / test_run_2qubit: basis states come back as their integers."""
    circuits = []
    for n, flips in ((1, []), (1, [0]), (2, []), (2, [0]), (2, [1]), (2, [0, 1])):
        qc = QuantumCircuit(n)
        if flips:
            qc.x(flips)
        qc.measure_all()
        circuits.append(qc)
    result = sampler(backend).run(circuits).result()
    for pub, value in zip(result, [0, 1, 0, 1, 2, 3], strict=True):
        assert pub.data.meas.get_int_counts() == {value: SHOTS}


@pytest.mark.parametrize(
    "values", [{"x": np.pi}, {"x": np.array(np.pi)}, {"x": [np.pi]}, {"x": np.array([np.pi])}]
)
def test_run_single_circuit_one_parameter_in_every_form(
    backend: MyBackend, values: dict[str, Any]
) -> None:
    """test_run_single_circuit, "One parameter": names, arrays, lists."""
    x = Parameter("x")
    circuit = QuantumCircuit(1, 1)
    circuit.ry(x, 0)
    circuit.measure(0, 0)
    result = sampler(backend).run([(circuit, values)]).result()
    assert result[0].data.c.shape == ()  # the last axis of the values is the parameter
    assert_counts(result[0].data.c, {1: SHOTS})
    by_parameter = sampler(backend).run([(circuit, {x: values["x"]})]).result()
    assert by_parameter[0].data.c == result[0].data.c


def test_run_single_circuit_several_parameters_in_every_form(backend: MyBackend) -> None:
    """test_run_single_circuit, "More than one parameter": flat and nested forms."""
    circuit = pqc()
    row = [1] * 6
    target = {0: 168, 1: 3389, 2: 470, 3: 5973}
    forms: list[tuple[Any, Any]] = [
        (row, target), (tuple(row), target), (np.array(row), target),
        ((row,), [target]), ([row], [target]), (np.array([row]), [target]),
    ]  # fmt: skip
    for values, expected in forms:
        result = sampler(backend).run([(circuit, values)]).result()
        assert_counts(result[0].data.meas, expected)


def test_run_reverse_meas_order(backend: MyBackend) -> None:
    """test_run_reverse_meas_order: clbit order, not qubit order, makes the integer."""
    x, y = Parameter("x"), Parameter("y")
    qc = QuantumCircuit(3, 3)
    qc.rx(x, 0)
    qc.rx(y, 1)
    qc.x(2)
    qc.measure(0, 2)
    qc.measure(1, 1)
    qc.measure(2, 0)
    result = sampler(backend).run([(qc, [0, 0]), (qc, [np.pi / 2, 0])]).result()
    assert_counts(result[0].data.c, {1: SHOTS})
    assert_counts(result[1].data.c, {1: SHOTS / 2, 5: SHOTS / 2})


def test_run_errors(backend: MyBackend) -> None:
    """test_run_errors: every bad PUB is a ValueError before anything runs."""
    qc1 = QuantumCircuit(1)
    qc1.measure_all()
    qc2 = QuantumCircuit(2)
    qc2.append(real_amplitudes(num_qubits=1, reps=1), [0])
    qc2.measure_all()
    qc2 = qc2.decompose()
    ours = SamplerV2(mode=backend)
    for pubs, kwargs in (
        ([(qc1, [1e2])], {}), ([qc2], {}), ([(qc2, [])], {}), ([(qc2, None)], {}),
        ([(qc2, [1e2])], {}), ([(qc2, [1e2] * 100)], {}), ([qc1], {"shots": -1}),
        ([(qc1, None, -1)], {}), ([qc1], {"shots": 0}), ([(qc1, None, 0)], {}),
        (qc1, {}), ((qc2, [0, 1]), {}),
    ):  # fmt: skip
        with pytest.raises((ValueError, TypeError)):
            ours.run(pubs, **kwargs)
    for shots in (-1, 0):
        with pytest.raises(ValueError, match="shots"):
            ours.run([SamplerPub(qc1, shots=shots)])


def test_run_empty_parameter(backend: MyBackend) -> None:
    """test_run_empty_parameter: a register wider than what is measured."""
    qc = QuantumCircuit(5, 4)
    qc.measure(range(4), range(4))
    result = sampler(backend).run([qc, qc]).result()
    assert len(result) == 2
    for pub in result:
        assert pub.data.c.get_int_counts() == {0: SHOTS}


def test_run_numpy_params_and_split_lists(backend: MyBackend) -> None:
    """test_run_numpy_params: an array of rows, and the same rows as PUBs of their own."""
    circuit = pqc()
    rows = np.linspace(0, 1, 5 * circuit.num_parameters).reshape((5, circuit.num_parameters))
    together = sampler(backend).run([(circuit, rows)]).result()[0].data.meas
    apart = sampler(backend).run([(circuit, row) for row in rows.tolist()]).result()
    for index, pub in enumerate(apart):
        expected = together.get_int_counts(index)
        assert_counts(pub.data.meas, expected)


def test_run_with_shots_option_in_every_form(backend: MyBackend) -> None:
    """test_run_with_shots_option: run arg, default, set default, PUB-like, PUB, several."""
    assert sampler(backend).run([bell()], shots=100).result()[0].data.meas.num_shots == 100
    plain = SamplerV2(mode=backend)
    assert plain.run([bell()]).result()[0].data.meas.num_shots == plain.options.default_shots
    plain.options.default_shots = 100
    assert plain.run([bell()]).result()[0].data.meas.num_shots == 100
    assert plain.run([(bell(), None, 77)]).result()[0].data.meas.num_shots == 77
    assert plain.run([SamplerPub(bell(), shots=55)]).result()[0].data.meas.num_shots == 55
    both = plain.run([SamplerPub(bell(), shots=100), SamplerPub(bell(), shots=200)], shots=5)
    assert [p.data.meas.num_shots for p in both.result()] == [100, 200]
    assert [sum(p.data.meas.get_counts().values()) for p in both.result()] == [100, 200]


def test_primitive_job_status_done(backend: MyBackend) -> None:
    """test_primitive_job_status_done."""
    job = sampler(backend).run([bell()])
    job.result()
    assert job.status() is JobStatus.DONE


def test_circuit_with_unitary(backend: MyBackend) -> None:
    """test_circuit_with_unitary: identity and X as UnitaryGate."""
    for matrix, value in ((np.eye(2), 0), ([[0, 1], [1, 0]], 1)):
        circuit = QuantumCircuit(1)
        circuit.append(UnitaryGate(matrix), [0])
        circuit.measure_all()
        result = sampler(backend).run([circuit]).result()
        assert result[0].data.meas.get_int_counts() == {value: SHOTS}


def _three_registers(sizes: tuple[int, int, int], measure: list[tuple[int, int]]) -> QuantumCircuit:
    a, b, c = (ClassicalRegister(n, name) for n, name in zip(sizes, "abc", strict=True))
    qc = QuantumCircuit(QuantumRegister(3), a, b, c)
    qc.h(range(3))
    for qubit, clbit in measure:
        qc.measure(qubit, clbit)
    return qc


@pytest.mark.parametrize(
    ("sizes", "measure", "target"),
    [
        ((1, 2, 3), [(0, 0), (1, 2), (2, 4), (2, 5)],
         {"a": {0: 5000, 1: 5000}, "b": {0: 5000, 2: 5000}, "c": {0: 5000, 6: 5000}}),
        ((1, 5, 3), [(0, 0), (1, 2), (2, 4), (2, 5)],
         {"a": {0: 5000, 1: 5000}, "b": {0: 2500, 2: 2500, 24: 2500, 26: 2500}, "c": {0: SHOTS}}),
        ((1, 2, 3), [(1, 5)], {"a": {0: SHOTS}, "b": {0: SHOTS}, "c": {0: 5000, 4: 5000}}),
        ((1, 2, 3), [(0, 5), (1, 5), (2, 5)],
         {"a": {0: SHOTS}, "b": {0: SHOTS}, "c": {0: 5000, 4: 5000}}),
        ((1, 2, 3), [], {"a": {0: SHOTS}, "b": {0: SHOTS}, "c": {0: SHOTS}}),
    ],
    ids=["all cregs", "only a and b", "only c", "only c, several qubits", "no measure"],
)  # fmt: skip
def test_circuit_with_multiple_cregs(
    backend: MyBackend, sizes: tuple[int, int, int], measure: list[tuple[int, int]],
    target: dict[str, dict[int, float]],
) -> None:  # fmt: skip
    """test_circuit_with_multiple_cregs: each register its own field."""
    data = sampler(backend).run([_three_registers(sizes, measure)]).result()[0].data
    assert len(data) == 3
    for name, expected in target.items():
        assert_counts(getattr(data, name), expected)


def test_circuit_with_aliased_cregs_and_control_flow(backend: MyBackend) -> None:
    """test_circuit_with_aliased_cregs: registers over the same clbits, with if_test."""
    q = QuantumRegister(3, "q")
    c1, c2 = ClassicalRegister(1, "c1"), ClassicalRegister(1, "c2")
    qc = QuantumCircuit(q, c1, c2)
    qc.ry(np.pi / 4, 2)
    qc.cx(2, 1)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, c1)
    qc.measure(1, c2)
    with qc.if_test((c1, 1)):
        qc.z(2)
    with qc.if_test((c2, 1)):
        qc.x(2)
    qc2 = QuantumCircuit(5, 5)
    qc2.compose(qc, [0, 2, 3], [2, 4], inplace=True)
    cregs = [creg.name for creg in qc2.cregs]
    target = {cregs[0]: {0: 4255, 4: 4297, 16: 720, 20: 726}}
    result = sampler(backend).run([qc2]).result()
    assert_counts(getattr(result[0].data, cregs[0]), target[cregs[0]])


# -- estimator ------------------------------------------------------------------------


def exact(pubs: list[Any]) -> PrimitiveResult:
    return StatevectorEstimator().run(pubs).result()


def estimator_cases() -> tuple[QuantumCircuit, SparsePauliOp, list[float]]:
    ansatz = real_amplitudes(num_qubits=2, reps=2)
    hamiltonian = SparsePauliOp.from_list(
        [("II", -1.052373245772859), ("IZ", 0.39793742484318045),
         ("ZI", -0.39793742484318045), ("ZZ", -0.01128010425623538),
         ("XX", 0.18093119978423156)]
    )  # fmt: skip
    return ansatz, hamiltonian, [0, 1, 1, 2, 3, 5]


def test_estimator_run_matches_the_statevector_estimator(backend: MyBackend) -> None:
    """test_estimator_run: one PUB, several, parameter sets and observables broadcast."""
    ansatz, hamiltonian, theta = estimator_cases()
    theta2 = [1, 2, 3, 4, 5, 6]
    pubs = [
        (ansatz, hamiltonian, [theta]),
        (ansatz, [hamiltonian, hamiltonian.power(2)], [theta, theta2]),
        (ansatz, [[hamiltonian], [SparsePauliOp("ZX")]], [theta, theta2]),
    ]
    ours = EstimatorV2(mode=backend).run(pubs).result()
    for mine, reference in zip(ours, exact(pubs), strict=True):
        np.testing.assert_allclose(mine.data.evs, reference.data.evs, atol=1e-10)
        assert mine.data.stds.shape == reference.data.stds.shape


def test_estimator_observables_in_every_form(backend: MyBackend) -> None:
    """test_run_single_circuit / observables as str, Pauli dicts and SparsePauliOp."""
    circuit = QuantumCircuit(1)
    circuit.h(0)
    forms = ["X", SparsePauliOp("X"), {"X": 1.0}, [["X"], ["Z"]]]
    for observables in forms:
        ours = EstimatorV2(mode=backend).run([(circuit, observables)]).result()[0].data.evs
        reference = exact([(circuit, observables)])[0].data.evs
        np.testing.assert_allclose(ours, reference, atol=1e-10)


def test_estimator_run_1qubit_and_2qubits(backend: MyBackend) -> None:
    """test_run_1qubit / test_run_2qubits: basis states against Z, ZI, IZ."""
    for flips, width, labels in (([], 1, ["Z"]), ([0], 1, ["Z"]), ([], 2, ["IZ", "ZI"]),
                                 ([0], 2, ["IZ", "ZI"]), ([1], 2, ["IZ", "ZI"])):  # fmt: skip
        circuit = QuantumCircuit(width)
        if flips:
            circuit.x(flips)
        ours = EstimatorV2(mode=backend).run([(circuit, labels)]).result()[0].data.evs
        np.testing.assert_allclose(ours, exact([(circuit, labels)])[0].data.evs, atol=1e-10)


def test_estimator_run_numpy_params(backend: MyBackend) -> None:
    """test_run_numpy_params: an array of rows, and the rows as a list."""
    ansatz, hamiltonian, _ = estimator_cases()
    rows = np.linspace(0, 1, 5 * ansatz.num_parameters).reshape((5, ansatz.num_parameters))
    from_array = EstimatorV2(mode=backend).run([(ansatz, hamiltonian, rows)]).result()
    from_list = EstimatorV2(mode=backend).run([(ansatz, hamiltonian, rows.tolist())]).result()
    assert from_array[0].data.evs.shape == (5,)
    np.testing.assert_allclose(from_array[0].data.evs, from_list[0].data.evs, atol=1e-12)
    np.testing.assert_allclose(
        from_array[0].data.evs, exact([(ansatz, hamiltonian, rows)])[0].data.evs, atol=1e-10
    )


def test_estimator_precision_run_arg_pub_and_several(backend: MyBackend) -> None:
    """test_precision / test_diff_precision: where a PUB's precision comes from."""
    ansatz, hamiltonian, theta = estimator_cases()
    estimator = EstimatorV2(mode=backend, options={"default_precision": 0.3})
    assert estimator.run([(ansatz, hamiltonian, theta)]).result()[0].data.stds == 0.3
    assert estimator.run([(ansatz, hamiltonian, theta)], precision=0.2).result()[0].data.stds == 0.2
    pub = EstimatorPub.coerce((ansatz, hamiltonian, theta), precision=0.1)
    several = estimator.run([pub, (ansatz, hamiltonian, theta)], precision=0.05).result()
    assert [float(p.data.stds) for p in several] == [0.1, 0.05]
    assert [p.metadata["target_precision"] for p in several] == [0.1, 0.05]


def test_estimator_run_errors(backend: MyBackend) -> None:
    """test_run_errors: parameters, observables and precision that do not fit."""
    ansatz, hamiltonian, theta = estimator_cases()
    qc = QuantumCircuit(1)
    estimator = EstimatorV2(mode=backend)
    for pubs, kwargs in (
        ([(qc, "Z", [1e2])], {}),                  # values for a circuit of no parameters
        ([(ansatz, hamiltonian)], {}),             # no values for a parametrized circuit
        ([(ansatz, hamiltonian, [1, 2])], {}),     # too few values
        ([(qc, "ZZ")], {}),                        # an observable of the wrong width
        ([(ansatz, hamiltonian, theta)], {"precision": -1}),
        ([(ansatz, [hamiltonian] * 3, [theta, theta])], {}),  # shapes that do not broadcast
    ):  # fmt: skip
        with pytest.raises(ValueError, match=r"PUB|precision"):
            estimator.run(pubs, **kwargs)


def test_estimator_iter_pub_and_metadata(backend: MyBackend) -> None:
    """test_iter_pub / test_metadata: PUBs from a generator; circuit metadata kept."""
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.metadata = {"key": "value"}
    result = EstimatorV2(mode=backend).run(iter([(circuit, "Z"), (circuit, "X")])).result()
    np.testing.assert_allclose([float(r.data.evs) for r in result], [-1.0, 0.0], atol=1e-12)
    assert result[0].metadata["circuit_metadata"] == {"key": "value"}
    assert result[1].metadata["target_precision"] == 0.0
