"""How record values become columns and blobs: QPY or typed JSON, compressed when large."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus

from qiskit_myprovider.store import SQLiteJobStore
from qiskit_myprovider.store.codec import (
    LegacyPickleError,
    encode_changes,
    encode_record,
    micros,
    pack,
    pack_circuits,
    steps_to_json,
    unpack,
)
from tests.conftest import bell_circuit, ghz_circuit

from .conftest import IST, T0, record


def test_small_values_are_json_as_they_are_and_large_ones_compressed() -> None:
    small = pack({"shots": 100})
    assert small[:1] == b"J"
    assert json.loads(small[1:]) == {"__format__": 1, "value": {"shots": 100}}  # bare JSON
    large = pack({"payload": "x" * 100_000})
    assert large[:1] == b"J"
    assert large[1:2] == b"\x78"  # zlib
    assert len(large) < 10_000
    assert unpack(small) == {"shots": 100}
    assert unpack(large) == {"payload": "x" * 100_000}


def test_circuits_qpy_carries_are_stored_as_qpy() -> None:
    circuits = [bell_circuit(), ghz_circuit(5)]
    blob = pack_circuits(circuits)
    assert blob is not None
    assert blob[:1] == b"Q"
    assert unpack(blob) == circuits


def test_circuits_with_aers_own_instructions_are_not_stored_and_the_record_says_why() -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.save_statevector()
    assert pack_circuits([circuit]) is None
    rec = record()
    rec.circuits = [circuit]
    row = encode_record(rec)
    assert row["circuits"] is None
    assert "QPY cannot carry them" in row["circuits_note"]


def test_circuits_qpy_cannot_encode_are_not_stored(
    sqlite_store: SQLiteJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiskit import qpy

    def refuse(*_: Any, **__: Any) -> None:
        raise qpy.QpyError("cannot serialize this instruction")

    rec = record()
    rec.circuits = [ghz_circuit(3)]
    monkeypatch.setattr(qpy, "dump", refuse)
    assert pack_circuits(rec.circuits) is None
    sqlite_store.add(rec)
    back = sqlite_store.get(rec.job_id)
    assert back.circuits is None
    assert back.circuits_note is not None
    assert "not stored" in back.circuits_note
    assert back.status is JobStatus.DONE  # circuits are informational: the record is whole


def test_an_unknown_encoding_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown encoding b'X'"):
        unpack(b"X{}")
    with pytest.raises(ValueError, match="cannot decompress"):
        unpack(b"J\x78garbage")


def test_a_legacy_pickle_is_refused_unloaded_naming_the_opt_in() -> None:
    with pytest.raises(LegacyPickleError, match=r"migrate_pickles\(PATH, trust=True\)"):
        unpack(b"P" + pickle.dumps({"shots": 1}))


def test_times_sort_as_microseconds_and_read_back_with_their_offset() -> None:
    assert micros(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert micros(T0) == micros(T0.astimezone(UTC))  # one instant, whatever the offset
    assert micros(T0 + timedelta(microseconds=1)) == micros(T0) + 1
    naive = datetime(2025, 3, 1, 12, 0)  # a naive time means local time
    assert micros(naive) == micros(naive.astimezone())
    steps = json.loads(steps_to_json({"CREATED": T0}))
    assert steps == {"CREATED": "2025-03-01T12:00:00+05:30"}
    assert datetime.fromisoformat(steps["CREATED"]).utcoffset() == IST.utcoffset(None)


def test_a_record_becomes_one_row_and_changes_become_columns() -> None:
    rec = record(name="n", tags=["b", "a"])
    row = encode_record(rec)
    assert row["job_id"] == rec.job_id
    assert row["status"] == "DONE"
    assert row["created_us"] == micros(T0)
    assert row["tags"] == '["b", "a"]'  # the user's order
    assert row["result"] is None
    assert unpack(row["circuits"]) == rec.circuits
    assert row["circuits_note"] is None
    columns = encode_changes({"status": JobStatus.ERROR, "tags": ("x",), "error_message": "e"})
    assert columns == {"status": "ERROR", "tags": '["x"]', "error_message": "e"}
    assert encode_changes({"result": None}) == {"result": None}
