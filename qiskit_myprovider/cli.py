"""The ``qiskit-myprovider`` command line (also ``python -m qiskit_myprovider``).

Each subcommand is one ``_cmd_<name>(args, ctx) -> int`` function plus one
``_add_<name>_parser(subparsers, common)`` function that declares its arguments and sets
``handler=_cmd_<name>``; listing the latter in ``_SUBCOMMANDS`` is all :func:`build_parser`
needs (a group such as ``jobs list|show`` adds its own nested subparsers). A subcommand
returns its exit status, or raises: ``_CommandError`` for a mistake it can explain, or any
package error (see :func:`main` for how each is reported). Exit status 0 means success, 1 a
job that failed or was cancelled, 2 a usage mistake (missing file, bad OpenQASM, unknown
backend, bad option value, unknown job id), 124 a ``jobs wait`` or ``jobs result``
whose ``--timeout`` ran out, 130 an interrupt.

``run --no-wait`` starts a *runner*: this same command, in a process of its own (its own
session, so it outlives the terminal), that submits the job to the job store, hands the
job's summary back on its first line of stdout, and then waits for the job to end. Any
process can then follow the job through the store (``jobs wait``, ``jobs result``); if the
runner dies first, the job is reported lost; ``jobs cancel`` stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
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

from qiskit_myprovider.exceptions import JobTimeoutError, MyJobError, MyProviderError
from qiskit_myprovider.progress import ProgressBar
from qiskit_myprovider.provider import DEFAULT_BACKEND, MyProvider
from qiskit_myprovider.store import STORE_ENV_VAR, default_store_path, owner_is_gone
from qiskit_myprovider.version import __version__

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

    from qiskit_myprovider.job import MyJob

__all__ = ["PROG", "build_parser", "main"]

#: The command's name, as installed by the package's console script.
PROG: Final = "qiskit-myprovider"

#: Exit status of a usage mistake (argparse's own convention).
EXIT_USAGE: Final = 2
#: Exit status when the job ended in ERROR or CANCELLED.
EXIT_JOB_FAILED: Final = 1
#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130
#: Exit status when ``jobs wait --timeout`` ran out (as for timeout(1)).
EXIT_TIMEOUT: Final = 124

#: Seconds of waiting before the progress bar appears (most jobs end well before).
_PROGRESS_AFTER: Final = 1.0
#: Seconds between updates of the progress bar's state while waiting.
_POLL_INTERVAL: Final = 0.1

#: The hidden ``run`` option that makes this process the runner of a ``--no-wait`` job.
_RUNNER_FLAG: Final = "--_runner"
#: Seconds ``jobs cancel`` waits for a runner to record its job as cancelled.
_RUNNER_STOP_TIMEOUT: Final = 30.0
#: Windows' flags for a child that outlives its console (0 elsewhere).
_DETACHED_PROCESS_FLAGS: Final[int] = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
    subprocess, "CREATE_NEW_PROCESS_GROUP", 0
)

_HEADER: Final = re.compile(
    r"\A(?:\s+|//[^\n]*|/\*.*?\*/)*OPENQASM\s+(?P<major>\d+)(?:\.(?P<minor>\d+))?\s*;",
    re.DOTALL,
)
#: Where the OpenQASM parsers say an error is ("<input>:3,0: ..." or "3,0: ...").
_PARSER_LOCATION: Final = re.compile(r"^(?:<input>:)?(?P<line>\d+),(?P<column>\d+):\s*")
#: Console width when stdout is not a terminal: wide enough that no table row wraps.
_PIPE_WIDTH: Final = 1000
_EIGHTHS: Final = " ▏▎▍▌▋▊▉█"


class _CommandError(Exception):
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
        raise _CommandError(f"{message} (see '{self.prog} --help')")


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
        help=(
            "submit the job, print its id and return at once; a background process runs "
            "the job to the end (follow it with 'jobs wait|result|cancel ID'; needs a job "
            "store file, not ':memory:')"
        ),
    )
    parser.add_argument(_RUNNER_FLAG, dest="runner", action="store_true", help=argparse.SUPPRESS)
    _add_counts_options(parser)
    parser.set_defaults(handler=_cmd_run)


def _add_counts_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of commands that print a job's counts (``run``, ``jobs result``)."""
    parser.add_argument(
        "--top",
        metavar="K",
        type=_non_negative_int,
        default=32,
        help="show the K most frequent outcomes (default: 32; 0 shows all)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


def _cmd_run(args: argparse.Namespace, ctx: _Context) -> int:
    if args.no_wait and not args.runner:
        return _start_runner(args, ctx)
    if args.runner:
        # 'jobs cancel' stops a runner with SIGTERM: unwind as for Ctrl-C, cancelling the job.
        signal.signal(signal.SIGTERM, _interrupt)
    circuit = _load_circuit(args.file)
    with _open_provider() as provider:
        backend = provider.get_backend(args.backend)
        try:
            compiled = transpile(circuit, backend, seed_transpiler=args.seed)
        except TranspilerError as exc:
            raise _CommandError(
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
        if args.runner:
            return _serve_as_runner(job)

        try:
            _wait_for_job(job, ctx.err)
        except KeyboardInterrupt:
            cancelled = job.cancel()
            what = "cancelled" if cancelled else f"left {job.status().name}"
            raise _CommandError(
                f"interrupted; job {job.job_id()} {what}", EXIT_INTERRUPTED
            ) from None
        return _report_job(job, args, ctx)


def _read_source(file: str) -> str:
    """Read an OpenQASM file (``-``: stdin) as text."""
    name = _display_name(file)
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _CommandError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise _CommandError(f"{name} is a directory, not an OpenQASM file") from None
    except UnicodeDecodeError:
        raise _CommandError(f"{name} is not a text (UTF-8) file") from None
    except OSError as exc:
        raise _CommandError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _load_circuit(file: str, source: str | None = None) -> QuantumCircuit:
    """Parse an OpenQASM 2 or 3 file (``-``: stdin) into a circuit.

    Args:
        file: The file's path, or ``-`` for stdin.
        source: The file's text, if already read (else it is read here).
    """
    name = _display_name(file)
    if source is None:
        source = _read_source(file)
    directory, stem = (Path.cwd(), "stdin") if file == "-" else (Path(file).parent, Path(file).stem)
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
            raise _CommandError(
                f"{name} declares OpenQASM {version}; this command reads OpenQASM 2 and 3"
            )
    except _CommandError:
        raise
    except Exception as exc:
        # The two parsers raise many kinds of error (their own, and TypeError for constructs
        # they do not support); all of them mean "this file cannot be read as a circuit".
        hint = "" if header else " (the file has no 'OPENQASM x;' header, so it was read as 3)"
        detail = _PARSER_LOCATION.sub(r"line \g<line>, column \g<column>: ", _one_line(exc))
        raise _CommandError(f"{name} is not valid OpenQASM {major}{hint}: {detail}") from exc
    if circuit.parameters:
        names = ", ".join(parameter.name for parameter in circuit.parameters)
        raise _CommandError(
            f"{name} has parameters without values ({names}); the command line cannot bind "
            "them, so give them values in the file"
        )
    if not any(item.operation.name == "measure" for item in circuit.data):
        raise _CommandError(
            f"{name} measures nothing, so it has no counts; add measurements "
            "(e.g. 'measure q -> c;' in OpenQASM 2, 'c = measure q;' in OpenQASM 3)"
        )
    circuit.name = stem
    return circuit


def _wait_for_job(
    job: MyJob,
    err: Console,
    *,
    show_after: float = _PROGRESS_AFTER,
    timeout: float | None = None,
) -> None:
    """Wait for ``job`` to end; past ``show_after`` seconds, show a progress bar on a terminal.

    Args:
        job: The job to wait for.
        err: The console for the progress bar (stderr); nothing is shown unless it is a
            terminal, and the bar is erased when the job ends.
        show_after: Seconds to wait before the progress bar appears.
        timeout: Seconds to wait at most (None: no limit).

    Raises:
        JobTimeoutError: the job did not end within ``timeout``.
    """
    if not err.is_terminal:
        job.wait_for_final_state(timeout=timeout, wait=_POLL_INTERVAL)
        return
    with ProgressBar(console=err, show_after=show_after, transient=True) as bar:
        job.wait_for_final_state(timeout=timeout, wait=_POLL_INTERVAL, callback=bar)


# -- run --no-wait: the runner -------------------------------------------------------------


def _start_runner(args: argparse.Namespace, ctx: _Context) -> int:
    """``run --no-wait``: start a runner for the job, print what it hands back, return.

    The runner is this command again, with :data:`_RUNNER_FLAG`, in a new session. It writes
    the job's summary (JSON) as its first line of stdout once the job is in the store, or
    exits with its error on stderr, which is passed on as it is.
    """
    store = os.environ.get(STORE_ENV_VAR) or str(default_store_path())
    if store == ":memory:":
        raise _CommandError(
            f"--no-wait needs a job store that other processes can read, but {STORE_ENV_VAR} "
            "is ':memory:', so the job could not be seen from another process; set it to a "
            "file path (or unset it for the default store), or leave out --no-wait"
        )
    # Mistakes in the file are reported now, without starting anything.
    source = _read_source(args.file)
    _load_circuit(args.file, source)

    argv = [sys.executable, "-m", "qiskit_myprovider", "run", _RUNNER_FLAG]
    for option in ("backend", "shots", "seed", "name"):
        if getattr(args, option) is not None:
            argv.append(f"--{option}={getattr(args, option)}")
    argv += [f"--tag={tag}" for tag in args.tags]
    if ctx.debug:
        argv.append("--debug")
    argv += ["--", args.file]

    with tempfile.TemporaryFile() as errors:
        runner = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if args.file == "-" else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={**os.environ, STORE_ENV_VAR: store},
            start_new_session=True,  # POSIX: no SIGINT/SIGHUP from this terminal
            creationflags=_DETACHED_PROCESS_FLAGS,  # Windows: the same, its way
        )
        try:
            if runner.stdin is not None:
                # A broken pipe means the runner failed early: its stderr says why.
                with contextlib.suppress(BrokenPipeError), runner.stdin:
                    runner.stdin.write(source.encode("utf-8"))
            assert runner.stdout is not None
            with runner.stdout:
                line = runner.stdout.readline()
        except KeyboardInterrupt:
            runner.terminate()  # the runner cancels the job if it had submitted it already
            raise _CommandError(
                "interrupted; the job runner was stopped", EXIT_INTERRUPTED
            ) from None
        if not line:
            code = runner.wait()
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")
            if not message.strip():
                raise _CommandError(
                    f"the job runner exited (status {code}) before it submitted the job"
                    + ("" if ctx.debug else "; run with --debug for details"),
                    EXIT_JOB_FAILED,
                )
            sys.stderr.write(message)
            sys.stderr.flush()
            return code or EXIT_JOB_FAILED
    # A runner is meant to outlive this process. Should this process live on (a program that
    # calls main()), a daemon thread reaps the runner when it ends; either way its handle is
    # never dropped while the runner runs, which Python would warn about.
    threading.Thread(target=runner.wait, name=f"reap-runner-{runner.pid}", daemon=True).start()
    summary = json.loads(line)
    if args.json:
        _print_json(summary)
    else:
        print(summary["job_id"], flush=True)
    return 0


def _serve_as_runner(job: MyJob) -> int:
    """The runner's side of ``run --no-wait``: hand the job over, then see it to its end.

    Returns:
        The runner's exit status: 0 if the job ended DONE, else 1.
    """
    # Nothing more goes to the parent, which stops reading after one line (and exits).
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stderr.fileno())
        with contextlib.suppress(BrokenPipeError):  # the parent is gone; the job runs on
            sys.stdout.write(json.dumps(_job_summary(job)) + "\n")
            sys.stdout.flush()
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    try:
        job.wait_for_final_state(wait=3600)
    except KeyboardInterrupt:  # SIGTERM from 'jobs cancel'
        job.cancel()
    return 0 if job.status() is JobStatus.DONE else EXIT_JOB_FAILED


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _runner_pid(provider: MyProvider, job: MyJob) -> int | None:
    """The pid of the ``run --no-wait`` runner that owns ``job``, if it runs on this host.

    Only Linux can tell (from ``/proc``); elsewhere, and for a job owned by any other kind
    of process, the answer is None.
    """
    owner = provider.store.get(job.job_id()).owner
    parts = (owner or "").rsplit(":", 3)
    if len(parts) != 4 or parts[0] != socket.gethostname() or owner_is_gone(owner):
        return None
    try:
        pid = int(parts[1])
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            argv = file.read().decode("utf-8", "replace").split("\0")
    except (ValueError, OSError):
        return None
    return pid if _RUNNER_FLAG in argv and "qiskit_myprovider" in argv else None


