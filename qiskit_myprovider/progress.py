"""Ready-made progress displays for waiting on jobs, built on `rich <https://rich.readthedocs.io>`_.

- :class:`ProgressBar`: a callback for :meth:`MyJob.wait_for_final_state
  <qiskit_myprovider.MyJob.wait_for_final_state>` that shows each job it is called for as a
  live line (state, queue position, elapsed time, a pulsing bar) in a terminal or a Jupyter
  notebook, and leaves a final line (✓ DONE, ✗ ERROR, ⊘ CANCELLED) when the job ends.
- :class:`JobsProgress`: one bar for many jobs (done / total, how many are queued, running
  or failed, elapsed time), with a :meth:`~JobsProgress.wait` that returns the moment the
  last job ends.
- :class:`LoggingCallback`: the same callback protocol, writing one log record per change
  of state instead of drawing.

All three work with any Qiskit ``JobV1`` (they use ``queue_position()`` and
``creation_date()`` where a job has them). A callback is only called while a job is not
final, so :class:`ProgressBar` and :class:`LoggingCallback` watch each job they are given
from a small daemon thread, to show or log its final state the moment it is reached.

In Jupyter, the live display needs ``ipywidgets`` (``pip install ipywidgets``, or the
``[notebook]`` extra); without it the final lines are printed when the jobs end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import sys
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.spinner import Spinner
from rich.table import Column
from rich.text import Text

from qiskit_myprovider.exceptions import InvalidInputError, JobTimeoutError

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import RenderableType
    from rich.progress import Task, TaskID

__all__ = ["JobsProgress", "LoggingCallback", "ProgressBar", "format_elapsed"]

logger = logging.getLogger(__name__)

#: Seconds a watcher thread waits on its job between checks that its display is still open.
_WATCH_STEP: Final = 1.0
#: Seconds between status checks of unfinished jobs in :meth:`JobsProgress.wait`.
_POLL_INTERVAL: Final = 0.1

_GLYPHS: Final = {
    JobStatus.DONE: ("✓", "green"),
    JobStatus.ERROR: ("✗", "red"),
    JobStatus.CANCELLED: ("⊘", "yellow"),
}
_STATE_STYLES: Final = {
    JobStatus.QUEUED: "blue",
    JobStatus.RUNNING: "cyan",
    JobStatus.DONE: "green",
    JobStatus.ERROR: "red",
    JobStatus.CANCELLED: "yellow",
}


def format_elapsed(seconds: float) -> str:
    """Format a duration for a progress line: ``0.4 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``.

    Args:
        seconds: The duration (negative counts as 0).

    Returns:
        The duration as text.
    """
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _default_console() -> Console:
    # stderr, like every progress display: stdout stays the program's output.
    return Console(stderr=True)


def _live_display_works(console: Console) -> bool:
    """Whether rich can redraw a display on this console (Jupyter needs ipywidgets for it)."""
    return not console.is_jupyter or importlib.util.find_spec("ipywidgets") is not None


def _stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stdout
        return False


def _make_progress(
    console: Console, columns: Iterable[ProgressColumn], transient: bool
) -> Progress:
    live = _live_display_works(console)
    return Progress(
        *columns,
        console=console,
        transient=transient,
        refresh_per_second=10,
        # While the display is up, print() to stdout is drawn above it, but only when stdout
        # is the terminal too: a piped stdout must not end up in the console's stream.
        redirect_stdout=_stdout_is_terminal(),
        redirect_stderr=True,
        disable=not live,
    )


def _origin(job: Any, fallback: float) -> float:
    """The ``time.monotonic()`` reading at which ``job`` was created (``fallback`` if unknown)."""
    creation_date = getattr(job, "creation_date", None)
    try:
        created = creation_date() if callable(creation_date) else None
    except Exception:
        created = None
    if not isinstance(created, datetime):
        return fallback
    if created.tzinfo is None:
        created = created.astimezone()
    age = (datetime.now().astimezone() - created).total_seconds()
    return time.monotonic() - max(0.0, age)


def _run_time(job: Any, status: JobStatus) -> float | None:
    """Seconds from creation to ``status``, from the job's ``time_per_step()`` if it has one."""
    time_per_step = getattr(job, "time_per_step", None)
    try:
        steps = time_per_step() if callable(time_per_step) else None
    except Exception:
        return None
    if not isinstance(steps, dict):
        return None
    created, ended = steps.get("CREATED"), steps.get(status.name)
    if isinstance(created, datetime) and isinstance(ended, datetime):
        return max(0.0, (ended - created).total_seconds())
    return None


