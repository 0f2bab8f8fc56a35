"""What both primitives share: the backend they run on (their ``mode``)."""

from __future__ import annotations

from typing import Any

from qiskit_aer import AerSimulator

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.exceptions import InvalidInputTypeError

__all__ = ["backend_for_mode"]


def backend_for_mode(mode: Any, primitive: str) -> MyBackend:
    """The backend a primitive runs on, from its ``mode`` argument.

    Args:
        mode: A :class:`MyBackend`; an ``AerSimulator`` (wrapped in a backend of the default
            engine); or None for the default backend (``myprovider_simulator``).
        primitive: The primitive's class name, for the message.

    Raises:
        InvalidInputTypeError: anything else (a session, a batch, another provider's
            backend); the message says what to pass instead.
    """
    if mode is None:
        return MyBackend()
    if isinstance(mode, MyBackend):
        return mode
    if isinstance(mode, AerSimulator):
        return MyBackend(mode, name=f"myprovider_{mode.name}")
    raise InvalidInputTypeError(
        f"{primitive}(mode=...) takes a MyBackend (MyProvider().get_backend()), an "
        f"AerSimulator or None, not {type(mode).__name__}; for other backends use Qiskit's "
        f"Backend{primitive}"
    )
