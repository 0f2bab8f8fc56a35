"""What ``backend.run`` is given, checked: circuits, simulator options and parameter binds.

Everything is refused here before anything is recorded or queued, each refusal one of the
package's exceptions naming the culprit (see :mod:`qiskit_myprovider.circuits` and
:mod:`qiskit_myprovider.options`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qiskit_myprovider.circuits import (
    aer_binds_correctly,
    bind_rows,
    check_finite_angles,
    check_parameter_binds,
    check_run_input,
    check_width,
)
from qiskit_myprovider.options import validate_run_options

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = ["RunInput", "check_run"]


@dataclass(frozen=True)
class RunInput:
    """A run's input, checked.

    Attributes:
        circuits: The circuits to run.
        options: The simulator options, normalised (``parameter_binds`` taken out).
        binds: Aer-style parameter binds, one mapping per circuit, or None.
        rows: How many parameter sets each circuit is bound with, or None.
    """

    circuits: list[QuantumCircuit]
    options: dict[str, Any]
    binds: list[dict[Any, list[float]]] | None
    rows: list[int] | None


def check_run(
    run_input: object, options: Mapping[str, Any], *, width: int, backend: str
) -> RunInput:
    """Check ``backend.run``'s circuits and options for a backend of ``width`` qubits.

    Raises:
        InvalidInputTypeError: not circuits, or an option of the wrong type.
        InvalidInputError: a circuit wider than the backend, NaN angles, an option out of
            range, parameter binds that do not fit.
        UnknownOptionError: an option no simulator knows.
        UnboundParametersError: parameters without binds.
    """
    circuits = check_run_input(run_input)
    for index, circuit in enumerate(circuits):
        check_width(circuit, width, key=index, backend=backend)
        check_finite_angles(circuit, key=index)
    checked = validate_run_options(options)
    binds = check_parameter_binds(circuits, checked.pop("parameter_binds", None))
    rows = None if binds is None else [bind_rows(bind) for bind in binds]
    if binds is not None and not all(aer_binds_correctly(c) for c in circuits):
        # Aer would bind these gates wrongly, without a word: bind in Qiskit instead,
        # one circuit per row, in the order Aer would have returned the experiments.
        circuits = [
            circuit.assign_parameters({p: values[row] for p, values in bind.items()})
            for circuit, bind, count in zip(circuits, binds, rows or [], strict=True)
            for row in range(count)
        ]
        binds, rows = None, None
    return RunInput(circuits, checked, binds, rows)
