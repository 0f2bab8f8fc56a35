"""``qiskit_myprovider.progress.jobs``: JobsProgress, one bar for many jobs."""

from __future__ import annotations

import io
import re
from typing import Final

import pytest
from qiskit.providers import JobStatus
from rich.console import Console

from qiskit_myprovider import MyJob
from qiskit_myprovider.exceptions import InvalidInputError, JobTimeoutError
from qiskit_myprovider.job_progress import JobProgress
from qiskit_myprovider.progress import JobsProgress
from tests.conftest import Gate
from tests.progress.conftest import Reporting, open_gate_after, plain, terminal
from tests.support import PATIENCE, wait_until

#: A wait that ends long before the gated jobs do.
TOO_SHORT: Final = 0.2


def test_jobs_progress_counts_done_jobs_and_states(many: tuple[Gate, list[MyJob]]) -> None:
    gate, jobs = many
    console, stream = terminal()
    timer = open_gate_after(gate)
    with JobsProgress(jobs, console=console, description="Sweep") as progress:
        assert (progress.done, progress.total) == (0, 4)
        progress.wait(timeout=PATIENCE)
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
    timer = open_gate_after(gate)
    JobsProgress(jobs, console=Console(file=stream, width=100)).wait(timeout=PATIENCE)
    timer.join()
    assert re.fullmatch(r"Jobs ━+ 4/4 1 cancelled · \d\.\d s\n", stream.getvalue())


def test_jobs_progress_wait_times_out_and_leaves_the_jobs_alone(
    many: tuple[Gate, list[MyJob]],
) -> None:
    gate, jobs = many
    progress = JobsProgress(jobs, console=Console(file=io.StringIO()))
    with pytest.raises(JobTimeoutError, match=rf"4 of 4 jobs had not ended after {TOO_SHORT} s"):
        progress.wait(timeout=TOO_SHORT)
    assert not any(job.in_final_state() for job in jobs)
    gate.open()
    progress.wait(timeout=PATIENCE)
    assert progress.done == 4


def test_jobs_progress_needs_jobs() -> None:
    with pytest.raises(InvalidInputError, match="at least one job"):
        JobsProgress([])


def test_jobs_progress_refuses_a_negative_timeout(many: tuple[Gate, list[MyJob]]) -> None:
    _, jobs = many
    with pytest.raises(InvalidInputError, match=r"timeout must be >= 0 seconds, not -1"):
        JobsProgress(jobs, console=Console(file=io.StringIO())).wait(timeout=-1)


def test_jobs_progress_sums_the_work_the_jobs_report_and_the_longest_time_left(
    many: tuple[Gate, list[MyJob]],
) -> None:
    gate, jobs = many
    reporting = [Reporting(job, JobProgress(0, 4)) for job in jobs]
    reporting[0].reported = JobProgress(3, 4, elapsed=3.0, expected=4.0)
    console, stream = terminal()
    with JobsProgress(reporting, console=console) as progress:
        progress.update()
        wait_until(lambda: "3/16" in plain(stream), what="a frame", timeout=PATIENCE)
        first = plain(stream)
        for queued in reporting[1:]:  # once every unfinished job expects a time
            queued.reported = JobProgress(0, 4, expected=9.0)
        progress.update()
        wait_until(lambda: "left" in plain(stream), what="a frame", timeout=PATIENCE)
        open_gate_after(gate, 0.0).join()
        progress.wait(timeout=PATIENCE)
    shown = plain(stream)
    assert re.search(r"0/4 3/16 circuits 3 queued, 1 running · \d+\.\d s", first)
    assert "left" not in first  # the queued jobs expected nothing yet
    assert re.search(r"3/16 circuits 3 queued, 1 running · \d+\.\d s · ~9\.0 s left", shown)
    assert re.search(r"4/4 16/16 circuits all done · \d+\.\d s\n", shown)


def test_jobs_progress_of_jobs_that_report_nothing_shows_no_work(
    many: tuple[Gate, list[MyJob]],
) -> None:
    gate, jobs = many
    console, stream = terminal()
    wrapped = [Reporting(job, has_progress=False) for job in jobs]
    open_gate_after(gate, 0.2)
    JobsProgress(wrapped, console=console).wait(timeout=PATIENCE)
    shown = plain(stream)
    assert "circuits" not in shown
    assert "left" not in shown
    assert re.search(r"4/4 all done · \d+\.\d s\n", shown)
