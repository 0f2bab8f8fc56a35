"""How the command line fails: the one-line command error and the exit statuses.

:func:`report_for` turns whatever a command raised into its exit status and one line.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_JOB_FAILED",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "CommandError",
    "one_line",
    "report_for",
]

#: Exit status of a usage mistake (argparse's own convention).
EXIT_USAGE: Final = 2
#: Exit status when the job ended in ERROR or CANCELLED.
EXIT_JOB_FAILED: Final = 1
#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130
#: Exit status when ``jobs wait --timeout`` ran out (as for timeout(1)).
EXIT_TIMEOUT: Final = 124


class CommandError(Exception):
    """A mistake a subcommand can explain in one line; ``main`` prints it and exits.

    Args:
        message: What went wrong and, where possible, how to fix it.
        exit_code: The process's exit status (default 2, a usage mistake).
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def one_line(error: BaseException) -> str:
    """Return an error's message on one line (parsers like to spread theirs over several)."""
    # QiskitError.__str__ wraps the message in quotes; the bare message reads better. An error
    # can only be a QiskitError once Qiskit is loaded, so look there rather than import it.
    qiskit_exceptions = sys.modules.get("qiskit.exceptions")
    if qiskit_exceptions is not None and isinstance(error, qiskit_exceptions.QiskitError):
        text = str(error.message)
    else:
        text = str(error)
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text or type(error).__name__


def report_for(error: BaseException, *, debug: bool) -> tuple[int, str]:
    """Return the exit status and the one-line message for an error a command raised.

    Args:
        error: What the command raised.
        debug: Whether ``--debug`` was given (else an unexpected error points at it).

    Returns:
        ``(exit status, message)``: a :class:`CommandError`'s own; 130 for an interrupt; for
        a package error, 2 when it is the user's mistake (a bad value, an unknown name) and 1
        otherwise; 1 for anything unexpected.
    """
    if isinstance(error, CommandError):
        return error.exit_code, error.message
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    # A command that raised a package error has loaded the package's exceptions already.
    from qiskit_myprovider.exceptions import MyProviderError

    if isinstance(error, MyProviderError):
        usage = isinstance(error, ValueError | TypeError | LookupError)
        return (EXIT_USAGE if usage else EXIT_JOB_FAILED), one_line(error)
    message = f"unexpected {type(error).__name__}: {one_line(error)}"
    if not debug:
        message += " (run with --debug for the traceback)"
    return EXIT_JOB_FAILED, message
