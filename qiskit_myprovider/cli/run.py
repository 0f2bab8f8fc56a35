"""The ``run`` command: transpile an OpenQASM file for a backend, run it, print its counts.

With ``--no-wait`` the job goes to a detached runner (:mod:`qiskit_myprovider.cli.runner`);
the runner itself is this command too, with the runner's hidden flag.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from qiskit_myprovider.cli.context import open_provider
from qiskit_myprovider.cli.errors import EXIT_INTERRUPTED, CommandError, one_line
from qiskit_myprovider.cli.follow import report_job, wait_for_job
from qiskit_myprovider.cli.runner import serve_as_runner, start_runner, stop_on_sigterm
from qiskit_myprovider.cli.source import display_name, load_circuit

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context

__all__ = ["cmd_run"]


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    """Run ``args.file`` and print its counts (or start a runner, or be one).

    Returns:
        0 when the job ended DONE (or was handed to a runner).

    Raises:
        CommandError: the file, the backend or an option is wrong (exit status 2), the job
            failed or was cancelled (1), or Ctrl-C while waiting, which cancels it (130).
    """
    from qiskit import transpile
    from qiskit.transpiler.exceptions import TranspilerError

    if args.no_wait and not args.runner:
        return start_runner(args, ctx)
    if args.runner:
        # 'jobs cancel' stops a runner with SIGTERM: unwind as for Ctrl-C, cancelling the job.
        stop_on_sigterm()
    circuit = load_circuit(args.file)
    with open_provider() as provider:
        backend = provider.get_backend(args.backend)
        try:
            compiled = transpile(circuit, backend, seed_transpiler=args.seed)
        except TranspilerError as exc:
            raise CommandError(
                f"cannot transpile {display_name(args.file)} for backend '{backend.name}': "
                f"{one_line(exc)}"
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
            return serve_as_runner(job)

        try:
            wait_for_job(job, ctx.err)
        except KeyboardInterrupt:
            cancelled = job.cancel()
            what = "cancelled" if cancelled else f"left {job.status().name}"
            raise CommandError(
                f"interrupted; job {job.job_id()} {what}", EXIT_INTERRUPTED
            ) from None
        return report_job(job, args, ctx)
