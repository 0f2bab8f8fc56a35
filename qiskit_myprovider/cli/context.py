"""What every command gets besides its arguments: where to write, how loudly, which job store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.store.paths import STORE_ENV_VAR  # no Qiskit: the store loads lazily

if TYPE_CHECKING:
    from rich.console import Console

    from qiskit_myprovider.provider import MyProvider

__all__ = ["MEMORY_STORE", "STORE_ENV_VAR", "Context", "open_provider", "shared_store"]

#: The job store that lives in one process only.
MEMORY_STORE: Final = ":memory:"


@dataclass(frozen=True)
class Context:
    """A command's surroundings.

    Attributes:
        out: The console for the command's output (stdout).
        err: The console for progress and errors (stderr).
        debug: Whether ``--debug`` was given.
        store: The job store that ``--store`` names (None: ``$QISKIT_MYPROVIDER_STORE``, or
            the default file).
    """

    out: Console
    err: Console
    debug: bool
    store: str | None = None

    @property
    def store_spec(self) -> str | None:
        """The job store in effect: ``--store``, else ``$QISKIT_MYPROVIDER_STORE``, else None."""
        if self.store is not None:
            return self.store
        return os.environ.get(STORE_ENV_VAR) or None


def open_provider(store: str | None = None) -> MyProvider:
    """Return the provider a command works with, on the job store ``store`` names.

    The provider, and with it Qiskit and Aer, is imported here, when a command needs it:
    ``--help`` and a mistake in the arguments answer without loading either.

    Args:
        store: A job store path or ``:memory:`` (None: ``$QISKIT_MYPROVIDER_STORE``, else the
            default file).
    """
    from qiskit_myprovider.provider import MyProvider

    return MyProvider(store=store)


def shared_store(ctx: Context, what: str) -> str | None:
    """Return the job store for a command that needs other processes' jobs; refuse ``:memory:``.

    Args:
        ctx: The command's context.
        what: What the command would do, for the message (e.g. ``"'jobs list' would list"``).

    Returns:
        The store to open (None: the default).

    Raises:
        CommandError: the store in effect is ``:memory:``, which holds no other process's jobs.
    """
    spec = ctx.store_spec
    if spec == MEMORY_STORE:
        source = "--store" if ctx.store is not None else STORE_ENV_VAR
        raise CommandError(
            f"the job store is '{MEMORY_STORE}' (from {source}), which holds only the jobs of "
            f"the process that made them, so {what} none; give --store PATH (a job store "
            f"file), or unset {STORE_ENV_VAR} for the default store"
        )
    return ctx.store
