"""``jobs delete`` and ``jobs prune``: finished jobs go, unfinished ones stay; a mistake: none."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli.delete import describe_duration
from qiskit_myprovider.clock import now
from tests.cli.conftest import Run, add_record


def remaining(provider: MyProvider) -> set[str]:
    return {job.job_id() for job in provider.jobs(limit=None)}


def test_delete_removes_finished_jobs_and_says_which(run: Run, stored: MyProvider) -> None:
    first, second, kept = (add_record(stored) for _ in range(3))
    code, out, err = run("jobs", "delete", first, second[:8], first)  # a job named twice
    assert (code, err) == (0, "")
    assert out == f"Deleted 2 jobs: {first}, {second}\n"
    assert remaining(stored) == {kept}


def test_delete_json_counts_and_names_the_deleted_jobs(run: Run, stored: MyProvider) -> None:
    job_id = add_record(stored, status=JobStatus.ERROR)
    code, out, _ = run("jobs", "delete", job_id, "--json")
    assert code == 0
    assert json.loads(out) == {"deleted": 1, "job_ids": [job_id]}


def test_delete_of_a_running_job_deletes_nothing(
    mistake: Callable[..., str], stored: MyProvider
) -> None:
    finished = add_record(stored)
    running = add_record(stored, status=JobStatus.RUNNING)
    err = mistake("jobs", "delete", finished, running)
    assert err.startswith(f"error: job {running} is RUNNING; only finished jobs can be deleted")
    assert "nothing was deleted" in err
    assert remaining(stored) == {finished, running}


@pytest.mark.parametrize(
    ("job_id", "expected"),
    [("11111111-2222-4333-8444-555555555555", "No job with id"), ("abc", "too short")],
    ids=["unknown", "short-prefix"],
)
def test_delete_of_an_unknown_job_deletes_nothing(
    mistake: Callable[..., str], stored: MyProvider, job_id: str, expected: str
) -> None:
    finished = add_record(stored)
    assert expected in mistake("jobs", "delete", finished, job_id)
    assert remaining(stored) == {finished}


def test_prune_deletes_finished_jobs_older_than_the_duration(run: Run, stored: MyProvider) -> None:
    old = add_record(stored, created=now() - timedelta(days=8))
    old_error = add_record(stored, status=JobStatus.ERROR, created=now() - timedelta(days=30))
    old_running = add_record(stored, status=JobStatus.RUNNING, created=now() - timedelta(days=9))
    recent = add_record(stored, created=now() - timedelta(days=6))
    code, out, err = run("jobs", "prune", "--older-than", "7d")
    assert (code, err) == (0, "")
    assert out.startswith("Deleted 2 jobs (finished, created more than 7d ago) from the job store ")
    assert remaining(stored) == {old_running, recent}
    assert old not in remaining(stored)
    assert old_error not in remaining(stored)


@pytest.mark.parametrize(
    ("older_than", "deleted"),
    [("1d12h", 1), ("35h", 1), ("37h", 0), ("2160m", 1), ("129600s", 1), ("0s", 2)],
)
def test_prune_reads_every_unit_and_their_combinations(
    run: Run, stored: MyProvider, older_than: str, deleted: int
) -> None:
    add_record(stored, created=now() - timedelta(hours=36, minutes=1))
    add_record(stored)
    code, out, _ = run("jobs", "prune", "--older-than", older_than, "--json")
    assert code == 0
    assert json.loads(out) == {"deleted": deleted}


def test_prune_with_a_bad_duration_is_one_line(
    mistake: Callable[..., str], stored: MyProvider
) -> None:
    job_id = add_record(stored, created=now() - timedelta(days=400))
    err = mistake("jobs", "prune", "--older-than", "1y")
    assert "argument --older-than: must be a duration such as 7d, 12h, 30m, 45s or 1d12h" in err
    assert remaining(stored) == {job_id}


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(days=7), "7d"),
        (timedelta(days=1, hours=12), "1d12h"),
        (timedelta(minutes=30, seconds=5), "30m5s"),
        (timedelta(days=10, minutes=1), "10d1m"),
        (timedelta(0), "0s"),
    ],
)
def test_durations_are_described_as_they_are_written(span: timedelta, text: str) -> None:
    assert describe_duration(span) == text
