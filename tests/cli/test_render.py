"""One vocabulary for every ``--json`` output: the same fact always has the same name and form."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli.parser import JOB_STATUS_NAMES
from qiskit_myprovider.cli.render import JOB_FIELDS
from tests.cli.conftest import BELL, GHZ, Run, add_record

#: The names DESIGN §9 pins for a job's facts.
PINNED = ("job_id", "status", "backend", "name", "tags", "created", "shots", "counts", "error")
#: Other names for those facts, which no output may use.
SYNONYMS = {
    "id", "jobid", "jobId", "job", "uuid",
    "state", "job_status",
    "backend_name", "backendName",
    "job_name", "title",
    "job_tags", "tag", "labels",
    "creation_date", "created_at", "creation_time", "date", "submitted",
    "num_shots", "shot_count", "n_shots",
    "result_counts", "histogram", "counts_list", "results",
    "error_message", "message", "failure",
}  # fmt: skip


def check_fields(obj: dict[str, Any]) -> None:
    """A job's object: no synonym of a pinned name, and each pinned field in its one form."""
    assert not SYNONYMS & set(obj), sorted(SYNONYMS & set(obj))
    assert str(uuid.UUID(obj["job_id"])) == obj["job_id"]
    assert obj["status"] in JOB_STATUS_NAMES
    assert isinstance(obj["backend"], str)
    assert obj["name"] is None or isinstance(obj["name"], str)
    assert isinstance(obj["tags"], list)
    assert all(isinstance(tag, str) for tag in obj["tags"])
    assert datetime.fromisoformat(obj["created"]).tzinfo is not None
    assert obj["error"] is None or isinstance(obj["error"], str)
    if "shots" in obj:
        assert isinstance(obj["shots"], int)
    if "counts" in obj:
        counts = obj["counts"]
        for one in counts if isinstance(counts, list) else [counts]:
            assert one is None or all(isinstance(n, int) for n in one.values())


def outputs(run: Run, job_id: str) -> dict[str, dict[str, Any]]:
    """Every ``--json`` object that describes the job, by the command that printed it."""
    listed = json.loads(run("jobs", "list", "--json", "--limit", 0)[1])
    return {
        "jobs list": next(row for row in listed if row["job_id"] == job_id),
        "jobs show": json.loads(run("jobs", "show", job_id, "--json")[1]),
        "jobs result": json.loads(run("jobs", "result", job_id, "--json")[1]),
        "jobs wait": json.loads(run("jobs", "wait", job_id, "--json")[1]),
    }


def test_the_vocabulary_is_the_pinned_one() -> None:
    assert JOB_FIELDS == PINNED


def test_every_output_names_the_same_facts_alike_and_agrees_on_them(
    run: Run, stored: MyProvider
) -> None:
    code, out, _ = run("run", GHZ, "--json", "--shots", 64, "--name", "g", "--tag", "x")
    assert code == 0
    ran = json.loads(out)
    objects = {"run": ran, **outputs(run, ran["job_id"])}
    for command, obj in objects.items():
        check_fields(obj)
        missing = {"job_id", "status", "backend", "name", "tags", "created", "error"} - set(obj)
        assert not missing, (command, missing)
        for field in PINNED:  # the same job: the same value wherever a field appears
            if field in obj:
                assert obj[field] == ran[field], (command, field)
    assert {command for command, obj in objects.items() if "counts" in obj} == {
        "run", "jobs show", "jobs result",
    }  # fmt: skip


def test_a_job_of_several_circuits_has_a_list_of_counts_everywhere(
    run: Run, stored: MyProvider
) -> None:
    from tests.conftest import bell_circuit, ghz_circuit

    job = stored.get_backend().run([bell_circuit(), ghz_circuit(3)], shots=20)
    job.result(timeout=60)
    objects = outputs(run, job.job_id())
    assert objects["jobs show"]["counts"] == objects["jobs result"]["counts"]
    assert isinstance(objects["jobs show"]["counts"], list)


def test_a_failed_job_names_its_error_alike(run: Run, stored: MyProvider) -> None:
    from qiskit.providers import JobStatus

    job_id = add_record(stored, status=JobStatus.CANCELLED)
    for obj in outputs(run, job_id).values():
        check_fields(obj)
        assert obj["status"] == "CANCELLED"


def test_the_other_outputs_use_no_synonym_either(run: Run, stored: MyProvider) -> None:
    backends = json.loads(run("backends", "--json")[1])
    # A backend's own name is its "name", as a job's is; a job names its backend "backend".
    assert all(not SYNONYMS & set(row) and isinstance(row["name"], str) for row in backends)
    job_id = add_record(stored)
    deleted = json.loads(run("jobs", "delete", job_id, "--json")[1])
    assert deleted == {"deleted": 1, "job_ids": [job_id]}
    assert json.loads(run("jobs", "prune", "--older-than", "1d", "--json")[1]) == {"deleted": 0}
    started = json.loads(run("--store", ":memory:", "run", BELL, "--json")[1])
    check_fields(started)
