"""What every command-line test uses: plain output, ``main()`` in-process, children, files."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyProvider, cli
from qiskit_myprovider.clock import now
from qiskit_myprovider.store import JobRecord, make_owner_token
from tests.conftest import bell_circuit
from tests.support import PATIENCE, ROOT, child_env

#: The example files a user runs first (OpenQASM 2 and 3).
BELL: Path = ROOT / "examples" / "bell.qasm"
GHZ: Path = ROOT / "examples" / "ghz.qasm"
#: OpenQASM 2 with a mistake on line 3 (an undefined gate).
BAD_QASM2 = "OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n"
#: What rich reads to decide on colours and width; unset, output is as when piped.
TERMINAL_VARIABLES = ("FORCE_COLOR", "COLUMNS", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
#: Seconds a child command may take (it may run a real simulation of a second or more).
CHILD_TIMEOUT = 3 * PATIENCE

Run = Callable[..., tuple[int, str, str]]
Child = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as it is when piped: no colours, no terminal width."""
    for name in TERMINAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``cli.main`` with string arguments; return (exit status, stdout, stderr)."""

    def call(*argv: object) -> tuple[int, str, str]:
        code = cli.main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def mistake(run: Run) -> Callable[..., str]:
    """Run a command that is a user mistake; check it is one error line and exit status 2.

    Returns:
        A function of the arguments that returns the error line.
    """

    def call(*argv: object) -> str:
        code, out, err = run(*argv)
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith("error: ")
        assert "Traceback" not in err
        return err

    return call


def write(tmp_path: Path, text: str, name: str = "circuit.qasm") -> Path:
    """Write ``text`` to ``tmp_path / name``; return the path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def python_m(
    *argv: object, store: str | Path = ":memory:", stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m qiskit_myprovider ARGV`` in a child, from the checkout's root."""
    env = child_env(store)
    for name in TERMINAL_VARIABLES:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "qiskit_myprovider", *map(str, argv)],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=env,
        cwd=ROOT,
        check=False,
    )


def table_rows(out: str) -> list[tuple[str, int]]:
    """The (outcome, count) rows of a counts table."""
    return [(m[1], int(m[2])) for m in re.finditer(r"^([01 ]+?)\s{2,}(\d+)\s+0\.\d{4}", out, re.M)]


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job store file, named by ``$QISKIT_MYPROVIDER_STORE`` for ``main()`` and children."""
    path = tmp_path / "jobs.sqlite3"
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(path))
    return path


@pytest.fixture
def stored(store_path: Path) -> Iterator[MyProvider]:
    """A provider on :func:`store_path`, to make the jobs that the commands then read."""
    with MyProvider(store=store_path, executor="thread") as provider:
        yield provider


def add_record(
    provider: MyProvider,
    job_id: str | None = None,
    *,
    status: JobStatus = JobStatus.CANCELLED,
    created: datetime | None = None,
    owner: str | None = None,
) -> str:
    """Record a job of one Bell circuit directly in the store; return its id.

    A CANCELLED job (the default) is finished without a result; a RUNNING one with this
    process as ``owner`` (see :func:`make_owner_token`) stays RUNNING however long it is read.
    """
    when = created or now()
    job_id = job_id or str(uuid.uuid4())
    steps = {"CREATED": when}
    if status in (JobStatus.RUNNING, JobStatus.CANCELLED):
        steps[status.name] = when
    provider.store.add(
        JobRecord(
            job_id=job_id,
            backend_name="myprovider_simulator",
            status=status,
            creation_date=when,
            time_per_step=steps,
            circuits=[bell_circuit()],
            options={"shots": 10},
            owner=owner if owner is not None else make_owner_token(),
        )
    )
    return job_id
