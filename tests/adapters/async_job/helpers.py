# ruff: noqa: RUF001  (the Greek placeholders of Divi's payloads are the point)
"""OpenQASM texts, Divi's payload shape and a run-to-the-end helper for the adapter tests.

Payloads here are a local stand-in with Divi's duck-typed shape (``circuit``, ``parameters``,
``parameter_sets``); ``tests/interop/divi`` runs the same adapter against the real package.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from qiskit_myprovider.adapters import AsyncJobBackendAdapter, ExecutionStatus
from tests.support import BELL_QASM2

__all__ = [
    "BELL",
    "HEADER",
    "QAOA_TEMPLATE",
    "X0",
    "X2",
    "Payload",
    "by_label",
    "run",
]

HEADER: Final = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
BELL: Final = BELL_QASM2
X0: Final = HEADER + "qreg q[3];\ncreg c[3];\nx q[0];\nmeasure q -> c;\n"
X2: Final = X0.replace("x q[0]", "x q[2]")
QAOA_TEMPLATE: Final = HEADER + (
    "qreg q[3];\ncreg c[3];\nh q[0];\nh q[1];\nh q[2];\n"
    "cx q[0],q[1];\nrz(1*β[0]) q[1];\ncx q[0],q[1];\n"
    "cx q[1],q[2];\nrz(1*β[0]) q[2];\ncx q[1],q[2];\n"
    "rx(2*γ[0]) q[0];\nrx(2*γ[0]) q[1];\nrx(2*γ[0]) q[2];\n"
    "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"
)


@dataclasses.dataclass(frozen=True)
class Payload:
    """Divi's payload shape: one circuit, its parameters, and (label, values) rows."""

    circuit: Any
    parameters: tuple[Any, ...]
    parameter_sets: tuple[tuple[str, tuple[float, ...]], ...]


def run(adapter: AsyncJobBackendAdapter, circuits: Any, **options: Any) -> list[dict[str, Any]]:
    """Submit, poll to the end (it must complete) and return the results."""
    handle = adapter.submit_circuits(circuits, **options)
    assert adapter.poll_job_status(handle, loop_until_complete=True, verbose=False) == (
        ExecutionStatus.COMPLETED
    )
    results = adapter.get_job_results(handle).results
    assert results is not None
    return results


def by_label(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the results as label -> results."""
    return {entry["label"]: entry["results"] for entry in results}
