"""What ``run_async`` and ``run`` take and give (``job_contract/inputs.py``), end to end."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Parameter
from qiskit.circuit.library import QFTGate

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import JobContractBackend
from qiskit_myprovider.adapters.job_contract.inputs import (
    CountsDict,
    check_shots,
    shots_per_circuit,
)
from qiskit_myprovider.validation import MAX_SHOTS
from tests.adapters.helpers import basis_circuit
from tests.contract.job_contract_suite import ContractUnderTest
from tests.support import PATIENCE


class ToQiskit:
    """Any circuit object with a ``to_qiskit()`` method (as Qrisp's have)."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self._circuit = circuit
        self.calls = 0

    def to_qiskit(self) -> QuantumCircuit:
        self.calls += 1
        return self._circuit


def test_circuits_with_to_qiskit_are_converted(contract: ContractUnderTest) -> None:
    backend = contract.backend
    one = ToQiskit(basis_circuit("10"))
    assert backend.run(one, shots=8) == {"10": 8}
    mixed = [ToQiskit(basis_circuit("01")), basis_circuit("11")]
    assert backend.run(mixed, shots=8) == [{"01": 8}, {"11": 8}]
    assert one.calls == 1


def test_gates_the_target_lacks_are_transpiled_and_others_are_not(
    contract: ContractUnderTest,
) -> None:
    qft = QuantumCircuit(3, 3, name="qft_round_trip")
    qft.x(0)
    qft.append(QFTGate(3), [0, 1, 2])
    qft.append(QFTGate(3).inverse(), [0, 1, 2])
    qft.barrier()
    qft.measure(range(3), range(3))
    job = contract.backend.run_async(qft, 16)
    assert job.result(timeout=PATIENCE).get_counts() == {"001": 16}
    ran = job.jobs[0].circuits()[0]
    assert "qft" not in ran.count_ops()

    plain = basis_circuit("11")
    plain.barrier()
    job = contract.backend.run_async(plain, 4)
    job.result(timeout=PATIENCE)
    assert job.jobs[0].circuits()[0] == plain  # ran as given: nothing to translate


@pytest.mark.parametrize(
    ("circuits", "error", "match"),
    [
        ("not a circuit", TypeError, "takes a circuit"),
        ([], ValueError, "at least one circuit"),
        ([QuantumCircuit(1), 5], TypeError, "Circuit 1 is a int"),
        ({"a": QuantumCircuit(1)}, TypeError, "not dict"),
    ],
)
def test_bad_circuits_are_refused(
    contract: ContractUnderTest, circuits: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        contract.backend.run_async(circuits)


def test_wide_unbound_or_untranslatable_circuits_are_refused_before_queueing(
    engine: MyProvider,
) -> None:
    backend = JobContractBackend(engine.get_backend())
    theta = Parameter("theta")
    unbound = QuantumCircuit(1, 1)
    unbound.rx(theta, 0)
    unbound.measure(0, 0)
    wide = QuantumCircuit(backend.num_qubits + 1)
    opaque = QuantumCircuit(1)
    opaque.append(Gate("mystery", 1, []), [0])

    class Broken:
        def to_qiskit(self) -> QuantumCircuit:
            raise RuntimeError("cannot convert")

    class Wrong:
        def to_qiskit(self) -> str:
            return "OPENQASM 2.0;"

    before = len(engine.jobs(limit=None))
    cases: list[tuple[object, type[Exception], str]] = [
        ([basis_circuit("1"), unbound], ValueError, r"Circuit 1 \('circuit-\d+'\) has unbound"),
        ([basis_circuit("1"), wide], ValueError, "simulates at most"),
        ([basis_circuit("1"), opaque], ValueError, "Circuit 1 .* cannot be translated"),
        (Broken(), ValueError, "to_qiskit\\(\\) failed: cannot convert"),
        (Wrong(), TypeError, "returned a str"),
    ]
    for circuits, error, match in cases:
        with pytest.raises(error, match=match):
            backend.run_async(circuits, [5, 6] if isinstance(circuits, list) else 5)
    assert len(engine.jobs(limit=None)) == before  # nothing was queued


def test_run_returns_plain_dicts_that_also_answer_qrisps_lazy_result_protocol(
    contract: ContractUnderTest,
) -> None:
    """Qrisp's multi_measurement reads ``_ensure_populated()`` and ``_data`` of run()'s result."""
    counts = contract.backend.run(basis_circuit("10"), 7)
    assert isinstance(counts, CountsDict)
    assert isinstance(counts, dict)
    assert counts == {"10": 7}
    assert counts._populated is True
    counts._ensure_populated()
    assert counts._data == {"10": 7}
    assert repr(counts) == "{'10': 7}"


@pytest.mark.parametrize(
    ("shots", "error"),
    [(True, TypeError), (2.5, TypeError), ("7", TypeError), (0, ValueError), (-1, ValueError)],
)
def test_check_shots_uses_the_contracts_wording(shots: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="'shots' must be a positive integer"):
        check_shots(shots)


def test_check_shots_has_the_packages_bounds() -> None:
    assert check_shots(MAX_SHOTS) == MAX_SHOTS
    with pytest.raises(ValueError, match=f"at most {MAX_SHOTS}"):
        check_shots(MAX_SHOTS + 1)


def test_shots_per_circuit() -> None:
    assert shots_per_circuit(None, 3, 100) == [100, 100, 100]
    assert shots_per_circuit(5, 2, 100) == [5, 5]
    assert shots_per_circuit((1, 2), 2, 100) == [1, 2]
    with pytest.raises(ValueError, match="1 element"):
        shots_per_circuit([4], 2, 100)
