"""store/listing: the Qiskit-free, read-only listing agrees with the store, and never writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.store import JobQuery, SQLiteJobStore, listing, schema
from qiskit_myprovider.store.listing import ListingUnavailable, find_ids, list_jobs, store_file
from tests.support import ROOT, child_env

from .conftest import record, token_for


@pytest.fixture
def filled(sqlite_store: SQLiteJobStore) -> SQLiteJobStore:
    """A store of 12 jobs: two backends, tags, names, statuses."""
    for minute in range(12):
        sqlite_store.add(
            record(
                minutes=minute,
                status=JobStatus.DONE if minute % 3 else JobStatus.ERROR,
                backend_name="a" if minute % 2 else "b",
                name="even" if minute % 2 == 0 else None,
                tags=["all", *(["rare"] if minute % 5 == 0 else []), f"m{minute}"],
            )
        )
    sqlite_store.flush()
    return sqlite_store


def test_the_constants_are_qiskits_and_the_schemas() -> None:
    assert list(listing.STATUS_NAMES) == [status.name for status in JobStatus]
    assert {status.name for status in JOB_FINAL_STATES} == listing.FINAL_STATUS_NAMES
    assert schema.APPLICATION_ID == listing.APPLICATION_ID


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"limit": 3},
        {"limit": None, "skip": 4},
        {"backend_name": "a"},
        {"status": "ERROR"},
        {"name": "even", "limit": None},
        {"job_tags": ("all", "rare"), "limit": None},
        {"job_tags": ("rare",), "backend_name": "b"},
        {"job_tags": ("m3",), "status": "DONE"},
    ],
    ids=repr,
)
def test_a_listing_is_the_stores_own_for_the_same_filters(
    filled: SQLiteJobStore, db_path: Path, filters: dict[str, object]
) -> None:
    query = dict(filters)
    if "status" in query:
        query["status"] = JobStatus[str(query["status"])]
    expected = filled.list(JobQuery(**query))  # type: ignore[arg-type]
    listed = list_jobs(db_path, **filters)  # type: ignore[arg-type]
    assert [job.job_id for job in listed] == [r.job_id for r in expected]
    for job, rec in zip(listed, expected, strict=True):
        assert (job.status, job.backend_name, job.name, list(job.tags)) == (
            rec.status.name,
            rec.backend_name,
            rec.name,
            rec.tags,
        )
        assert job.creation_date == rec.creation_date
        assert job.creation_date.utcoffset() == rec.creation_date.utcoffset()
        assert job.primitive_id is None


def test_a_job_lost_with_its_process_reads_as_error_and_the_file_is_not_written(
    sqlite_store: SQLiteJobStore, db_path: Path, dead_pid: int
) -> None:
    lost = record(status=JobStatus.RUNNING, owner=token_for(dead_pid))
    sqlite_store.add(lost)
    sqlite_store.close()
    before = db_path.read_bytes()
    (job,) = list_jobs(db_path)
    assert job.status == "ERROR"
    assert job.error_message is not None
    assert "lost" in job.error_message
    assert db_path.read_bytes() == before
    # ... and the store, reading it, records the same.
    reopened = SQLiteJobStore(db_path)
    try:
        assert reopened.get(lost.job_id).status is JobStatus.ERROR
    finally:
        reopened.close()


def test_a_missing_file_lists_nothing_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    assert list_jobs(path) == []
    assert find_ids(path, "abcdef12").count == 0
    assert not path.exists()


def test_the_primitive_id_column_is_listed_and_filtered_on(
    filled: SQLiteJobStore, db_path: Path
) -> None:
    newest = filled.list(JobQuery(limit=1))[0].job_id
    filled.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE jobs SET primitive_id = 'sampler' WHERE job_id = ?", (newest,))
    conn.close()
    assert [job.primitive_id for job in list_jobs(db_path, limit=2)] == ["sampler", None]
    assert [job.job_id for job in list_jobs(db_path, primitive_id="sampler")] == [newest]
    assert list_jobs(db_path, primitive_id="estimator") == []


def test_a_store_from_before_primitive_jobs_lists_them_all_as_run_jobs(
    filled: SQLiteJobStore, db_path: Path
) -> None:
    filled.close()
    with sqlite3.connect(db_path) as conn:  # schema version 3: no primitive_id column yet
        conn.execute("DROP INDEX IF EXISTS jobs_by_primitive")
        conn.execute("ALTER TABLE jobs DROP COLUMN primitive_id")
        conn.execute("PRAGMA user_version = 3")
    conn.close()
    listed = list_jobs(db_path, limit=None)
    assert len(listed) == 12
    assert {job.primitive_id for job in listed} == {None}
    assert list_jobs(db_path, primitive_id="sampler") == []
    with sqlite3.connect(db_path) as conn:  # ... and the file was not migrated
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    conn.close()


def test_another_programs_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE jobs (x)")
        conn.execute("PRAGMA user_version = 3")
    conn.close()
    with pytest.raises(ListingUnavailable, match="not a job store"):
        list_jobs(path)


def test_a_damaged_value_is_unavailable_so_the_store_can_say_what_is_wrong(
    filled: SQLiteJobStore, db_path: Path
) -> None:
    filled.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE jobs SET tags = 'not json'")
    conn.close()
    with pytest.raises(ListingUnavailable, match="cannot be read"):
        list_jobs(db_path)


def test_ids_by_prefix_count_all_and_return_the_first_in_order(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    records = [record(minutes=m) for m in range(5)]
    for index, rec in enumerate(records):
        rec.job_id = f"abcdef{index % 2}{index}-0000-4000-8000-00000000000{index}"
        sqlite_store.add(rec)
    sqlite_store.flush()
    both = find_ids(db_path, "abcdef", first=2)
    assert both.count == 5
    assert list(both.first) == sorted(r.job_id for r in records)[:2]
    assert find_ids(db_path, "abcdef13").first == (records[3].job_id,)
    assert find_ids(db_path, "abcdeg").count == 0
    assert find_ids(db_path, "abcdef0").count == 3


def test_a_prefix_is_found_by_the_primary_keys_index(filled: SQLiteJobStore, db_path: Path) -> None:
    filled.close()
    with sqlite3.connect(db_path) as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM jobs WHERE job_id >= ? AND job_id < ?",
                ("ab", "ac"),
            )
        )
    conn.close()
    assert "SEARCH" in plan
    assert "sqlite_autoindex_jobs" in plan


def test_store_file_resolves_as_the_provider_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(tmp_path / "env.sqlite3"))
    assert store_file(None) == tmp_path / "env.sqlite3"
    assert store_file(":memory:") is None
    assert store_file(tmp_path / "x") == tmp_path / "x"
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", ":memory:")
    assert store_file(None) is None


def test_listing_imports_no_qiskit(filled: SQLiteJobStore, db_path: Path) -> None:
    probe = (
        "import sys\n"
        "from qiskit_myprovider.store.listing import list_jobs\n"
        f"print(len(list_jobs({str(db_path)!r}, limit=None)))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'qiskit'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=child_env(":memory:"),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["12", "[]"]
