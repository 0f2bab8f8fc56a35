"""Converting the pickles older stores hold, only when their owner says the file is trusted.

Schema versions 1 and 2 pickled options, headers, results (and circuits QPY could not
carry). Unpickling runs whatever code the pickle names, so whoever could write the file
could run code in every process that reads it. Opening such a store migrates it to the
current schema but leaves those blobs as they are, and records holding them read as
damaged with a message naming :func:`migrate_pickles`, the one place this package unpickles.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from typing import Any, Final

from qiskit_myprovider.exceptions import StoreError
from qiskit_myprovider.store.codec import NOT_QPY, pack, pack_circuits
from qiskit_myprovider.store.sqlite import SQLiteJobStore

__all__ = ["migrate_pickles"]

_COLUMNS: Final = ("circuits", "options", "header", "result")
_PICKLE: Final = b"P"
_BUSY_TIMEOUT_S: Final = 30.0


def migrate_pickles(path: str | os.PathLike[str], *, trust: bool = False) -> int:
    """Convert the pickles an older qiskit-myprovider left in a job store to typed JSON.

    Unpickling runs code: call this with ``trust=True`` only for a file that nobody but you
    (and programs you trust) could ever write. All blobs are converted in one transaction.
    Circuits QPY cannot carry are dropped (``circuits`` NULL, ``circuits_note`` says why).

    Args:
        path: The store file.
        trust: Whether to unpickle; False only counts the pickled blobs, loading none.

    Returns:
        How many pickled blobs the file held (all converted when ``trust`` is True).

    Raises:
        StoreError: the file is not a job store, or a pickle could not be loaded (nothing
            is then changed; the message names the job).
    """
    SQLiteJobStore(path).close()  # checks the file and migrates its schema first
    pickled = " OR ".join(f"substr({column}, 1, 1) = X'50'" for column in _COLUMNS)
    conn = sqlite3.connect(os.fspath(path), isolation_level=None, timeout=_BUSY_TIMEOUT_S)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                f"SELECT job_id, {', '.join(_COLUMNS)} FROM jobs WHERE {pickled}"
            ).fetchall()
            count = 0
            for job_id, *blobs in rows:
                for column, blob in zip(_COLUMNS, blobs, strict=True):
                    if blob is None or blob[:1] != _PICKLE:
                        continue
                    count += 1
                    if trust:
                        changes = _convert(column, job_id, blob)
                        assignments = ", ".join(f"{name} = ?" for name in changes)
                        conn.execute(
                            f"UPDATE jobs SET {assignments} WHERE job_id = ?",
                            [*changes.values(), job_id],
                        )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot convert the pickles in the job store {path}: {exc}") from exc
    finally:
        conn.close()
    return count


def _convert(column: str, job_id: str, blob: bytes) -> dict[str, Any]:
    try:
        value = pickle.loads(_payload(blob))  # the caller trusts the file (trust=True)
    except Exception as exc:
        raise StoreError(
            f"Cannot load the pickled {column} of job {job_id} ({type(exc).__name__}: {exc}); "
            "nothing was converted: delete that job (provider.delete_job) and try again"
        ) from exc
    if column == "circuits":
        packed = pack_circuits(list(value))
        return {"circuits": packed, "circuits_note": NOT_QPY if packed is None else None}
    return {column: pack(value)}


def _payload(blob: bytes) -> bytes:
    import zlib

    rest = blob[1:]
    return zlib.decompress(rest) if rest[:1] == b"\x78" else rest
