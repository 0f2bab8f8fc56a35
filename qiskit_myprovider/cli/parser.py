"""The command line's arguments: the parser, one sub-parser per command, argument types.

Each command is one ``_add_<name>_parser(subparsers, common)`` function that declares its
arguments and sets ``handler`` to the function that runs it (``cmd_<name>(args, ctx) ->
int``, in the command's own module); listing it in ``_SUBCOMMANDS`` is all
:func:`build_parser` needs (a group such as ``jobs list|show`` adds its own nested
sub-parsers). Nothing here imports Qiskit, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Final, NoReturn

from qiskit_myprovider.cli.backends import cmd_backends
from qiskit_myprovider.cli.errors import EXIT_TIMEOUT, CommandError
from qiskit_myprovider.cli.jobs import (
    cmd_jobs_cancel,
    cmd_jobs_list,
    cmd_jobs_result,
    cmd_jobs_show,
    cmd_jobs_wait,
)
from qiskit_myprovider.cli.run import cmd_run
from qiskit_myprovider.cli.runner import RUNNER_FLAG
from qiskit_myprovider.version import __version__

__all__ = [
    "JOB_STATUS_NAMES",
    "PROG",
    "build_parser",
    "non_negative_float",
    "non_negative_int",
    "positive_int",
]

#: The command's name, as installed by the package's console script.
PROG: Final = "qiskit-myprovider"

#: The names of ``qiskit.providers.JobStatus``, in its order, for ``jobs list --status``:
#: written out so that building the parser needs no Qiskit (a test keeps them equal).
JOB_STATUS_NAMES: Final = (
    "INITIALIZING",
    "QUEUED",
    "VALIDATING",
    "RUNNING",
    "CANCELLED",
    "DONE",
    "ERROR",
)


class _ArgumentParser(argparse.ArgumentParser):
    """An argparse parser that reports mistakes as one ``error:`` line, without the usage."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message} (see '{self.prog} --help')")


# -- argument types ------------------------------------------------------------------------


