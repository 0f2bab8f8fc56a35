"""Following a job to its end from the command line: wait (with a progress bar), then report.

``run`` and ``jobs result|wait`` share these, so that they wait and report alike.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Final

from qiskit_myprovider.cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_JOB_FAILED,
    EXIT_TIMEOUT,
    CommandError,
)
from qiskit_myprovider.cli.render import job_summary, print_counts, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob

__all__ = ["POLL_INTERVAL", "PROGRESS_AFTER", "report_job", "wait_for_job", "wait_or_explain"]

#: Seconds of waiting before the progress bar appears (most jobs end well before).
PROGRESS_AFTER: Final = 1.0
#: Seconds between updates of the progress bar's state while waiting.
POLL_INTERVAL: Final = 0.1


def wait_for_job(
    job: MyJob,
    err: Console,
    *,
    show_after: float = PROGRESS_AFTER,
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
        job.wait_for_final_state(timeout=timeout, wait=POLL_INTERVAL)
        return
    from qiskit_myprovider.progress import ProgressBar

    with ProgressBar(console=err, show_after=show_after, transient=True) as bar:
        job.wait_for_final_state(timeout=timeout, wait=POLL_INTERVAL, callback=bar)


def wait_or_explain(job: MyJob, ctx: Context, timeout: float | None) -> None:
    """Wait for a job that is not ours (``jobs``); a timeout or Ctrl-C becomes one line.

    Raises:
        CommandError: the timeout ran out (exit status 124), or Ctrl-C (130); the job is
            left alone either way.
    """
    from qiskit_myprovider.exceptions import JobTimeoutError

    try:
        wait_for_job(job, ctx.err, timeout=timeout)
    except JobTimeoutError:
        raise CommandError(
            f"job {job.job_id()} is still {job.status().name} after {timeout:g} s",
            EXIT_TIMEOUT,
        ) from None
    except KeyboardInterrupt:
        # Unlike 'run', the job is not ours to cancel: stop waiting and leave it alone.
        raise CommandError(
            f"interrupted; job {job.job_id()} left {job.status().name}", EXIT_INTERRUPTED
        ) from None


def report_job(job: MyJob, args: argparse.Namespace, ctx: Context) -> int:
    """Print a final job's counts (a table, or JSON with ``args.json``).

    Args:
        job: A job in a final state.
        args: The command's arguments (``json``, ``top``).
        ctx: Where to print.

    Returns:
        0 (the job is DONE).

    Raises:
        CommandError: the job failed or was cancelled (exit status 1); with ``--json`` its
            object is printed first.
    """
    from qiskit.providers import JobStatus

    status = job.status()
    result = job.result() if status is JobStatus.DONE else None
    if args.json:
        print_json(job_summary(job, result))
    if result is None:
        if status is JobStatus.CANCELLED:
            message = f"job {job.job_id()} was cancelled"
        else:
            message = f"job {job.job_id()} failed: {job.error_message() or 'unknown error'}"
        raise CommandError(message, EXIT_JOB_FAILED)
    if not args.json:
        experiments = len(result.results)
        for index in [None] if experiments == 1 else range(experiments):
            print_counts(ctx.out, job, result, top=args.top, index=index)
    return 0
