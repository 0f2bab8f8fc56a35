"""``jobs delete`` and ``jobs prune``: removing finished jobs' records from the job store.

Only finished jobs go: an unfinished job's process still writes to its record. ``delete``
checks every job it is given before it deletes any, so that a mistake deletes nothing.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.cli.jobs import find_job, open_jobs
from qiskit_myprovider.cli.render import print_json

if TYPE_CHECKING:
    from datetime import timedelta

    from qiskit_myprovider.cli.context import Context
    from qiskit_myprovider.job import MyJob

__all__ = ["cmd_jobs_delete", "cmd_jobs_prune", "describe_duration"]


def cmd_jobs_delete(args: argparse.Namespace, ctx: Context) -> int:
    """Delete finished jobs, all of them or (if one is not finished, or unknown) none.

    Returns:
        0.

    Raises:
        CommandError: a job has not finished, or an id is unknown or ambiguous (exit
            status 2); nothing was deleted.
    """
    with open_jobs(ctx, "delete") as provider:
        jobs: dict[str, MyJob] = {}
        for text in args.job_ids:
            job = find_job(provider, text)
            jobs.setdefault(job.job_id(), job)
        for job_id, job in jobs.items():
            if not job.in_final_state():
                raise CommandError(
                    f"job {job_id} is {job.status().name}; only finished jobs can be deleted, "
                    "so nothing was deleted (cancel it with 'jobs cancel', or wait for it "
                    "with 'jobs wait', first)"
                )
        for job_id in jobs:
            provider.delete_job(job_id)
    if args.json:
        print_json({"deleted": len(jobs), "job_ids": list(jobs)})
    else:
        print(f"Deleted {_jobs(len(jobs))}: {', '.join(jobs)}", flush=True)
    return 0


def cmd_jobs_prune(args: argparse.Namespace, ctx: Context) -> int:
    """Delete the finished jobs created more than ``--older-than`` ago.

    Returns:
        0 (nothing to delete too).
    """
    with open_jobs(ctx, "prune") as provider:
        deleted = provider.prune(args.older_than)
        location = provider.store.location
    if args.json:
        print_json({"deleted": deleted})
    else:
        print(
            f"Deleted {_jobs(deleted)} (finished, created more than "
            f"{describe_duration(args.older_than)} ago) from the job store {location}",
            flush=True,
        )
    return 0


def _jobs(count: int) -> str:
    return f"{count} job{'' if count == 1 else 's'}"


def describe_duration(span: timedelta) -> str:
    """Return a duration as ``--older-than`` writes it: ``1d12h``, ``30m``, ``0s``."""
    minutes, seconds = divmod(int(span.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m"))]
    text = "".join(part for part in parts if not part.startswith("0")) + (
        f"{seconds}s" if seconds else ""
    )
    return text or "0s"
