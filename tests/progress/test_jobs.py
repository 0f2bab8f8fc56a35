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
from qiskit_myprovider.progress import JobsProgress
from tests.conftest import Gate
from tests.progress.conftest import open_gate_after, plain, terminal
from tests.support import PATIENCE

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
