"""``jobs show``: a finished job's duration per step and result summary; lines that fit."""

from __future__ import annotations

import json
import re

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyJob, MyProvider
from qiskit_myprovider.cli.show import TOP_OUTCOMES
from tests.cli.conftest import Run, add_record
from tests.conftest import bell_circuit, ghz_circuit

#: The widths ``jobs show`` must fit.
WIDTHS = (80, 100)
SECONDS = r"\d+\.\d{3} s"


@pytest.fixture
def done_job(stored: MyProvider) -> MyJob:
    """A DONE job of two circuits, 50 shots each."""
    job = stored.get_backend().run(
        [bell_circuit(), ghz_circuit(3)], shots=50, seed_simulator=2, job_tags=["t"]
    )
    job.result(timeout=60)
    return job


def test_a_done_job_shows_its_duration_per_step_and_its_top_outcomes(
    run: Run, done_job: MyJob
) -> None:
    code, out, err = run("jobs", "show", done_job.job_id()[:8])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    duration = next(line for line in lines if line.startswith("Duration:"))
    assert re.fullmatch(
        rf"Duration: +{SECONDS} \({SECONDS} to queue, {SECONDS} queued, {SECONDS} running\)",
        duration,
    )
    start = next(i for i, line in enumerate(lines) if line.startswith("Result:"))
    assert re.fullmatch(rf"Result: +2 circuits in {SECONDS}", lines[start])
    counts = done_job.result().get_counts()
    for line, name, circuit_counts in zip(
        lines[start + 1 : start + 3], ["bell", "ghz3"], counts, strict=True
    ):
        top = sorted(circuit_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_OUTCOMES]
        shown = ", ".join(f"{bits} {count / 50:.1%}" for bits, count in top)
        assert line.strip() == f"{name}: {shown} of 50 shots"


def test_show_json_has_the_durations_counts_and_time_taken(run: Run, done_job: MyJob) -> None:
    details = json.loads(run("jobs", "show", done_job.job_id(), "--json")[1])
    assert list(details["durations"]) == ["CREATED", "QUEUED", "RUNNING"]
    assert all(seconds >= 0 for seconds in details["durations"].values())
    assert details["duration"] == pytest.approx(sum(details["durations"].values()), abs=1e-5)
    assert details["counts"] == done_job.result().get_counts()
    assert details["time_taken"] == done_job.result().time_taken


def test_a_cancelled_job_has_a_duration_and_no_result(run: Run, stored: MyProvider) -> None:
    job_id = add_record(stored, status=JobStatus.CANCELLED)
    code, out, _ = run("jobs", "show", job_id)
    assert code == 0
    assert re.search(rf"^Duration: +{SECONDS} \({SECONDS} to queue\)$", out, re.M)
    assert "Result:" not in out
    assert "counts" not in json.loads(run("jobs", "show", job_id, "--json")[1])


def test_an_unfinished_job_has_neither(run: Run, stored: MyProvider) -> None:
    job_id = add_record(stored, status=JobStatus.RUNNING)
    out = run("jobs", "show", job_id)[1]
    assert "Duration:" not in out
    assert "Result:" not in out
    details = json.loads(run("jobs", "show", job_id, "--json")[1])
    assert "duration" not in details
    assert "counts" not in details


@pytest.mark.parametrize("width", WIDTHS)
def test_show_fits_the_terminal_and_breaks_options_only_between_them(
    run: Run, done_job: MyJob, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, _ = run("jobs", "show", done_job.job_id())
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    start = next(i for i, line in enumerate(lines) if line.startswith("Options:"))
    end = next(i for i, line in enumerate(lines) if i > start and not line.startswith(" "))
    shown = " ".join(line.removeprefix("Options:").strip() for line in lines[start:end])
    options = done_job.backend_options()
    tokens = shown.split(", ")
    assert [token.split("=", 1)[0] for token in tokens] == sorted(options)
    for token in tokens:  # each option whole, on one line
        assert any(token in line for line in lines[start:end]), token
    assert end - start > 1  # the options did need more than one line


def test_a_sampler_job_shows_its_kind_and_its_pub_results(run: Run, stored: MyProvider) -> None:
    from qiskit_myprovider.primitives import SamplerV2

    job = SamplerV2(mode=stored.get_backend(), options={"seed": 2}).run([bell_circuit()], shots=10)
    job.result()
    code, out, err = run("jobs", "show", job.job_id()[:8])
    assert (code, err) == (0, "")
    assert re.search(r"^Kind: +sampler$", out, re.M)
    assert re.search(r"^Result: +1 PUB result$", out, re.M)
    pub_line = r"^ +PUB 0: shape \(\), 10 shots, meas 2 bits; most common meas=(00|11)"
    assert re.search(pub_line, out, re.M)
    code, out, _ = run("jobs", "show", job.job_id(), "--json")
    shown = json.loads(out)
    assert shown["primitive_id"] == "sampler"
    assert len(shown["pub_results"]) == 1
    assert shown["pub_results"][0].startswith("PUB 0: shape (), 10 shots")
    assert "counts" not in shown
    # ... and the listing, read without Qiskit, names its kind.
    code, out, _ = run("jobs", "list", "--json")
    assert [row["primitive_id"] for row in json.loads(out)] == ["sampler"]
    assert "Kind" in run("jobs", "list")[1].splitlines()[0]


def test_an_unfinished_job_shows_the_progress_it_reports(
    run: Run, stored: MyProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiskit_myprovider.job_progress import JobProgress

    job_id = add_record(stored, status=JobStatus.RUNNING)
    reported = JobProgress(3, 8, elapsed=2.0, expected=6.0)
    monkeypatch.setattr(MyJob, "progress", lambda self: reported, raising=False)
    code, out, _ = run("jobs", "show", job_id)
    assert code == 0
    assert re.search(r"^Progress: +3/8 circuits, ~4\.0 s left$", out, re.M)
    shown = json.loads(run("jobs", "show", job_id, "--json")[1])
    assert shown["progress"] == {
        "done": 3, "total": 8, "unit": "circuits", "elapsed": 2.0, "expected": 6.0,
    }  # fmt: skip
    monkeypatch.delattr(MyJob, "progress")  # a job that reports none shows no line
    assert "Progress" not in run("jobs", "show", job_id)[1]
