"""The SQLite file's schema: migrated forward, and every file that is not a store left untouched."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import StoreError
from qiskit_myprovider.store import SCHEMA_VERSION, SQLiteJobStore
from qiskit_myprovider.store import schema as schema_module

from .conftest import record


def test_an_older_schema_is_migrated_forward_keeping_its_records(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = record(tags=["t"])
    old = SQLiteJobStore(db_path)
    old.add(rec)
    old.close()
    extra = ("ALTER TABLE jobs ADD COLUMN note TEXT",)
    monkeypatch.setattr(schema_module, "MIGRATIONS", (*schema_module.MIGRATIONS, extra))
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    new = SQLiteJobStore(db_path)
    try:
        assert new.get(rec.job_id).tags == ["t"]
    finally:
        new.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    conn.close()
    assert "note" in columns


def test_a_newer_schema_is_refused_with_a_clear_error(db_path: Path) -> None:
    SQLiteJobStore(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 41}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as info:
        SQLiteJobStore(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert f"schema version {SCHEMA_VERSION + 41}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert "Upgrade qiskit-myprovider" in message
    assert "QISKIT_MYPROVIDER_STORE" in message
    assert db_path.read_bytes() == before  # never touched, never "migrated" down


def test_a_corrupt_file_is_refused_with_a_clear_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = os.urandom(8192)
    db_path.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        SQLiteJobStore(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert "corrupt or not an SQLite database" in message
    assert "Move it aside" in message
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    assert db_path.read_bytes() == garbage  # nothing dropped, nothing overwritten
    # The provider reports the same error when it opens the file.
    with pytest.raises(StoreError, match="Move it aside"):
        MyProvider(store=db_path)


def test_a_damaged_file_is_refused_with_a_clear_error(db_path: Path) -> None:
    sqlite_store = SQLiteJobStore(db_path)
    for minutes in range(50):
        sqlite_store.add(record(minutes=minutes))
    sqlite_store.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # the first page's b-tree, after the header
    db_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt") as info:
        SQLiteJobStore(db_path)
    assert str(db_path) in str(info.value)


def test_another_programs_database_is_refused_and_left_alone(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a qiskit-myprovider job store") as info:
        SQLiteJobStore(db_path)
    assert "accounts" in str(info.value)
    assert str(db_path) in str(info.value)


def test_an_empty_file_becomes_a_store(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    opened = SQLiteJobStore(db_path)
    opened.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_the_schema_version_counts_the_migrations_and_the_file_carries_our_id(
    sqlite_store: SQLiteJobStore, db_path: Path
) -> None:
    assert len(schema_module.MIGRATIONS) == SCHEMA_VERSION
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == schema_module.APPLICATION_ID
    conn.close()


def test_a_store_file_with_another_application_id_is_refused(db_path: Path) -> None:
    SQLiteJobStore(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA application_id = 42")
    conn.close()
    with pytest.raises(StoreError, match="not a qiskit-myprovider job store") as info:
        SQLiteJobStore(db_path)
    assert "application id is 0x2a" in str(info.value)
