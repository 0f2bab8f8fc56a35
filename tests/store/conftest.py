"""What the store tests share: records of known content, store files, owner tokens of the dead."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from qiskit.providers import JobStatus
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider.store import JobRecord, SQLiteJobStore
from tests.conftest import bell_circuit

__all__ = ["IST", "T0", "ids", "record", "token_for"]

# A fixed, non-UTC offset: timestamps must come back with the offset they were written with.
IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=IST)


@pytest.fixture(scope="session")
def bell_result() -> Result:
    return AerSimulator().run(bell_circuit(), shots=100, seed_simulator=3).result()


def record(
    *,
    minutes: int = 0,
    status: JobStatus = JobStatus.DONE,
    backend_name: str = "myprovider_simulator",
    name: str | None = None,
    tags: list[str] | None = None,
    owner: str | None = None,
    result: Result | None = None,
) -> JobRecord:
    """A record created ``minutes`` after :data:`T0`, of one Bell circuit."""
    created = T0 + timedelta(minutes=minutes)
    return JobRecord(
        job_id=str(uuid.uuid4()),
        backend_name=backend_name,
        status=status,
        creation_date=created,
        time_per_step={"CREATED": created, "QUEUED": created + timedelta(seconds=1)},
        name=name,
        tags=list(tags or []),
        circuits=[bell_circuit()],
        options={"shots": 100},
        header={"note": "hi"},
        result=result,
        owner=owner,
    )


def ids(records: Sequence[JobRecord]) -> list[str]:
    return [r.job_id for r in records]


def token_for(pid: int, start: str = "", host: str | None = None) -> str:
    """An owner token for ``pid`` (on this host unless told), as another process made it."""
    return f"{host or socket.gethostname()}:{pid}:{start}:0123456789ab"


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "jobs.sqlite3"


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SQLiteJobStore]:
    opened = SQLiteJobStore(db_path)
    yield opened
    opened.close()
