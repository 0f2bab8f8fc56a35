"""The columns of a progress line that rich does not have: mark, state and elapsed time.

Each reads what the display stored in its task's fields: ``status`` (a ``JobStatus``),
``state`` (the text to show), ``origin`` (when the job was created, on the display's clock)
and ``elapsed`` (the run time, once the job has ended).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from qiskit.providers import JobStatus
from rich.progress import ProgressColumn
from rich.spinner import Spinner
from rich.text import Text

from qiskit_myprovider.progress.display import format_elapsed

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.progress import Task

__all__ = ["ElapsedColumn", "GlyphColumn", "StateColumn"]

_GLYPHS: Final = {
    JobStatus.DONE: ("✓", "green"),
    JobStatus.ERROR: ("✗", "red"),
    JobStatus.CANCELLED: ("⊘", "yellow"),
}


class GlyphColumn(ProgressColumn):
    """A spinner while the job runs, then ✓, ✗ or ⊘ by its final state."""

    def __init__(self) -> None:
        super().__init__()
        self._spinner = Spinner("dots", style="cyan")

    def render(self, task: Task) -> RenderableType:
        """Render the mark of ``task``'s job."""
        status = task.fields.get("status")
        if status in _GLYPHS:
            glyph, style = _GLYPHS[status]
            return Text(glyph, style=style)
        return self._spinner.render(task.get_time())


class ElapsedColumn(ProgressColumn):
    """Time since the job was created, frozen once it ended (see :func:`.format_elapsed`)."""

    def render(self, task: Task) -> RenderableType:
        """Render the time ``task``'s job has taken so far."""
        origin: float = task.fields.get("origin", task.get_time())
        elapsed = task.fields.get("elapsed")
        seconds = elapsed if elapsed is not None else task.get_time() - origin
        return Text(format_elapsed(seconds), style="progress.elapsed")


class StateColumn(ProgressColumn):
    """The state text the display stored for the task (empty until it stored one)."""

    def render(self, task: Task) -> RenderableType:
        """Render the state of ``task``'s job."""
        state = task.fields.get("state")
        return state if isinstance(state, Text) else Text("")
