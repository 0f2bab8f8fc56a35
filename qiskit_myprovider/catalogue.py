"""The backend catalogue: which simulators a provider lists, and the built-in noise model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from qiskit_myprovider.backend import MyBackend, ProviderLike

__all__ = ["DEFAULT_BACKEND", "build_catalogue", "default_noise_model"]

#: The backend :meth:`MyProvider.get_backend` returns when no name is given.
DEFAULT_BACKEND: Final = "myprovider_simulator"

_ONE_QUBIT_GATES: Final = (
    "u", "u1", "u2", "u3", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "p", "r",
)  # fmt: skip
_TWO_QUBIT_GATES: Final = ("cx", "cy", "cz", "ecr", "swap", "cp", "crx", "cry", "crz", "rzz", "rxx")


def default_noise_model() -> NoiseModel:
    """Return the noise model of the built-in noisy backends.

    Depolarizing error of 0.1 % on every one-qubit gate and 1 % on every two-qubit gate, and
    a 1 % symmetric readout error: roughly today's superconducting devices.
    """
    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.001, 1), list(_ONE_QUBIT_GATES))
    model.add_all_qubit_quantum_error(depolarizing_error(0.01, 2), list(_TWO_QUBIT_GATES))
    model.add_all_qubit_readout_error(ReadoutError([[0.99, 0.01], [0.01, 0.99]]))
    return model


@dataclass(frozen=True)
class _Entry:
    name: str
    method: str
    noisy: bool
    description: str


_CATALOGUE: Final = (
    _Entry(DEFAULT_BACKEND, "automatic", False, "Aer simulator; picks the method per circuit"),
    _Entry("myprovider_statevector", "statevector", False, "Aer statevector simulator"),
    _Entry("myprovider_density_matrix", "density_matrix", False, "Aer density-matrix simulator"),
    _Entry(
        "myprovider_matrix_product_state",
        "matrix_product_state",
        False,
        "Aer matrix-product-state simulator (many qubits, little entanglement)",
    ),
    _Entry("myprovider_stabilizer", "stabilizer", False, "Aer Clifford (stabilizer) simulator"),
    _Entry("myprovider_noisy_simulator", "automatic", True, "Aer simulator with a noise model"),
    _Entry(
        "myprovider_noisy_density_matrix",
        "density_matrix",
        True,
        "Aer density-matrix simulator with a noise model",
    ),
)
_GPU_METHODS: Final = ("statevector", "density_matrix")


def build_catalogue(provider: ProviderLike, noise_model: NoiseModel) -> dict[str, MyBackend]:
    """Build the provider's backends, by name, in catalogue order.

    GPU variants (``<name>_gpu``) of the statevector and density-matrix backends appear only
    where Aer reports a GPU.

    Args:
        provider: The provider the backends belong to (they share its engine).
        noise_model: The noise model of the ``myprovider_noisy_*`` backends.
    """
    backends: dict[str, MyBackend] = {}
    gpu = "GPU" in AerSimulator().available_devices()
    for entry in _CATALOGUE:
        devices = ["CPU", "GPU"] if gpu and entry.method in _GPU_METHODS else ["CPU"]
        for device in devices:
            options: dict[str, Any] = {"method": entry.method, "device": device}
            if entry.noisy:
                options["noise_model"] = noise_model
            name = entry.name if device == "CPU" else f"{entry.name}_gpu"
            backends[name] = MyBackend(
                AerSimulator(**options),
                name=name,
                provider=provider,
                description=entry.description + (" on GPU" if device == "GPU" else ""),
                noisy=entry.noisy,
            )
    return backends