def _queue_position(job: Any) -> int | None:
    queue_position = getattr(job, "queue_position", None)
    try:
        position = queue_position() if callable(queue_position) else None
    except Exception:
        return None
    return position if isinstance(position, int) else None


def _state_text(status: JobStatus, position: int | None) -> Text:
    text = Text(status.name, style=_STATE_STYLES.get(status, ""))
    if status is JobStatus.QUEUED and position is not None:
        text.append(f" (position {position})", style="dim")
    return text


def _watch(job: Any, stop: threading.Event, then: Any) -> threading.Thread:
    """Start a daemon thread that calls ``then(job, status)`` once ``job`` is final.

    It gives up quietly when ``stop`` is set or the job cannot be read any more.
    """

    def watch() -> None:
        while not stop.is_set():
            try:
                job.wait_for_final_state(timeout=_WATCH_STEP, wait=_WATCH_STEP)
            except QiskitJobTimeoutError:
                continue
            except Exception:
                logger.debug("stopped watching job %s", job.job_id(), exc_info=True)
                return
            try:
                then(job, job.status())
            except Exception:
                logger.exception("progress display failed for job %s; ignored", job.job_id())
            return

    thread = threading.Thread(target=watch, name=f"watch-{job.job_id()}", daemon=True)
    thread.start()
    return thread


# -- columns ---------------------------------------------------------------------------------


class _GlyphColumn(ProgressColumn):
    """A spinner while the job runs, then ✓, ✗ or ⊘ by its final state."""

    def __init__(self) -> None:
        super().__init__()
        self._spinner = Spinner("dots", style="cyan")

    def render(self, task: Task) -> RenderableType:
        status = task.fields.get("status")
        if status in _GLYPHS:
            glyph, style = _GLYPHS[status]
            return Text(glyph, style=style)
        return self._spinner.render(task.get_time())


class _ElapsedColumn(ProgressColumn):
    """Time since the job was created, frozen once it ended (see :func:`format_elapsed`)."""

    def render(self, task: Task) -> RenderableType:
        origin: float = task.fields.get("origin", task.get_time())
        elapsed = task.fields.get("elapsed")
        seconds = elapsed if elapsed is not None else task.get_time() - origin
        return Text(format_elapsed(seconds), style="progress.elapsed")


class _StateColumn(ProgressColumn):
    def render(self, task: Task) -> RenderableType:
        state = task.fields.get("state")
        return state if isinstance(state, Text) else Text("")


# -- one job ---------------------------------------------------------------------------------


