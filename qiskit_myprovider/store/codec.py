"""How a record's values become SQLite column values and back.

Timestamps are stored twice, as microseconds after the Unix epoch (to sort and filter) and as
ISO 8601 text with the writer's UTC offset (to read back exactly). Tags and steps are JSON.
Circuits, options, header and result are blobs whose first byte names the encoding of the
rest, which is zlib-compressed when large (a zlib stream starts with ``0x78``; neither
encoding does):

- ``Q``: QPY (see :mod:`qiskit_myprovider.circuit_codec`), for circuits QPY carries
  faithfully. Circuits it cannot carry (Aer's own instructions such as ``save_statevector``)
  are not stored: the column is NULL and ``circuits_note`` says why. They are informational
  only; the job runs from the circuits in memory.
- ``J``: typed JSON (see :mod:`qiskit_myprovider.store.values`), for everything else.
- ``P``: a pickle, written by schema version 2 and earlier. It is never unpickled here: such
  a value reads as damaged, naming the opt-in that converts it
  (:func:`qiskit_myprovider.store.migrate_pickles`).

Decoding runs no code: QPY, JSON, NumPy without pickle, and Qiskit's ``from_dict``.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus

from qiskit_myprovider.circuit_codec import decode_circuits, encode_circuits
from qiskit_myprovider.clock import aware, micros
from qiskit_myprovider.store.record import JobRecord
from qiskit_myprovider.store.values import dumps, loads

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "DAMAGED",
    "NOT_QPY",
    "LegacyPickleError",
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
_JSON: Final = b"J"
_PICKLE: Final = b"P"  # legacy (schema version 2 and earlier): never unpickled here

#: How the error message of a record that cannot be decoded begins.
DAMAGED: Final = "damaged record: "

#: Why circuits were not stored, for ``circuits_note``.
NOT_QPY: Final = (
    "not stored: QPY cannot carry them faithfully (Aer's own instructions such as "
    "save_statevector, or metadata that is not JSON), and the store keeps no pickles"
)
#: The opt-in that converts legacy pickles, for messages.
_OPT_IN: Final = (
    "it holds a pickle written by an older qiskit-myprovider, which is never loaded "
    "without your consent: if you trust whoever could write this file, convert it with "
    "qiskit_myprovider.store.migrate_pickles(PATH, trust=True), else delete the job"
)


class LegacyPickleError(ValueError):
    """A blob is a pickle from schema version 2 or earlier (never unpickled without opt-in)."""


#: Payloads smaller than this are stored as they are: compressing them costs more time than
#: it saves space.
_COMPRESS_FROM: Final = 1024

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def steps_to_json(steps: Mapping[str, datetime]) -> str:
    """Encode ``time_per_step`` as JSON: step name -> ISO 8601 with its UTC offset."""
    return json.dumps({step: aware(when).isoformat() for step, when in steps.items()})


def pack(value: object) -> bytes:
    """Encode a value as a typed-JSON blob (see :mod:`qiskit_myprovider.store.values`)."""
    return _JSON + _compress(dumps(value))


def pack_circuits(circuits: Sequence[QuantumCircuit]) -> bytes | None:
    """Encode circuits as a QPY blob, or return None where QPY cannot carry them faithfully."""
    encoded = encode_circuits(circuits)
    return None if encoded is None else _QPY + _compress(encoded)


def unpack(blob: bytes) -> Any:
    """Decode a blob written by :func:`pack` or :func:`pack_circuits`. Runs no code.

    Raises:
        LegacyPickleError: the blob is a legacy pickle (see the module docs).
        ValueError: the blob's encoding byte is unknown, or its content cannot be decoded.
    """
    codec = blob[:1]
    if codec == _PICKLE:
        raise LegacyPickleError(_OPT_IN)
    try:
        payload = _decompress(blob[1:])
    except zlib.error as exc:
        raise ValueError(f"cannot decompress a {len(blob)}-byte blob ({exc})") from exc
    if codec == _QPY:
        return decode_circuits(payload)
    if codec == _JSON:
        return loads(payload)
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
        **_circuit_columns(record),
        "options": pack(dict(record.options)),
        "header": pack(dict(record.header)),
        "error_message": record.error_message,
        "result": None if record.result is None else pack(record.result),
        "owner": record.owner,
        "primitive_id": record.primitive_id,
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
        elif key == "options":
            columns["options"] = pack(dict(value))
        elif key == "circuits":
            blob = None if value is None else pack_circuits(value)
            columns["circuits"] = blob
            columns["circuits_note"] = NOT_QPY if value is not None and blob is None else None
        else:  # name, error_message, owner: plain text
            columns[key] = value
    return columns


def _circuit_columns(record: JobRecord) -> dict[str, Any]:
    if record.circuits is None:
        return {"circuits": None, "circuits_note": record.circuits_note}
    blob = pack_circuits(record.circuits)
    return {"circuits": blob, "circuits_note": NOT_QPY if blob is None else None}


def decode_record(row: sqlite3.Row, *, full: bool, location: str = "") -> JobRecord:
    """Return the record of a ``jobs`` row; a damaged row becomes an ERROR record saying so.

    Each column is decoded on its own: one that cannot be (damaged bytes, a legacy pickle,
    an unknown status, a tag from a newer version) leaves its field empty and the record
    ERROR, its error message starting with :data:`DAMAGED` and naming the columns and why,
    so a listing goes on and ``result()`` says what is wrong. Circuits that cannot be read
    are only noted (``circuits_note``): they are informational.

    Args:
        row: The row, by column name; ``circuits`` and ``result`` are read only if ``full``.
        full: Whether to decode the circuits and the result (a listing does not).
        location: The store, for the message of a damaged record.
    """
    problems: list[str] = []

    def column(name: str, decode: Any, default: Any) -> Any:
        try:
            return decode(row[name])
        except Exception as exc:  # any damage: report it, never let it escape the listing
            problems.append(f"{name} ({type(exc).__name__}: {exc})")
            return default

    status = column("status", lambda text: JobStatus[text], JobStatus.ERROR)
    record = JobRecord(
        job_id=row["job_id"],
        backend_name=column("backend_name", _text, ""),
        status=status,
        creation_date=column("creation_date", datetime.fromisoformat, _EPOCH),
        time_per_step=column("time_per_step", _steps, {}),
        name=column("name", _optional_text, None),
        tags=column("tags", lambda text: list(json.loads(text)), []),
        options=column("options", _mapping, {}),
        header=column("header", _mapping, {}),
        error_message=column("error_message", _optional_text, None),
        result=column("result", _optional, None) if full else None,
        owner=column("owner", _optional_text, None),
        circuits_note=column("circuits_note", _optional_text, None),
        primitive_id=column("primitive_id", _optional_text, None),
    )
    if full and row["circuits"] is not None:
        try:
            record.circuits = unpack(row["circuits"])
        except Exception as exc:
            record.circuits_note = f"not readable ({type(exc).__name__}: {exc})"
    if problems:
        record.status = JobStatus.ERROR
        record.error_message = (
            f"{DAMAGED}cannot decode {'; '.join(problems)} in the job store {location}. "
            "Delete the job "
            f"(provider.delete_job('{record.job_id}'))"
            + (f"; it was {row['status']}: {row['error_message']}" if row["error_message"] else "")
        )
    return record


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _steps(text: str) -> dict[str, datetime]:
    return {step: datetime.fromisoformat(when) for step, when in json.loads(text).items()}


def _mapping(blob: bytes) -> dict[str, Any]:
    value = unpack(blob)
    if not isinstance(value, dict):
        raise ValueError(f"expected a dict, found {type(value).__name__}")
    return value


def _optional(blob: bytes | None) -> Any:
    return None if blob is None else unpack(blob)


def _compress(payload: bytes) -> bytes:
    # zlib streams start with 0x78; neither JSON ("{"), QPY (b"Q") nor pickle (0x80) does.
    return zlib.compress(payload) if len(payload) >= _COMPRESS_FROM else payload


def _decompress(payload: bytes) -> bytes:
    return zlib.decompress(payload) if payload[:1] == b"\x78" else payload
