"""What the command line prints: consoles, tables, the counts table with bars, JSON, times.

The JSON shapes of a job live here too (:func:`job_row`, :func:`job_summary`), so that every
command prints the same fields for the same facts: :data:`JOB_FIELDS` names them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from qiskit.result import Result

    from qiskit_myprovider.job import MyJob
    from qiskit_myprovider.store.listing import ListedJob

__all__ = [
    "FIELD_INDENT",
    "JOB_FIELDS",
    "PIPE_WIDTH",
    "bar",
    "circuit_name",
    "format_seconds",
    "has_counts",
    "job_row",
    "job_summary",
    "listed_row",
    "local_time",
    "plain",
    "print_counts",
    "print_error",
    "print_fields",
    "print_json",
    "sorted_counts",
    "stdout_console",
    "styled_status",
    "table",
]

#: Console width when stdout is not a terminal: wide enough that no table row wraps.
PIPE_WIDTH: Final = 1000
#: The JSON names of a job's facts, the same in every ``--json`` output (pinned: DESIGN §9).
#: An output may add fields of its own, never one of these facts under another name.
JOB_FIELDS: Final = (
    "job_id",
    "status",
    "backend",
    "name",
    "tags",
    "created",
    "shots",
    "counts",
    "error",
)
#: Where the values of ``label: value`` lines start (``jobs show``).
FIELD_INDENT: Final = 11
_EIGHTHS: Final = " ▏▎▍▌▋▊▉█"
_STATUS_STYLES: Final = {"DONE": "green", "ERROR": "red", "CANCELLED": "yellow"}


# -- consoles ------------------------------------------------------------------------------


def stdout_console() -> Console:
    """Return the console for a command's output (no wrapping when piped)."""
    out = Console(file=sys.stdout, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: wrapping at 80 columns would break rows across lines.
        out.width = PIPE_WIDTH
    return out


def print_error(err: Console, message: str) -> None:
    """Print ``error: message`` on ``err``, as one line."""
    # markup=False: messages quote user input and Aer text, which may contain [brackets].
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)


def print_fields(out: Console, fields: Sequence[tuple[str, str | Text]]) -> None:
    """Print ``label: value`` lines, each value wrapped between words under its first line.

    A value is broken only where it has a space (a word longer than the line is folded),
    so write values whose words must stay whole without spaces inside them.

    Args:
        out: Where to print (its width decides the wrapping).
        fields: ``(label, value)`` pairs; a ``str`` value may hold console markup.
    """
    width = max(out.width - FIELD_INDENT, 20)
    for label, value in fields:
        text = value if isinstance(value, Text) else Text.from_markup(value)
        lines = text.wrap(out, width, overflow="fold") or [Text()]
        for index, line in enumerate(lines):
            line.rstrip()
            head = f"{label + ':':<{FIELD_INDENT - 1}} " if index == 0 else " " * FIELD_INDENT
            out.print(Text(head, style="bold" if index == 0 else "") + line, soft_wrap=True)


def print_json(value: object) -> None:
    """Print ``value`` as one line of JSON on stdout."""
    # Plain print, not rich: machines read this, so no wrapping, markup or colour.
    print(json.dumps(value), flush=True)


def table() -> Table:
    """Return an empty table in the command line's style (a rule under the header only)."""
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)


# -- a job's facts -------------------------------------------------------------------------


def job_row(job: MyJob) -> dict[str, Any]:
    """Return what ``jobs list --json`` prints per job (the others add to it)."""
    return {
        "job_id": job.job_id(),
        "status": job.status().name,
        "backend": job.backend().name,
        "name": job.name(),
        "tags": job.tags(),
        "created": job.creation_date().isoformat(),
        "error": job.error_message(),
    }


def listed_row(job: ListedJob) -> dict[str, Any]:
    """Return what ``jobs list --json`` prints for a job read by the store's listing.

    The fields of :func:`job_row`, and ``primitive_id`` (``"sampler"``, ``"estimator"``, or
    null for a ``run`` job).
    """
    return {
        "job_id": job.job_id,
        "status": job.status,
        "backend": job.backend_name,
        "name": job.name,
        "tags": list(job.tags),
        "created": job.creation_date.isoformat(),
        "error": job.error_message,
        "primitive_id": job.primitive_id,
    }


