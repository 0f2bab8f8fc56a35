"""The ``jobs`` commands that read and follow jobs: list, result, wait and cancel.

Jobs from any process, finished ones included, read through the provider's store (never an
in-memory one: :func:`open_jobs`), and any id may be a unique prefix
(:func:`~qiskit_myprovider.cli.ids.resolve_job_id`). ``jobs cancel`` of a job that a ``run
--no-wait`` runner owns asks that runner (:mod:`qiskit_myprovider.cli.runner`). ``jobs
show`` is in :mod:`~qiskit_myprovider.cli.show`, ``jobs delete|prune`` in
:mod:`~qiskit_myprovider.cli.delete`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from qiskit_myprovider.cli.context import open_provider, shared_store
from qiskit_myprovider.cli.errors import EXIT_JOB_FAILED, CommandError
from qiskit_myprovider.cli.follow import report_job, wait_or_explain
from qiskit_myprovider.cli.ids import resolve_job_id
from qiskit_myprovider.cli.render import (
    has_counts,
    job_row,
    job_summary,
    listed_row,
    print_counts,
    print_json,
    sorted_counts,
)
from qiskit_myprovider.cli.runner import runner_pid, stop_runner
from qiskit_myprovider.cli.tables import print_jobs
from qiskit_myprovider.store.listing import ListingUnavailable, list_jobs, store_file

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.provider import MyProvider

__all__ = [
    "cmd_jobs_cancel",
    "cmd_jobs_list",
    "cmd_jobs_result",
    "cmd_jobs_wait",
    "find_job",
    "open_jobs",
]


def open_jobs(ctx: Context, command: str) -> MyProvider:
    """Return the provider over the job store that a ``jobs`` command reads.

    Args:
        ctx: The command's context (its ``--store``).
        command: The command's name, for the message (``"list"``).

    Raises:
        CommandError: the store is ``:memory:``, where no other process's jobs are.
    """
    return open_provider(shared_store(ctx, f"'jobs {command}' would find"))


def find_job(provider: MyProvider, text: str) -> MyJob:
    """Return the job that ``text`` (an id, or a unique prefix of one) names.

    Raises:
        CommandError: a prefix that is too short, unknown or ambiguous.
        InvalidInputError: not a job id.
        JobNotFoundError: no job has this id.
    """
    return provider.job(resolve_job_id(provider, text))


def cmd_jobs_list(args: argparse.Namespace, ctx: Context) -> int:
    """List stored jobs, newest first, filtered by tag, status, backend and name.

    The store file is read by :mod:`~qiskit_myprovider.store.listing`, without Qiskit; only a
    file it cannot read (one the store must migrate, repair or refuse) is opened through the
    provider, which says what is wrong.

    Returns:
        0 (an empty listing too).
    """
    spec = shared_store(ctx, "'jobs list' would find")
    path = store_file(spec)
    rows: list[dict[str, Any]] | None = None
    if path is not None:
        location = str(path)
        try:
            listed = list_jobs(
                path,
                limit=args.limit or None,
                skip=args.skip,
                backend_name=args.backend,
                status=args.status,
                job_tags=args.tags or (),
                name=args.name,
            )
        except ListingUnavailable:
            rows = None
        else:
            rows = [listed_row(job) for job in listed]
    if rows is None:
        rows, location = _list_through_provider(args, spec)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        filtered = any((args.tags, args.status, args.backend, args.name, args.skip))
        what = "No matching jobs" if filtered else "No jobs"
        ctx.out.print(f"{what} in the job store {escape(location)}", highlight=False)
        return 0
    print_jobs(ctx.out, rows)
    return 0


def _list_through_provider(
    args: argparse.Namespace, spec: str | None
) -> tuple[list[dict[str, Any]], str]:
    """``jobs list`` by the provider (which loads Qiskit): the rows and the store's location."""
    with open_provider(spec) as provider:
        jobs = provider.jobs(
            limit=args.limit or None,
            skip=args.skip,
            backend_name=args.backend,
            status=args.status,
            job_tags=args.tags or None,
            name=args.name,
        )
        rows = [
            {**job_row(job), "primitive_id": getattr(job, "primitive_id", None)} for job in jobs
        ]
        return rows, provider.store.location


