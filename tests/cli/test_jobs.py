"""``qiskit-myprovider jobs list|show|result|wait|cancel`` on a job store file, in-process.

``run --no-wait`` jobs, owned by a runner, are in test_runner.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus

from qiskit_myprovider import MyJob, MyProvider
from qiskit_myprovider.cli import EXIT_TIMEOUT
from qiskit_myprovider.cli.ids import MIN_PREFIX
from qiskit_myprovider.clock import now
from qiskit_myprovider.store import JobRecord, make_owner_token
from tests.cli.conftest import Run
from tests.conftest import bell_circuit, ghz_circuit


@pytest.fixture
def provider(store_path: Path) -> Iterator[MyProvider]:
    with MyProvider(store=store_path, executor="thread") as prov:
        yield prov


@pytest.fixture
def run(run: Run, store_path: Path) -> Run:
    """``main()`` on this test's job store file."""
    return run


@pytest.fixture
def three_jobs(provider: MyProvider) -> list[MyJob]:
    backend = provider.get_backend()
    jobs = [
        backend.run(bell_circuit(), shots=100, seed_simulator=1, job_name="first", job_tags=["a"]),
        backend.run(
            [bell_circuit(), ghz_circuit(3)], shots=50, seed_simulator=2, job_tags=["a", "b"]
        ),
        provider.get_backend("myprovider_statevector").run(
            bell_circuit(), shots=10, job_tags=["b"]
        ),
    ]
    for job in jobs:
        job.result(timeout=60)
    return jobs


def listed_ids(out: str) -> list[str]:
    """The ids at the start of a listing's rows: their first MIN_PREFIX characters."""
    return re.findall(rf"^([0-9a-f]{{{MIN_PREFIX}}})\s", out, re.M)


def short(job: MyJob) -> str:
    """The job's id as ``jobs list`` shows it (a few random ids differ in 8 characters)."""
    return job.job_id()[:MIN_PREFIX]


def stuck_job(provider: MyProvider, status: JobStatus = JobStatus.RUNNING) -> str:
    """A record RUNNING in a process that is alive (this one) but not this provider's job."""
    created = now()
    job_id = str(uuid.uuid4())
    provider.store.add(
        JobRecord(
            job_id=job_id,
            backend_name="myprovider_simulator",
            status=status,
            creation_date=created,
            time_per_step={"CREATED": created, "QUEUED": created, "RUNNING": created},
            circuits=[bell_circuit()],
            options={"shots": 10},
            owner=make_owner_token(),
        )
    )
    return job_id


