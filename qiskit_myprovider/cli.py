"""The ``qiskit-myprovider`` command line (also ``python -m qiskit_myprovider``).

Each subcommand is one ``_cmd_<name>(args, ctx) -> int`` function plus one
``_add_<name>_parser(subparsers)`` function that declares its arguments; :func:`build_parser`
wires them together. A subcommand returns its exit status, or raises: :class:`CommandError`
for a mistake it can explain, or any package error (see :func:`main` for how each is
reported). Exit status 0 means success, 1 a job that failed or was cancelled, 2 a usage
mistake (missing file, bad OpenQASM, unknown backend, bad option value), 130 an interrupt.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

import qiskit.qasm2
import qiskit.qasm3
from qiskit import transpile
from qiskit.exceptions import QiskitError
from qiskit.providers import JobStatus
from qiskit.transpiler.exceptions import TranspilerError
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qiskit_myprovider.exceptions import MyProviderError
from qiskit_myprovider.provider import DEFAULT_BACKEND, MyProvider
from qiskit_myprovider.version import __version__

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result
    from rich.status import Status

    from qiskit_myprovider.job import MyJob

__all__ = ["PROG", "CommandError", "build_parser", "main"]

#: The command's name, as installed by the package's console script.
PROG: Final = "qiskit-myprovider"

#: Exit status of a usage mistake (argparse's own convention).
EXIT_USAGE: Final = 2
#: Exit status when the job ended in ERROR or CANCELLED.
EXIT_JOB_FAILED: Final = 1
#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130

#: Seconds a job may run before ``run`` shows a spinner (most jobs end well before).
_SPINNER_AFTER: Final = 1.0
#: Seconds between updates of the spinner's text while waiting.
_POLL_INTERVAL: Final = 0.1

_HEADER: Final = re.compile(
    r"\A(?:\s+|//[^\n]*|/\*.*?\*/)*OPENQASM\s+(?P<major>\d+)(?:\.(?P<minor>\d+))?\s*;",
    re.DOTALL,
)
#: Where the OpenQASM parsers say an error is ("<input>:3,0: ..." or "3,0: ...").
_PARSER_LOCATION: Final = re.compile(r"^(?:<input>:)?(?P<line>\d+),(?P<column>\d+):\s*")
#: Console width when stdout is not a terminal: wide enough that no table row wraps.
_PIPE_WIDTH: Final = 1000
_EIGHTHS: Final = " ▏▎▍▌▋▊▉█"


class CommandError(Exception):
    """A mistake a subcommand can explain in one line; :func:`main` prints it and exits.

    Args:
        message: What went wrong and, where possible, how to fix it.
        exit_code: The process's exit status (default 2, a usage mistake).
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True)
class _Context:
    """What every subcommand gets besides its arguments: where to write, and how loudly."""

    out: Console
    err: Console
    debug: bool


