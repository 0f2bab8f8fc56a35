"""``qiskit_myprovider.progress.facts``: what a display reads from any job, or "unknown"."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider.progress.facts import origin, queue_position, run_time

#: Slack for two clock readings taken a few statements apart.
CLOCK_SLACK: Final = 0.5


class Job:
    """A job whose optional methods return (or raise) what the test gives."""

    def __init__(self, **answers: Any) -> None:
        for name, answer in answers.items():
            setattr(self, name, self._method(answer))

    @staticmethod
    def _method(answer: Any) -> Any:
        def method() -> Any:
            if isinstance(answer, Exception):
                raise answer
            return answer

        return method


UNREADABLE: Final = [Job(), Job(creation_date=OSError("gone")), Job(creation_date="yesterday")]


@pytest.mark.parametrize("job", UNREADABLE, ids=["missing", "failing", "not-a-datetime"])
def test_an_unknown_creation_date_gives_the_fallback(job: Job) -> None:
    assert origin(job, fallback=12.5) == 12.5


@pytest.mark.parametrize("tz", [None, UTC], ids=["naive", "aware"])
def test_the_origin_is_the_creation_date_on_the_monotonic_clock(tz: timezone | None) -> None:
    created = (datetime.now(tz) if tz else datetime.now()) - timedelta(seconds=3)
    expected = time.monotonic() - 3
    assert origin(Job(creation_date=created), fallback=0.0) == pytest.approx(
        expected, abs=CLOCK_SLACK
    )


def test_a_creation_date_in_the_future_counts_as_now() -> None:
    created = datetime.now().astimezone() + timedelta(hours=1)
    assert origin(Job(creation_date=created), fallback=0.0) <= time.monotonic()


def test_the_run_time_spans_creation_to_the_given_state() -> None:
    created = datetime(2024, 1, 1, 12, 0, 0)
    steps = {"CREATED": created, "DONE": created + timedelta(seconds=1.5)}
    assert run_time(Job(time_per_step=steps), JobStatus.DONE) == 1.5
    assert run_time(Job(time_per_step=steps), JobStatus.ERROR) is None


@pytest.mark.parametrize(
    "job",
    [Job(), Job(time_per_step=OSError("gone")), Job(time_per_step=[1, 2])],
    ids=["missing", "failing", "not-a-dict"],
)
def test_an_unknown_run_time_is_none(job: Job) -> None:
    assert run_time(job, JobStatus.DONE) is None


@pytest.mark.parametrize(
    ("job", "position"),
    [
        (Job(queue_position=2), 2),
        (Job(queue_position=None), None),
        (Job(queue_position="2"), None),
        (Job(queue_position=OSError("gone")), None),
        (Job(), None),
    ],
    ids=["known", "none", "not-an-int", "failing", "missing"],
)
def test_the_queue_position_is_an_int_or_none(job: Job, position: int | None) -> None:
    assert queue_position(job) == position
