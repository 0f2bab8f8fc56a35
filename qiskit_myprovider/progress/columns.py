"""The columns of a progress line that rich does not have: mark, state, elapsed time, facts.

Each reads what the display stored in its task's fields: ``status`` (a ``JobStatus``),
``state`` (the text to show), ``parts`` (what is done of the work, ``"3/8 circuits"``, shown
before the state), ``origin`` (when the job was created, on the display's clock),
``elapsed`` (the run time, once the job has ended) and ``eta`` (``"~4.2 s left"``, shown
after the time). A field that is missing or empty shows nothing, not even its space.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from qiskit.providers import JobStatus
from rich.cells import cell_len
from rich.measure import Measurement
from rich.progress import ProgressColumn
from rich.spinner import Spinner
from rich.table import Column
from rich.text import Text

from qiskit_myprovider.progress.display import format_elapsed

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.progress import Task

__all__ = ["ElapsedColumn", "FactsColumn", "GlyphColumn", "StateColumn"]

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
    """Time since the job was created, frozen once it ended; then the time it expects still.

    See :func:`.format_elapsed`; the time left shows only if the display stored one.
    """

    def render(self, task: Task) -> RenderableType:
        """Render the time ``task``'s job has taken so far, and what it expects to take."""
        origin: float = task.fields.get("origin", task.get_time())
        elapsed = task.fields.get("elapsed")
        seconds = elapsed if elapsed is not None else task.get_time() - origin
        text = Text(format_elapsed(seconds), style="progress.elapsed")
        eta = task.fields.get("eta")
        if isinstance(eta, str) and eta:
            text.append(" · ", style="dim").append(eta, style="progress.remaining")
        return text


class StateColumn(ProgressColumn):
    """The parts done and the state text the display stored for the task (empty until then)."""

    def render(self, task: Task) -> RenderableType:
        """Render the parts done and the state of ``task``'s job."""
        state = task.fields.get("state")
        text = Text()
        parts = task.fields.get("parts")
        if isinstance(parts, str) and parts:
            text.append(parts).append(" ")
        if isinstance(state, Text):
            text.append_text(state)
        return text


class FactsColumn(ProgressColumn):
    """The task's ``facts`` (what the job runs on), dim; the first thing cut when space is short.

    Rich shares out a line that is too wide by shrinking every column; this one gives up its
    width first, down to nothing, and ends in "…" where it is cut, so that the id, the
    parts, the state and the times stay whole at 80 columns.
    """

    def __init__(self) -> None:
        # Wrappable, so that rich's table shrinks it before the no_wrap columns.
        super().__init__(table_column=Column(no_wrap=False))

    def render(self, task: Task) -> RenderableType:
        """Render the facts of ``task``'s job."""
        facts = task.fields.get("facts")
        return _Cut(Text(facts if isinstance(facts, str) else "", style="dim"))


class _Cut:
    """A one-line text that measures as "0 cells at the least" and is cut to fit, with "…"."""

    def __init__(self, text: Text) -> None:
        self._text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(0, cell_len(self._text.plain))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = self._text.copy()
        text.no_wrap = True
        text.truncate(options.max_width, overflow="ellipsis")
        yield text
