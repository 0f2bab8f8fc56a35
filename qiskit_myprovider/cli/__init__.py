# PYTHON_ARGCOMPLETE_OK (argcomplete's marker: this entry point answers completions)
"""The ``qiskit-myprovider`` command line (also ``python -m qiskit_myprovider``).

One module per concept: :mod:`~qiskit_myprovider.cli.parser` declares the arguments of every
command, whose handlers ``cmd_<name>(args, ctx) -> int`` live in their own modules (``run``,
``backends``, ``jobs``); :mod:`~qiskit_myprovider.cli.runner` is the detached runner behind
``run --no-wait``; :mod:`~qiskit_myprovider.cli.source` reads an OpenQASM file;
:mod:`~qiskit_myprovider.cli.follow` waits for a job and reports it;
:mod:`~qiskit_myprovider.cli.render` prints; :mod:`~qiskit_myprovider.cli.errors` holds the
command error and the exit statuses, and :mod:`~qiskit_myprovider.cli.app` the entry point.

A command returns its exit status, or raises: a command error for a mistake it can explain,
or any package error (see :func:`main` for how each is reported). Exit status 0 means
success, 1 a job that failed or was cancelled, 2 a usage mistake (missing file, bad
OpenQASM, unknown backend, bad option value, unknown job id), 124 a ``jobs wait`` or ``jobs
result`` whose ``--timeout`` ran out, 130 an interrupt.

These modules import Qiskit, Aer and the provider inside the command functions, never at
the top: ``--help``, every sub-command's ``--help`` and a mistake in the arguments answer
without loading Qiskit (most of a second). ``tests/cli/test_startup.py`` checks it.
"""

from qiskit_myprovider.cli.app import main
from qiskit_myprovider.cli.errors import EXIT_INTERRUPTED, EXIT_JOB_FAILED, EXIT_TIMEOUT, EXIT_USAGE
from qiskit_myprovider.cli.parser import PROG, build_parser

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_JOB_FAILED",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "PROG",
    "build_parser",
    "main",
]
