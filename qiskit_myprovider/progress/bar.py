""":class:`ProgressBar`: a live line per job, as a ``wait_for_final_state`` callback."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Column

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.progress.columns import (
    ElapsedColumn,
    FactsColumn,
    GlyphColumn,
    StateColumn,
)
from qiskit_myprovider.progress.display import (
    default_console,
    eta_text,
    make_progress,
    parts_text,
    state_text,
    stop_progress,
)
from qiskit_myprovider.progress.facts import (
    job_facts,
    job_progress,
    origin,
    queue_position,
    run_time,
    short_id,
)
from qiskit_myprovider.progress.watch import watch

if TYPE_CHECKING:
    from types import TracebackType

    from rich.progress import TaskID

    from qiskit_myprovider.job_progress import JobProgress

__all__ = ["ProgressBar"]


class ProgressBar:
    """A live progress line per job, as a ``wait_for_final_state`` callback.

    Pass an instance as the ``callback`` of :meth:`MyJob.wait_for_final_state
    <qiskit_myprovider.MyJob.wait_for_final_state>` (or of any Qiskit job's). Each job it is
    called for gets a line: a spinner, the job id (its first 8 characters), a bar, the parts
    done (``3/8 circuits``), its state (with the queue position while it is QUEUED), the time
    since the job was created, the time it expects to need still (``~4.2 s left``), and what
    it runs on (backend, qubits, shots)::

        ⠧ Job 6f1c2a9e ━━━━╺━━━━━ 3/8 circuits RUNNING · 5.2 s · ~4.2 s left myprovider_sim…

    The parts and the time left come from the job's ``progress()`` (a
    :class:`~qiskit_myprovider.job_progress.JobProgress`); for a job without one the bar
    pulses and those fields stay empty. What does not fit the width is cut from the end of
    the line. When the job ends, the line shows the final state (✓ DONE, ✗ ERROR, ⊘
    CANCELLED) and its run time; when all its jobs have ended the display draws its final
    frame and stops. ``wait`` sets how often the state is re-read::

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
        self.console: Final = console or default_console()
        self._show_after = float(show_after)
        self._transient = transient
        self._description = description
        self._lock = threading.RLock()
        self._stop_watching = threading.Event()
        self._progress: Progress | None = None
        self._jobs: dict[str, _Tracked] = {}

    def __call__(self, job_id: str, status: JobStatus, job: Any) -> None:
        """Show (or update) the line of ``job``; the ``wait_for_final_state`` callback protocol.

        Args:
            job_id: The job's id.
            status: Its current status. A final one (``wait_for_final_state`` of a
                :class:`~qiskit_myprovider.MyJob` reports it once as it returns) draws the
                job's last frame at once, in the caller's thread.
            job: The job itself.
        """
        if status in JOB_FINAL_STATES:
            self._job_ended(job, status)
            return
        with self._lock:
            tracked = self._jobs.get(job_id)
            if tracked is None:
                first_seen = time.monotonic()
                tracked = self._jobs[job_id] = _Tracked(job, first_seen, origin(job, first_seen))
                watch(job, self._stop_watching, self._job_ended)
            if tracked.final:
                return
            state = state_text(status, queue_position(job))
            reported = job_progress(job)
            if reported is not None:
                tracked.reported = reported
            if tracked.task is not None and self._progress is not None:
                self._progress.update(
                    tracked.task, status=status, state=state, **_parts(tracked.reported)
                )
                return
            if time.monotonic() - tracked.first_seen < self._show_after:
                return
            progress = self._progress or self._new_progress()
            tracked.task = progress.add_task(
                f"{escape(self._description)} {escape(short_id(job_id))}",
                origin=tracked.origin,
                elapsed=None,
                status=status,
                state=state,
                facts=job_facts(job).describe(),
                **_parts(tracked.reported),
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
        return make_progress(
            self.console,
            (
                GlyphColumn(),
                # A narrow terminal shortens the job id rather than wrapping the line.
                TextColumn("{task.description}", table_column=Column(no_wrap=True)),
                BarColumn(bar_width=10),
                StateColumn(table_column=Column(no_wrap=True)),
                TextColumn("·", style="dim"),
                ElapsedColumn(table_column=Column(no_wrap=True)),
                FactsColumn(),  # last, and the first to be cut: the line is for the state
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
        elapsed = run_time(tracked.job, status)
        if elapsed is None:
            elapsed = time.monotonic() - tracked.origin
        reported = job_progress(tracked.job) or tracked.reported
        fields = _parts(reported)
        if status is JobStatus.DONE or reported is None:
            fields.update(total=1 if reported is None else reported.total)
            fields.update(completed=fields["total"])
        self._progress.update(
            tracked.task,
            status=status,
            state=state_text(status, None),
            elapsed=elapsed,
            **{**fields, "eta": ""},
        )

    def _stop(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            stop_progress(progress, transient=self._transient)
        # Jobs seen again later start afresh (a new display for a new wait).
        self._jobs = {k: t for k, t in self._jobs.items() if not t.final and t.task is None}


def _parts(reported: JobProgress | None) -> dict[str, Any]:
    """The task fields of a job's reported progress: the bar's size, the parts, the ETA."""
    if reported is None:  # a pulsing bar
        return {"total": None, "completed": 0, "parts": "", "eta": ""}
    return {
        "total": reported.total,
        "completed": reported.done,
        "parts": parts_text(reported),
        "eta": eta_text(reported),
    }


class _Tracked:
    """What :class:`ProgressBar` knows about one job."""

    __slots__ = ("final", "first_seen", "job", "origin", "reported", "task")

    def __init__(self, job: Any, first_seen: float, origin: float) -> None:
        self.job = job
        #: When the bar was first called for the job (``time.monotonic()``).
        self.first_seen = first_seen
        #: When the job was created, on the same clock.
        self.origin = origin
        #: Its line in the display, once shown.
        self.task: TaskID | None = None
        self.final = False
        #: The last progress the job reported (None: it reports none).
        self.reported: JobProgress | None = None
