"""Every file in ``examples/`` runs, as a user would run it, and prints what it promises.

Python examples run as scripts in a fresh interpreter (warnings are errors there too), the
OpenQASM ones through the command line, each on a job store file of its own. An example that
needs a package the main environment lacks (Qrisp, Divi) is run by its interop suite
instead: :data:`INTEROP` names the test file, and a test here checks that it does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

#: Examples run here, by this module's tests.
MAIN = {"async_jobs.py", "parameter_sweep.py", "dask_local_cluster.py"}
#: Examples that need a third-party package, and the interop test file that runs each.
INTEROP = {
    "qrisp_arithmetic.py": "tests/interop/qrisp/test_examples.py",
    "divi_qaoa.py": "tests/interop/divi/test_divi_interop.py",
}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "jobs.sqlite3"


def run(store: Path, *argv: object, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": str(store)}
    for name in ("FORCE_COLOR", "COLUMNS", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_every_example_is_run_by_a_test() -> None:
    python = {path.name for path in EXAMPLES.glob("*.py")}
    assert python == MAIN | set(INTEROP), "add the new example to MAIN or INTEROP (and test it)"
    for example, test_file in INTEROP.items():
        assert example in (ROOT / test_file).read_text(encoding="utf-8")
    others = {path.name for path in EXAMPLES.iterdir()} - python - {"__pycache__"}
    assert all(name.endswith(".qasm") for name in others), others


def test_parameter_sweep_submits_40_jobs_and_prints_the_magnetisation(store: Path) -> None:
    done = run(store, "-W", "error", EXAMPLES / "parameter_sweep.py")
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"40 jobs of 14 qubits on myprovider_simulator in \d+\.\d s", lines[0])
    assert lines[1].split() == ["h", "<Z>", "P(all", "0)"]
    rows = [[float(value) for value in line.split()] for line in lines[2:]]
    assert len(rows) == 10
    assert rows[0] == [0.0, 1.0, 1.0]  # no field: nothing flips
    assert all(-1 <= z <= 1 and 0 <= p <= 1 for _, z, p in rows)
    assert rows[5][1] < 0.5  # a strong field melts the magnetisation
    # The progress bar went to stderr; off a terminal, only its final line is printed.
    assert re.fullmatch(r"Sweep ━+ 40/40 all done · \d+\.\d s\n", done.stderr)
    with MyProvider(store=store) as provider:
        jobs = provider.jobs(job_tags=["parameter-sweep"], limit=None)
        assert len(jobs) == 40
        assert {job.status().name for job in jobs} == {"DONE"}


def test_dask_local_cluster_runs_every_job_on_the_cluster(store: Path) -> None:
    done = run(store, "-W", "error", EXAMPLES / "dask_local_cluster.py")
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"Dask cluster with 2 workers at tcp://127\.0\.0\.1:\d+", lines[0])
    assert len(lines) == 7
    for qubits, line in zip(range(3, 9), lines[1:], strict=True):
        zeros, ones = "0" * qubits, "1" * qubits
        match = re.fullmatch(rf"ghz{qubits} +DONE  {zeros}: (\d+), {ones}: (\d+)", line)
        assert match, line
        assert int(match[1]) + int(match[2]) == 1000
    assert "6/6 all done" in done.stderr


@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.qasm")))
def test_qasm_examples_run_through_the_command_line(store: Path, example: str) -> None:
    """Both are GHZ states: every outcome is all zeros or all ones."""
    table = run(store, "-m", "qiskit_myprovider", "run", f"examples/{example}", "--seed", 1)
    assert "Outcome" in table.stdout
    summary = json.loads(
        run(store, "-m", "qiskit_myprovider", "run", f"examples/{example}", "--json").stdout
    )
    assert summary["status"] == "DONE"
    width = len(next(iter(summary["counts"])))
    assert set(summary["counts"]) == {"0" * width, "1" * width}
    assert sum(summary["counts"].values()) == summary["shots"] == 1024


#: The largest pause of the event loop that the async example may show (its heartbeat ticks
#: every 10 ms; the issue's bound for a loop that is not blocked).
LOOP_GAP_MS = 200


@pytest.mark.slow
def test_async_jobs_example_awaits_three_jobs_without_blocking_the_loop(store: Path) -> None:
    done = run(store, EXAMPLES / "async_jobs.py", "--qubits", 18)
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"awaited 3 jobs in \d+\.\d s: shots \[100, 100, 100\]", lines[0])
    gap = re.fullmatch(r"largest gap between heartbeat ticks: (\d+) ms", lines[1])
    assert gap is not None
    assert int(gap.group(1)) < LOOP_GAP_MS
    finished = [
        re.fullmatch(r"finished: job [0-9a-f]{8} with (\d+) shots", line) for line in lines[2:]
    ]
    assert all(finished)
    assert sorted(int(m.group(1)) for m in finished if m) == [10, 20, 30]