def positive_int(text: str) -> int:
    """Read an integer >= 1 (``--shots``)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """Read an integer >= 0 (``--seed``, ``--top``, ``--limit``, ``--skip``)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, not {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """Read a number of seconds >= 0 (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative number, not {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, not {text!r}") from None


# -- run -----------------------------------------------------------------------------------


def _add_run_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "run",
        parents=[parent],
        help="run an OpenQASM 2 or 3 file and print its counts",
        description=(
            "Transpile the circuit in an OpenQASM 2 or 3 file for a backend, run it, wait "
            "for the job and print the counts, most frequent first. The OpenQASM version "
            "is read from the file's 'OPENQASM x;' header (none means OpenQASM 3)."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the OpenQASM file ('-' reads stdin)")
    parser.add_argument(
        "--backend", metavar="NAME", help="the backend (default: myprovider_simulator)"
    )
    parser.add_argument(
        "--shots", metavar="N", type=positive_int, help="shots per circuit (default: 1024)"
    )
    parser.add_argument(
        "--seed",
        metavar="S",
        type=non_negative_int,
        help="seed for the simulator and the transpiler, for reproducible counts",
    )
    parser.add_argument("--name", metavar="N", help="a name for the job")
    parser.add_argument(
        "--tag",
        metavar="T",
        action="append",
        dest="tags",
        default=[],
        help="a tag for the job (repeat for several)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help=(
            "submit the job, print its id and return at once; a background process runs "
            "the job to the end (follow it with 'jobs wait|result|cancel ID'; needs a job "
            "store file, not ':memory:')"
        ),
    )
    parser.add_argument(RUNNER_FLAG, dest="runner", action="store_true", help=argparse.SUPPRESS)
    _add_counts_options(parser)
    parser.set_defaults(handler=cmd_run)


def _add_counts_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of commands that print a job's counts (``run``, ``jobs result``)."""
    parser.add_argument(
        "--top",
        metavar="K",
        type=non_negative_int,
        default=32,
        help="show the K most frequent outcomes (default: 32; 0 shows all)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


# -- backends ------------------------------------------------------------------------------


def _add_backends_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "backends",
        parents=[parent],
        help="list the available backends",
        description="List the backends of MyProvider: name, method, width, noise and device.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list instead")
    parser.set_defaults(handler=cmd_backends)


# -- jobs ----------------------------------------------------------------------------------


def _add_jobs_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    jobs = subparsers.add_parser(
        "jobs",
        parents=[parent],
        help="list, inspect, wait for or cancel stored jobs",
        description=(
            "Work with the jobs in the job store ($QISKIT_MYPROVIDER_STORE, or the default "
            "file under your data directory): jobs from any process, including finished ones."
        ),
    )
    commands = jobs.add_subparsers(
        title="jobs commands", dest="jobs_command", metavar="COMMAND", required=True
    )

    listing = commands.add_parser(
        "list",
        parents=[parent],
        help="list stored jobs, newest first",
        description="List stored jobs, newest first.",
    )
    listing.add_argument(
        "--tag",
        metavar="T",
        action="append",
        dest="tags",
        default=[],
        help="only jobs with this tag (repeat: jobs with all of them)",
    )
    listing.add_argument(
        "--status",
        metavar="S",
        type=str.upper,
        choices=JOB_STATUS_NAMES,
        help="only jobs in this status (DONE, ERROR, CANCELLED, RUNNING, QUEUED, ...)",
    )
    listing.add_argument("--backend", metavar="NAME", help="only jobs of this backend")
    listing.add_argument("--name", metavar="N", help="only jobs with exactly this name")
    listing.add_argument(
        "--limit",
        metavar="N",
        type=non_negative_int,
        default=10,
        help="show at most N jobs (default: 10; 0 shows all)",
    )
    listing.add_argument(
        "--skip", metavar="N", type=non_negative_int, default=0, help="skip the N newest first"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list instead")
    listing.set_defaults(handler=cmd_jobs_list)

    show = commands.add_parser(
        "show",
        parents=[parent],
        help="show everything stored about a job",
        description="Show a job's status, steps, circuits, options and error.",
    )
    show.add_argument("job_id", metavar="JOB_ID")
    show.add_argument("--json", action="store_true", help="print one JSON object instead")
    show.set_defaults(handler=cmd_jobs_show)

    result = commands.add_parser(
        "result",
        parents=[parent],
        help="print a job's counts (waiting for it if needed)",
        description=(
            "Print a job's counts, as 'run' does; waits for a job that has not ended yet. "
            "Exit status 1 if the job failed or was cancelled."
        ),
    )
    result.add_argument("job_id", metavar="JOB_ID")
    result.add_argument(
        "--timeout", metavar="S", type=non_negative_float, help="wait at most S seconds"
    )
    _add_counts_options(result)
    result.set_defaults(handler=cmd_jobs_result)

    wait = commands.add_parser(
        "wait",
        parents=[parent],
        help="wait until a job ends",
        description=(
            "Wait until a job ends and print its final status. Exit status 0 if it is DONE, "
            f"1 if it failed or was cancelled, {EXIT_TIMEOUT} if --timeout ran out."
        ),
    )
    wait.add_argument("job_id", metavar="JOB_ID")
    wait.add_argument(
        "--timeout", metavar="S", type=non_negative_float, help="wait at most S seconds"
    )
    wait.add_argument("--json", action="store_true", help="print one JSON object instead")
    wait.set_defaults(handler=cmd_jobs_wait)

    cancel = commands.add_parser(
        "cancel",
        parents=[parent],
        help="cancel a job",
        description=(
            "Cancel a job that has not ended; a job started with 'run --no-wait' is "
            "cancelled by its runner. Exit status 1 if it had already ended, or if another "
            "running process owns it (only that process can cancel it)."
        ),
    )
    cancel.add_argument("job_id", metavar="JOB_ID")
    cancel.set_defaults(handler=cmd_jobs_cancel)


# -- the whole command ---------------------------------------------------------------------

_SUBCOMMANDS: Final[tuple[Callable[[Any, argparse.ArgumentParser], None], ...]] = (
    _add_run_parser,
    _add_backends_parser,
    _add_jobs_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``qiskit-myprovider`` command.

    Returns:
        The parser; each subcommand's parser sets ``handler`` to the function that runs it.
    """
    # --debug is accepted before or after the subcommand; SUPPRESS keeps a subcommand's
    # parser from resetting a --debug given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and debug logging",
    )
    parser = _ArgumentParser(
        prog=PROG,
        description=(
            "Run OpenQASM circuits on MyProvider's Aer-backed simulators, and work with "
            "the jobs in the job store."
        ),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True
    )
    for add_parser in _SUBCOMMANDS:
        add_parser(subparsers, common)
    return parser
