"""The ``jobs`` commands: list, show, result, wait and cancel the jobs in the job store.

Jobs from any process, finished ones included, read through the provider's store. ``jobs
cancel`` of a job that a ``run --no-wait`` runner owns asks that runner
(:mod:`qiskit_myprovider.cli.runner`).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from rich.markup import escape

from qiskit_myprovider.cli.context import open_provider
from qiskit_myprovider.cli.errors import EXIT_JOB_FAILED, CommandError
from qiskit_myprovider.cli.follow import report_job, wait_or_explain
from qiskit_myprovider.cli.render import (
    has_counts,
    job_row,
    job_summary,
    local_time,
    plain,
    print_counts,
    print_json,
    sorted_counts,
    styled_status,
    table,
)
from qiskit_myprovider.cli.runner import runner_pid, stop_runner

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context

__all__ = ["cmd_jobs_cancel", "cmd_jobs_list", "cmd_jobs_result", "cmd_jobs_show", "cmd_jobs_wait"]


def cmd_jobs_list(args: argparse.Namespace, ctx: Context) -> int:
    """List stored jobs, newest first, filtered by tag, status, backend and name.

    Returns:
        0 (an empty listing too).
    """
    with open_provider() as provider:
        jobs = provider.jobs(
            limit=args.limit or None,
            skip=args.skip,
            backend_name=args.backend,
            status=args.status,
            job_tags=args.tags or None,
            name=args.name,
        )
        rows = [job_row(job) for job in jobs]
        location = provider.store.location
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        filtered = any((args.tags, args.status, args.backend, args.name, args.skip))
        what = "No matching jobs" if filtered else "No jobs"
        ctx.out.print(f"{what} in the job store {escape(location)}", highlight=False)
        return 0
    listing = table()
    # On a narrow terminal the backend, name and tags fold onto more lines; rich would
    # otherwise squeeze a short column (an empty name, one tag) out of sight.
    listing.add_column("Job id", style="cyan", no_wrap=True)
    listing.add_column("Status", no_wrap=True)
    listing.add_column("Backend", overflow="fold", min_width=10)
    listing.add_column("Name", overflow="fold", min_width=4)
    listing.add_column("Tags", overflow="fold", min_width=4)
    listing.add_column("Created", no_wrap=True)
    for row in rows:
        listing.add_row(
            row["job_id"],
            styled_status(row["status"]),
            escape(row["backend"]),
            escape(row["name"] or ""),
            escape(", ".join(row["tags"])),
            local_time(row["created"]),
        )
    ctx.out.print(listing, highlight=False)
    return 0


def cmd_jobs_show(args: argparse.Namespace, ctx: Context) -> int:
    """Show everything stored about a job: status, steps, circuits, options, header, error.

    Returns:
        0.
    """
    with open_provider() as provider:
        job = provider.job(args.job_id)
        details = job_row(job)
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
                "options": {key: plain(value) for key, value in options.items()},
                "header": {key: plain(value) for key, value in job.header().items()},
                "store": provider.store.location,
            }
        )
    if args.json:
        print_json(details)
        return 0
    described = [
        f"{c['name']} ({c['num_qubits']} qubits, {c['num_clbits']} clbits)"
        for c in details["circuits"]
    ]
    lines = [
        ("Job id", escape(details["job_id"])),
        ("Status", styled_status(details["status"])),
        ("Backend", escape(details["backend"])),
        ("Name", escape(details["name"] or "-")),
        ("Tags", escape(", ".join(details["tags"]) or "-")),
        *((step.capitalize(), local_time(when)) for step, when in details["steps"].items()),
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


def cmd_jobs_result(args: argparse.Namespace, ctx: Context) -> int:
    """Print a job's counts as ``run`` does (one table per circuit), waiting if need be.

    Returns:
        0 when the job ended DONE.

    Raises:
        CommandError: the job failed or was cancelled (exit status 1), ``--timeout`` ran out
            (124), or Ctrl-C (130).
    """
    from qiskit.providers import JobStatus

    with open_provider() as provider:
        job = provider.job(args.job_id)
        wait_or_explain(job, ctx, args.timeout)
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

    with open_provider() as provider:
        job = provider.job(args.job_id)
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

    with open_provider() as provider:
        job = provider.job(args.job_id)
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
