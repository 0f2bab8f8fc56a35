"""The rich display the progress classes draw on: its console, its ``Progress``, its text.

It owns the decisions every display shares: stderr as the default console, whether a live
display can be drawn at all (Jupyter needs ``ipywidgets``), whether ``print()`` may be
redirected above it, what a display that could not be drawn live prints when it stops, and
how a state and a duration read on a progress line.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from typing import Final

from qiskit.providers import JobStatus
from rich.console import Console
from rich.progress import Progress, ProgressColumn
from rich.text import Text

from qiskit_myprovider.job_progress import JobProgress

__all__ = [
    "STATE_STYLES",
    "default_console",
    "eta_text",
    "format_elapsed",
    "live_display_works",
    "make_progress",
    "parts_text",
    "state_text",
    "stdout_is_terminal",
    "stop_progress",
]

#: How often a live display redraws itself.
_REFRESH_PER_SECOND: Final = 10

#: The colour of each state's name on a progress line.
STATE_STYLES: Final = {
    JobStatus.QUEUED: "blue",
    JobStatus.RUNNING: "cyan",
    JobStatus.DONE: "green",
    JobStatus.ERROR: "red",
    JobStatus.CANCELLED: "yellow",
}


def format_elapsed(seconds: float) -> str:
    """Format a duration for a progress line: ``0.4 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``.

    Args:
        seconds: The duration (negative counts as 0).

    Returns:
        The duration as text.
    """
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def parts_text(progress: JobProgress | None) -> str:
    """The parts done of a job on a progress line: ``"3/8 circuits"`` (empty if unknown).

    Args:
        progress: What the job reports (None: nothing).

    Returns:
        The text.
    """
    if progress is None:
        return ""
    return f"{progress.done}/{progress.total} {progress.unit}"


def eta_text(progress: JobProgress | None) -> str:
    """The time a job expects to need still: ``"~4.2 s left"`` (empty if unknown or done).

    Args:
        progress: What the job reports (None: nothing).

    Returns:
        The text.
    """
    remaining = None if progress is None else progress.remaining
    if progress is None or remaining is None or progress.done >= progress.total:
        return ""
    return f"~{format_elapsed(remaining)} left"


def state_text(status: JobStatus, position: int | None) -> Text:
    """The state shown on a job's line: its name in its colour, with the queue position.

    Args:
        status: The job's status.
        position: Its place in the queue, shown only while it is QUEUED (None: unknown).

    Returns:
        The styled text.
    """
    text = Text(status.name, style=STATE_STYLES.get(status, ""))
    if status is JobStatus.QUEUED and position is not None:
        text.append(f" (position {position})", style="dim")
    return text


def default_console() -> Console:
    """The console a display draws on when given none: stderr.

    Returns:
        A new console on stderr.
    """
    # stderr, like every progress display: stdout stays the program's output.
    return Console(stderr=True)


def live_display_works(console: Console) -> bool:
    """Whether rich can redraw a display on ``console`` (Jupyter needs ipywidgets for it).

    Args:
        console: The console to draw on.

    Returns:
        False only in Jupyter without ``ipywidgets`` installed.
    """
    return not console.is_jupyter or importlib.util.find_spec("ipywidgets") is not None


def stdout_is_terminal() -> bool:
    """Whether ``sys.stdout`` is a terminal (False when it is closed or has no ``isatty``).

    Returns:
        True for a terminal.
    """
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stdout
        return False


def make_progress(console: Console, columns: Iterable[ProgressColumn], transient: bool) -> Progress:
    """A rich ``Progress`` on ``console``, disabled where it cannot be drawn live.

    Args:
        console: Where to draw.
        columns: The columns of each line.
        transient: Erase the lines when the display stops.

    Returns:
        The display, not started.
    """
    live = live_display_works(console)
    return Progress(
        *columns,
        console=console,
        transient=transient,
        refresh_per_second=_REFRESH_PER_SECOND,
        # While the display is up, print() to stdout is drawn above it, but only when stdout
        # is the terminal too: a piped stdout must not end up in the console's stream.
        redirect_stdout=stdout_is_terminal(),
        redirect_stderr=True,
        disable=not live,
    )


def stop_progress(progress: Progress, *, transient: bool) -> None:
    """Stop ``progress``; one that could not be drawn live prints its final lines instead.

    Args:
        progress: The display to stop.
        transient: Whether the display was to leave nothing behind.
    """
    if not progress.disable:
        # Draw the final frame first: rich's Live skips its last redraw in Jupyter, which
        # would leave a saved notebook showing a job that never finished.
        progress.refresh()
    progress.stop()
    if progress.disable and not transient:
        # A display that could not be drawn live (Jupyter without ipywidgets).
        progress.console.print(progress.make_tasks_table(progress.tasks))