def _stop_runner(pid: int, job: MyJob) -> bool:
    """Ask the runner ``pid`` to cancel ``job``; return whether the job is now CANCELLED."""
    with contextlib.suppress(ProcessLookupError):  # it has just ended: the store says how
        os.kill(pid, signal.SIGTERM)
    try:
        job.wait_for_final_state(timeout=_RUNNER_STOP_TIMEOUT, wait=_RUNNER_STOP_TIMEOUT)
    except JobTimeoutError:
        raise _CommandError(
            f"job {job.job_id()} is still {job.status().name} {_RUNNER_STOP_TIMEOUT:g} s after "
            f"its runner (pid {pid}) was asked to cancel it",
            EXIT_JOB_FAILED,
        ) from None
    return job.status() is JobStatus.CANCELLED


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
        raise _CommandError(message, EXIT_JOB_FAILED)
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


def _print_counts(
    out: Console, job: MyJob, result: Result, *, top: int, index: int | None = None
) -> None:
    counts = _sorted_counts(result.get_counts() if index is None else result.get_counts(index))
    total = sum(counts.values())
    shown = list(counts.items())[: top or None]
    largest = shown[0][1] if shown else 1
    outcome_width = max((len(bits) for bits, _ in shown), default=7)
    bar_width = max(10, min(40, out.width - outcome_width - 32))
    unicode_bars = out.encoding.lower().startswith("utf")

    which = "" if index is None else f", circuit {index} ({escape(_circuit_name(result, index))})"
    out.print(
        f"Job {escape(job.job_id())}{which} on {escape(job.backend().name)}: {total} shots, "
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
    table.add_column("Method", no_wrap=True)
    table.add_column("Qubits", justify="right", no_wrap=True)
    table.add_column("Noisy", no_wrap=True)
    table.add_column("Device", no_wrap=True)
    table.add_column("Description", min_width=16)
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


# -- jobs --------------------------------------------------------------------------------


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
        choices=[status.name for status in JobStatus],
        help="only jobs in this status (DONE, ERROR, CANCELLED, RUNNING, QUEUED, ...)",
    )
    listing.add_argument("--backend", metavar="NAME", help="only jobs of this backend")
    listing.add_argument("--name", metavar="N", help="only jobs with exactly this name")
    listing.add_argument(
        "--limit",
        metavar="N",
        type=_non_negative_int,
        default=10,
        help="show at most N jobs (default: 10; 0 shows all)",
    )
    listing.add_argument(
        "--skip", metavar="N", type=_non_negative_int, default=0, help="skip the N newest first"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list instead")
    listing.set_defaults(handler=_cmd_jobs_list)

    show = commands.add_parser(
        "show",
        parents=[parent],
        help="show everything stored about a job",
        description="Show a job's status, steps, circuits, options and error.",
    )
    show.add_argument("job_id", metavar="JOB_ID")
    show.add_argument("--json", action="store_true", help="print one JSON object instead")
    show.set_defaults(handler=_cmd_jobs_show)

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
        "--timeout", metavar="S", type=_non_negative_float, help="wait at most S seconds"
    )
    _add_counts_options(result)
    result.set_defaults(handler=_cmd_jobs_result)

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
        "--timeout", metavar="S", type=_non_negative_float, help="wait at most S seconds"
    )
    wait.add_argument("--json", action="store_true", help="print one JSON object instead")
    wait.set_defaults(handler=_cmd_jobs_wait)

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
    cancel.set_defaults(handler=_cmd_jobs_cancel)


