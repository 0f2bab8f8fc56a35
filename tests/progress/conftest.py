"""What the progress tests share: gated jobs, a fake terminal, and named time spans.

Jobs run on a gated thread executor (see ``tests.conftest.Gate``), so each state lasts exactly
as long as a test needs; the displays draw to a rich ``Console`` on a ``StringIO``.
"""

from __future__ import annotations

import io
import re
import threading
from typing import Any, Final

import pytest
from rich.console import Console

from qiskit_myprovider import MyBackend, MyJob
from qiskit_myprovider.job_progress import JobProgress
from tests.conftest import Gate, bell_circuit

__all__ = [
    "ETA",
    "FACTS",
    "HOLD",
    "NOTICED",
    "PARTS",
    "POLL",
    "Reporting",
    "open_gate_after",
    "plain",
    "strip_ansi",
    "terminal",
]

#: How long a gated job is held in its state while a display follows it (several redraws).
HOLD: Final = 0.5
#: The ``wait=`` of ``wait_for_final_state`` in these tests: how often a callback is called.
POLL: Final = 0.05
#: How long a watcher thread may take to draw or log a job's end on a loaded machine.
NOTICED: Final = 10.0

#: What a line says of a one-Bell-circuit, 10-shot job on the default backend.
FACTS: Final = "myprovider_simulator · 2 qubits · 10 shots"
#: The parts done, where the job reports them (a pattern).
PARTS: Final = r"(?:\d+/\d+ circuits )?"
#: The time left, where the job reports it (a pattern).
ETA: Final = r"(?: · ~\S+ s left)?"

_ANSI: Final = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal() -> tuple[Console, io.StringIO]:
    """A console that behaves as a 120-column terminal, and the stream it writes to."""
    stream = io.StringIO()
    return Console(file=stream, force_terminal=True, width=120, color_system=None), stream


def plain(stream: io.StringIO) -> str:
    """What was drawn, without the cursor and erase codes."""
    return strip_ansi(stream.getvalue())


def strip_ansi(text: str) -> str:
    """``text`` without its cursor, erase and colour codes."""
    return _ANSI.sub("", text)


def open_gate_after(gate: Gate, seconds: float = HOLD) -> threading.Timer:
    """Release the gated jobs after ``seconds``, from a timer thread (join it)."""
    timer = threading.Timer(seconds, gate.open)
    timer.start()
    return timer


class Reporting:
    """A real job that reports the progress a test sets, for display tests.

    Everything but ``progress()`` is the real job's. Displays are handed this object (as the
    callback's ``job``); it is no stand-in for how a job computes its progress.

    Attributes:
        reported: What ``progress()`` returns; an exception is raised instead; None with
            ``has_progress=False`` makes ``progress`` missing altogether.
    """

    def __init__(
        self,
        job: MyJob,
        reported: JobProgress | Exception | None = None,
        *,
        has_progress: bool = True,
    ) -> None:
        self._job = job
        self.reported = reported
        self._has_progress = has_progress

    def __getattr__(self, name: str) -> Any:
        if name == "progress":
            if not self._has_progress:
                raise AttributeError(name)
            return self._progress
        return getattr(self._job, name)

    def _progress(self) -> JobProgress | None:
        if isinstance(self.reported, Exception):
            raise self.reported
        return self.reported


@pytest.fixture
def gated(gate: Gate, gated_backend: MyBackend) -> tuple[Gate, MyBackend]:
    return gate, gated_backend


@pytest.fixture
def many(gated: tuple[Gate, MyBackend]) -> tuple[Gate, list[MyJob]]:
    """Four jobs on a one-worker backend: the first held RUNNING, three QUEUED behind it."""
    gate, backend = gated
    jobs = [backend.run(bell_circuit(), shots=10) for _ in range(4)]
    gate.wait_started()
    return gate, jobs
