"""``qiskit_myprovider.progress.bar``: ProgressBar, a live line per job."""

from __future__ import annotations

import io
import re
import threading
from typing import Final

import pytest
from qiskit.providers import JobStatus
from rich.console import Console

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.execution import ThreadExecutor
from qiskit_myprovider.job_progress import JobProgress
from qiskit_myprovider.progress import ProgressBar
from qiskit_myprovider.progress.facts import short_id
from tests.conftest import Gate, bell_circuit
from tests.progress.conftest import (
    ETA,
    FACTS,
    HOLD,
    NOTICED,
    PARTS,
    POLL,
    Reporting,
    open_gate_after,
    plain,
    terminal,
)
from tests.support import wait_until

#: What the bar waits before it shows a line, in the test of a job that ends sooner.
LATE: Final = 5.0


def test_the_bar_shows_the_job_state_and_elapsed_time_then_the_final_state(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate)
    job.wait_for_final_state(wait=POLL, callback=ProgressBar(console=console))
    timer.join()
    # No close(): the bar's watcher draws the final state the moment the job ends.
    wait_until(
        lambda: "\x1b[?25h" in stream.getvalue(), what="the display to stop", timeout=NOTICED
    )
    shown = plain(stream)
    assert re.search(
        rf"\S Job {job.job_id()[:8]} ━+ {PARTS}RUNNING · \d+\.\d s{ETA} {FACTS}", shown
    )
    assert re.search(rf"✓ Job {job.job_id()[:8]} ━+ {PARTS}DONE · \d+\.\d s {FACTS}\n", shown)


