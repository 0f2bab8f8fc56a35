"""qiskit_myprovider: Aer simulators behind a Qiskit provider that returns real asynchronous jobs.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit_myprovider import MyProvider
    >>> qc = QuantumCircuit(2)
    >>> _ = qc.h(0); _ = qc.cx(0, 1); qc.measure_all()
    >>> with MyProvider(store=":memory:") as provider:
    ...     job = provider.get_backend().run(qc, shots=100, seed_simulator=1)
    ...     counts = job.result().get_counts()
    >>> sorted(counts)
    ['00', '11']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.version import __version__

if TYPE_CHECKING:
    from qiskit_myprovider.backend import MyBackend
    from qiskit_myprovider.completion import as_completed
    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.provider import MyProvider

__all__ = ["MyBackend", "MyJob", "MyProvider", "__version__", "as_completed"]

#: Where each public class lives. They are imported on first use (PEP 562): each pulls in
#: Qiskit and Aer, most of a second, which the command line's ``--help`` does without.
_LAZY: Final = {
    "MyBackend": "qiskit_myprovider.backend",
    "MyJob": "qiskit_myprovider.job",
    "MyProvider": "qiskit_myprovider.provider",
    "as_completed": "qiskit_myprovider.completion",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        # Also how ``from qiskit_myprovider import cli`` finds a submodule: on AttributeError
        # the import system imports ``qiskit_myprovider.cli`` itself.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
