"""Helpers every test module may use: paths, child processes, polling, named time bounds.

One place for what tests used to write again and again (deadline loops, the child
``PYTHONPATH``, the Bell circuit as OpenQASM text). Fixtures stay in ``conftest.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from qiskit_myprovider.exceptions import MyProviderError

#: The checkout's root (children import this checkout, not an installed copy).
ROOT: Final = Path(__file__).resolve().parent.parent

#: How long something that should happen "at once" may take on a loaded 2-core machine.
PROMPT: Final = 2.0
#: How long a real simulation or a child process may take before a test gives up on it.
PATIENCE: Final = 60.0
#: The step between two looks at a condition that is polled.
POLL_STEP: Final = 0.01

BELL_QASM2: Final = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
    "qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n"
)
BELL_QASM3: Final = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
    "qubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n"
)


def wait_until(
    condition: Callable[[], object],
    *,
    what: str = "the condition",
    timeout: float = PATIENCE,
    step: float = POLL_STEP,
) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def child_env(
    store: str | os.PathLike[str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for a child Python: this checkout first on its path, plain output.

    Args:
        store: The job store the child uses (``QISKIT_MYPROVIDER_STORE``); None keeps ours.
        extra: More variables to set.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    if store is not None:
        env["QISKIT_MYPROVIDER_STORE"] = os.fspath(store)
    env.update(extra or {})
    return env


def process_alive(pid: int) -> bool:
    """Return whether a process with this pid runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone, or vanishing as we read
        return False


def children_of(pid: int) -> list[int]:
    """The pids of the live processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # gone while we looked
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def in_the_tree(error: BaseException) -> bool:
    """Whether ``error`` is a bad-input error of the documented tree (also ValueError/TypeError)."""
    return isinstance(error, MyProviderError) and isinstance(error, ValueError | TypeError)


def attempt(action: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    """Call ``action``; return its value, or the exception it raised (for fuzz properties)."""
    try:
        return action(), None
    except Exception as error:
        return None, error