class ProgressBar:
    """A live progress line per job, as a ``wait_for_final_state`` callback.

    Pass an instance as the ``callback`` of :meth:`MyJob.wait_for_final_state
    <qiskit_myprovider.MyJob.wait_for_final_state>` (or of any Qiskit job's). Each job it is
    called for gets a line: a spinner, the job id, a pulsing bar, its state (with the queue
    position while it is QUEUED) and the time since the job was created. When the job ends,
    the line shows the final state (✓ DONE, ✗ ERROR, ⊘ CANCELLED) and its run time; when all
    its jobs have ended the display stops. ``wait`` sets how often the state is re-read::

        job.wait_for_final_state(wait=0.1, callback=ProgressBar())

    As a context manager, leaving the block stops the display at once, the final lines drawn
    (or, with ``transient=True``, erased); otherwise a watcher thread does it the moment the
    job ends, which may be just after ``wait_for_final_state`` has returned.

    On a console that is not a terminal (a file, a CI log) nothing is drawn while waiting and
    the final lines are printed when the jobs end (unless ``transient``).

    Args:
        console: Where to draw (default: a console on stderr).
        show_after: Seconds of waiting on a job before its line appears: a job that ends
            sooner shows nothing at all.
        transient: Erase the lines when the display stops, instead of leaving them.
        description: Text before the job id (default ``"Job"``).

    Raises:
        InvalidInputError: ``show_after`` is negative.
    """

    def __init__(
        self,
        *,
        console: Console | None = None,
        show_after: float = 0.0,
        transient: bool = False,
        description: str = "Job",
    ) -> None:
        if not show_after >= 0:
            raise InvalidInputError(f"show_after must be >= 0 seconds, not {show_after}")
        self.console: Final = console or _default_console()
        self._show_after = float(show_after)
        self._transient = transient
        self._description = description
        self._lock = threading.RLock()
        self._stop_watching = threading.Event()
        self._progress: Progress | None = None
        # job id -> [first call (monotonic), task in the display or None, job, final?]
        self._jobs: dict[str, _Tracked] = {}

    def __call__(self, job_id: str, status: JobStatus, job: Any) -> None:
        """Show (or update) the line of ``job``; the ``wait_for_final_state`` callback protocol.

        Args:
            job_id: The job's id.
            status: Its current (not final) status.
            job: The job itself.
        """
        with self._lock:
            tracked = self._jobs.get(job_id)
            if tracked is None:
                first_seen = time.monotonic()
                tracked = self._jobs[job_id] = _Tracked(job, first_seen, _origin(job, first_seen))
                _watch(job, self._stop_watching, self._job_ended)
            if tracked.final:
                return
            state = _state_text(status, _queue_position(job))
            if tracked.task is not None and self._progress is not None:
                self._progress.update(tracked.task, status=status, state=state)
                return
            if time.monotonic() - tracked.first_seen < self._show_after:
                return
            progress = self._progress or self._new_progress()
            tracked.task = progress.add_task(
                f"{escape(self._description)} {escape(job_id)}",
                total=None,
                origin=tracked.origin,
                elapsed=None,
                status=status,
                state=state,
            )
            if self._progress is None:
                self._progress = progress
                progress.start()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Draw the final state of jobs that have ended, stop the display and its watchers.

        Idempotent; a job still unfinished keeps its last line as it was.
        """
        self._stop_watching.set()
        with self._lock:
            for tracked in self._jobs.values():
                if not tracked.final:
                    try:
                        status = tracked.job.status()
                    except Exception:
                        continue
                    if status in JOB_FINAL_STATES:
                        self._mark_final(tracked, status)
            self._stop()
        self._stop_watching = threading.Event()

    # -- internals -----------------------------------------------------------------------

    def _new_progress(self) -> Progress:
        return _make_progress(
            self.console,
            (
                _GlyphColumn(),
                # A narrow terminal shortens the job id rather than wrapping the line.
                TextColumn("{task.description}", table_column=Column(no_wrap=True)),
                BarColumn(bar_width=10),
                _StateColumn(table_column=Column(no_wrap=True)),
                TextColumn("·", style="dim"),
                _ElapsedColumn(),
            ),
            self._transient,
        )

    def _job_ended(self, job: Any, status: JobStatus) -> None:
        with self._lock:
            tracked = self._jobs.get(job.job_id())
            if tracked is None or tracked.final:
                return
            self._mark_final(tracked, status)
            if all(t.final or t.task is None for t in self._jobs.values()):
                self._stop()

    def _mark_final(self, tracked: _Tracked, status: JobStatus) -> None:
        tracked.final = True
        if tracked.task is None or self._progress is None:
            return
        elapsed = _run_time(tracked.job, status)
        if elapsed is None:
            elapsed = time.monotonic() - tracked.origin
        self._progress.update(
            tracked.task,
            total=1,
            completed=1,
            status=status,
            state=_state_text(status, None),
            elapsed=elapsed,
        )

    def _stop(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.stop()
            if progress.disable and not self._transient:
                # A display that could not be drawn live (Jupyter without ipywidgets).
                progress.console.print(progress.make_tasks_table(progress.tasks))
        # Jobs seen again later start afresh (a new display for a new wait).
        self._jobs = {k: t for k, t in self._jobs.items() if not t.final and t.task is None}


class _Tracked:
    """What :class:`ProgressBar` knows about one job."""

    __slots__ = ("final", "first_seen", "job", "origin", "task")

    def __init__(self, job: Any, first_seen: float, origin: float) -> None:
        self.job = job
        self.first_seen = first_seen
        self.origin = origin
        self.task: TaskID | None = None
        self.final = False


# -- many jobs -------------------------------------------------------------------------------


class JobsProgress:
    """One progress bar for many jobs: done / total, states, elapsed time.

    The elapsed time counts from the creation of the first job. Use it as a context manager
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
        self.console: Final = console or _default_console()
        self._description = description
        self._transient = transient
        self._lock = threading.RLock()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        # Elapsed time counts from the first job's creation (or from here, if unknown).
        now = time.monotonic()
        self._origin = min(_origin(job, now) for job in self._jobs)
        self._ended: float | None = None
        self._statuses: list[JobStatus | None] = [None] * len(self._jobs)

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
            self._progress = _make_progress(
                self.console,
                (
                    TextColumn("{task.description}", table_column=Column(no_wrap=True)),
                    BarColumn(bar_width=30),
                    MofNCompleteColumn(),
                    _StateColumn(table_column=Column(no_wrap=True)),
                    TextColumn("·", style="dim"),
                    _ElapsedColumn(),
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
            )
            self._progress.start()

    def stop(self) -> None:
        """Update the bar one last time and stop the display (idempotent)."""
        with self._lock:
            if self._progress is None:
                return
            self.update()
            progress, self._progress = self._progress, None
            progress.stop()
            if progress.disable and not self._transient:
                progress.console.print(progress.make_tasks_table(progress.tasks))

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
                    self._task, completed=done, state=self._summary(), elapsed=elapsed
                )
        return done

    def _poll(self) -> int:
        for index, job in enumerate(self._jobs):
            if self._statuses[index] not in JOB_FINAL_STATES:
                self._statuses[index] = job.status()
        return self.done

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
        labels = (
            (JobStatus.QUEUED, "queued"),
            (JobStatus.RUNNING, "running"),
            (JobStatus.ERROR, "failed"),
            (JobStatus.CANCELLED, "cancelled"),
        )
        text = Text()
        for status, label in labels:
            if counts.get(status):
                if text:
                    text.append(", ")
                text.append(f"{counts[status]} {label}", style=_STATE_STYLES[status])
        if not text and counts.get(JobStatus.DONE) == self.total:
            text.append("all done", style=_STATE_STYLES[JobStatus.DONE])
        return text


