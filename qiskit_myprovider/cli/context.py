"""What every command gets besides its arguments: where to write, how loudly, which provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from qiskit_myprovider.provider import MyProvider

__all__ = ["Context", "open_provider"]


@dataclass(frozen=True)
class Context:
    """A command's surroundings.

    Attributes:
        out: The console for the command's output (stdout).
        err: The console for progress and errors (stderr).
        debug: Whether ``--debug`` was given.
    """

    out: Console
    err: Console
    debug: bool


def open_provider() -> MyProvider:
    """Return the provider every command works with (store from ``$QISKIT_MYPROVIDER_STORE``).

    The provider, and with it Qiskit and Aer, is imported here, when a command needs it:
    ``--help`` and a mistake in the arguments answer without loading either.
    """
    from qiskit_myprovider.provider import MyProvider

    return MyProvider()
