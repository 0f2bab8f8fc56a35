"""The entry point: parse the arguments, run the command, turn any failure into one line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from rich.console import Console

from qiskit_myprovider.cli.context import Context
from qiskit_myprovider.cli.errors import CommandError, report_for
from qiskit_myprovider.cli.parser import build_parser
from qiskit_myprovider.cli.render import print_error, stdout_console

__all__ = ["COMPLETION_VARIABLE", "complete", "main"]

#: Set by the shell when it asks the command for completions (see argcomplete).
COMPLETION_VARIABLE = "_ARGCOMPLETE"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qiskit-myprovider`` command.

    Mistakes are reported as one ``error: ...`` line on stderr, with no traceback unless
    ``--debug`` is given.

    Args:
        argv: The arguments, without the program name (None: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 when the job failed or was cancelled (or on an
        unexpected error), 2 for a usage mistake, 124 when a ``--timeout`` ran out, 130
        when interrupted.
    """
    err = Console(file=sys.stderr, highlight=False)
    parser = build_parser()
    complete(parser)
    try:
        args = parser.parse_args(argv)
    except CommandError as exc:
        print_error(err, exc.message)
        return exc.exit_code
    except SystemExit as exc:  # --help and --version print, then "exit" with status 0
        return exc.code if isinstance(exc.code, int) else 0

    debug = bool(getattr(args, "debug", False))
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    ctx = Context(out=stdout_console(), err=err, debug=debug, store=getattr(args, "store", None))
    try:
        return int(args.handler(args, ctx))
    except (Exception, KeyboardInterrupt) as exc:
        code, message = report_for(exc, debug=debug)
        if debug:
            traceback.print_exception(exc, file=sys.stderr)
        print_error(err, message)
        return code


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's request for completions, if this run is one, and exit.

    Completion comes from argcomplete, an optional extra (``pip install
    "qiskit-myprovider[completion]"``), which the shell activates with
    ``eval "$(register-python-argcomplete qiskit-myprovider)"``. Without the variable the
    shell sets, or without argcomplete, nothing happens (and nothing more is imported).
    """
    if COMPLETION_VARIABLE not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:  # the extra is not installed: the shell gets no completions
        return
    argcomplete.autocomplete(parser)