def lost_job(provider: MyProvider) -> str:
    """A record RUNNING in a process that has exited."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    created = now()
    job_id = str(uuid.uuid4())
    provider.store.add(
        JobRecord(
            job_id=job_id,
            backend_name="myprovider_simulator",
            status=JobStatus.RUNNING,
            creation_date=created,
            time_per_step={"CREATED": created},
            owner=f"{socket.gethostname()}:{dead.pid}::0123456789ab",
        )
    )
    return job_id


# -- list ------------------------------------------------------------------------------------


def test_list_shows_newest_first_with_status_backend_name_and_tags(
    run: Run, three_jobs: list[MyJob]
) -> None:
    code, out, err = run("jobs", "list")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == [
        "Job",
        "id",
        "Status",
        "Backend",
        "Name",
        "Tags",
        "Created",
    ]
    assert listed_ids(out) == [short(j) for j in reversed(three_jobs)]
    first_line = next(line for line in out.splitlines() if line.startswith(short(three_jobs[0])))
    assert "DONE" in first_line
    assert "myprovider_simulator" in first_line
    assert "first" in first_line


@pytest.mark.parametrize("columns", [100, 120])
def test_list_on_a_narrow_terminal_keeps_every_column(
    run: Run, three_jobs: list[MyJob], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run("jobs", "list")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= columns
    assert out.splitlines()[0].split()[-3:] == ["Name", "Tags", "Created"]
    assert len(listed_ids(out)) == 3
    assert "first" in out  # a name, even where the column is narrow
    assert re.search(r"\ba, b\b|\ba,\s", out)  # tags


def test_list_filters_and_limits(run: Run, three_jobs: list[MyJob]) -> None:
    first, second, third = (short(j) for j in three_jobs)
    assert listed_ids(run("jobs", "list", "--tag", "a")[1]) == [second, first]
    assert listed_ids(run("jobs", "list", "--tag", "a", "--tag", "b")[1]) == [second]
    assert listed_ids(run("jobs", "list", "--limit", 1)[1]) == [third]
    assert listed_ids(run("jobs", "list", "--limit", 1, "--skip", 1)[1]) == [second]
    assert listed_ids(run("jobs", "list", "--limit", 0)[1]) == [third, second, first]
    assert listed_ids(run("jobs", "list", "--status", "done")[1]) == [third, second, first]
    assert listed_ids(run("jobs", "list", "--backend", "myprovider_statevector")[1]) == [third]
    assert listed_ids(run("jobs", "list", "--name", "first")[1]) == [first]
    code, out, _ = run("jobs", "list", "--status", "ERROR")
    assert code == 0
    assert out.startswith("No matching jobs in the job store ")


def test_list_json_is_one_object_per_job(run: Run, three_jobs: list[MyJob]) -> None:
    code, out, _ = run("jobs", "list", "--json", "--tag", "b")
    rows = json.loads(out)
    assert code == 0
    assert [row["job_id"] for row in rows] == [three_jobs[2].job_id(), three_jobs[1].job_id()]
    assert set(rows[0]) == {
        *("job_id", "status", "backend", "name", "tags", "created", "error", "primitive_id")
    }
    assert rows[0]["primitive_id"] is None
    assert rows[1]["tags"] == ["a", "b"]


def test_a_store_the_listing_cannot_read_is_listed_through_the_provider(
    run: Run, three_jobs: list[MyJob], store_path: Path
) -> None:
    damaged = three_jobs[0].job_id()
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE jobs SET tags = 'not json' WHERE job_id = ?", (damaged,))
    conn.close()
    code, out, _ = run("jobs", "list", "--json")
    rows = {row["job_id"]: row for row in json.loads(out)}
    assert code == 0
    assert set(rows) == {job.job_id() for job in three_jobs}
    assert rows[damaged]["status"] == "ERROR"
    assert rows[damaged]["error"].startswith("damaged record")
    assert rows[damaged]["primitive_id"] is None


def test_list_of_an_empty_store_says_so(run: Run, store_path: Path) -> None:
    code, out, err = run("jobs", "list")
    assert (code, err) == (0, "")
    assert out.strip() == f"No jobs in the job store {store_path}"
    assert json.loads(run("jobs", "list", "--json")[1]) == []


# -- show ------------------------------------------------------------------------------------


def test_show_prints_every_stored_detail(run: Run, three_jobs: list[MyJob]) -> None:
    job = three_jobs[1]
    code, out, err = run("jobs", "show", job.job_id())
    assert (code, err) == (0, "")
    fields = dict(line.split(":", 1) for line in out.splitlines())
    assert fields["Job id"].strip() == job.job_id()
    assert fields["Status"].strip() == "DONE"
    assert fields["Tags"].strip() == "a, b"
    assert {"Created", "Queued", "Running", "Done"} <= set(fields)
    assert fields["Circuits"].strip() == "bell (2 qubits, 2 clbits); ghz3 (3 qubits, 3 clbits)"
    assert "shots=50" in fields["Options"]


def test_show_json_has_steps_circuits_and_options(run: Run, three_jobs: list[MyJob]) -> None:
    job = three_jobs[0]
    code, out, _ = run("jobs", "show", job.job_id(), "--json")
    details = json.loads(out)
    assert code == 0
    assert details["job_id"] == job.job_id()
    assert list(details["steps"]) == ["CREATED", "QUEUED", "RUNNING", "DONE"]
    assert details["circuits"] == [{"name": "bell", "num_qubits": 2, "num_clbits": 2}]
    assert details["shots"] == 100
    assert details["options"]["seed_simulator"] == 1


@pytest.mark.parametrize(
    ("job_id", "code", "message"),
    [
        ("not-an-id", 2, "is not a job id"),
        ("11111111-2222-3333-4444-555555555555", 2, "No job with id"),
    ],
)
def test_show_unknown_or_malformed_ids_are_one_line_errors(
    run: Run, store_path: Path, job_id: str, code: int, message: str
) -> None:
    status, out, err = run("jobs", "show", job_id)
    assert (status, out) == (code, "")
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1


# -- result ----------------------------------------------------------------------------------


def test_result_prints_the_counts_table(run: Run, three_jobs: list[MyJob]) -> None:
    job = three_jobs[0]
    code, out, err = run("jobs", "result", job.job_id())
    assert (code, err) == (0, "")
    counts = job.result().get_counts()
    rows = dict(re.findall(r"^([01]+)\s+(\d+)\s+0\.\d{4}", out, re.M))
    assert {bits: int(n) for bits, n in rows.items()} == counts
    assert out.startswith(f"Job {job.job_id()} on myprovider_simulator: 100 shots, DONE")


def test_result_json_of_one_and_of_several_circuits(run: Run, three_jobs: list[MyJob]) -> None:
    one = json.loads(run("jobs", "result", three_jobs[0].job_id(), "--json")[1])
    assert one["counts"] == three_jobs[0].result().get_counts()
    assert one["shots"] == 100
    code, out, _ = run("jobs", "result", three_jobs[1].job_id(), "--json")
    several = json.loads(out)
    assert code == 0
    assert several["counts"] == three_jobs[1].result().get_counts()
    assert isinstance(several["counts"], list)
    code, out, _ = run("jobs", "result", three_jobs[1].job_id())
    assert code == 0
    assert "circuit 0 (bell)" in out
    assert "circuit 1 (ghz3)" in out


def test_result_of_a_lost_job_exits_1_saying_lost(run: Run, provider: MyProvider) -> None:
    job_id = lost_job(provider)
    code, out, err = run("jobs", "result", job_id)
    assert (code, out) == (1, "")
    assert f"job {job_id} failed" in err
    assert "lost" in err
    code, out, _ = run("jobs", "result", job_id, "--json")
    summary = json.loads(out)
    assert code == 1
    assert summary["status"] == "ERROR"
    assert "lost" in summary["error"]
    assert summary["counts"] is None


def test_result_with_a_timeout_on_an_unfinished_job(run: Run, provider: MyProvider) -> None:
    job_id = stuck_job(provider)
    code, out, err = run("jobs", "result", job_id, "--timeout", "0.2")
    assert (code, out) == (EXIT_TIMEOUT, "")
    assert f"job {job_id} is still RUNNING after 0.2 s" in err


# -- wait ------------------------------------------------------------------------------------


def test_wait_returns_the_final_status(run: Run, three_jobs: list[MyJob]) -> None:
    code, out, err = run("jobs", "wait", three_jobs[0].job_id())
    assert (code, err) == (0, "")
    assert out == f"Job {three_jobs[0].job_id()} DONE\n"
    code, out, _ = run("jobs", "wait", three_jobs[0].job_id(), "--json")
    assert json.loads(out)["status"] == "DONE"


def test_wait_times_out_with_its_own_exit_status(run: Run, provider: MyProvider) -> None:
    job_id = stuck_job(provider)
    code, out, err = run("jobs", "wait", job_id, "--timeout", "0.1")
    assert (code, out) == (EXIT_TIMEOUT, "")
    assert "still RUNNING after 0.1 s" in err
    code, _, err = run("jobs", "wait", job_id, "--timeout", "soon")
    assert code == 2
    assert "must be a number of seconds" in err


def test_wait_sees_a_job_finish_in_another_provider(run: Run, provider: MyProvider) -> None:
    circuit = QuantumCircuit(20)
    circuit.h(range(20))
    circuit.measure_all()
    job = provider.get_backend("myprovider_statevector").run(circuit, shots=10)
    code, out, _ = run("jobs", "wait", job.job_id(), "--timeout", "120")
    assert code == 0
    assert out == f"Job {job.job_id()} DONE\n"


# -- cancel ----------------------------------------------------------------------------------


def test_cancel_of_a_finished_job_exits_1(run: Run, three_jobs: list[MyJob]) -> None:
    code, out, err = run("jobs", "cancel", three_jobs[0].job_id())
    assert (code, out) == (1, "")
    assert "had already ended (DONE); nothing to cancel" in err


def test_cancel_of_a_lost_job_says_it_was_lost(run: Run, provider: MyProvider) -> None:
    job_id = lost_job(provider)
    code, _, err = run("jobs", "cancel", job_id)
    assert code == 1
    assert "(ERROR: " in err
    assert "lost" in err


def test_cancel_of_a_job_whose_owner_never_acts_names_the_owner(
    run: Run, provider: MyProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner is alive (this process) but runs no such job, so the request goes unheard."""
    import qiskit_myprovider.job as job_module

    monkeypatch.setattr(job_module, "CANCEL_PATIENCE", 0.3)
    job_id = stuck_job(provider)
    code, out, err = run("jobs", "cancel", job_id)
    assert (code, out) == (1, "")
    assert f"pid {os.getpid()} on host" in err
    assert "asked to cancel it" in err
    assert provider.store.get(job_id).status is JobStatus.RUNNING  # untouched


def test_result_of_a_primitive_job_is_one_line_per_pub(stored: MyProvider, run: Run) -> None:
    from qiskit_myprovider.primitives import EstimatorV2

    unmeasured = bell_circuit().remove_final_measurements(inplace=False)
    pubs = [(unmeasured, ["ZZ", "XX"]), (unmeasured, "ZI")]
    job = EstimatorV2(mode=stored.get_backend()).run(pubs)
    job.result()
    code, out, err = run("jobs", "result", job.job_id()[:8])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"Job {job.job_id()} (estimator): 2 PUB results")
    assert lines[1:] == ["PUB 0: evs (2,), precision 0; [1, 1]", "PUB 1: evs (), precision 0; [0]"]
    code, out, _ = run("jobs", "result", job.job_id(), "--json")
    shown = json.loads(out)
    assert (shown["primitive_id"], shown["status"]) == ("estimator", "DONE")
    assert shown["pub_results"] == lines[1:]
