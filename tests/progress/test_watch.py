"""``qiskit_myprovider.progress.watch``: the thread that reports a job's end to its display."""

from __future__ import annotations

import logging
import threading
from typing import Any, Final

import pytest
from qiskit.providers import JobStatus
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError

from qiskit_myprovider.progress.watch import LOGGER_NAME, watch
from tests.progress.conftest import NOTICED

#: How long a watcher may take to give up once told to: one wait step and some slack.
GIVES_UP: Final = 3.0


class FakeJob:
    """A job that ends when the test says so, or whose wait fails with ``broken``."""

    def __init__(self, broken: Exception | None = None) -> None:
        self.ended = threading.Event()
        self.broken = broken
        self.final_status = JobStatus.DONE

    def job_id(self) -> str:
        return "fake-job"

    def status(self) -> JobStatus:
        return self.final_status if self.ended.is_set() else JobStatus.RUNNING

    def wait_for_final_state(self, timeout: float | None = None, wait: float = 5) -> None:
        if self.broken is not None:
            raise self.broken
        if not self.ended.wait(timeout):
            raise QiskitJobTimeoutError("not yet")


def test_the_watcher_reports_the_final_status_once_the_job_ends() -> None:
    job, calls = FakeJob(), []
    job.final_status = JobStatus.CANCELLED
    thread = watch(job, threading.Event(), lambda j, status: calls.append((j, status)))
    assert thread.daemon
    assert thread.name == "watch-fake-job"
    assert calls == []
    job.ended.set()
    thread.join(NOTICED)
    assert not thread.is_alive()
    assert calls == [(job, JobStatus.CANCELLED)]


def test_a_stopped_watcher_gives_up_without_reporting() -> None:
    job, stop, calls = FakeJob(), threading.Event(), []
    thread = watch(job, stop, lambda j, status: calls.append(status))
    stop.set()
    thread.join(GIVES_UP)
    assert not thread.is_alive()
    job.ended.set()
    assert calls == []


def test_a_job_that_cannot_be_read_ends_the_watcher_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    calls: list[Any] = []
    thread = watch(FakeJob(broken=OSError("store gone")), threading.Event(), calls.append)
    thread.join(NOTICED)
    assert not thread.is_alive()
    assert calls == []
    [record] = caplog.records
    assert (record.name, record.levelno) == (LOGGER_NAME, logging.DEBUG)
    assert record.getMessage() == "stopped watching job fake-job"


def test_a_display_that_fails_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken_display(job: Any, status: JobStatus) -> None:
        raise RuntimeError("cannot draw")

    job = FakeJob()
    job.ended.set()
    thread = watch(job, threading.Event(), broken_display)
    thread.join(NOTICED)
    [record] = caplog.records
    assert (record.name, record.levelno) == (LOGGER_NAME, logging.ERROR)
    assert record.getMessage() == "progress display failed for job fake-job; ignored"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "cannot draw"
