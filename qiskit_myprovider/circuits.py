"""Circuit preparation: the checks and conversions every entry point applies to a circuit.

One place, one message each, for what the adapters (and the backend) ask of a circuit before
it is queued:

- :func:`check_width`: not wider than the target;
- :func:`check_bound`: no parameter left unbound;
- :func:`runs_as_given`: does the target run every instruction as it stands (one algorithm:
  each instruction's name on its qubits, control-flow blocks included);
- :func:`translate`: transpile it for the target when it does not;
- :func:`prepare`: the three in their usual order;
- :func:`counts`: an experiment's counts keyed by bitstrings, register separators removed
  (or kept, where a contract wants Qiskit's own keys);
- :data:`AER_BINDABLE_GATES` and :func:`aer_binds_correctly`: which parametric gates Aer's
  ``parameter_binds`` binds right.

A circuit is named in messages by its ``key``: an ``int`` (its position in the batch, shown
with the circuit's name) or a ``str`` (the label the caller gave it). This module imports
Qiskit, Aer and :mod:`qiskit_myprovider.exceptions` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp, ParameterExpression
from qiskit.exceptions import QiskitError
from qiskit.result import Result
from qiskit.transpiler import Target

from qiskit_myprovider.exceptions import InvalidInputError, UnboundParametersError

__all__ = [
    "AER_BINDABLE_GATES",
    "DIRECTIVES",
    "TargetSupport",
    "aer_binds_correctly",
    "check_bound",
    "check_width",
    "counts",
    "describe",
    "prepare",
    "runs_as_given",
    "translate",
]

#: Gates whose parameters Aer's ``parameter_binds`` sets correctly. Aer 0.18 silently binds
#: controlled rotations and phases (cp, crx, cry, crz, cu, cu1, cu3) wrong (qiskit-aer #2323,
#: #2391, #2403): a job with those returns one experiment with wrong counts.
AER_BINDABLE_GATES: Final = frozenset(
    {"p", "r", "rx", "rxx", "ry", "ryy", "rz", "rzx", "rzz", "u", "u1", "u2", "u3"}
)

#: Instructions that tell the transpiler something but are no gate a target must offer.
DIRECTIVES: Final = frozenset({"barrier", "delay"})

#: The fix :func:`check_bound` suggests unless the caller knows a better one.
_BIND_WITH: Final = "circuit.assign_parameters(...)"


def aer_binds_correctly(circuit: QuantumCircuit) -> bool:
    """Return whether Aer's ``parameter_binds`` binds every parametric gate of ``circuit`` right.

    Args:
        circuit: A circuit that may hold parameters.

    Returns:
        False if a parametric gate is one Aer binds wrongly, or sits inside control flow.
    """
    if not circuit.num_parameters:
        return True
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, ControlFlowOp):
            if any(block.num_parameters for block in operation.blocks):
                return False
        elif operation.name not in AER_BINDABLE_GATES and any(
            isinstance(param, ParameterExpression) for param in operation.params
        ):
            return False
    return True


def describe(circuit: QuantumCircuit, key: int | str) -> str:
    """Return how messages name a circuit: ``0 ('bell')`` by position, ``'bell'`` by label.

    Args:
        circuit: The circuit.
        key: Its position in the batch (an int) or the label the caller gave it (a str).
    """
    if isinstance(key, str):
        return f"'{key}'"
    return f"{key} ('{circuit.name}')"


def check_width(circuit: QuantumCircuit, width: int, *, key: int | str, backend: str) -> None:
    """Refuse a circuit with more qubits than the backend simulates.

    Args:
        circuit: The circuit.
        width: The most qubits the backend takes (its target's ``num_qubits``).
        key: The circuit's position or label, for the message.
        backend: The backend's name, for the message.

    Raises:
        InvalidInputError: the circuit is wider than ``width``.
    """
    if circuit.num_qubits > width:
        raise InvalidInputError(
            f"Circuit {describe(circuit, key)} has {circuit.num_qubits} qubits; backend "
            f"'{backend}' simulates at most {width}"
        )


def check_bound(circuit: QuantumCircuit, *, key: int | str, bind_with: str = _BIND_WITH) -> None:
    """Refuse a circuit whose parameters are not all bound.

    Args:
        circuit: The circuit.
        key: The circuit's position or label, for the message.
        bind_with: How the caller can bind them, for the message (the entry point knows
            which ways it offers: ``parameter_binds``, payloads ...).

    Raises:
        UnboundParametersError: the circuit has parameters (the message lists them).
    """
    if circuit.num_parameters:
        names = ", ".join(sorted(param.name for param in circuit.parameters))
        raise UnboundParametersError(
            f"Circuit {describe(circuit, key)} has unbound parameters ({names}); bind them "
            f"with {bind_with}"
        )


@dataclass(frozen=True)
class TargetSupport:
    """What a target runs, read once: per operation name, the qubits it acts on.

    Asking the target about every instruction costs twice as much as a look-up here, and a
    Divi batch holds thousands of instructions; build this once per target.

    Attributes:
        width: The target's ``num_qubits``.
        qargs: Operation name -> the qubit tuples it runs on, or None where it runs on any
            qubits (every operation of Aer's own targets).
    """

    width: int
    qargs: Mapping[str, frozenset[tuple[int, ...]] | None]

    @classmethod
    def of(cls, target: Target) -> TargetSupport:
        """Read ``target``'s operations and the qubits each one acts on."""
        qargs: dict[str, frozenset[tuple[int, ...]] | None] = {}
        for name in target.operation_names:
            where = target[name]
            if None in where:
                qargs[name] = None
            else:
                qargs[name] = frozenset(tuple(q) for q in where)
        return cls(int(target.num_qubits), qargs)

    def runs(self, circuit: QuantumCircuit) -> bool:
        """Return whether every instruction of ``circuit`` is one the target runs on its qubits.

        Directives (``barrier``, ``delay``) need no support. Inside a control-flow block,
        qubit indices are the block's own: exact for targets without a coupling map (Aer's),
        and for a device's target a translation is at worst one step too many.
        """
        for instruction in circuit.data:
            operation = instruction.operation
            name = operation.name
            if name in DIRECTIVES:
                continue
            if name not in self.qargs:
                return False
            allowed = self.qargs[name]
            if allowed is not None:
                where = tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)
                if where not in allowed:
                    return False
            if isinstance(operation, ControlFlowOp) and not all(
                self.runs(block) for block in operation.blocks
            ):
                return False
        return True


def runs_as_given(circuit: QuantumCircuit, target: Target | TargetSupport) -> bool:
    """Return whether ``target`` runs every instruction of ``circuit`` as it stands.

    Args:
        circuit: The circuit.
        target: The backend's target, or its :class:`TargetSupport` (faster when asked often).
    """
    support = target if isinstance(target, TargetSupport) else TargetSupport.of(target)
    return support.runs(circuit)


def translate(
    circuit: QuantumCircuit, target: Target, *, key: int | str, backend: str
) -> QuantumCircuit:
    """Transpile ``circuit`` for ``target`` (optimisation level 1).

    Args:
        circuit: The circuit.
        target: The backend's target.
        key: The circuit's position or label, for the message.
        backend: The backend's name, for the message.

    Returns:
        The translated circuit.

    Raises:
        InvalidInputError: the transpiler cannot translate it (``__cause__`` says why).
    """
    try:
        translated: QuantumCircuit = transpile(circuit, target=target, optimization_level=1)
    except Exception as exc:
        raise InvalidInputError(
            f"Circuit {describe(circuit, key)} cannot be translated for backend "
            f"'{backend}': {exc}"
        ) from exc
    return translated


def prepare(
    circuit: QuantumCircuit,
    target: Target,
    *,
    key: int | str,
    backend: str,
    support: TargetSupport | None = None,
    bound: bool = True,
    bind_with: str = _BIND_WITH,
) -> QuantumCircuit:
    """Check a circuit and return it as the target runs it: as given if it can, else translated.

    Args:
        circuit: The circuit.
        target: The backend's target.
        key: The circuit's position or label, for messages.
        backend: The backend's name, for messages.
        support: ``TargetSupport.of(target)``, when the caller keeps one.
        bound: Whether every parameter must be bound (False for a template whose
            parameters are bound later, e.g. by Aer's ``parameter_binds``).
        bind_with: How the caller can bind parameters, for the message.

    Returns:
        ``circuit`` itself, or its translation for ``target``.

    Raises:
        InvalidInputError: the circuit is too wide, or cannot be translated.
        UnboundParametersError: ``bound`` and the circuit has parameters.
    """
    support = support if support is not None else TargetSupport.of(target)
    check_width(circuit, support.width, key=key, backend=backend)
    if bound:
        check_bound(circuit, key=key, bind_with=bind_with)
    if support.runs(circuit):
        return circuit
    return translate(circuit, target, key=key, backend=backend)


def counts(result: Result, index: int, *, separators: bool = False) -> dict[str, int]:
    """Return one experiment's counts keyed by bitstrings in Qiskit's order (clbit 0 rightmost).

    Args:
        result: The job's result.
        index: The experiment's position in it.
        separators: Keep Qiskit's spaces between classical registers (``"1 0"``); by default
            the keys are contiguous bitstrings (``"10"``).

    Returns:
        Outcome -> count. An experiment without classical bits has one outcome, ``""``, that
        every shot gave.
    """
    experiment = result.results[index]
    header: Mapping[str, Any] = experiment.header if isinstance(experiment.header, dict) else {}
    registers = header.get("creg_sizes") or []
    raw = getattr(experiment.data, "counts", None)
    if (
        len(registers) == 1
        and isinstance(raw, dict)
        and header.get("memory_slots") == int(registers[0][1])
    ):
        # One register holding every clbit: no separators, so convert Aer's hex keys directly
        # (what Result.get_counts does, at a tenth of the cost).
        width = f"0{int(registers[0][1])}b"
        return {format(int(key, 16), width): int(value) for key, value in raw.items()}
    try:
        found = result.get_counts(index)
    except QiskitError:
        # A circuit without classical bits has no counts; every shot gave the empty outcome.
        return {"": int(getattr(experiment, "shots", 0) or 0)}
    if separators:
        return {str(key): int(value) for key, value in found.items()}
    merged: dict[str, int] = {}
    for key, value in found.items():
        bits = str(key).replace(" ", "")
        merged[bits] = merged.get(bits, 0) + int(value)
    return merged
