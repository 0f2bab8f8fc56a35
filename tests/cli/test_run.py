"""``qiskit-myprovider run``: what it prints for a job that ends, fails or is interrupted."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from qiskit.result import Result

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli import run as run_command
from qiskit_myprovider.exceptions import SimulationError
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor
from tests.cli.conftest import BELL, GHZ, Run, table_rows
from tests.conftest import Gate

NOISY = "myprovider_noisy_simulator"
SUMMARY_KEYS = {"job_id", "backend", "shots", "status", "name", "tags", "counts", "time_taken"}


def use_provider(
    monkeypatch: pytest.MonkeyPatch, simulate: Callable[[SimulationTask], Result]
) -> None:
    """Make ``run``'s provider run its jobs with ``simulate`` (a slow, gated or failing one)."""
    monkeypatch.setattr(
        run_command,
        "open_provider",
        lambda store=None: MyProvider(store=":memory:", executor=ThreadExecutor(run=simulate)),
    )


# -- success -------------------------------------------------------------------------------


def test_run_prints_the_counts_of_an_openqasm2_file_as_a_table(run: Run) -> None:
    code, out, err = run("run", BELL, "--seed", 7)
    assert (code, err) == (0, "")
    rows = table_rows(out)
    assert {bits for bits, _ in rows} == {"00", "11"}
    assert sum(count for _, count in rows) == 1024
    assert "Outcome" in out
    assert "Probability" in out
    assert "█" in out
    assert "\x1b[" not in out  # piped output carries no escape codes


def test_run_reads_openqasm3_and_json_has_the_pinned_keys(run: Run) -> None:
    code, out, err = run("run", GHZ, "--json", "--shots", 300, "--seed", 1)
    assert (code, err) == (0, "")
    summary = json.loads(out)  # exactly one JSON object, nothing else on stdout
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "DONE"
    assert summary["backend"] == "myprovider_simulator"
    assert summary["shots"] == 300
    assert set(summary["counts"]) <= {"00000", "11111"}
    assert sum(summary["counts"].values()) == 300
    assert uuid.UUID(summary["job_id"])
    assert summary["time_taken"] > 0


def test_run_passes_name_tags_and_backend_to_the_job(run: Run) -> None:
    code, out, _ = run(
        "run", BELL, "--json", "--backend", "myprovider_statevector",
        "--name", "bell-test", "--tag", "a", "--tag", "b",
    )  # fmt: skip
    summary = json.loads(out)
    assert code == 0
    assert summary["backend"] == "myprovider_statevector"
    assert summary["name"] == "bell-test"
    assert summary["tags"] == ["a", "b"]


def test_the_same_seed_gives_the_same_counts(run: Run) -> None:
    first = json.loads(run("run", GHZ, "--json", "--seed", 11)[1])
    second = json.loads(run("run", GHZ, "--json", "--seed", 11)[1])
    assert first["counts"] == second["counts"]


def test_outcomes_are_sorted_by_count_then_bitstring(run: Run) -> None:
    code, out, _ = run("run", GHZ, "--backend", NOISY, "--seed", 3, "--top", 0)
    rows = table_rows(out)
    assert code == 0
    assert len(rows) > 2  # noise spreads the GHZ over more outcomes
    assert rows == sorted(rows, key=lambda row: (-row[1], row[0]))

    summary = json.loads(run("run", GHZ, "--backend", NOISY, "--seed", 3, "--json")[1])
    assert list(summary["counts"].items()) == rows


def test_top_limits_the_rows_and_says_how_many_are_hidden(run: Run) -> None:
    code, out, _ = run("run", GHZ, "--backend", NOISY, "--seed", 3, "--top", 1)
    rows = table_rows(out)
    assert code == 0
    assert len(rows) == 1
    assert re.search(r"\.\.\. \d+ more outcomes with \d+ shots", out)


# -- mistakes and failures -----------------------------------------------------------------
# Mistakes in the arguments are in test_parser.py, mistakes in the file in test_source.py.


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", BELL, "--backend", "nope"], r"'nope'.*myprovider_statevector"),
        (["run", BELL, "--shots", 10**10], "shots must be between 1 and"),
    ],
    ids=["unknown-backend", "too-many-shots"],
)
def test_a_mistake_the_provider_finds_is_one_error_line_and_exit_status_2(
    mistake: Callable[..., str], argv: list[object], expected: str
) -> None:
    assert re.search(expected, mistake(*argv))


def failing_simulation(task: SimulationTask) -> Result:
    raise SimulationError("Simulation failed: insufficient memory (test)")


def test_a_failed_job_exits_1_with_its_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_provider(monkeypatch, failing_simulation)
    code, out, err = run("run", BELL)
    assert (code, out) == (1, "")
    assert re.fullmatch(r"error: job [0-9a-f-]{36} failed: .*insufficient memory \(test\)\n", err)


def test_a_failed_job_with_json_still_prints_its_object(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_provider(monkeypatch, failing_simulation)
    code, out, err = run("run", BELL, "--json")
    summary = json.loads(out)
    assert code == 1
    assert summary["status"] == "ERROR"
    assert summary["counts"] is None
    assert "insufficient memory" in summary["error"]
    assert err.startswith("error: job ")


def test_ctrl_c_while_waiting_cancels_the_job_and_exits_130(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    use_provider(monkeypatch, gate.run)

    def interrupted(job: object, err: object, **kwargs: object) -> None:
        gate.wait_started()
        raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "wait_for_job", interrupted)
    try:
        code, out, err = run("run", BELL)
    finally:
        gate.open()
    assert (code, out) == (130, "")
    assert re.fullmatch(r"error: interrupted; job [0-9a-f-]{36} cancelled\n", err)


def test_several_files_run_as_one_job_with_a_table_per_circuit(run: Run, tmp_path: Path) -> None:
    flip = tmp_path / "flip.qasm"
    flip.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\n'
                    "x q[0];\nmeasure q -> c;\n")  # fmt: skip
    code, out, err = run("run", str(BELL), str(flip), "--shots", "50", "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert summary["counts"][1] == {"1": 50}
    assert set(summary["counts"][0]) <= {"00", "11"}
    code, out, _ = run("run", str(BELL), str(flip), "--shots", "50")
    assert ", circuit 0 (bell) on " in out
    assert ", circuit 1 (flip) on " in out
