"""``qiskit_myprovider.progress.display``: console, Jupyter detection, formatting, stopping."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest
import rich.jupyter
from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from rich.console import Console
from rich.progress import TextColumn

from qiskit_myprovider import MyBackend
from qiskit_myprovider.progress import ProgressBar, format_elapsed
from qiskit_myprovider.progress.display import (
    default_console,
    live_display_works,
    make_progress,
    state_text,
    stdout_is_terminal,
    stop_progress,
)
from tests.conftest import Gate, bell_circuit
from tests.progress.conftest import FACTS, PARTS, POLL, open_gate_after, strip_ansi, terminal


@pytest.fixture
def without_ipywidgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``ipywidgets`` look uninstalled, whatever this environment has."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "ipywidgets" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.fixture
def notebook_output(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What a Jupyter console shows in the notebook, one entry per output (as plain text)."""
    shown: list[str] = []
    monkeypatch.setattr(rich.jupyter, "display", lambda segments, text: shown.append(text))
    return shown


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-3, "0.0 s"),
        (0, "0.0 s"),
        (0.44, "0.4 s"),
        (12.34, "12.3 s"),
        (59.9, "59.9 s"),
        (125, "2 min 05 s"),
        (3725, "1 h 02 min"),
    ],
)
def test_format_elapsed(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


def test_the_state_shows_the_queue_position_only_while_queued() -> None:
    assert state_text(JobStatus.QUEUED, 3).plain == "QUEUED (position 3)"
    assert state_text(JobStatus.QUEUED, None).plain == "QUEUED"
    assert state_text(JobStatus.RUNNING, 3).plain == "RUNNING"
    assert state_text(JobStatus.DONE, None).style == "green"


def test_the_default_console_is_stderr() -> None:
    assert default_console().file is sys.stderr


def test_a_live_display_needs_ipywidgets_only_in_jupyter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal_console, _ = terminal()
    notebook = Console(file=io.StringIO(), force_jupyter=True)
    real = importlib.util.find_spec
    for installed in (False, True):
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda name, *a, installed=installed: (
                (object() if installed else None) if name == "ipywidgets" else real(name, *a)
            ),
        )
        assert live_display_works(terminal_console) is True
        assert live_display_works(notebook) is installed
        assert make_progress(notebook, [TextColumn("x")], transient=False).disable is not installed


class _Stdout:
    def __init__(self, isatty: Callable[[], bool] | None) -> None:
        if isatty is not None:
            self.isatty = isatty


def _closed() -> bool:
    raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        (_Stdout(lambda: True), True),
        (_Stdout(lambda: False), False),
        (_Stdout(_closed), False),
        (_Stdout(None), False),
    ],
    ids=["terminal", "pipe", "closed", "no-isatty"],
)
def test_stdout_is_terminal(
    monkeypatch: pytest.MonkeyPatch, stdout: _Stdout, expected: bool
) -> None:
    monkeypatch.setattr(sys, "stdout", stdout)
    assert stdout_is_terminal() is expected


@pytest.mark.usefixtures("without_ipywidgets")
@pytest.mark.parametrize("transient", [False, True])
def test_a_display_that_cannot_be_drawn_live_prints_its_lines_when_stopped(
    notebook_output: list[str], transient: bool
) -> None:
    notebook = Console(file=io.StringIO(), force_jupyter=True, width=60)
    progress = make_progress(notebook, [TextColumn("{task.description}")], transient)
    progress.add_task("three jobs")
    progress.start()
    assert notebook_output == []
    stop_progress(progress, transient=transient)
    assert [strip_ansi(text) for text in notebook_output] == ([] if transient else ["three jobs\n"])


@pytest.mark.usefixtures("without_ipywidgets")
def test_in_jupyter_without_ipywidgets_the_bar_shows_the_final_line_once_and_never_warns(
    gated: tuple[Gate, MyBackend], notebook_output: list[str]
) -> None:
    """Rich would warn on every refresh (warnings are errors here); the bar draws nothing
    while the job runs and shows its final line in the notebook when it ends."""
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    stream = io.StringIO()
    console = Console(file=stream, force_jupyter=True, width=120)
    shown_while_waiting: list[int] = []
    timer = open_gate_after(gate)
    with ProgressBar(console=console) as bar:

        def callback(job_id: str, status: JobStatus, job: Any) -> None:
            bar(job_id, status, job)
            if status not in JOB_FINAL_STATES:  # the last call, with DONE, draws the end
                shown_while_waiting.append(len(notebook_output))

        job.wait_for_final_state(wait=POLL, callback=callback)
    timer.join()
    assert shown_while_waiting
    assert set(shown_while_waiting) == {0}
    [final] = [strip_ansi(text) for text in notebook_output]
    assert re.fullmatch(rf"✓ Job {job.job_id()[:8]} ━+ {PARTS}DONE · \d+\.\d s {FACTS}\n", final)
    assert stream.getvalue() == ""  # a notebook console writes to the notebook, not the file


def test_a_job_that_counts_itself_as_one_part_reports_no_parts() -> None:
    from qiskit_myprovider.job_progress import JobProgress
    from qiskit_myprovider.progress.facts import job_progress

    class Whole:
        def progress(self) -> JobProgress:
            return JobProgress(0, 1, "circuits")

    class Split:
        def progress(self) -> JobProgress:
            return JobProgress(3, 8, "circuits", 1.0, 2.0)

    assert job_progress(Whole()) is None
    assert job_progress(Split()) == JobProgress(3, 8, "circuits", 1.0, 2.0)
