"""The provider over a file store: what a user sees of the store through MyProvider.

A second provider on the same file stands for another process (the multi-process cases are
in ``tests/test_persistence.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    JobFailedError,
    JobNotFoundError,
)
from qiskit_myprovider.store import SQLiteJobStore
from tests.conftest import Gate, bell_circuit
from tests.support import PATIENCE, PROMPT

from .conftest import record, token_for


def test_a_lost_job_through_the_provider_fails_with_lost(db_path: Path, dead_pid: int) -> None:
    lost = record(status=JobStatus.RUNNING, owner=token_for(dead_pid))
    with contextlib.closing(SQLiteJobStore(db_path)) as writer:
        writer.add(lost)
    with MyProvider(store=db_path, executor="thread") as provider:
        job = provider.job(lost.job_id)
        assert job.status() is JobStatus.ERROR
        assert job.cancel() is False  # already final: nothing left to cancel
        with pytest.raises(JobFailedError, match="lost"):
            job.result(timeout=PROMPT)


@pytest.fixture
def file_provider(db_path: Path) -> Iterator[MyProvider]:
    with MyProvider(store=db_path, executor="thread") as provider:
        yield provider


def test_jobs_filters_order_and_paging_through_the_provider(file_provider: MyProvider) -> None:
    backend = file_provider.get_backend()
    first = backend.run(bell_circuit(), shots=5, job_name="a", job_tags=["x", "y"])
    second = backend.run(bell_circuit(), shots=5, job_name="b", job_tags=["x"])
    third = file_provider.get_backend("myprovider_statevector").run(bell_circuit(), shots=5)
    for job in (first, second, third):
        job.result(timeout=PATIENCE)
    # A second provider on the same file sees the stored jobs, not the live ones.
    with MyProvider(store=file_provider.store.location) as other:

        def listed(**kwargs: Any) -> list[str]:
            return [j.job_id() for j in other.jobs(**kwargs)]

        assert listed() == [third.job_id(), second.job_id(), first.job_id()]
        assert listed(job_tags=["x"]) == [second.job_id(), first.job_id()]
        assert listed(job_tags=["x", "y"]) == [first.job_id()]
        assert listed(name="b") == [second.job_id()]
        assert listed(backend_name="myprovider_statevector") == [third.job_id()]
        assert listed(status="DONE") == listed(status=JobStatus.DONE) == listed()
        assert listed(status="error") == []
        assert listed(limit=1, skip=1) == [second.job_id()]
        assert listed(limit=None, skip=2) == [first.job_id()]
        created = second.creation_date()
        assert listed(created_after=created, created_before=created) == [second.job_id()]
        assert listed(created_after=created.replace(tzinfo=None).astimezone()) == [
            third.job_id(),
            second.job_id(),
        ]
        stored = other.job(first.job_id())
        assert stored is not first
        assert stored.result().get_counts() == first.result().get_counts()
        assert stored.circuits() == first.circuits()
        assert stored.backend_options() == first.backend_options()
        assert stored.time_per_step() == first.time_per_step()
        with pytest.raises(InvalidInputError, match="status"):
            other.jobs(status="FINISHED")
        with pytest.raises(InvalidInputTypeError):
            other.jobs(job_tags="x")


def test_update_name_and_tags_are_persisted(file_provider: MyProvider) -> None:
    job = file_provider.get_backend().run(bell_circuit(), shots=5, job_tags=["old"])
    job.result(timeout=PATIENCE)
    job.update_tags(["new", "shiny"])
    job.update_name("renamed")
    with MyProvider(store=file_provider.store.location) as other:
        stored = other.job(job.job_id())
        assert stored.tags() == ["new", "shiny"]
        assert stored.name() == "renamed"
        assert [j.job_id() for j in other.jobs(job_tags=["shiny"])] == [job.job_id()]
        assert other.jobs(job_tags=["old"]) == []


def test_delete_job_removes_a_finished_job(file_provider: MyProvider) -> None:
    job = file_provider.get_backend().run(bell_circuit(), shots=5)
    job.result(timeout=PATIENCE)
    file_provider.delete_job(job.job_id())
    with pytest.raises(JobNotFoundError):
        file_provider.job(job.job_id())
    with pytest.raises(JobNotFoundError):
        file_provider.delete_job(job.job_id())
    with pytest.raises(InvalidInputError, match="not a job id"):
        file_provider.delete_job("nope")


def test_delete_job_refuses_an_unfinished_job(db_path: Path, gate: Gate) -> None:
    from qiskit_myprovider.execution import ThreadExecutor

    with MyProvider(store=db_path, executor=ThreadExecutor(run=gate.run)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=5)
        gate.wait_started()
        with pytest.raises(InvalidInputError, match=r"RUNNING.*[Cc]ancel"):
            provider.delete_job(job.job_id())
        gate.open()
        job.result(timeout=PATIENCE)
        provider.delete_job(job.job_id())


def test_prune_takes_a_datetime_or_a_timedelta(file_provider: MyProvider) -> None:
    backend = file_provider.get_backend()
    jobs = [backend.run(bell_circuit(), shots=5) for _ in range(3)]
    for job in jobs:
        job.result(timeout=PATIENCE)
    assert file_provider.prune(older_than=timedelta(days=1)) == 0
    assert file_provider.prune(older_than=jobs[1].creation_date()) == 1  # strictly older
    assert len(file_provider.jobs()) == 2
    assert file_provider.prune(timedelta(0)) == 2
    assert file_provider.jobs() == []
    with pytest.raises(InvalidInputError, match="negative"):
        file_provider.prune(timedelta(seconds=-1))
    with pytest.raises(InvalidInputTypeError, match="datetime or a timedelta"):
        file_provider.prune(3600)  # type: ignore[arg-type]


def test_several_providers_in_one_process_share_a_file(db_path: Path) -> None:
    with (
        MyProvider(store=db_path, executor="thread") as one,
        MyProvider(store=db_path, executor="thread") as two,
    ):
        a = one.get_backend().run(bell_circuit(), shots=5)
        b = two.get_backend().run(bell_circuit(), shots=5)
        a.result(timeout=PATIENCE)
        b.result(timeout=PATIENCE)
        assert {j.job_id() for j in one.jobs()} == {a.job_id(), b.job_id()}
        assert two.job(a.job_id()).status() is JobStatus.DONE
        # A job of a live provider in this same process is not "lost".
        assert one.job(b.job_id()).status() is JobStatus.DONE
