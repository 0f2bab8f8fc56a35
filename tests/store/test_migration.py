"""A store the previous release wrote (schema 2, pickled) opens migrated; pickles need consent.

The fixture ``fixtures/v2_store.sqlite3`` was written by ``fixtures/make_v2_store.py`` with
the release before schema 3; ``fixtures/v2_store.json`` holds what its jobs returned then.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import JobFailedError
from qiskit_myprovider.store import SCHEMA_VERSION, migrate_pickles

FIXTURES = Path(__file__).parent / "fixtures"
#: How close the statevector must come back.
TOLERANCE = 1e-12


@pytest.fixture
def v2_store(tmp_path: Path) -> Path:
    """A private copy of the fixture (the committed file is never opened)."""
    copy = tmp_path / "jobs.sqlite3"
    shutil.copyfile(FIXTURES / "v2_store.sqlite3", copy)
    copy.chmod(0o600)
    return copy


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / "v2_store.json").read_text())
    return loaded


def _blob_codecs(path: Path) -> list[bytes]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT circuits, options, header, result FROM jobs").fetchall()
    conn.close()
    return [blob[:1] for row in rows for blob in row if blob is not None]


def test_the_fixture_is_a_version_2_store_of_pickles() -> None:
    conn = sqlite3.connect(f"file:{FIXTURES / 'v2_store.sqlite3'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    assert b"P" in _blob_codecs(FIXTURES / "v2_store.sqlite3")


def test_opening_migrates_in_place_and_loads_no_pickle(
    v2_store: Path, expected: dict[str, Any]
) -> None:
    with MyProvider(store=v2_store, executor="thread") as provider:
        listed = provider.jobs(limit=None)
        assert sorted(job.job_id() for job in listed) == sorted(
            entry["job_id"] for entry in expected.values()
        )
        job = provider.job(expected["counts"]["job_id"])
        assert job.name() == "counts"
        assert job.tags() == ["fixture"]
        message = job.error_message() or ""
        assert message.startswith("damaged record: ")
        assert "migrate_pickles(PATH, trust=True)" in message
        with pytest.raises(JobFailedError, match="never loaded without your consent"):
            job.result()
    conn = sqlite3.connect(v2_store)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    assert {"circuits_note", "primitive_id"} <= columns
    primitive = "SELECT count(*) FROM jobs WHERE primitive_id IS NOT NULL"
    assert conn.execute(primitive).fetchone()[0] == 0
    conn.close()
    assert b"P" in _blob_codecs(v2_store)  # left as they were: nothing was unpickled


def _blobs(path: Path) -> list[Any]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT * FROM jobs ORDER BY job_id").fetchall()
    conn.close()
    return rows


def test_without_trust_the_pickles_are_only_counted(v2_store: Path) -> None:
    MyProvider(store=v2_store, executor="thread").close()  # migrated, pickles kept
    before = _blobs(v2_store)
    count = migrate_pickles(v2_store)
    assert count == 13  # 4 jobs x (options, header, result) + one pickled circuits blob
    assert migrate_pickles(v2_store, trust=False) == count
    assert _blobs(v2_store) == before


def test_with_trust_every_pickle_is_converted_and_results_read_back_equal(
    v2_store: Path, expected: dict[str, Any]
) -> None:
    assert migrate_pickles(v2_store, trust=True) == 13
    assert set(_blob_codecs(v2_store)) <= {b"J", b"Q"}
    assert migrate_pickles(v2_store, trust=True) == 0
    with MyProvider(store=v2_store, executor="thread") as provider:
        counts = provider.job(expected["counts"]["job_id"])
        assert counts.result().get_counts() == expected["counts"]["counts"]
        assert counts.header() == {"note": "v2"}
        assert counts.circuits()[0].name == "bell"
        memory = provider.job(expected["memory"]["job_id"]).result()
        assert memory.get_memory() == expected["memory"]["memory"]
        noisy = provider.job(expected["noisy"]["job_id"])
        assert noisy.result().get_counts() == expected["noisy"]["counts"]
        assert type(noisy.backend_options()["noise_model"]).__name__ == "NoiseModel"
        saves = provider.job(expected["statevector"]["job_id"])
        state = saves.result().get_statevector().data
        want = np.array([re + 1j * im for re, im in expected["statevector"]["statevector"]])
        np.testing.assert_allclose(state, want, atol=TOLERANCE, rtol=0)
        # Its circuits hold Aer's save instruction, which QPY cannot carry: not kept, noted.
        assert saves.circuits() == []
        for job in provider.jobs(limit=None):
            assert job.error_message() is None
