""":class:`JobsProgress`: one bar for many jobs, and a wait that ends with the last of them."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Column
from rich.text import Text

from qiskit_myprovider.exceptions import InvalidInputError, JobTimeoutError
from qiskit_myprovider.progress.columns import ElapsedColumn, StateColumn
from qiskit_myprovider.progress.display import (
    STATE_STYLES,
    default_console,
    format_elapsed,
    make_progress,
    stop_progress,
)
from qiskit_myprovider.progress.facts import job_progress, origin

if TYPE_CHECKING:
    from types import TracebackType

    from rich.progress import TaskID

    from qiskit_myprovider.job_progress import JobProgress

__all__ = ["JobsProgress"]

#: Seconds between status checks of unfinished jobs in :meth:`JobsProgress.wait`.
_POLL_INTERVAL: Final = 0.1

#: The states the summary counts, in the order it names them, with their words.
_SUMMARY_LABELS: Final = (
    (JobStatus.QUEUED, "queued"),
    (JobStatus.RUNNING, "running"),
    (JobStatus.ERROR, "failed"),
    (JobStatus.CANCELLED, "cancelled"),
)


class JobsProgress:
    """One progress bar for many jobs: done / total, states, elapsed time, the work done.

    The elapsed time counts from the creation of the first job. Where the jobs report their
    progress (``job.progress()``, a :class:`~qiskit_myprovider.job_progress.JobProgress`),
    the line also shows the parts done of them all (``12/40 circuits``, while every job
    counts in the same unit) and, once every unfinished job expects a time, the longest of
    them (``~3.1 s left``); the bar itself counts jobs. Use it as a context manager
    around :meth:`wait`, or call :meth:`wait` alone (it then opens and closes the display
    itself)::

        jobs = [backend.run(circuit) for circuit in circuits]
        with JobsProgress(jobs) as progress:
            progress.wait()

    Args:
        jobs: The jobs to follow (any Qiskit ``JobV1``).
        console: Where to draw (default: a console on stderr). On a console that is not a
            terminal nothing is drawn while waiting, and the final line is printed at the end.
        description: Text before the bar (default ``"Jobs"``).
        transient: Erase the bar when the display stops, instead of leaving it.

    Raises:
        InvalidInputError: ``jobs`` is empty.
    """

    def __init__(
        self,
        jobs: Iterable[Any],
        *,
        console: Console | None = None,
        description: str = "Jobs",
        transient: bool = False,
    ) -> None:
        self._jobs = list(jobs)
        if not self._jobs:
            raise InvalidInputError("JobsProgress needs at least one job")
        self.console: Final = console or default_console()
        self._description = description
        self._transient = transient
        self._lock = threading.RLock()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        # Elapsed time counts from the first job's creation (or from here, if unknown).
        now = time.monotonic()
        self._origin = min(origin(job, now) for job in self._jobs)
        self._ended: float | None = None
        self._statuses: list[JobStatus | None] = [None] * len(self._jobs)
        self._reported: list[JobProgress | None] = [None] * len(self._jobs)

    @property
    def total(self) -> int:
        """How many jobs it follows."""
        return len(self._jobs)

    @property
    def done(self) -> int:
        """How many of them had ended (in any final state) at the last update."""
        return sum(status in JOB_FINAL_STATES for status in self._statuses)

    def __enter__(self) -> JobsProgress:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Show the bar (idempotent)."""
        with self._lock:
            if self._progress is not None:
                return
            self._progress = make_progress(
                self.console,
                (
                    TextColumn("{task.description}", table_column=Column(no_wrap=True)),
                    BarColumn(bar_width=30),
                    MofNCompleteColumn(),
                    StateColumn(table_column=Column(no_wrap=True)),
                    TextColumn("·", style="dim"),
                    ElapsedColumn(table_column=Column(no_wrap=True)),
                ),
                self._transient,
            )
            self._poll()
            self._task = self._progress.add_task(
                escape(self._description),
                total=self.total,
                completed=self.done,
                origin=self._origin,
                elapsed=None,
                state=self._summary(),
                **self._work(),
            )
            self._progress.start()

    def stop(self) -> None:
        """Update the bar one last time and stop the display (idempotent)."""
        with self._lock:
            if self._progress is None:
                return
            self.update()
            progress, self._progress = self._progress, None
            stop_progress(progress, transient=self._transient)

    def update(self) -> int:
        """Re-read the state of every unfinished job and redraw the bar.

        Returns:
            How many jobs have ended.
        """
        done = self._poll()
        with self._lock:
            if self._progress is not None and self._task is not None:
                if done == self.total and self._ended is None:
                    self._ended = time.monotonic()
                elapsed = None if self._ended is None else self._ended - self._origin
                self._progress.update(
                    self._task,
                    completed=done,
                    state=self._summary(),
                    elapsed=elapsed,
                    **self._work(),
                )
        return done

    def _poll(self) -> int:
        for index, job in enumerate(self._jobs):
            if self._statuses[index] not in JOB_FINAL_STATES:
                self._statuses[index] = job.status()
                reported = job_progress(job)
                if reported is not None:
                    self._reported[index] = reported
        return self.done

    def _work(self) -> dict[str, Any]:
        """The ``parts`` and ``eta`` fields: the work done of all jobs, the longest time left."""
        reported = [
            (r, status is JobStatus.DONE)
            for r, status in zip(self._reported, self._statuses, strict=True)
            if r is not None
        ]
        units = {r.unit for r, _ in reported}
        parts = ""
        # Parts only add up when every job counts its own (a job run whole reports none).
        if reported and len(reported) == len(self._jobs) and len(units) == 1:
            done = sum(r.total if finished else r.done for r, finished in reported)
            parts = f"{done}/{sum(r.total for r, _ in reported)} {units.pop()}"
        unfinished = [
            r for r, status in zip(self._reported, self._statuses, strict=True)
            if status not in JOB_FINAL_STATES
        ]  # fmt: skip
        remaining = [r.remaining if r is not None else None for r in unfinished]
        eta = ""
        if unfinished and all(seconds is not None for seconds in remaining):
            eta = f"~{format_elapsed(max(s for s in remaining if s is not None))} left"
        return {"parts": parts, "eta": eta}

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every job has ended, keeping the bar up to date.

        Returns the moment the last job ends. Without an enclosing ``with`` block, the display
        is opened for the wait and closed after it.

        Args:
            timeout: Seconds to wait at most; None waits as long as it takes.

        Raises:
            JobTimeoutError: some jobs had not ended within ``timeout``; they keep going.
            InvalidInputError: ``timeout`` is negative.
        """
        if timeout is not None and not timeout >= 0:
            raise InvalidInputError(f"timeout must be >= 0 seconds, not {timeout}")
        owned = self._progress is None
        if owned:
            self.start()
        try:
            self._wait(timeout)
        finally:
            if owned:
                self.stop()

    def _wait(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            done = self.update()
            if done == self.total:
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise JobTimeoutError(
                    f"{self.total - done} of {self.total} jobs had not ended after "
                    f"{timeout} s; they keep running"
                )
            step = _POLL_INTERVAL if remaining is None else min(_POLL_INTERVAL, remaining)
            # Sleep on an unfinished job: a job of ours wakes this the moment it ends.
            pending = next(
                job
                for job, status in zip(self._jobs, self._statuses, strict=True)
                if status not in JOB_FINAL_STATES
            )
            with contextlib.suppress(QiskitJobTimeoutError):
                pending.wait_for_final_state(timeout=step, wait=step)

    def _summary(self) -> Text:
        counts: dict[JobStatus, int] = {}
        for status in self._statuses:
            if status is not None:
                counts[status] = counts.get(status, 0) + 1
        text = Text()
        for status, label in _SUMMARY_LABELS:
            if counts.get(status):
                if text:
                    text.append(", ")
                text.append(f"{counts[status]} {label}", style=STATE_STYLES[status])
        if not text and counts.get(JobStatus.DONE) == self.total:
            text.append("all done", style=STATE_STYLES[JobStatus.DONE])
        return text