def _cmd_jobs_list(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        jobs = provider.jobs(
            limit=args.limit or None,
            skip=args.skip,
            backend_name=args.backend,
            status=args.status,
            job_tags=args.tags or None,
            name=args.name,
        )
        rows = [_job_row(job) for job in jobs]
        location = provider.store.location
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        filtered = any((args.tags, args.status, args.backend, args.name, args.skip))
        what = "No matching jobs" if filtered else "No jobs"
        ctx.out.print(f"{what} in the job store {escape(location)}", highlight=False)
        return 0
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # On a narrow terminal the backend, name and tags fold onto more lines; rich would
    # otherwise squeeze a short column (an empty name, one tag) out of sight.
    table.add_column("Job id", style="cyan", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Backend", overflow="fold", min_width=10)
    table.add_column("Name", overflow="fold", min_width=4)
    table.add_column("Tags", overflow="fold", min_width=4)
    table.add_column("Created", no_wrap=True)
    for row in rows:
        table.add_row(
            row["job_id"],
            _styled_status(row["status"]),
            escape(row["backend"]),
            escape(row["name"] or ""),
            escape(", ".join(row["tags"])),
            _local_time(row["created"]),
        )
    ctx.out.print(table, highlight=False)
    return 0


def _cmd_jobs_show(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        job = provider.job(args.job_id)
        details = _job_row(job)
        circuits = job.circuits()
        options = job.backend_options()
        details.update(
            {
                "steps": {step: when.isoformat() for step, when in job.time_per_step().items()},
                "circuits": [
                    {"name": c.name, "num_qubits": c.num_qubits, "num_clbits": c.num_clbits}
                    for c in circuits
                ],
                "shots": options.get("shots"),
                "options": {key: _plain(value) for key, value in options.items()},
                "header": {key: _plain(value) for key, value in job.header().items()},
                "store": provider.store.location,
            }
        )
    if args.json:
        _print_json(details)
        return 0
    described = [
        f"{c['name']} ({c['num_qubits']} qubits, {c['num_clbits']} clbits)"
        for c in details["circuits"]
    ]
    lines = [
        ("Job id", escape(details["job_id"])),
        ("Status", _styled_status(details["status"])),
        ("Backend", escape(details["backend"])),
        ("Name", escape(details["name"] or "-")),
        ("Tags", escape(", ".join(details["tags"]) or "-")),
        *((step.capitalize(), _local_time(when)) for step, when in details["steps"].items()),
        ("Circuits", escape("; ".join(described) or "-")),
        ("Options", escape(", ".join(f"{k}={v}" for k, v in sorted(details["options"].items())))),
    ]
    if details["header"]:
        lines.append(("Header", escape(json.dumps(details["header"]))))
    if details["error"]:
        lines.append(("Error", f"[red]{escape(details['error'])}[/]"))
    lines.append(("Store", escape(details["store"])))
    for label, value in lines:
        ctx.out.print(f"[bold]{label + ':':<10}[/] {value}", highlight=False, soft_wrap=True)
    return 0


def _cmd_jobs_result(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        job = provider.job(args.job_id)
        _wait_or_explain(job, ctx, args.timeout)
        status = job.status()
        result = job.result() if status is JobStatus.DONE else None
        experiments = len(result.results) if result is not None else 0
        if experiments == 1 and _has_counts(result, 0):
            return _report_job(job, args, ctx)
        # Several circuits (or none measured): one table, or one counts object, per circuit.
        if args.json:
            summary = _job_summary(job)
            if result is not None:
                summary["counts"] = [
                    _sorted_counts(result.get_counts(i)) if _has_counts(result, i) else None
                    for i in range(experiments)
                ]
                summary["time_taken"] = result.time_taken
            _print_json(summary)
        if result is None:
            return _report_job(job, argparse.Namespace(json=False, top=args.top), ctx)
        if not args.json:
            for index in range(experiments):
                if _has_counts(result, index):
                    _print_counts(ctx.out, job, result, top=args.top, index=index)
                else:
                    ctx.out.print(
                        f"Job {escape(job.job_id())}, circuit {index}: no counts "
                        "(the circuit measures nothing)",
                        highlight=False,
                    )
        return 0


def _cmd_jobs_wait(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        job = provider.job(args.job_id)
        _wait_or_explain(job, ctx, args.timeout)
        status = job.status()
        if args.json:
            _print_json(_job_row(job))
        else:
            print(f"Job {job.job_id()} {status.name}", flush=True)
        if status is JobStatus.DONE:
            return 0
        if status is JobStatus.CANCELLED:
            raise _CommandError(f"job {job.job_id()} was cancelled", EXIT_JOB_FAILED)
        raise _CommandError(
            f"job {job.job_id()} failed: {job.error_message() or 'unknown error'}",
            EXIT_JOB_FAILED,
        )


def _cmd_jobs_cancel(args: argparse.Namespace, ctx: _Context) -> int:
    with _open_provider() as provider:
        job = provider.job(args.job_id)
        try:
            cancelled = job.cancel()
        except MyJobError:
            # Another live process owns the job; a 'run --no-wait' runner can be asked.
            pid = _runner_pid(provider, job)
            if pid is None:
                raise
            cancelled = _stop_runner(pid, job)
        if cancelled:
            print(f"Job {job.job_id()} CANCELLED", flush=True)
            return 0
        status = job.status()
        detail = f": {job.error_message()}" if status is JobStatus.ERROR else ""
        raise _CommandError(
            f"job {job.job_id()} had already ended ({status.name}{detail}); nothing to cancel",
            EXIT_JOB_FAILED,
        )


def _wait_or_explain(job: MyJob, ctx: _Context, timeout: float | None) -> None:
    """Wait for ``job`` (spinner on a terminal); turn a timeout or Ctrl-C into one line."""
    try:
        _wait_for_job(job, ctx.err, timeout=timeout)
    except JobTimeoutError:
        raise _CommandError(
            f"job {job.job_id()} is still {job.status().name} after {timeout:g} s",
            EXIT_TIMEOUT,
        ) from None
    except KeyboardInterrupt:
        # Unlike 'run', the job is not ours to cancel: stop waiting and leave it alone.
        raise _CommandError(
            f"interrupted; job {job.job_id()} left {job.status().name}", EXIT_INTERRUPTED
        ) from None


def _job_row(job: MyJob) -> dict[str, Any]:
    """What ``jobs list --json`` prints per job (``jobs show`` adds to it)."""
    return {
        "job_id": job.job_id(),
        "status": job.status().name,
        "backend": job.backend().name,
        "name": job.name(),
        "tags": job.tags(),
        "created": job.creation_date().isoformat(),
        "error": job.error_message(),
    }


def _circuit_name(result: Result, index: int) -> str:
    header = result.results[index].header
    name = header.get("name") if isinstance(header, dict) else getattr(header, "name", None)
    return str(name) if name is not None else str(index)


def _has_counts(result: Result | None, index: int) -> bool:
    return result is not None and hasattr(result.results[index].data, "counts")


def _plain(value: Any) -> Any:
    """A JSON-friendly stand-in for an option value (a noise model becomes its summary)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return f"<{type(value).__name__}>"


def _local_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


_STATUS_STYLES: Final = {"DONE": "green", "ERROR": "red", "CANCELLED": "yellow"}


def _styled_status(name: str) -> str:
    style = _STATUS_STYLES.get(name)
    return f"[{style}]{name}[/]" if style else name


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


def _non_negative_float(text: str) -> float:
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
    except _CommandError as exc:
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
    except _CommandError as exc:
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
