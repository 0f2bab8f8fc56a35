"""``qiskit_myprovider.progress.columns``: the mark, state and elapsed-time columns."""

from __future__ import annotations

from typing import Any

import pytest
from qiskit.providers import JobStatus
from rich.progress import Progress, Task
from rich.text import Text

from qiskit_myprovider.progress.columns import ElapsedColumn, GlyphColumn, StateColumn


def task(**fields: Any) -> Task:
    progress = Progress()
    progress.add_task("a job", **fields)
    return progress.tasks[0]


@pytest.mark.parametrize(
    ("status", "glyph"),
    [(JobStatus.DONE, "✓"), (JobStatus.ERROR, "✗"), (JobStatus.CANCELLED, "⊘")],
)
def test_a_final_state_has_its_own_mark(status: JobStatus, glyph: str) -> None:
    rendered = GlyphColumn().render(task(status=status))
    assert isinstance(rendered, Text)
    assert rendered.plain == glyph


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, None])
def test_an_unfinished_job_has_a_spinner(status: JobStatus | None) -> None:
    rendered = GlyphColumn().render(task(status=status))
    assert not (isinstance(rendered, Text) and rendered.plain in {"✓", "✗", "⊘"})


def test_the_elapsed_time_freezes_at_the_run_time_once_known() -> None:
    assert str(ElapsedColumn().render(task(origin=0.0, elapsed=125.0))) == "2 min 05 s"


def test_the_elapsed_time_counts_from_the_origin_while_running() -> None:
    running = task(elapsed=None)
    running.fields["origin"] = running.get_time() - 12.34
    assert str(ElapsedColumn().render(running)) == "12.3 s"


def test_the_state_column_shows_the_stored_state_or_nothing() -> None:
    assert str(StateColumn().render(task(state=Text("RUNNING")))) == "RUNNING"
    assert str(StateColumn().render(task())) == ""
