"""Waiting for a job from the command line: the progress bar on a terminal, none off one."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator

import pytest
from qiskit.providers import JobStatus
from rich.console import Console

from qiskit_myprovider import MyJob, MyProvider
from qiskit_myprovider.cli.follow import wait_for_job
from qiskit_myprovider.execution import ThreadExecutor
from tests.conftest import Gate, bell_circuit

#: Seconds the gated job runs before the test lets it end (longer than ``SHOW_AFTER``).
RUNS_FOR = 0.6
#: Seconds of waiting before the bar appears, in these tests.
SHOW_AFTER = 0.2


@pytest.fixture
def gated_job() -> Iterator[tuple[Gate, MyJob]]:
    gate = Gate()
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=gate.run)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        yield gate, job
        gate.open()


def test_waiting_on_a_terminal_shows_a_progress_bar_with_state_time_and_what_it_runs(
    gated_job: tuple[Gate, MyJob],
) -> None:
    gate, job = gated_job
    gate.wait_started()
    opener = threading.Timer(RUNS_FOR, gate.open)
    opener.start()
    stream = io.StringIO()
    terminal = Console(file=stream, force_terminal=True, width=120, color_system=None)
    wait_for_job(job, terminal, show_after=SHOW_AFTER)
    opener.join()
    shown = stream.getvalue()
    assert job.status() is JobStatus.DONE
    assert f"Job {job.job_id()[:8]} " in shown  # the short id, as 'jobs list' shows it
    assert re.search(r"━ (\d+/\d+ circuits )?RUNNING · \d+\.\d s", shown)
    assert "myprovider_simulator · 2 qubits · 10 shots" in shown
    assert "\x1b[?25h" in shown  # the cursor is shown again


def test_waiting_without_a_terminal_shows_nothing(gated_job: tuple[Gate, MyJob]) -> None:
    gate, job = gated_job
    gate.wait_started()
    opener = threading.Timer(RUNS_FOR / 2, gate.open)
    opener.start()
    stream = io.StringIO()
    wait_for_job(job, Console(file=stream), show_after=0.0)
    opener.join()
    assert job.status() is JobStatus.DONE
    assert stream.getvalue() == ""
