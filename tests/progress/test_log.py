"""``qiskit_myprovider.progress.log``: LoggingCallback, one record per change of state."""

from __future__ import annotations

import logging
import re
import threading
from typing import Final

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import SimulationError
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor
from qiskit_myprovider.job_progress import JobProgress
from qiskit_myprovider.progress import LoggingCallback
from tests.conftest import Gate, bell_circuit
from tests.progress.conftest import HOLD, NOTICED, POLL, Reporting, open_gate_after
from tests.support import PATIENCE, wait_until

#: The ``wait=`` of the test that counts calls: about HOLD / FAST_POLL calls while queued.
FAST_POLL: Final = 0.02


def test_logging_callback_logs_each_change_once_and_the_final_state(
    gated: tuple[Gate, MyBackend], caplog: pytest.LogCaptureFixture
) -> None:
    gate, backend = gated
    running = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    queued = backend.run(bell_circuit(), shots=10)
    callback = LoggingCallback(logging.getLogger("test.jobs"))
    caplog.set_level(logging.INFO, logger="test.jobs")
    timer = open_gate_after(gate)
    queued.wait_for_final_state(wait=FAST_POLL, callback=callback)  # many calls, one record
    running.wait_for_final_state(wait=FAST_POLL, callback=callback)  # already DONE: one call
    timer.join()
    job_id = queued.job_id()
    wait_until(
        lambda: any("DONE" in r.getMessage() for r in caplog.records),
        what="the DONE record",
        timeout=NOTICED,
    )
    records = [r.getMessage() for r in caplog.records if r.name == "test.jobs"]
    messages = [message for message in records if job_id in message]
    others = [message for message in records if job_id not in message]
    # The job that had ended before its wait began is logged once, with its final state.
    assert len(others) == 1
    assert others[0].startswith(f"Job {running.job_id()} is DONE after ")
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
        release.wait(PATIENCE)
        raise SimulationError("insufficient memory (test)")

    caplog.set_level(logging.DEBUG, logger="qiskit_myprovider.progress")
    with MyProvider(store=":memory:", executor=ThreadExecutor(run=fail)) as provider:
        job = provider.get_backend().run(bell_circuit(), shots=10)
        assert started.wait(PATIENCE)
        callback = LoggingCallback(level=logging.DEBUG)
        timer = threading.Timer(HOLD, release.set)
        timer.start()
        job.wait_for_final_state(timeout=PATIENCE, wait=POLL, callback=callback)
        timer.join()
        wait_until(
            lambda: any(r.levelno == logging.WARNING for r in caplog.records),
            what="the warning",
            timeout=NOTICED,
        )
    first, warning = caplog.records
    assert first.name == warning.name == "qiskit_myprovider.progress"
    assert (first.levelno, first.getMessage()) == (logging.DEBUG, f"Job {job.job_id()} is RUNNING")
    assert warning.getMessage().startswith(f"Job {job.job_id()} is ERROR after ")
    assert warning.getMessage().endswith("insufficient memory (test)")


def test_logging_callback_names_the_progress_the_job_reports(
    gated: tuple[Gate, MyBackend], caplog: pytest.LogCaptureFixture
) -> None:
    gate, backend = gated
    job = backend.run(bell_circuit(), shots=10)
    gate.wait_started()
    callback = LoggingCallback()
    with caplog.at_level(logging.INFO, logger="qiskit_myprovider.progress"):
        callback(
            job.job_id(),
            JobStatus.RUNNING,
            Reporting(job, JobProgress(3, 8, elapsed=2.0, expected=6.0)),
        )
        gate.open()
        job.wait_for_final_state(timeout=PATIENCE)
    assert f"Job {job.job_id()} is RUNNING (3/8 circuits, ~4.0 s left)" in caplog.messages