class _ArgumentParser(argparse.ArgumentParser):
    """An argparse parser that reports mistakes as one ``error:`` line, without the usage."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message} (see '{self.prog} --help')")


# -- run ---------------------------------------------------------------------------------


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
        "--shots", metavar="N", type=_positive_int, help="shots per circuit (default: 1024)"
    )
    parser.add_argument(
        "--seed",
        metavar="S",
        type=_non_negative_int,
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
        help="print the job id and return at once instead of waiting for the counts",
    )
    parser.add_argument(
        "--top",
        metavar="K",
        type=_non_negative_int,
        default=32,
        help="show the K most frequent outcomes (default: 32; 0 shows all)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace, ctx: _Context) -> int:
    circuit = _load_circuit(args.file)
    with _open_provider() as provider:
        backend = provider.get_backend(args.backend)
        try:
            compiled = transpile(circuit, backend, seed_transpiler=args.seed)
        except TranspilerError as exc:
            raise CommandError(
                f"cannot transpile {_display_name(args.file)} for backend '{backend.name}': "
                f"{_one_line(exc)}"
            ) from exc
        options: dict[str, Any] = {"job_tags": args.tags}
        if args.shots is not None:
            options["shots"] = args.shots
        if args.seed is not None:
            options["seed_simulator"] = args.seed
        if args.name is not None:
            options["job_name"] = args.name
        job = backend.run(compiled, **options)

        if args.no_wait:
            if args.json:
                _print_json(_job_summary(job))
            else:
                print(job.job_id(), flush=True)
            return 0

        try:
            _wait_for_job(job, ctx.err)
        except KeyboardInterrupt:
            cancelled = job.cancel()
            what = "cancelled" if cancelled else f"left {job.status().name}"
            raise CommandError(
                f"interrupted; job {job.job_id()} {what}", EXIT_INTERRUPTED
            ) from None
        return _report_job(job, args, ctx)


def _load_circuit(file: str) -> QuantumCircuit:
    """Read and parse an OpenQASM 2 or 3 file (``-``: stdin) into a circuit."""
    name = _display_name(file)
    try:
        if file == "-":
            source, directory, stem = sys.stdin.read(), Path.cwd(), "stdin"
        else:
            path = Path(file)
            source, directory, stem = path.read_text(encoding="utf-8"), path.parent, path.stem
    except FileNotFoundError:
        raise CommandError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise CommandError(f"{name} is a directory, not an OpenQASM file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not a text (UTF-8) file") from None
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from exc

    source = source.removeprefix("\ufeff")
    header = _HEADER.match(source)
    major = int(header["major"]) if header else 3
    try:
        if major == 2:
            circuit = qiskit.qasm2.loads(
                source,
                include_path=(str(directory),),
                custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
            )
        elif major == 3:
            circuit = qiskit.qasm3.loads(source)
        else:
            version = f"{header['major']}.{header['minor'] or 0}" if header else "?"
            raise CommandError(
                f"{name} declares OpenQASM {version}; this command reads OpenQASM 2 and 3"
            )
    except CommandError:
        raise
    except Exception as exc:
        # The two parsers raise many kinds of error (their own, and TypeError for constructs
        # they do not support); all of them mean "this file cannot be read as a circuit".
        hint = "" if header else " (the file has no 'OPENQASM x;' header, so it was read as 3)"
        detail = _PARSER_LOCATION.sub(r"line \g<line>, column \g<column>: ", _one_line(exc))
        raise CommandError(f"{name} is not valid OpenQASM {major}{hint}: {detail}") from exc
    if not any(item.operation.name == "measure" for item in circuit.data):
        raise CommandError(
            f"{name} measures nothing, so it has no counts; add measurements "
            "(e.g. 'measure q -> c;' in OpenQASM 2, 'c = measure q;' in OpenQASM 3)"
        )
    circuit.name = stem
    return circuit


def _wait_for_job(job: MyJob, err: Console, *, show_after: float = _SPINNER_AFTER) -> None:
    """Wait for ``job`` to end; past ``show_after`` seconds, show a spinner on a terminal.

    Args:
        job: The job to wait for.
        err: The console for the spinner (stderr); nothing is shown unless it is a terminal.
        show_after: Seconds to wait before the spinner appears.
    """
    start = time.monotonic()
    spinner: Status | None = None

    def progress(job_id: str, status: JobStatus, job: MyJob) -> None:
        nonlocal spinner
        elapsed = time.monotonic() - start
        if not err.is_terminal or elapsed < show_after:
            return
        where = ""
        if status is JobStatus.QUEUED:
            position = job.queue_position()
            where = f" (position {position} in the queue)" if position is not None else ""
        text = f"Job {escape(job_id)} {status.name}{where} · {_format_seconds(elapsed)}"
        if spinner is None:
            spinner = err.status(text)
            spinner.start()
        else:
            spinner.update(text)

    try:
        job.wait_for_final_state(wait=_POLL_INTERVAL, callback=progress)
    finally:
        if spinner is not None:
            spinner.stop()


def _report_job(job: MyJob, args: argparse.Namespace, ctx: _Context) -> int:
    """Print a final job's counts (table or JSON); return the exit status."""
    status = job.status()
    result = job.result() if status is JobStatus.DONE else None
    if args.json:
        _print_json(_job_summary(job, result))
    if result is None:
        if status is JobStatus.CANCELLED:
            message = f"job {job.job_id()} was cancelled"
        else:
            message = f"job {job.job_id()} failed: {job.error_message() or 'unknown error'}"
        raise CommandError(message, EXIT_JOB_FAILED)
    if not args.json:
        _print_counts(ctx.out, job, result, top=args.top)
    return 0


