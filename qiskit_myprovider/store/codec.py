"""How a record's values become SQLite column values and back.

Timestamps are stored twice, as microseconds after the Unix epoch (to sort and filter) and as
ISO 8601 text with the writer's UTC offset (to read back exactly). Tags and steps are JSON.
Circuits, options, header and result are blobs whose first byte names the encoding of the
rest, which is zlib-compressed when large:

- ``Q``: QPY (see :mod:`qiskit_myprovider.circuit_codec`), for circuits QPY carries faithfully;
- ``P``: a pickle, for everything else (so a noise model or a statevector comes back as the
  same object). A store file is therefore as trusted as code.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus

from qiskit_myprovider.circuit_codec import decode_circuits, encode_circuits
from qiskit_myprovider.clock import aware
from qiskit_myprovider.store.record import JobRecord

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "decode_record",
    "encode_changes",
    "encode_record",
    "micros",
    "pack",
    "pack_circuits",
    "steps_to_json",
    "unpack",
]

# Blob encodings: the first byte says how the rest is encoded.
_QPY: Final = b"Q"
_PICKLE: Final = b"P"

#: Payloads smaller than this are stored as they are: compressing them costs more time than
#: it saves space.
_COMPRESS_FROM: Final = 1024

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def micros(when: datetime) -> int:
    """Return ``when`` as microseconds after the Unix epoch (a naive time means local time)."""
    return (aware(when) - _EPOCH) // _MICROSECOND


def steps_to_json(steps: Mapping[str, datetime]) -> str:
    """Encode ``time_per_step`` as JSON: step name -> ISO 8601 with its UTC offset."""
    return json.dumps({step: aware(when).isoformat() for step, when in steps.items()})


def pack(value: object) -> bytes:
    """Encode any picklable value as a blob."""
    return _PICKLE + _compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def pack_circuits(circuits: Sequence[QuantumCircuit]) -> bytes:
    """Encode circuits as a blob: QPY where it carries them faithfully, else a pickle."""
    encoded = encode_circuits(circuits)
    if encoded is None:
        # Pickle keeps what QPY cannot (Aer's own instructions, non-JSON metadata), at the
        # price of being tied to the Qiskit version that wrote it.
        return pack(list(circuits))
    return _QPY + _compress(encoded)


def unpack(blob: bytes) -> Any:
    """Decode a blob written by :func:`pack` or :func:`pack_circuits`.

    Raises:
        ValueError: the blob's encoding byte is unknown, or its QPY cannot be read.
        Exception: whatever unpickling a damaged or foreign pickle raises.
    """
    codec, payload = blob[:1], _decompress(blob[1:])
    if codec == _QPY:
        return decode_circuits(payload)
    if codec == _PICKLE:
        return pickle.loads(payload)  # the store is the user's own file (see the module docs)
    raise ValueError(f"unknown encoding {codec!r}")


def encode_record(record: JobRecord) -> dict[str, Any]:
    """Return the ``jobs`` row of ``record``: column name -> value."""
    return {
        "job_id": record.job_id,
        "backend_name": record.backend_name,
        "status": record.status.name,
        "created_us": micros(record.creation_date),
        "creation_date": aware(record.creation_date).isoformat(),
        "time_per_step": steps_to_json(record.time_per_step),
        "name": record.name,
        "tags": json.dumps(list(record.tags)),
        "circuits": None if record.circuits is None else pack_circuits(record.circuits),
        "options": pack(dict(record.options)),
        "header": pack(dict(record.header)),
        "error_message": record.error_message,
        "result": None if record.result is None else pack(record.result),
        "owner": record.owner,
    }


def encode_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``jobs`` columns to set for ``changes`` to a record's updatable fields."""
    columns: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "status":
            columns["status"] = JobStatus(value).name
        elif key == "time_per_step":
            columns["time_per_step"] = steps_to_json(value)
        elif key == "tags":
            columns["tags"] = json.dumps(list(value))
        elif key == "result":
            columns["result"] = None if value is None else pack(value)
        else:  # name, error_message, owner: plain text
            columns[key] = value
    return columns


def decode_record(row: sqlite3.Row, *, full: bool) -> JobRecord:
    """Return the record of a ``jobs`` row.

    Args:
        row: The row, by column name; ``circuits`` and ``result`` are read only if ``full``.
        full: Whether to decode the circuits and the result (a listing does not).

    Raises:
        Exception: a column cannot be decoded (the caller names the job and the store).
    """
    return JobRecord(
        job_id=row["job_id"],
        backend_name=row["backend_name"],
        status=JobStatus[row["status"]],
        creation_date=datetime.fromisoformat(row["creation_date"]),
        time_per_step={
            step: datetime.fromisoformat(when)
            for step, when in json.loads(row["time_per_step"]).items()
        },
        name=row["name"],
        tags=list(json.loads(row["tags"])),
        circuits=unpack(row["circuits"]) if full and row["circuits"] else None,
        options=unpack(row["options"]),
        header=unpack(row["header"]),
        error_message=row["error_message"],
        result=unpack(row["result"]) if full and row["result"] else None,
        owner=row["owner"],
    )


def _compress(payload: bytes) -> bytes:
    # zlib streams start with 0x78; neither pickle (0x80) nor QPY (b"Q") does, so a reader
    # tells the two apart by the first byte.
    return zlib.compress(payload) if len(payload) >= _COMPRESS_FROM else payload


def _decompress(payload: bytes) -> bytes:
    return zlib.decompress(payload) if payload[:1] == b"\x78" else payload