# -- logging ---------------------------------------------------------------------------------


class LoggingCallback:
    """A ``wait_for_final_state`` callback that logs each change of a job's state.

    One record when a job is first seen (``Job <id> is QUEUED (position 2 in the queue)``),
    one on each later change (``... is RUNNING``), and one when it ends (``... is DONE after
    1.234 s``, or ``... is ERROR: <why>``), from a watcher thread, since callbacks stop once
    the job is final. Repeated calls in the same state log nothing. One instance can follow
    any number of jobs::

        job.wait_for_final_state(wait=1, callback=LoggingCallback())

    Args:
        logger: Where to log (default: the ``qiskit_myprovider.progress`` logger).
        level: The level of the records (an ERROR job is logged at least at WARNING).
    """

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self.logger: Final = logger or logging.getLogger(__name__)
        self.level: Final = level
        self._lock = threading.Lock()
        self._last: dict[str, JobStatus] = {}
        self._stop = threading.Event()

    def __call__(self, job_id: str, status: JobStatus, job: Any) -> None:
        """Log ``status`` if it differs from the last one logged for this job.

        Args:
            job_id: The job's id.
            status: Its current (not final) status.
            job: The job itself.
        """
        with self._lock:
            previous = self._last.get(job_id)
            if previous is status or previous in JOB_FINAL_STATES:
                return
            self._last[job_id] = status
        if status is JobStatus.QUEUED and (position := _queue_position(job)) is not None:
            self.logger.log(
                self.level, "Job %s is QUEUED (position %d in the queue)", job_id, position
            )
        else:
            self.logger.log(self.level, "Job %s is %s", job_id, status.name)
        if previous is None:
            _watch(job, self._stop, self._job_ended)

    def _job_ended(self, job: Any, status: JobStatus) -> None:
        job_id = job.job_id()
        with self._lock:
            if self._last.get(job_id) in JOB_FINAL_STATES:
                return
            self._last[job_id] = status
        run_time = _run_time(job, status)
        after = "" if run_time is None else f" after {run_time:.3f} s"
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
