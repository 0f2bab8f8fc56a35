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
  ``parameter_binds`` binds right;
- :func:`check_run_input`, :func:`check_finite_angles`, :func:`check_parameter_binds`: what
  ``backend.run`` refuses before anything is queued (Aer crashes or misruns on it).

A circuit is named in messages by its ``key``: an ``int`` (its position in the batch, shown
with the circuit's name) or a ``str`` (the label the caller gave it). This module imports
Qiskit, Aer and :mod:`qiskit_myprovider.exceptions` only.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp, ParameterExpression
from qiskit.exceptions import QiskitError
from qiskit.result import Result
from qiskit.transpiler import Target

from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UnboundParametersError,
)

__all__ = [
    "AER_BINDABLE_GATES",
    "DIRECTIVES",
    "TargetSupport",
    "aer_binds_correctly",
    "bind_rows",
    "check_bound",
    "check_finite_angles",
    "check_parameter_binds",
    "check_run_input",
    "check_width",
    "counts",
    "decompose_for_aer_binding",
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
#: The fixes ``backend.run`` offers.
_BIND_OR_PASS: Final = "circuit.assign_parameters(...) or pass parameter_binds"


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


def decompose_for_aer_binding(circuit: QuantumCircuit) -> QuantumCircuit:
    """Return ``circuit`` with the parametric gates Aer binds wrongly decomposed away.

    Controlled rotations and phases become the rotations, phases and CNOTs they are made of,
    which Aer's ``parameter_binds`` sets correctly; the circuit's unitary is unchanged. A
    circuit Aer already binds right comes back as it is. Parameters inside control flow are
    left alone (check with :func:`aer_binds_correctly`).

    Args:
        circuit: A circuit that may hold parameters.
    """
    for _ in range(_DECOMPOSE_ROUNDS):
        wrong = {
            instruction.operation.name
            for instruction in circuit.data
            if not isinstance(instruction.operation, ControlFlowOp)
            and instruction.operation.name not in AER_BINDABLE_GATES
            and any(isinstance(p, ParameterExpression) for p in instruction.operation.params)
        }
        if not wrong:
            break
        circuit = circuit.decompose(gates_to_decompose=sorted(wrong))
    return circuit


#: Rounds of decomposition before giving up (a controlled-U takes two: cu -> cp -> p, cx).
_DECOMPOSE_ROUNDS: Final = 5


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
            f"Circuit {describe(circuit, key)} cannot be translated for backend '{backend}': {exc}"
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


# -- the input of backend.run ---------------------------------------------------------------


def check_run_input(run_input: object) -> list[QuantumCircuit]:
    """Return ``run()``'s input as a list of circuits: one circuit, or a non-empty sequence.

    Raises:
        InvalidInputTypeError: not a circuit, or a sequence holding something else.
        InvalidInputError: an empty sequence.
    """
    if isinstance(run_input, QuantumCircuit):
        return [run_input]
    if not isinstance(run_input, Sequence) or isinstance(run_input, str | bytes):
        raise InvalidInputTypeError(
            f"run() takes a QuantumCircuit or a sequence of them, not {type(run_input).__name__}"
        )
    circuits = list(run_input)
    if not circuits:
        raise InvalidInputError("run() needs at least one circuit; got an empty sequence")
    for index, circuit in enumerate(circuits):
        if not isinstance(circuit, QuantumCircuit):
            raise InvalidInputTypeError(
                f"run() input {index} is a {type(circuit).__name__}, not a QuantumCircuit"
            )
    return circuits


def check_finite_angles(circuit: QuantumCircuit, *, key: int | str) -> None:
    """Refuse a circuit whose gates hold NaN or infinite angles (Aer runs them to nonsense).

    Raises:
        InvalidInputError: a gate parameter is not finite.
    """
    # CircuitInstruction.params reads the stored parameters without building each gate
    # object, which costs three times as much on a large batch.
    for instruction in circuit.data:
        for value in instruction.params:
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidInputError(
                    f"Circuit {describe(circuit, key)}: gate '{instruction.name}' "
                    f"has the angle {value}; angles must be finite"
                )


def bind_rows(bind: Mapping[Any, Sequence[float]]) -> int:
    """How many parameter sets (experiments) one circuit's binding holds."""
    return len(next(iter(bind.values()))) if bind else 1


def check_parameter_binds(
    circuits: Sequence[QuantumCircuit], binds: object
) -> list[dict[Any, list[float]]] | None:
    """Check Aer-style ``parameter_binds`` (one mapping per circuit: parameter -> values).

    Every parameter of every circuit must be bound, to a non-empty list of finite real
    numbers, all of one length per circuit. Aer crashes or misruns on anything else.

    Returns:
        The bindings as lists of floats, or None when ``binds`` is None (then no circuit may
        have parameters).

    Raises:
        UnboundParametersError: a circuit's parameter has no values.
        InvalidInputTypeError: a binding or value of the wrong kind.
        InvalidInputError: empty, non-finite or unequal value lists, or a parameter the
            circuit does not have.
    """
    if binds is None:
        for index, circuit in enumerate(circuits):
            check_bound(
                circuit,
                key=index,
                bind_with="circuit.assign_parameters(...) or pass parameter_binds",
            )
        return None
    if isinstance(binds, Mapping):
        binds = [binds]
    if not isinstance(binds, Sequence) or len(binds) != len(circuits):
        raise InvalidInputError(
            "parameter_binds must be a list with one mapping per circuit "
            f"({len(circuits)} circuits)"
        )
    checked: list[dict[Any, list[float]]] = []
    for index, (circuit, bind) in enumerate(zip(circuits, binds, strict=True)):
        if not isinstance(bind, Mapping):
            raise InvalidInputTypeError(
                f"parameter_binds[{index}] must be a mapping parameter -> values"
            )
        missing = set(circuit.parameters) - set(bind)
        if missing:
            names = ", ".join(sorted(p.name for p in missing))
            raise UnboundParametersError(
                f"parameter_binds[{index}] leaves parameters of circuit {index} unbound: {names}"
            )
        values = {param: _bind_values(index, circuit, param, vals) for param, vals in bind.items()}
        lengths = {len(v) for v in values.values()}
        if len(lengths) > 1:
            raise InvalidInputError(
                f"parameter_binds[{index}] has value lists of different lengths {sorted(lengths)}"
            )
        checked.append(values)
    return checked


def _bind_values(index: int, circuit: QuantumCircuit, param: object, values: object) -> list[float]:
    """Check one parameter's values in ``parameter_binds``: a non-empty list of finite reals."""
    label = f"parameter_binds[{index}][{getattr(param, 'name', param)!s}]"
    if param not in circuit.parameters:
        names = ", ".join(sorted(p.name for p in circuit.parameters)) or "none"
        raise InvalidInputError(
            f"{label}: circuit {index} ('{circuit.name}') has no such parameter "
            f"(its parameters: {names})"
        )
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise InvalidInputTypeError(
            f"{label} must be a list of values (one per run), not {type(values).__name__} "
            f"{values!r}; write [{values!r}] for one run"
        )
    if len(values) == 0:
        raise InvalidInputError(f"{label} is empty; give at least one value")
    checked: list[float] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidInputTypeError(
                f"{label} holds {type(value).__name__} {value!r}; values must be real numbers"
            )
        if not math.isfinite(float(value)):
            raise InvalidInputError(f"{label} holds {value}; values must be finite")
        checked.append(float(value))
    return checked
