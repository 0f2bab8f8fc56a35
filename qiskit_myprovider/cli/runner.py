"""The detached runner behind ``run --no-wait``: starting one, serving as one, stopping one.

A *runner* is this same command, ``run`` with :data:`RUNNER_FLAG`, in a process of its own
(its own session, so it outlives the terminal). It reads the file, submits the job to the
job store, hands the job's summary back as its first line of stdout, and then waits for the
job to end; the command that started it loads no Qiskit. Any
process can then follow the job through the store (``jobs wait``, ``jobs result``); if the
runner dies first, the job is reported lost; ``jobs cancel`` finds the runner from the job's
owner token and stops it with SIGTERM, which the runner turns into a cancel of its job.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import TYPE_CHECKING, Any, Final, NoReturn

from qiskit_myprovider.cli.context import MEMORY_STORE, STORE_ENV_VAR
from qiskit_myprovider.cli.errors import EXIT_INTERRUPTED, EXIT_JOB_FAILED, CommandError
from qiskit_myprovider.cli.render import job_summary
from qiskit_myprovider.cli.source import read_source

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.provider import MyProvider

__all__ = [
    "RUNNER_FLAG",
    "RUNNER_STOP_TIMEOUT",
    "runner_pid",
    "serve_as_runner",
    "start_runner",
    "stop_on_sigterm",
    "stop_runner",
]

#: The hidden ``run`` option that makes this process the runner of a ``--no-wait`` job.
RUNNER_FLAG: Final = "--_runner"
#: Seconds ``jobs cancel`` waits for a runner to record its job as cancelled.
RUNNER_STOP_TIMEOUT: Final = 30.0
#: Windows' flags for a child that outlives its console (0 elsewhere).
_DETACHED_PROCESS_FLAGS: Final[int] = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
    subprocess, "CREATE_NEW_PROCESS_GROUP", 0
)
#: The ``wait`` a runner waits for its job with: no callback needs it, and the wait ends the
#: moment the job does.
_RUNNER_WAIT: Final = 3600


# -- starting a runner (``run --no-wait``) -------------------------------------------------


def start_runner(args: argparse.Namespace, ctx: Context) -> dict[str, Any] | int:
    """``run --no-wait|--timeout``: start a runner for the job; return what it hands back.

    The runner is this command again, with :data:`RUNNER_FLAG`, in a new session. It reads
    and checks the file, records the job in the store and writes the job's summary (JSON)
    as its first line of stdout, or exits with its error on stderr, which is passed on as
    it is. This process loads no Qiskit: the runner does all of that once.

    Returns:
        The job's summary once the runner has handed the job over (the job is then in the
        store, for any process to find), or the runner's exit status if it failed first.

    Raises:
        CommandError: the store is in memory, the file cannot be read, the runner exited
            without a word, or Ctrl-C.
    """
    flag = "--no-wait" if args.no_wait else "--timeout"
    if ctx.store_spec == MEMORY_STORE:
        source = "--store" if ctx.store is not None else STORE_ENV_VAR
        raise CommandError(
            f"{flag} needs a job store that other processes can read, but {source} is "
            f"'{MEMORY_STORE}', so the job could not be seen from another process; give a "
            f"file path (or unset {STORE_ENV_VAR} for the default store), or leave out {flag}"
        )
    # A missing or unreadable file is reported now; what is in it, by the runner.
    source_text = read_source(args.file)
    # This process waits for the runner to record the job, so that the id it prints is in
    # the store the moment it is printed; the runner's start (import of Qiskit and Aer) is
    # most of the wait (~0.8 s on 2 cores). To return sooner, this process must record the
    # job itself, without Qiskit: it
    # needs (1) a store write that imports no Qiskit (store.py imports qiskit.providers at
    # the top; DESIGN §9 wants the store layer Qiskit-free anyway), with a record that holds
    # the OpenQASM text until the runner has the circuit, and (2) a way for the runner to run
    # a job under that record (backend.run(..., job_id=...) or an engine "adopt").

    argv = [sys.executable, "-m", "qiskit_myprovider", "run", RUNNER_FLAG]
    for option in ("backend", "shots", "seed", "name", "store"):
        if getattr(args, option, None) is not None:
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
            start_new_session=True,  # POSIX: no SIGINT/SIGHUP from this terminal
            creationflags=_DETACHED_PROCESS_FLAGS,  # Windows: the same, its way
        )
        try:
            if runner.stdin is not None:
                # A broken pipe means the runner failed early: its stderr says why.
                with contextlib.suppress(BrokenPipeError), runner.stdin:
                    runner.stdin.write(source_text.encode("utf-8"))
            assert runner.stdout is not None
            with runner.stdout:
                line = runner.stdout.readline()
        except KeyboardInterrupt:
            runner.terminate()  # the runner cancels the job if it had submitted it already
            raise CommandError(
                "interrupted; the job runner was stopped", EXIT_INTERRUPTED
            ) from None
        if not line:
            code = runner.wait()
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")
            if not message.strip():
                raise CommandError(
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
    handed: dict[str, Any] = json.loads(line)
    return handed


# -- being the runner ----------------------------------------------------------------------


def stop_on_sigterm() -> None:
    """Make SIGTERM (from ``jobs cancel``) unwind this process as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def serve_as_runner(job: MyJob) -> int:
    """The runner's side of ``run --no-wait``: hand the job over, then see it to its end.

    Returns:
        The runner's exit status: 0 if the job ended DONE, else 1.
    """
    from qiskit.providers import JobStatus

    # Nothing more goes to the parent, which stops reading after one line (and exits).
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stderr.fileno())
        with contextlib.suppress(BrokenPipeError):  # the parent is gone; the job runs on
            sys.stdout.write(json.dumps(job_summary(job)) + "\n")
            sys.stdout.flush()
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    try:
        job.wait_for_final_state(wait=_RUNNER_WAIT)
    except KeyboardInterrupt:  # SIGTERM from 'jobs cancel'
        job.cancel()
    return 0 if job.status() is JobStatus.DONE else EXIT_JOB_FAILED


