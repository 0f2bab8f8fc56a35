"""Errors from elsewhere: a remote traceback kept as the ``__cause__`` of the error it explains.

Worker processes and Dask workers send back the exception and its formatted traceback; the
caller's error then shows where, in the other process, it was raised (as CPython's process
pool does).
"""

from __future__ import annotations

__all__ = ["RemoteTaskError", "RemoteTraceback", "with_remote_traceback"]


class RemoteTraceback(Exception):  # noqa: N818 - the name CPython's process pool uses
    """The traceback of an error raised in another process (kept as ``__cause__``)."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return self.tb


def with_remote_traceback(error: BaseException, tb: str) -> BaseException:
    """Attach ``tb`` (a formatted traceback from another process) to ``error``; return it."""
    error.__cause__ = RemoteTraceback(f'\n"""\n{tb}"""')
    return error


class RemoteTaskError(Exception):
    """An error and its remote traceback, for a boundary that pickles errors without causes.

    A task on a Dask worker whose simulation failed in that worker's own process raises
    this, so the innermost traceback reaches the caller; the executor unwraps it.
    """

    def __init__(self, error: BaseException, tb: str) -> None:
        super().__init__(error, tb)
        self.error = error
        self.tb = tb

    def unwrap(self) -> BaseException:
        """Return the original error with the remote traceback as its ``__cause__``."""
        return with_remote_traceback(self.error, self.tb)
