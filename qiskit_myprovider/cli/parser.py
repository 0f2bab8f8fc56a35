"""The command line's arguments: the parser, one sub-parser per command, argument types.

Each command is one ``_add_<name>_parser(subparsers, common)`` function that declares its
arguments and sets ``handler`` to the function that runs it (``cmd_<name>(args, ctx) ->
int``, in the command's own module); listing it in ``_SUBCOMMANDS`` is all
:func:`build_parser` needs (a group such as ``jobs list|show`` adds its own nested
sub-parsers). Nothing here imports Qiskit, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, NoReturn

from qiskit_myprovider.cli.backends import cmd_backends
from qiskit_myprovider.cli.delete import cmd_jobs_delete, cmd_jobs_prune
from qiskit_myprovider.cli.errors import EXIT_TIMEOUT, EXIT_USAGE, CommandError
from qiskit_myprovider.cli.ids import MIN_PREFIX
from qiskit_myprovider.cli.jobs import (
    cmd_jobs_cancel,
    cmd_jobs_list,
    cmd_jobs_result,
    cmd_jobs_wait,
)
from qiskit_myprovider.cli.run import cmd_run
from qiskit_myprovider.cli.runner import RUNNER_FLAG
from qiskit_myprovider.cli.show import cmd_jobs_show
from qiskit_myprovider.store.listing import STATUS_NAMES
from qiskit_myprovider.version import __version__

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context

__all__ = [
    "JOB_STATUS_NAMES",
    "PROG",
    "build_parser",
    "duration",
    "non_negative_float",
    "non_negative_int",
    "positive_int",
]

#: The command's name, as installed by the package's console script.
PROG: Final = "qiskit-myprovider"

#: The names of ``qiskit.providers.JobStatus``, in its order, for ``jobs list --status``: the
#: store's listing spells them out, so that building the parser needs no Qiskit.
JOB_STATUS_NAMES: Final = STATUS_NAMES


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


#: A duration: days, hours, minutes and seconds, each optional, in this order ("1d12h").
_DURATION: Final = re.compile(
    r"(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?"
)


def duration(text: str) -> timedelta:
    """Read a duration such as ``7d``, ``12h``, ``30m``, ``45s`` or ``1d12h`` (``--older-than``).

    A duration longer than :class:`~datetime.timedelta` can hold is read as its largest
    value: no job is that old.
    """
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or not any(match.groups()):
        raise argparse.ArgumentTypeError(
            f"must be a duration such as 7d, 12h, 30m, 45s or 1d12h, not {text!r}"
        )
    parts = {unit: int(value) for unit, value in match.groupdict().items() if value}
    try:
        return timedelta(**parts)
    except OverflowError:
        return timedelta.max


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
            "for the job and print the counts, most frequent first (one table per file when "
            "several files run as one job). The OpenQASM version is read from the file's "
            "'OPENQASM x;' header (none means OpenQASM 3)."
        ),
    )
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="the OpenQASM file ('-' reads stdin); several files run as one job of several "
        "circuits, in order",
    )
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
    waiting = parser.add_mutually_exclusive_group()
    waiting.add_argument(
        "--no-wait",
        action="store_true",
        help=(
            "submit the job, print its id and return at once; a background process runs "
            "the job to the end (follow it with 'jobs wait|result|cancel ID'; needs a job "
            "store file, not ':memory:')"
        ),
    )
    waiting.add_argument(
        "--timeout",
        metavar="S",
        type=non_negative_float,
        help=(
            "wait at most S seconds; a job still running then keeps running in the "
            f"background, and the command exits with {EXIT_TIMEOUT} (needs a job store file)"
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
        help="list, inspect, wait for, cancel or delete stored jobs",
        description=(
            "Work with the jobs in the job store (--store, $QISKIT_MYPROVIDER_STORE, or the "
            "default file under your data directory): jobs from any process, including "
            f"finished ones. A job id may be given by its first {MIN_PREFIX} or more "
            "characters, if no other job's id starts with them."
        ),
    )
    commands = jobs.add_subparsers(title="jobs commands", dest="jobs_command", metavar="COMMAND")
    jobs.set_defaults(handler=functools.partial(_print_help, jobs))

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
    _add_job_id(show)
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
    _add_job_id(result)
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
    _add_job_id(wait)
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
    _add_job_id(cancel)
    cancel.set_defaults(handler=cmd_jobs_cancel)

    delete = commands.add_parser(
        "delete",
        parents=[parent],
        help="delete finished jobs from the job store",
        description=(
            "Delete the records of finished jobs (DONE, ERROR or CANCELLED). If any of them "
            "has not finished, nothing is deleted (exit status 2): cancel it or wait for it "
            "first."
        ),
    )
    delete.add_argument("job_ids", metavar="JOB_ID", nargs="+")
    delete.add_argument("--json", action="store_true", help="print one JSON object instead")
    delete.set_defaults(handler=cmd_jobs_delete)

    prune = commands.add_parser(
        "prune",
        parents=[parent],
        help="delete finished jobs older than a duration",
        description=(
            "Delete the records of finished jobs created more than DURATION ago; jobs that "
            "have not finished are kept, whatever their age."
        ),
    )
    prune.add_argument(
        "--older-than",
        metavar="DURATION",
        type=duration,
        required=True,
        help="e.g. 7d, 12h, 30m, 45s, or combined: 1d12h",
    )
    prune.add_argument("--json", action="store_true", help="print one JSON object instead")
    prune.set_defaults(handler=cmd_jobs_prune)


def _add_job_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "job_id",
        metavar="JOB_ID",
        help=f"the job's id, or its first {MIN_PREFIX} or more characters",
    )


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
    # --debug and --store are accepted before or after the subcommand; SUPPRESS keeps a
    # subcommand's parser from resetting one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and debug logging",
    )
    common.add_argument(
        "--store",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the job store file (default: $QISKIT_MYPROVIDER_STORE, else the default file)",
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
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    parser.set_defaults(handler=functools.partial(_print_help, parser))
    for add_parser in _SUBCOMMANDS:
        add_parser(subparsers, common)
    return parser


def _print_help(parser: argparse.ArgumentParser, args: argparse.Namespace, ctx: Context) -> int:
    """The command of a group given without one of its commands: print its help.

    The help goes to stderr with exit status 2, argparse's status for an incomplete
    command line: a person sees the commands to choose from, a script sees a usage mistake.
    """
    sys.stderr.write(parser.format_help())
    sys.stderr.flush()
    return EXIT_USAGE