def _job_summary(job: MyJob, result: Result | None = None) -> dict[str, Any]:
    """The JSON object ``run --json`` prints; ``counts`` is null until the job is DONE."""
    counts = _sorted_counts(result.get_counts()) if result is not None else None
    summary: dict[str, Any] = {
        "job_id": job.job_id(),
        "backend": job.backend().name,
        "shots": job.backend_options().get("shots"),
        "status": job.status().name,
        "name": job.name(),
        "tags": job.tags(),
        "counts": counts,
        "time_taken": result.time_taken if result is not None else None,
    }
    error = job.error_message()
    if error is not None:
        summary["error"] = error
    return summary


def _sorted_counts(counts: Any) -> dict[str, int]:
    """Counts sorted by count (most frequent first), then by bitstring."""
    return dict(
        sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    )


def _print_counts(out: Console, job: MyJob, result: Result, *, top: int) -> None:
    counts = _sorted_counts(result.get_counts())
    total = sum(counts.values())
    shown = list(counts.items())[: top or None]
    largest = shown[0][1] if shown else 1
    outcome_width = max((len(bits) for bits, _ in shown), default=7)
    bar_width = max(10, min(40, out.width - outcome_width - 32))
    unicode_bars = out.encoding.lower().startswith("utf")

    out.print(
        f"Job {escape(job.job_id())} on {escape(job.backend().name)}: {total} shots, "
        f"{job.status().name} in {_format_seconds(result.time_taken)}",
        highlight=False,
    )
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Outcome", style="cyan", no_wrap=True)
    table.add_column("Count", justify="right")
    table.add_column("Probability", justify="right")
    table.add_column("", style="magenta", no_wrap=True)
    for bits, count in shown:
        bar = _bar(count / largest, bar_width, unicode_bars=unicode_bars)
        table.add_row(escape(bits), str(count), f"{count / total:.4f}", bar)
    out.print(table, highlight=False)
    hidden = len(counts) - len(shown)
    if hidden:
        rest = total - sum(count for _, count in shown)
        out.print(
            f"... {hidden} more outcomes with {rest} shots (--top 0 shows all)", highlight=False
        )


def _bar(fraction: float, width: int, *, unicode_bars: bool) -> str:
    """A horizontal bar ``fraction`` of ``width`` cells long (eighth-cell steps in Unicode)."""
    if not unicode_bars:
        return "#" * round(fraction * width)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


# -- backends ----------------------------------------------------------------------------


def _add_backends_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "backends",
        parents=[parent],
        help="list the available backends",
        description="List the backends of MyProvider: name, method, width, noise and device.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list instead")
    parser.set_defaults(handler=_cmd_backends)


