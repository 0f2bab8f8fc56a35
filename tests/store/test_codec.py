"""How record values become columns and blobs: QPY or pickle, compressed when large."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus

from qiskit_myprovider.store import SQLiteJobStore
from qiskit_myprovider.store.codec import (
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


def test_small_values_are_pickled_as_they_are_and_large_ones_compressed() -> None:
    small = pack({"shots": 100})
    assert small[:1] == b"P"
    assert small[1:2] == b"\x80"  # a bare pickle
    large = pack({"payload": "x" * 100_000})
    assert large[:1] == b"P"
    assert large[1:2] == b"\x78"  # zlib
    assert len(large) < 10_000
    assert unpack(small) == {"shots": 100}
    assert unpack(large) == {"payload": "x" * 100_000}


def test_circuits_qpy_carries_are_stored_as_qpy() -> None:
    circuits = [bell_circuit(), ghz_circuit(5)]
    blob = pack_circuits(circuits)
    assert blob[:1] == b"Q"
    assert unpack(blob) == circuits


def test_circuits_with_aers_own_instructions_are_pickled() -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.save_statevector()
    blob = pack_circuits([circuit])
    assert blob[:1] == b"P"
    [back] = unpack(blob)
    assert back == circuit
    assert type(back.data[-1].operation) is type(circuit.data[-1].operation)


def test_circuits_qpy_cannot_encode_are_kept_by_pickle(
    sqlite_store: SQLiteJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiskit import qpy

    def refuse(*_: Any, **__: Any) -> None:
        raise qpy.QpyError("cannot serialize this instruction")

    rec = record()
    rec.circuits = [ghz_circuit(3)]
    monkeypatch.setattr(qpy, "dump", refuse)
    assert pack_circuits(rec.circuits)[:1] == b"P"
    sqlite_store.add(rec)
    assert sqlite_store.get(rec.job_id).circuits == rec.circuits


def test_an_unknown_encoding_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown encoding b'J'"):
        unpack(b"J{}")
    with pytest.raises(zlib.error):
        unpack(b"P\x78garbage")


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
    columns = encode_changes({"status": JobStatus.ERROR, "tags": ("x",), "error_message": "e"})
    assert columns == {"status": "ERROR", "tags": '["x"]', "error_message": "e"}
    assert encode_changes({"result": None}) == {"result": None}
