"""What the contract's backend says about itself: width, limits and the optional metadata.

The contract's optional properties (clause C19) are a real value where the wrapped
:class:`~qiskit_myprovider.MyBackend` has one and None ("not exposed") where it has not.
"""

from __future__ import annotations

from typing import Any

from qiskit.transpiler import Target

from qiskit_myprovider.adapters.job_group import find_jobs, store_location
from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.version import __version__

__all__ = ["BackendMetadata"]


class BackendMetadata:
    """The metadata properties of :class:`~qiskit_myprovider.adapters.JobContractBackend`.

    A base class: the backend sets ``_backend`` (the wrapped ``MyBackend``) and ``name``.
    """

    _backend: MyBackend
    name: str

    @property
    def backend(self) -> MyBackend:
        """The :class:`~qiskit_myprovider.MyBackend` the jobs run on."""
        return self._backend

    @property
    def num_qubits(self) -> int:
        """The most qubits a circuit may have (Aer's limit for this machine's memory)."""
        return int(self._backend.num_qubits)

    @property
    def max_circuits(self) -> int | None:
        """The most circuits one job may hold; None: no limit (Aer has none)."""
        return self._backend.max_circuits

    @property
    def health(self) -> None:
        """None: a local simulator keeps no health diagnostics."""
        return None

    @property
    def info(self) -> dict[str, Any]:
        """What the backend is: name, simulation method, device, noise, version, job store."""
        backend = self._backend
        return {
            "name": self.name,
            "backend": backend.name,
            "description": backend.description,
            "provider": "qiskit_myprovider",
            "version": __version__,
            "simulator": True,
            "method": backend.method,
            "device": backend.device,
            "noisy": backend.noisy,
            "job_store": store_location(backend),
        }

    @property
    def queue(self) -> dict[str, int]:
        """The backend's jobs in the job store that wait (``queued``) or run (``running``)."""
        return {
            "queued": len(find_jobs(self._backend, status="QUEUED")),
            "running": len(find_jobs(self._backend, status="RUNNING")),
        }

    @property
    def connectivity(self) -> list[tuple[int, int]] | None:
        """The qubit pairs a two-qubit gate may act on; None: any pair (no coupling map)."""
        coupling = self._target.build_coupling_map()
        if coupling is None:
            return None
        return sorted((int(a), int(b)) for a, b in coupling.get_edges())

    @property
    def gate_set(self) -> frozenset[str]:
        """The names of the operations the backend's target runs natively (with ``measure``)."""
        return frozenset(self._target.operation_names)

    @property
    def error_rates(self) -> dict[str, Any] | None:
        """Gate errors recorded in the target (devices mimicked with ``from_backend``).

        Returns:
            ``{"calibration": <where the numbers come from>, "errors": {(gate, qubits):
            error}}``, or None when the target records no errors (ideal simulators, and the
            built-in noisy ones, whose noise model has no calibration snapshot).
        """
        target = self._target
        errors: dict[tuple[str, tuple[int, ...]], float] = {}
        for gate in target.operation_names:
            for qargs, properties in target[gate].items():
                error = getattr(properties, "error", None)
                if qargs is not None and error is not None:
                    errors[(gate, tuple(qargs))] = float(error)
        if not errors:
            return None
        return {"calibration": f"target of {self._backend.name}", "errors": errors}

    @property
    def _target(self) -> Target:
        return self._backend.target
