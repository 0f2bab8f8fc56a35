""":class:`LoggingCallback`: the callback protocol of the displays, writing log records."""

from __future__ import annotations

import logging
import threading
from typing import Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.progress.facts import job_progress, queue_position, run_time
from qiskit_myprovider.progress.watch import LOGGER_NAME, watch

__all__ = ["LoggingCallback"]


class LoggingCallback:
    """A ``wait_for_final_state`` callback that logs each change of a job's state.

    One record when a job is first seen (``Job <id> is QUEUED (position 2 in the queue)``),
    one on each later change (``... is RUNNING``, with what the job's ``progress()`` reports:
    ``... is RUNNING (3/8 circuits, ~4.2 s left)``), and one when it ends (``... is DONE after
    1.234 s``, or ``... is ERROR: <why>``), from a watcher thread, since callbacks stop once
    the job is final. Repeated calls in the same state log nothing. One instance can follow
    any number of jobs::

        job.wait_for_final_state(wait=1, callback=LoggingCallback())

    Args:
        logger: Where to log (default: the ``qiskit_myprovider.progress`` logger).
        level: The level of the records (an ERROR job is logged at least at WARNING).
    """

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self.logger: Final = logger or logging.getLogger(LOGGER_NAME)
        self.level: Final = level
        self._lock = threading.Lock()
        self._last: dict[str, JobStatus] = {}
        self._stop = threading.Event()

    def __call__(self, job_id: str, status: JobStatus, job: Any) -> None:
        """Log ``status`` if it differs from the last one logged for this job.

        Args:
            job_id: The job's id.
            status: Its current status (a final one is logged once, with the run time).
            job: The job itself.
        """
        if status in JOB_FINAL_STATES:
            self._job_ended(job, status)
            return
        with self._lock:
            previous = self._last.get(job_id)
            if previous is status or previous in JOB_FINAL_STATES:
                return
            self._last[job_id] = status
        if status is JobStatus.QUEUED and (position := queue_position(job)) is not None:
            self.logger.log(
                self.level, "Job %s is QUEUED (position %d in the queue)", job_id, position
            )
        elif (reported := job_progress(job)) is not None:
            self.logger.log(
                self.level, "Job %s is %s (%s)", job_id, status.name, reported.describe()
            )
        else:
            self.logger.log(self.level, "Job %s is %s", job_id, status.name)
        if previous is None:
            watch(job, self._stop, self._job_ended)

    def _job_ended(self, job: Any, status: JobStatus) -> None:
        job_id = job.job_id()
        with self._lock:
            if self._last.get(job_id) in JOB_FINAL_STATES:
                return
            self._last[job_id] = status
        seconds = run_time(job, status)
        after = "" if seconds is None else f" after {seconds:.3f} s"
        if status is JobStatus.ERROR:
            error_message = getattr(job, "error_message", None)
            why = error_message() if callable(error_message) else None
            self.logger.log(
                max(self.level, logging.WARNING),
                "Job %s is ERROR%s: %s",
                job_id,
                after,
                why or "no error message",
            )
        else:
            self.logger.log(self.level, "Job %s is %s%s", job_id, status.name, after)