def test_the_bar_shows_the_queue_position_of_a_queued_job(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    first = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    second = backend.run(bell_circuit(), shots=10)  # waits behind the first (one worker)
    assert second.queue_position() == 0
    console, stream = terminal()
    timer = open_gate_after(gate)
    with ProgressBar(console=console) as bar:
        second.wait_for_final_state(wait=POLL, callback=bar)
    timer.join()
    shown = plain(stream)
    assert f"Job {second.job_id()[:8]} " in shown
    assert "QUEUED (position 0)" in shown
    assert re.search(rf"✓ Job {second.job_id()[:8]} ━+ {PARTS}DONE", shown)
    assert first.status() is JobStatus.DONE


def test_failed_and_cancelled_jobs_end_with_their_own_mark(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    running = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    queued = backend.run(bell_circuit(), shots=10)
    console, stream = terminal()
    timer = threading.Timer(HOLD, queued.cancel)
    timer.start()
    with ProgressBar(console=console) as bar:
        queued.wait_for_final_state(wait=POLL, callback=bar)
    timer.join()
    gate.open()
    running.wait_for_final_state(timeout=30)
    assert re.search(rf"⊘ Job {queued.job_id()[:8]} ━+ {PARTS}CANCELLED", plain(stream))


def test_a_job_that_ends_before_show_after_shows_nothing(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate)
    with ProgressBar(console=console, show_after=LATE) as bar:
        job.wait_for_final_state(wait=POLL, callback=bar)
    timer.join()
    assert job.status() is JobStatus.DONE
    assert stream.getvalue() == ""


def test_a_transient_bar_is_erased_when_it_stops(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate)
    with ProgressBar(console=console, transient=True) as bar:
        job.wait_for_final_state(wait=POLL, callback=bar)
    timer.join()
    drawn = stream.getvalue()
    assert f"Job {job.job_id()[:8]}" in drawn
    assert drawn.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")  # cursor back up, line erased


def test_off_a_terminal_only_the_final_line_is_printed(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    stream = io.StringIO()
    timer = open_gate_after(gate)
    with ProgressBar(console=Console(file=stream, width=120)) as bar:
        job.wait_for_final_state(wait=POLL, callback=bar)
    timer.join()
    assert re.fullmatch(
        rf"✓ Job {job.job_id()[:8]} ━+ {PARTS}DONE · \d+\.\d s {FACTS}\n", stream.getvalue()
    )


def test_one_bar_follows_a_stored_job_run_by_another_provider(
    gated: tuple[Gate, MyBackend], tmp_path: pytest.TempPathFactory
) -> None:
    gate, _ = gated
    path = f"{tmp_path}/jobs.sqlite3"
    with (
        MyProvider(store=path, executor=ThreadExecutor(run=gate.run)) as owner,
        MyProvider(store=path) as reader,
    ):
        job = owner.get_backend().run(bell_circuit(), shots=10)
        gate.wait_started()
        stored = reader.job(job.job_id())
        assert stored is not job
        console, stream = terminal()
        timer = open_gate_after(gate)
        with ProgressBar(console=console) as bar:
            stored.wait_for_final_state(wait=POLL, callback=bar)
        timer.join()
    assert re.search(rf"✓ Job {job.job_id()[:8]} ━+ {PARTS}DONE", plain(stream))


def test_show_after_must_not_be_negative() -> None:
    with pytest.raises(InvalidInputError, match="show_after"):
        ProgressBar(show_after=-1)


# -- what the job reports: parts done, time left, and what it runs on ------------------------


def test_the_bar_shows_the_parts_done_and_the_time_left_that_the_job_reports(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    reporting = Reporting(job, JobProgress(3, 8, elapsed=2.0, expected=6.0))
    console, stream = terminal()
    bar = ProgressBar(console=console)
    bar(job.job_id(), JobStatus.RUNNING, reporting)
    wait_until(lambda: "3/8 circuits" in plain(stream), what="a frame", timeout=NOTICED)
    reporting.reported = JobProgress(8, 8, elapsed=6.1, expected=6.0)
    gate.open()
    job.wait_for_final_state(timeout=30)
    wait_until(  # the watcher draws the final frame, then stops the display
        lambda: "\x1b[?25h" in stream.getvalue(), what="the display to stop", timeout=NOTICED
    )
    shown = plain(stream)
    short = job.job_id()[:8]
    assert re.search(
        rf"Job {short} [━╸╺ ]+ 3/8 circuits RUNNING · \d+\.\d s · ~4\.0 s left {FACTS}", shown
    )
    assert re.search(rf"✓ Job {short} ━+ 8/8 circuits DONE · \d+\.\d s {FACTS}\n", shown)
    assert "left" not in shown.rsplit("\r", 1)[-1]  # the final frame expects nothing more


@pytest.mark.parametrize(
    "reporting",
    [
        {"has_progress": False},
        {"reported": RuntimeError("store gone")},
        {"reported": None},
        {"reported": "3/8"},  # not a JobProgress
    ],
    ids=["missing", "failing", "none", "wrong-type"],
)
def test_a_job_that_reports_no_progress_gets_a_pulsing_bar_and_no_parts(
    gated: tuple[Gate, MyBackend], reporting: dict[str, object]
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    wrapped = Reporting(job, **reporting)  # type: ignore[arg-type]
    with ProgressBar(console=console) as bar:
        bar(job.job_id(), JobStatus.RUNNING, wrapped)
        wait_until(lambda: "RUNNING" in plain(stream), what="a frame", timeout=NOTICED)
        gate.open()
        job.wait_for_final_state(timeout=30)
    shown = plain(stream)
    assert "circuits" not in shown
    assert "left" not in shown
    assert re.search(rf"✓ Job {job.job_id()[:8]} ━+ DONE · \d+\.\d s {FACTS}\n", shown)


def test_at_80_columns_the_line_fits_and_what_it_runs_on_is_cut_first(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=80, color_system=None)
    reporting = Reporting(job, JobProgress(120, 400, elapsed=20.0, expected=61.0))
    with ProgressBar(console=console) as bar:
        bar(job.job_id(), JobStatus.RUNNING, reporting)
        wait_until(lambda: "120/400" in plain(stream), what="a frame", timeout=NOTICED)
        gate.open()
        job.wait_for_final_state(timeout=30)
    frames = [f for line in plain(stream).splitlines() for f in line.split("\r") if f.strip()]
    assert max(len(frame) for frame in frames) <= 80
    running = next(frame for frame in frames if "RUNNING" in frame)
    assert re.search(r"120/400 circuits RUNNING · \d+\.\d s · ~41\.0 s left my\S*…$", running)


def test_a_uuid_is_shortened_and_any_other_id_is_shown_whole() -> None:
    assert short_id("6f1c2a9e-0000-4000-8000-000000000001") == "6f1c2a9e"
    assert short_id("job-42") == "job-42"
