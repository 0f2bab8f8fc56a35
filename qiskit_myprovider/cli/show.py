"""``jobs show``: everything stored about a job; how long a finished one took, what it measured."""

from __future__ import annotations

import argparse
import itertools
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from rich.markup import escape

from qiskit_myprovider.cli.jobs import find_job, open_jobs
from qiskit_myprovider.cli.render import (
    format_seconds,
    has_counts,
    job_row,
    local_time,
    plain,
    print_fields,
    print_json,
    run_seconds,
    sorted_counts,
    styled_status,
)

if TYPE_CHECKING:
    from qiskit.result import Result

    from qiskit_myprovider.cli.context import Context

__all__ = ["TOP_OUTCOMES", "cmd_jobs_show", "durations"]

#: How many of each circuit's most frequent outcomes the result summary names.
TOP_OUTCOMES: Final = 3
#: What a job does between one step and the next, by the step it starts at.
_BETWEEN_STEPS: Final = {"CREATED": "to queue", "QUEUED": "queued", "RUNNING": "running"}


def durations(steps: dict[str, datetime]) -> dict[str, float]:
    """Return the seconds from each step of a job to the next one, keyed by the earlier step.

    Args:
        steps: When the job reached each step, in order (``time_per_step()``).

    Returns:
        ``{"CREATED": s, "QUEUED": s, "RUNNING": s}`` for a job that ran to its end; fewer
        for a job that has not, or one cancelled before it ran.
    """
    times = list(steps.items())
    return {
        step: (later - when).total_seconds()
        for (step, when), (_, later) in itertools.pairwise(times)
    }


def cmd_jobs_show(args: argparse.Namespace, ctx: Context) -> int:
    """Show everything stored about a job: status, steps, circuits, options, header, error.

    A finished job also gets its duration (in all and per step) and, when DONE, a summary
    of its result: each circuit's most frequent outcomes.

    Returns:
        0.
    """
    from qiskit.providers import JobStatus

    from qiskit_myprovider.progress.facts import job_progress

    with open_jobs(ctx, "show") as provider:
        job = find_job(provider, args.job_id)
        details = job_row(job)
        kind = getattr(job, "primitive_id", None)
        details["primitive_id"] = kind if isinstance(kind, str) else None
        steps = job.time_per_step()
        circuits = job.circuits()
        options = job.backend_options()
        details.update(
            {
                "steps": {step: when.isoformat() for step, when in steps.items()},
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
        reported = None if job.in_final_state() else job_progress(job)
        if reported is not None:
            details["progress"] = {
                "done": reported.done,
                "total": reported.total,
                "unit": reported.unit,
                "elapsed": reported.elapsed,
                "expected": reported.expected,
            }
            details["progress_text"] = reported.describe()
        if job.in_final_state():
            details["durations"] = durations(steps)
            first, last = next(iter(steps.values())), next(reversed(steps.values()))
            details["duration"] = (last - first).total_seconds()
        done = job.status() is JobStatus.DONE
        # A primitive's result is a PrimitiveResult: no counts to summarise here.
        result = job.result() if done and details["primitive_id"] is None else None
        if done and details["primitive_id"] is not None:
            from qiskit_myprovider.primitives.summary import pub_summaries

            details["pub_results"] = pub_summaries(job.result())
    if result is not None:
        counts = [
            sorted_counts(result.get_counts(i)) if has_counts(result, i) else None
            for i in range(len(result.results))
        ]
        details["counts"] = counts[0] if len(counts) == 1 else counts
        details["time_taken"] = result.time_taken
        details["run_seconds"] = run_seconds(job, result)
    if args.json:
        print_json({k: v for k, v in details.items() if k not in ("progress_text", "run_seconds")})
        return 0
    print_fields(ctx.out, _fields(details, result))
    return 0


def _fields(details: dict[str, Any], result: Result | None) -> list[tuple[str, str]]:
    """The ``label: value`` lines of ``jobs show``, values as console markup."""
    described = [
        f"{c['name']} ({c['num_qubits']} qubits, {c['num_clbits']} clbits)"
        for c in details["circuits"]
    ]
    # No spaces inside one option: a line breaks between options, never inside one.
    options = ", ".join(
        f"{key}={_compact(value)}" for key, value in sorted(details["options"].items())
    )
    fields = [
        ("Job id", escape(details["job_id"])),
        ("Status", styled_status(details["status"])),
        *((("Progress", escape(details["progress_text"])),) if "progress_text" in details else ()),
        *((("Kind", escape(details["primitive_id"])),) if details["primitive_id"] else ()),
        ("Backend", escape(details["backend"])),
        ("Name", escape(details["name"] or "-")),
        ("Tags", escape(", ".join(details["tags"]) or "-")),
        *((step.capitalize(), local_time(when)) for step, when in details["steps"].items()),
    ]
    if "duration" in details:
        parts = [
            f"{format_seconds(seconds)} {_BETWEEN_STEPS.get(step, step.lower())}"
            for step, seconds in details["durations"].items()
        ]
        total = format_seconds(details["duration"])
        fields.append(("Duration", total + (f" ({', '.join(parts)})" if parts else "")))
    fields += [
        ("Circuits", escape("; ".join(described) or "-")),
        ("Options", escape(options)),
    ]
    if details["header"]:
        fields.append(("Header", escape(json.dumps(details["header"]))))
    if result is not None:
        fields.append(("Result", _result_summary(details, result)))
    elif "pub_results" in details:
        lines = details["pub_results"]
        head = f"{len(lines)} PUB result{'s' if len(lines) != 1 else ''}"
        fields.append(("Result", escape("\n".join([head, *lines]))))
    if details["error"]:
        fields.append(("Error", f"[red]{escape(details['error'])}[/]"))
    fields.append(("Store", escape(details["store"])))
    return fields


def _compact(value: Any) -> str:
    """An option's value without spaces (lists and dicts as compact JSON)."""
    return (
        json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else str(value)
    )


def _result_summary(details: dict[str, Any], result: Result) -> str:
    """One line per circuit: its most frequent outcomes, with their share of the shots."""
    counts = details["counts"]
    per_circuit = counts if isinstance(counts, list) else [counts]
    names = [c["name"] for c in details["circuits"]]
    lines = []
    for index, circuit_counts in enumerate(per_circuit):
        name = names[index] if index < len(names) else str(index)
        if circuit_counts is None:
            lines.append(f"{escape(name)}: no counts (it measures nothing)")
            continue
        total = sum(circuit_counts.values())
        top = list(circuit_counts.items())[:TOP_OUTCOMES]
        shown = ", ".join(f"{escape(bits)} {count / total:.1%}" for bits, count in top)
        rest = len(circuit_counts) - len(top)
        more = f" and {rest} more outcome{'s' if rest != 1 else ''}" if rest else ""
        lines.append(f"{escape(name)}: {shown}{more} of {total} shots")
    took = f"in {format_seconds(details.get('run_seconds', result.time_taken))}"
    return f"{len(per_circuit)} circuit{'s' if len(per_circuit) != 1 else ''} {took}\n" + "\n".join(
        lines
    )
