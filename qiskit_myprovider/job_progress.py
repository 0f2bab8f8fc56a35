"""What a job knows of its own progress: parts done of the total, and the time it expects.

A leaf: the executors report, the job keeps a :class:`JobProgress`, and displays (the CLI's
bar, :class:`~qiskit_myprovider.progress.ProgressBar`, :class:`JobsProgress`, callbacks) read
it through ``job.progress()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["UNITS", "JobProgress"]

#: What a job counts its progress in.
UNITS: Final = ("circuits", "PUBs", "parameter sets", "parts")


@dataclass(frozen=True)
class JobProgress:
    """A job's progress at one moment.

    Attributes:
        done: Parts finished (circuits, PUBs or parameter sets: see ``unit``).
        total: Parts in the job (at least 1).
        unit: What a part is, one of :data:`UNITS`.
        elapsed: Seconds the job has been RUNNING (0.0 while queued).
        expected: Seconds the whole run is expected to take, from the cost estimate
            calibrated on the parts done so far; None until there is enough to go on.
    """

    done: int
    total: int
    unit: str = "circuits"
    elapsed: float = 0.0
    expected: float | None = None

    @property
    def fraction(self) -> float:
        """``done / total``, between 0 and 1."""
        return min(1.0, max(0.0, self.done / self.total)) if self.total > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        """Seconds expected until the run ends (never negative), or None if unknown."""
        if self.expected is None:
            return None
        return max(0.0, self.expected - self.elapsed)

    def describe(self) -> str:
        """A short line such as ``"3/8 circuits, ~4.2 s left"``."""
        text = f"{self.done}/{self.total} {self.unit}"
        remaining = self.remaining
        if remaining is not None and self.done < self.total:
            text += f", ~{remaining:.1f} s left"
        return text