# -- finding and stopping a runner (``jobs cancel``) ---------------------------------------


def runner_pid(provider: MyProvider, job: MyJob) -> int | None:
    """Return the pid of the ``run --no-wait`` runner that owns ``job``, if it runs here.

    Only Linux can tell (from ``/proc``); elsewhere, and for a job owned by any other kind
    of process, the answer is None.
    """
    from qiskit_myprovider.store import owner_is_gone, parse_owner

    token = provider.store.get(job.job_id()).owner
    owner = parse_owner(token)
    if owner is None or not owner.on_this_host or owner_is_gone(token):
        return None
    try:
        with open(f"/proc/{owner.pid}/cmdline", "rb") as file:
            argv = file.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return None
    return owner.pid if RUNNER_FLAG in argv and "qiskit_myprovider" in argv else None


def stop_runner(pid: int, job: MyJob) -> bool:
    """Ask the runner ``pid`` to cancel ``job``; return whether the job is now CANCELLED.

    Raises:
        CommandError: the job is not final :data:`RUNNER_STOP_TIMEOUT` seconds later.
    """
    from qiskit.providers import JobStatus

    from qiskit_myprovider.exceptions import JobTimeoutError

    with contextlib.suppress(ProcessLookupError):  # it has just ended: the store says how
        os.kill(pid, signal.SIGTERM)
    try:
        job.wait_for_final_state(timeout=RUNNER_STOP_TIMEOUT, wait=RUNNER_STOP_TIMEOUT)
    except JobTimeoutError:
        raise CommandError(
            f"job {job.job_id()} is still {job.status().name} {RUNNER_STOP_TIMEOUT:g} s after "
            f"its runner (pid {pid}) was asked to cancel it",
            EXIT_JOB_FAILED,
        ) from None
    return job.status() is JobStatus.CANCELLED
