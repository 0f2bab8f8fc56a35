"""The detached runner behind ``run --no-wait``: starting one, serving as one, stopping one.

``run --no-wait`` parses the file itself (a mistake in it is reported at once, and nothing is
recorded), starts a *runner* (this same command, ``run`` with :data:`RUNNER_FLAG`, in a
process and session of its own, so it outlives the terminal), records the job as
INITIALIZING with the runner as its owner, hands the runner the job's id on its stdin and
prints the job: the id is in the store the moment it is printed. The command imports only
Qiskit's OpenQASM loaders and the store, never Aer or the provider: the runner does that, in
parallel, then runs the job under its record (:meth:`MyBackend.run_recorded`) and waits for
it to end. A refusal (unknown backend, a circuit the backend cannot take) reads as the job's
ERROR; if the runner dies first, the job reads as lost; ``jobs cancel`` finds the runner from
the job's owner token and stops it with SIGTERM, which the runner turns into a cancel of its
job (or, before it has submitted it, records it CANCELLED).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, NoReturn

from qiskit_myprovider.cli.context import MEMORY_STORE, STORE_ENV_VAR
from qiskit_myprovider.cli.errors import EXIT_INTERRUPTED, EXIT_JOB_FAILED, CommandError, report_for
from qiskit_myprovider.cli.source import load_circuits

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.provider import MyProvider
    from qiskit_myprovider.store import JobRecord, JobStore

__all__ = [
    "DEFAULT_BACKEND",
    "DEFAULT_SHOTS",
    "RUNNER_FLAG",
    "RUNNER_STOP_TIMEOUT",
    "handed_job_id",
    "recording_failures",
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
#: The backend a job is recorded for without ``--backend`` (the provider's default; this
#: command does not import the provider to ask it).
DEFAULT_BACKEND: Final = "myprovider_simulator"
#: The shots a job is recorded (and run) with without ``--shots`` (the backends' default).
DEFAULT_SHOTS: Final = 1024
#: Windows' flags for a child that outlives its console (0 elsewhere).
_DETACHED_PROCESS_FLAGS: Final[int] = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
    subprocess, "CREATE_NEW_PROCESS_GROUP", 0
)
#: The ``wait`` a runner waits for its job with: no callback needs it, and the wait ends the
#: moment the job does.
_RUNNER_WAIT: Final = 3600


# -- starting a runner (``run --no-wait``) -------------------------------------------------


def start_runner(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    """``run --no-wait|--timeout``: parse the file, record the job, start its runner.

    Returns:
        The job's summary (``run --json``'s fields; the job is INITIALIZING): the job is in
        the store, for any process to find, and its runner has its id.

    Raises:
        CommandError: the store is in memory, the file cannot be read or is not a circuit
            that can be run (nothing is recorded then), or Ctrl-C (the runner is stopped).
        StoreError: the store could not record the job (the runner is stopped).
    """
    flag = "--no-wait" if args.no_wait else "--timeout"
    if ctx.store_spec == MEMORY_STORE:
        source = "--store" if ctx.store is not None else STORE_ENV_VAR
        raise CommandError(
            f"{flag} needs a job store that other processes can read, but {source} is "
            f"'{MEMORY_STORE}', so the job could not be seen from another process; give a "
            f"file path (or unset {STORE_ENV_VAR} for the default store), or leave out {flag}"
        )
    # This process exits once the job is recorded, and Qiskit's objects are many: the
    # collector has nothing to find in them, during the import (~10% of it) or at exit
    # (~0.1 s of interpreter teardown). It is paused meanwhile and what exists is frozen.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with contextlib.ExitStack() as cleanup:
            record = _new_record(load_circuits(args.files), args)
            store = _open_store(ctx)
            cleanup.callback(store.close)
            runner = _start(args, ctx)
            try:
                from qiskit_myprovider.store import owner_token_for

                record.owner = owner_token_for(runner.pid)
                store.add(record)
                assert runner.stdin is not None
                # A broken pipe: the runner has died already; its job reads as lost.
                with contextlib.suppress(BrokenPipeError), runner.stdin:
                    runner.stdin.write(f"{record.job_id}\n".encode("ascii"))
            except BaseException as exc:
                runner.kill()  # a job recorded by now reads as lost
                runner.wait()
                if isinstance(exc, KeyboardInterrupt):
                    raise CommandError(
                        "interrupted; the job runner was stopped", EXIT_INTERRUPTED
                    ) from None
                raise
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    # A runner is meant to outlive this process. Should this process live on (a program that
    # calls main()), a daemon thread reaps the runner when it ends; either way its handle is
    # never dropped while the runner runs, which Python would warn about.
    threading.Thread(target=runner.wait, name=f"reap-runner-{runner.pid}", daemon=True).start()
    return _recorded_summary(record)


def _new_record(circuits: list[QuantumCircuit], args: argparse.Namespace) -> JobRecord:
    """The INITIALIZING record of the job: the circuits as parsed, the command's options."""
    from qiskit_myprovider.store import JobRecord

    options: dict[str, Any] = {"shots": DEFAULT_SHOTS if args.shots is None else args.shots}
    if args.seed is not None:
        options["seed_simulator"] = args.seed
    return JobRecord.new(
        args.backend or DEFAULT_BACKEND, circuits, options, name=args.name, tags=args.tags
    )