def cmd_jobs_result(args: argparse.Namespace, ctx: Context) -> int:
    """Print a job's counts as ``run`` does (one table per circuit), waiting if need be.

    Returns:
        0 when the job ended DONE.

    Raises:
        CommandError: the job failed or was cancelled (exit status 1), ``--timeout`` ran out
            (124), Ctrl-C (130), or it is a primitive's job (2).
    """
    from qiskit.providers import JobStatus

    with open_jobs(ctx, "result") as provider:
        job = find_job(provider, args.job_id)
        kind = getattr(job, "primitive_id", None)
        wait_or_explain(job, ctx, args.timeout)
        if kind is not None:
            return _primitive_result(job, args, ctx)
        status = job.status()
        result = job.result() if status is JobStatus.DONE else None
        experiments = len(result.results) if result is not None else 0
        if experiments == 1 and has_counts(result, 0):
            return report_job(job, args, ctx)
        # Several circuits (or none measured): one table, or one counts object, per circuit.
        if args.json:
            summary = job_summary(job)
            if result is not None:
                summary["counts"] = [
                    sorted_counts(result.get_counts(i)) if has_counts(result, i) else None
                    for i in range(experiments)
                ]
                summary["time_taken"] = result.time_taken
            print_json(summary)
        if result is None:
            return report_job(job, argparse.Namespace(json=False, top=args.top), ctx)
        if not args.json:
            for index in range(experiments):
                if has_counts(result, index):
                    print_counts(ctx.out, job, result, top=args.top, index=index)
                else:
                    ctx.out.print(
                        f"Job {escape(job.job_id())}, circuit {index}: no counts "
                        "(the circuit measures nothing)",
                        highlight=False,
                    )
        return 0


def cmd_jobs_wait(args: argparse.Namespace, ctx: Context) -> int:
    """Wait until a job ends and print its final status.

    Returns:
        0 when the job ended DONE.

    Raises:
        CommandError: the job failed or was cancelled (exit status 1), ``--timeout`` ran out
            (124), or Ctrl-C (130).
    """
    from qiskit.providers import JobStatus

    with open_jobs(ctx, "wait") as provider:
        job = find_job(provider, args.job_id)
        wait_or_explain(job, ctx, args.timeout)
        status = job.status()
        if args.json:
            print_json(job_row(job))
        else:
            print(f"Job {job.job_id()} {status.name}", flush=True)
        if status is JobStatus.DONE:
            return 0
        if status is JobStatus.CANCELLED:
            raise CommandError(f"job {job.job_id()} was cancelled", EXIT_JOB_FAILED)
        raise CommandError(
            f"job {job.job_id()} failed: {job.error_message() or 'unknown error'}",
            EXIT_JOB_FAILED,
        )


def cmd_jobs_cancel(args: argparse.Namespace, ctx: Context) -> int:
    """Cancel a job that has not ended (through its runner, for a ``run --no-wait`` job).

    Returns:
        0 when the job is now CANCELLED.

    Raises:
        CommandError: the job had already ended (exit status 1).
        MyJobError: another live process, not a runner, owns the job.
    """
    from qiskit.providers import JobStatus

    from qiskit_myprovider.exceptions import MyJobError

    with open_jobs(ctx, "cancel") as provider:
        job = find_job(provider, args.job_id)
        try:
            cancelled = job.cancel()
        except MyJobError:
            # Another live process owns the job; a 'run --no-wait' runner can be asked.
            pid = runner_pid(provider, job)
            if pid is None:
                raise
            cancelled = stop_runner(pid, job)
        if cancelled:
            print(f"Job {job.job_id()} CANCELLED", flush=True)
            return 0
        status = job.status()
        detail = f": {job.error_message()}" if status is JobStatus.ERROR else ""
        raise CommandError(
            f"job {job.job_id()} had already ended ({status.name}{detail}); nothing to cancel",
            EXIT_JOB_FAILED,
        )


def _primitive_result(job: Any, args: argparse.Namespace, ctx: Context) -> int:
    """A primitive job's result: one line per PUB (its ``PrimitiveResult`` is for Python)."""
    from qiskit.providers import JobStatus

    from qiskit_myprovider.primitives.summary import pub_summaries

    if job.status() is not JobStatus.DONE:
        return report_job(job, argparse.Namespace(json=args.json, top=args.top), ctx)
    lines = pub_summaries(job.result())
    if args.json:
        print_json({**job_summary(job), "primitive_id": job.primitive_id, "pub_results": lines})
        return 0
    ctx.out.print(
        f"Job {job.job_id()} ({job.primitive_id}): {len(lines)} PUB result"
        f"{'s' if len(lines) != 1 else ''}; in Python: provider.job('{job.job_id()}').result()",
        markup=False,
        highlight=False,
    )
    for line in lines:
        ctx.out.print(line, markup=False, highlight=False)
    return 0