def _cmd_backends(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        rows = [
            {
                "name": backend.name,
                "method": backend.method,
                "num_qubits": backend.num_qubits,
                "noisy": backend.noisy,
                "device": backend.device,
                "description": backend.description,
                "default": backend.name == DEFAULT_BACKEND,
            }
            for backend in provider.backends()
        ]
    if args.json:
        _print_json(rows)
        return 0
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Name", style="cyan", no_wrap=True)
    table.add_column("Method")
    table.add_column("Qubits", justify="right")
    table.add_column("Noisy")
    table.add_column("Device")
    table.add_column("Description")
    for row in rows:
        name = escape(str(row["name"])) + (" *" if row["default"] else "")
        table.add_row(
            name,
            escape(str(row["method"])),
            str(row["num_qubits"]),
            "yes" if row["noisy"] else "no",
            escape(str(row["device"])),
            escape(str(row["description"] or "")),
        )
    ctx.out.print(table, highlight=False)
    ctx.out.print("* the default backend (used when --backend is not given)", highlight=False)
    return 0


# -- shared helpers ----------------------------------------------------------------------


def _open_provider() -> MyProvider:
    """The provider every subcommand works with (store from ``$QISKIT_MYPROVIDER_STORE``)."""
    return MyProvider()


def _positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, not {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, not {text!r}") from None


def _display_name(file: str) -> str:
    return "<stdin>" if file == "-" else file


def _one_line(error: BaseException) -> str:
    """An error's message on one line (parsers like to spread theirs over several)."""
    # QiskitError.__str__ wraps the message in quotes; the bare message reads better.
    text = str(error.message) if isinstance(error, QiskitError) else str(error)
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text or type(error).__name__


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _print_json(value: object) -> None:
    # Plain print, not rich: machines read this, so no wrapping, markup or colour.
    print(json.dumps(value), flush=True)


def _is_usage_error(error: BaseException) -> bool:
    """Whether a package error is the user's mistake (bad value, unknown name) rather than ours."""
    return isinstance(error, MyProviderError) and isinstance(
        error, ValueError | TypeError | LookupError
    )


# -- entry point -------------------------------------------------------------------------

_SUBCOMMANDS: Final[tuple[Callable[[Any, argparse.ArgumentParser], None], ...]] = (
    _add_run_parser,
    _add_backends_parser,
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
        description="Run OpenQASM circuits on MyProvider's Aer-backed simulators.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True
    )
    for add_parser in _SUBCOMMANDS:
        add_parser(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qiskit-myprovider`` command.

    Mistakes are reported as one ``error: ...`` line on stderr, with no traceback unless
    ``--debug`` is given.

    Args:
        argv: The arguments, without the program name (None: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 when the job failed or was cancelled (or on an
        unexpected error), 2 for a usage mistake, 130 when interrupted.
    """
    err = Console(file=sys.stderr, highlight=False)
    try:
        args = build_parser().parse_args(argv)
    except CommandError as exc:
        _print_error(err, exc.message)
        return exc.exit_code
    except SystemExit as exc:  # --help and --version print, then "exit" with status 0
        return exc.code if isinstance(exc.code, int) else 0

    debug = bool(getattr(args, "debug", False))
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    ctx = _Context(out=_stdout_console(), err=err, debug=debug)
    try:
        return int(args.handler(args, ctx))
    except CommandError as exc:
        failure: BaseException = exc
        code, message = exc.exit_code, exc.message
    except KeyboardInterrupt as exc:
        failure, code, message = exc, EXIT_INTERRUPTED, "interrupted"
    except MyProviderError as exc:
        failure, message = exc, _one_line(exc)
        code = EXIT_USAGE if _is_usage_error(exc) else EXIT_JOB_FAILED
    except Exception as exc:
        failure, code = exc, EXIT_JOB_FAILED
        message = f"unexpected {type(exc).__name__}: {_one_line(exc)}"
        if not debug:
            message += " (run with --debug for the traceback)"
    if debug:
        traceback.print_exception(failure, file=sys.stderr)
    _print_error(err, message)
    return code


def _stdout_console() -> Console:
    out = Console(file=sys.stdout, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: wrapping at 80 columns would break rows across lines.
        out.width = _PIPE_WIDTH
    return out


def _print_error(err: Console, message: str) -> None:
    # markup=False: messages quote user input and Aer text, which may contain [brackets].
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