def _open_store(ctx: Context) -> JobStore:
    """The job store file in effect (as the provider finds it: ``--store``, variable, default)."""
    from qiskit_myprovider.store import SQLiteJobStore, default_store_path

    return SQLiteJobStore(ctx.store_spec or default_store_path())


def _start(args: argparse.Namespace, ctx: Context) -> subprocess.Popen[bytes]:
    """Start the runner: this command with :data:`RUNNER_FLAG`, in a session of its own."""
    argv = [sys.executable, "-m", "qiskit_myprovider", "run", RUNNER_FLAG]
    for option in ("backend", "seed", "store"):
        if getattr(args, option, None) is not None:
            argv.append(f"--{option}={getattr(args, option)}")
    if ctx.debug:
        argv.append("--debug")
    argv += ["--", *args.files]
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,  # the job's id, once the job is recorded
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # what goes wrong is the job's error, in the store
        start_new_session=True,  # POSIX: no SIGINT/SIGHUP from this terminal
        creationflags=_DETACHED_PROCESS_FLAGS,  # Windows: the same, its way
    )


def _recorded_summary(record: JobRecord) -> dict[str, Any]:
    """``run --json``'s fields for a job just recorded (no counts yet)."""
    return {
        "job_id": record.job_id,
        "status": record.status.name,
        "backend": record.backend_name,
        "name": record.name,
        "tags": list(record.tags),
        "created": record.creation_date.isoformat(),
        "error": record.error_message,
        "shots": record.options.get("shots"),
        "counts": None,
        "time_taken": None,
    }


# -- being the runner ----------------------------------------------------------------------


def stop_on_sigterm() -> None:
    """Make SIGTERM (from ``jobs cancel``) unwind this process as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def handed_job_id() -> str | None:
    """The runner's first step: read the id of its job from stdin (None: there is none).

    The command that started the runner writes it once the job is recorded; an empty stdin
    means that command failed first, and there is no job to run.
    """
    line = sys.stdin.readline().strip()
    return line or None


@contextlib.contextmanager
def recording_failures(ctx: Context, job_id: str) -> Iterator[None]:
    """Record what stops the runner before its job is submitted as the job's end.

    An error (unknown backend, a circuit that cannot be transpiled, ...) makes the job ERROR
    with the command's one-line message; SIGTERM (``jobs cancel``), even while the provider
    is still loading, makes it CANCELLED. Only a job still INITIALIZING is changed (through
    a store of its own: the provider's may not be open); the error is raised on.
    """
    try:
        yield
    except (Exception, KeyboardInterrupt) as exc:
        from qiskit.providers import JobStatus

        from qiskit_myprovider.clock import now

        cancelled = isinstance(exc, KeyboardInterrupt)
        status = JobStatus.CANCELLED if cancelled else JobStatus.ERROR
        with contextlib.suppress(Exception):  # deleted meanwhile, or the store is gone
            store = _open_store(ctx)
            try:
                record = store.get(job_id)
                if record.status is JobStatus.INITIALIZING:
                    store.update(
                        job_id,
                        status=status,
                        time_per_step={**record.time_per_step, status.name: now()},
                        error_message=None if cancelled else report_for(exc, debug=ctx.debug)[1],
                    )
            finally:
                store.close()
        raise


def serve_as_runner(job: MyJob) -> int:
    """The runner's side of ``run --no-wait``, once the job is submitted: see it to its end.

    Returns:
        The runner's exit status: 0 if the job ended DONE, else 1.
    """
    from qiskit.providers import JobStatus

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
