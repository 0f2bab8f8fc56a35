"""The ``run`` command: transpile an OpenQASM file for a backend, run it, print its counts.

Without a limit the job runs in this process. With ``--no-wait`` or ``--timeout`` it goes to
a detached runner (:mod:`qiskit_myprovider.cli.runner`), so that it can outlive the
command: this command parses the file and records the job, ``--no-wait`` returns at once,
``--timeout`` follows the job through the store for at most that long. The runner itself is
this command too, with the runner's hidden flag: it runs the recorded job.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from typing import TYPE_CHECKING, Any

from qiskit_myprovider.cli.context import open_provider
from qiskit_myprovider.cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_JOB_FAILED,
    EXIT_TIMEOUT,
    CommandError,
    one_line,
)
from qiskit_myprovider.cli.follow import report_job, wait_for_job
from qiskit_myprovider.cli.render import job_summary, print_json
from qiskit_myprovider.cli.runner import (
    handed_job_id,
    recording_failures,
    runner_pid,
    serve_as_runner,
    start_runner,
    stop_on_sigterm,
    stop_runner,
)
from qiskit_myprovider.cli.source import display_name, load_circuits

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qiskit_myprovider.backend import MyBackend
    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.provider import MyProvider

__all__ = ["cmd_run"]


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    """Run ``args.files`` and print their counts (or start a runner, or be one).

    Returns:
        0 when the job ended DONE (or was handed to a runner).

    Raises:
        CommandError: the file, the backend or an option is wrong (exit status 2), the job
            failed or was cancelled (1), ``--timeout`` ran out (124: the job keeps
            running), or Ctrl-C while waiting, which cancels the job (130).
    """
    if args.runner:
        # 'jobs cancel' stops a runner with SIGTERM: unwind as for Ctrl-C, cancelling the job.
        stop_on_sigterm()
        job_id = handed_job_id()
        if job_id is None:  # the command that started this runner failed before recording
            return EXIT_JOB_FAILED
        with contextlib.ExitStack() as stack:
            with recording_failures(ctx, job_id):
                provider = stack.enter_context(open_provider(ctx.store))
                job = _submit_recorded(provider, job_id, args)
            return serve_as_runner(job)
    if args.no_wait or args.timeout is not None:
        started = time.monotonic()
        handed = start_runner(args, ctx)
        if args.no_wait:
            if args.json:
                print_json(handed)
            else:
                print(handed["job_id"], flush=True)
            return 0
        left = max(0.0, args.timeout - (time.monotonic() - started))
        return _follow(handed["job_id"], left, args, ctx)

    circuits = load_circuits(args.files)
    with open_provider(ctx.store) as provider:
        job = _submit(provider, circuits, args)
        try:
            wait_for_job(job, ctx.err)
        except KeyboardInterrupt:
            cancelled = job.cancel()
            what = "cancelled" if cancelled else f"left {job.status().name}"
            raise CommandError(
                f"interrupted; job {job.job_id()} {what}", EXIT_INTERRUPTED
            ) from None
        return report_job(job, args, ctx)


def _submit(
    provider: MyProvider, circuits: list[QuantumCircuit], args: argparse.Namespace
) -> MyJob:
    """Transpile the files' circuits for the backend and run them with the command's options."""
    backend = provider.get_backend(args.backend)
    options: dict[str, Any] = {"job_tags": args.tags}
    if args.shots is not None:
        options["shots"] = args.shots
    if args.seed is not None:
        options["seed_simulator"] = args.seed
    if args.name is not None:
        options["job_name"] = args.name
    files = args.files
    compiled = [_transpile(c, backend, args, f) for c, f in zip(circuits, files, strict=True)]
    return backend.run(compiled, **options)


def _submit_recorded(provider: MyProvider, job_id: str, args: argparse.Namespace) -> MyJob:
    """The runner's job: the recorded circuit, transpiled, run under its record."""
    backend = provider.get_backend(args.backend)
    circuits = provider.store.get(job_id).circuits or []
    compiled = [
        _transpile(circuit, backend, args, file)
        for circuit, file in zip(circuits, args.files, strict=False)
    ]
    return backend.run_recorded(job_id, compiled or None)


def _transpile(
    circuit: QuantumCircuit, backend: MyBackend, args: argparse.Namespace, file: str
) -> QuantumCircuit:
    """Transpile the file's circuit for ``backend`` (``--seed`` seeds the transpiler too).

    Raises:
        CommandError: the circuit cannot be transpiled for the backend.
    """
    from qiskit import transpile
    from qiskit.transpiler.exceptions import TranspilerError

    try:
        return transpile(circuit, backend, seed_transpiler=args.seed)
    except TranspilerError as exc:
        raise CommandError(
            f"cannot transpile {display_name(file)} for backend '{backend.name}': "
            f"{one_line(exc)}"
        ) from exc


def _follow(job_id: str, timeout: float, args: argparse.Namespace, ctx: Context) -> int:
    """``run --timeout``: wait for the runner's job through the store, then report it.

    Raises:
        CommandError: the timeout ran out (exit status 124; the job keeps running, and with
            ``--json`` its object is printed first), the job failed (1), or Ctrl-C, which
            asks the runner to cancel the job (130).
    """
    from qiskit_myprovider.exceptions import JobTimeoutError

    with open_provider(ctx.store) as provider:
        job = provider.job(job_id)
        try:
            wait_for_job(job, ctx.err, timeout=timeout)
        except JobTimeoutError:
            if args.json:
                print_json(job_summary(job))
            raise CommandError(
                f"job {job_id} keeps running ({job.status().name} after {args.timeout:g} s); "
                f"follow it with 'qiskit-myprovider jobs wait {job_id}'",
                EXIT_TIMEOUT,
            ) from None
        except KeyboardInterrupt:
            pid = runner_pid(provider, job)
            cancelled = stop_runner(pid, job) if pid is not None else False
            what = "cancelled" if cancelled else f"left {job.status().name}"
            raise CommandError(f"interrupted; job {job_id} {what}", EXIT_INTERRUPTED) from None
        return report_job(job, args, ctx)