def job_summary(job: MyJob, result: Result | None = None) -> dict[str, Any]:
    """Return the JSON object ``run --json`` prints; ``counts`` is null until the job is DONE.

    It is :func:`job_row` with ``shots``, ``counts`` (one object, or a list of one per
    circuit for a job of several) and ``time_taken`` (the seconds the result reports) added.
    """
    counts: Any = None
    if result is not None:
        counts = [sorted_counts(result.get_counts(i)) for i in range(len(result.results))]
        counts = counts[0] if len(counts) == 1 else counts
    return {
        **job_row(job),
        "shots": job.backend_options().get("shots"),
        "counts": counts,
        "time_taken": result.time_taken if result is not None else None,
    }


def plain(value: Any) -> Any:
    """Return a JSON-friendly stand-in for an option value (a noise model: its type's name)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return f"<{type(value).__name__}>"


def styled_status(name: str) -> str:
    """Return a status name with its colour markup (green DONE, red ERROR, ...)."""
    style = _STATUS_STYLES.get(name)
    return f"[{style}]{name}[/]" if style else name


def local_time(iso: str) -> str:
    """Return an ISO timestamp as local time, to the second."""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_seconds(seconds: float) -> str:
    """Return a duration as ``0.004 s`` (three decimals below 10 s, one above)."""
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


# -- counts --------------------------------------------------------------------------------


def run_seconds(job: Any, result: Result) -> float:
    """How long the job simulated: RUNNING to its final step, else the result's ``time_taken``.

    A job split across workers reports the sum of its parts' times in ``time_taken``; the
    user waited the span between the steps.
    """
    try:
        steps = job.time_per_step()
        started, ended = steps.get("RUNNING"), steps.get(job.status().name)
    except Exception:
        started = ended = None
    if isinstance(started, datetime) and isinstance(ended, datetime) and ended >= started:
        return (ended - started).total_seconds()
    return float(result.time_taken or 0.0)


def sorted_counts(counts: Any) -> dict[str, int]:
    """Return counts sorted by count (most frequent first), then by bitstring."""
    return dict(
        sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    )


def has_counts(result: Result | None, index: int) -> bool:
    """Return whether experiment ``index`` of ``result`` has counts (it measured something)."""
    return result is not None and hasattr(result.results[index].data, "counts")


def circuit_name(result: Result, index: int) -> str:
    """Return the name of experiment ``index`` of ``result`` (its index if it has none)."""
    header = result.results[index].header
    name = header.get("name") if isinstance(header, dict) else getattr(header, "name", None)
    return str(name) if name is not None else str(index)


def print_counts(
    out: Console, job: MyJob, result: Result, *, top: int, index: int | None = None
) -> None:
    """Print a job's counts as a table, most frequent first, with a bar per outcome.

    Args:
        out: Where to print.
        job: The job (for the line above the table).
        result: Its result.
        top: Show the ``top`` most frequent outcomes (0: all); a line counts the rest.
        index: The experiment whose counts to show (None: the only one).
    """
    counts = sorted_counts(result.get_counts() if index is None else result.get_counts(index))
    total = sum(counts.values())
    shown = list(counts.items())[: top or None]
    largest = shown[0][1] if shown else 1
    outcome_width = max((len(bits) for bits, _ in shown), default=7)
    bar_width = max(10, min(40, out.width - outcome_width - 32))
    unicode_bars = out.encoding.lower().startswith("utf")

    which = "" if index is None else f", circuit {index} ({escape(circuit_name(result, index))})"
    out.print(
        f"Job {escape(job.job_id())}{which} on {escape(job.backend().name)}: {total} shots, "
        f"{job.status().name} in {format_seconds(run_seconds(job, result))}",
        highlight=False,
    )
    rows = table()
    rows.add_column("Outcome", style="cyan", no_wrap=True)
    rows.add_column("Count", justify="right")
    rows.add_column("Probability", justify="right")
    rows.add_column("", style="magenta", no_wrap=True)
    for bits, count in shown:
        line = bar(count / largest, bar_width, unicode_bars=unicode_bars)
        rows.add_row(escape(bits), str(count), f"{count / total:.4f}", line)
    out.print(rows, highlight=False)
    hidden = len(counts) - len(shown)
    if hidden:
        rest = total - sum(count for _, count in shown)
        out.print(
            f"... {hidden} more outcomes with {rest} shots (--top 0 shows all)", highlight=False
        )


def bar(fraction: float, width: int, *, unicode_bars: bool) -> str:
    """Return a horizontal bar ``fraction`` of ``width`` cells long (eighths in Unicode)."""
    if not unicode_bars:
        return "#" * round(fraction * width)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")
