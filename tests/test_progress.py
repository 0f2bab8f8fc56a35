"""``qiskit_myprovider.progress``: the progress bars and the logging callback.

Jobs run on a gated thread executor (see ``conftest.Gate``), so each state lasts exactly as
long as a test needs; the displays draw to a rich ``Console`` on a ``StringIO``.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from collections.abc import Callable

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result
from rich.console import Console

from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.exceptions import InvalidInputError, JobTimeoutError, SimulationError
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor
from qiskit_myprovider.progress import JobsProgress, LoggingCallback, ProgressBar, format_elapsed

from .conftest import Gate, bell_circuit

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(file=stream, force_terminal=True, width=120, color_system=None), stream


def plain(stream: io.StringIO) -> str:
    """What was drawn, without the cursor and erase codes."""
    return ANSI.sub("", stream.getvalue())


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)


def open_gate_after(gate: Gate, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, gate.open)
    timer.start()
    return timer


@pytest.fixture
def gated(gate: Gate, gated_backend: MyBackend) -> tuple[Gate, MyBackend]:
    return gate, gated_backend


# -- ProgressBar -------------------------------------------------------------------------


def test_the_bar_shows_the_job_state_and_elapsed_time_then_the_final_state(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate, 0.5)
    job.wait_for_final_state(wait=0.05, callback=ProgressBar(console=console))
    timer.join()
    # No close(): the bar's watcher draws the final state the moment the job ends.
    eventually(lambda: "\x1b[?25h" in stream.getvalue())
    shown = plain(stream)
    assert re.search(rf"\S Job {job.job_id()} ━+ RUNNING · \d+\.\d s", shown)
    assert re.search(rf"✓ Job {job.job_id()} ━+ DONE · \d+\.\d s\n", shown)


def test_the_bar_shows_the_queue_position_of_a_queued_job(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    first = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    second = backend.run(bell_circuit(), shots=10)  # waits behind the first (one worker)
    assert second.queue_position() == 0
    console, stream = terminal()
    timer = open_gate_after(gate, 0.3)
    with ProgressBar(console=console) as bar:
        second.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()
    shown = plain(stream)
    assert f"Job {second.job_id()} " in shown
    assert "QUEUED (position 0)" in shown
    assert re.search(rf"✓ Job {second.job_id()} ━+ DONE", shown)
    assert first.status() is JobStatus.DONE


def test_failed_and_cancelled_jobs_end_with_their_own_mark(
    gated: tuple[Gate, MyBackend],
) -> None:
    gate, backend = gated
    running = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    queued = backend.run(bell_circuit(), shots=10)
    console, stream = terminal()
    timer = threading.Timer(0.3, queued.cancel)
    timer.start()
    with ProgressBar(console=console) as bar:
        queued.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()
    gate.open()
    running.wait_for_final_state(timeout=30)
    assert re.search(rf"⊘ Job {queued.job_id()} ━+ CANCELLED", plain(stream))


def test_a_job_that_ends_before_show_after_shows_nothing(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate, 0.2)
    with ProgressBar(console=console, show_after=5) as bar:
        job.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()
    assert stream.getvalue() == ""


def test_a_transient_bar_is_erased_when_it_stops(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console, stream = terminal()
    timer = open_gate_after(gate, 0.3)
    with ProgressBar(console=console, transient=True) as bar:
        job.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()
    drawn = stream.getvalue()
    assert f"Job {job.job_id()}" in drawn
    assert drawn.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")  # cursor back up, line erased


def test_off_a_terminal_only_the_final_line_is_printed(gated: tuple[Gate, MyBackend]) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    stream = io.StringIO()
    timer = open_gate_after(gate, 0.3)
    with ProgressBar(console=Console(file=stream, width=120)) as bar:
        job.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()
    assert re.fullmatch(rf"✓ Job {job.job_id()} ━+ DONE · \d+\.\d s\n", stream.getvalue())


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
        timer = open_gate_after(gate, 0.4)
        with ProgressBar(console=console) as bar:
            stored.wait_for_final_state(wait=0.05, callback=bar)
        timer.join()
    assert re.search(rf"✓ Job {job.job_id()} ━+ DONE", plain(stream))


def test_show_after_must_not_be_negative() -> None:
    with pytest.raises(InvalidInputError, match="show_after"):
        ProgressBar(show_after=-1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0.0 s"), (0.44, "0.4 s"), (12.34, "12.3 s"), (125, "2 min 05 s"), (3725, "1 h 02 min")],
)
def test_format_elapsed(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


def test_in_jupyter_without_ipywidgets_there_is_no_warning(
    gated: tuple[Gate, MyBackend],
) -> None:
    """Rich would warn on every refresh; the bar falls back to printing the final line."""
    pytest.importorskip("rich.jupyter")
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    console = Console(file=io.StringIO(), force_jupyter=True)
    timer = open_gate_after(gate, 0.3)
    with ProgressBar(console=console) as bar:  # filterwarnings=error turns a warning into a failure
        job.wait_for_final_state(wait=0.05, callback=bar)
    timer.join()


# -- JobsProgress ------------------------------------------------------------------------


@pytest.fixture
def many(gated: tuple[Gate, MyBackend]) -> tuple[Gate, list[MyJob]]:
    gate, backend = gated
    jobs = [backend.run(bell_circuit(), shots=10) for _ in range(4)]
    gate.wait_started()
    return gate, jobs


def test_jobs_progress_counts_done_jobs_and_states(many: tuple[Gate, list[MyJob]]) -> None:
    gate, jobs = many
    console, stream = terminal()
    timer = open_gate_after(gate, 0.4)
    with JobsProgress(jobs, console=console, description="Sweep") as progress:
        assert (progress.done, progress.total) == (0, 4)
        progress.wait(timeout=60)
        assert progress.done == 4
    timer.join()
    shown = plain(stream)
    assert re.search(r"Sweep +0/4 3 queued, 1 running · \d+\.\d s", shown)
    assert re.search(r"Sweep ━+ 4/4 all done · \d+\.\d s\n", shown)
    assert all(job.status() is JobStatus.DONE for job in jobs)


def test_jobs_progress_wait_alone_opens_and_closes_the_display(
    many: tuple[Gate, list[MyJob]],
) -> None:
    gate, jobs = many
    jobs[1].cancel()
    stream = io.StringIO()
    timer = open_gate_after(gate, 0.2)
    JobsProgress(jobs, console=Console(file=stream, width=100)).wait(timeout=60)
    timer.join()
    assert re.fullmatch(r"Jobs ━+ 4/4 1 cancelled · \d\.\d s\n", stream.getvalue())


def test_jobs_progress_wait_times_out_and_leaves_the_jobs_alone(
    many: tuple[Gate, list[MyJob]],
) -> None:
    gate, jobs = many
    progress = JobsProgress(jobs, console=Console(file=io.StringIO()))
    with pytest.raises(JobTimeoutError, match=r"4 of 4 jobs had not ended after 0\.2 s"):
        progress.wait(timeout=0.2)
    assert not any(job.in_final_state() for job in jobs)
    gate.open()
    progress.wait(timeout=60)
    assert progress.done == 4


def test_jobs_progress_needs_jobs() -> None:
    with pytest.raises(InvalidInputError, match="at least one job"):
        JobsProgress([])


# -- LoggingCallback -----------------------------------------------------------------------


def test_logging_callback_logs_each_change_once_and_the_final_state(
    gated: tuple[Gate, MyBackend], caplog: pytest.LogCaptureFixture
) -> None:
    gate, backend = gated
    running = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    queued = backend.run(bell_circuit(), shots=10)
    callback = LoggingCallback(logging.getLogger("test.jobs"))
    caplog.set_level(logging.INFO, logger="test.jobs")
    timer = open_gate_after(gate, 0.4)
    queued.wait_for_final_state(wait=0.02, callback=callback)  # ~20 calls, one record each change
    running.wait_for_final_state(wait=0.02, callback=callback)  # already DONE: no call at all
    timer.join()
    job_id = queued.job_id()
    eventually(lambda: any("DONE" in r.getMessage() for r in caplog.records))
    messages = [r.getMessage() for r in caplog.records if r.name == "test.jobs"]
    assert messages[0] == f"Job {job_id} is QUEUED (position 0 in the queue)"
    assert messages[1:-1] in ([], [f"Job {job_id} is RUNNING"])
    assert re.fullmatch(rf"Job {job_id} is DONE after \d\.\d{{3}} s", messages[-1])
    assert {r.levelno for r in caplog.records if r.name == "test.jobs"} == {logging.INFO}


def test_logging_callback_logs_a_failure_as_a_warning_with_its_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started, release = threading.Event(), threading.Event()

    def fail(task: SimulationTask) -> Result:
        started.set()
        release.wait(30)
        raise SimulationError("insufficient memory (test)")

    caplog.set_level(logging.DEBUG, logger="qiskit_myprovider.progress")
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=fail)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        assert started.wait(30)
        callback = LoggingCallback(level=logging.DEBUG)
        timer = threading.Timer(0.2, release.set)
        timer.start()
        job.wait_for_final_state(timeout=60, wait=0.05, callback=callback)
        timer.join()
        eventually(lambda: any(r.levelno == logging.WARNING for r in caplog.records))
    first, warning = caplog.records
    assert (first.levelno, first.getMessage()) == (logging.DEBUG, f"Job {job.job_id()} is RUNNING")
    assert warning.getMessage().startswith(f"Job {job.job_id()} is ERROR after ")
    assert warning.getMessage().endswith("insufficient memory (test)")
