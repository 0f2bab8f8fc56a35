"""SQLite's errors as the job store's: a :class:`StoreError` that names the file and the fix."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from qiskit_myprovider.exceptions import StoreError
from qiskit_myprovider.store.paths import ELSEWHERE

__all__ = ["is_busy", "translate"]


def translate(
    exc: sqlite3.Error,
    doing: str,
    *,
    location: str,
    path: str | os.PathLike[str],
    busy_timeout: float,
) -> StoreError:
    """The store's error for ``exc``, raised while ``doing`` something to the store file.

    Args:
        exc: SQLite's error.
        doing: What the store was doing ("adding job ...").
        location: The store, for the message.
        path: The store file (a corrupt one is to be moved aside).
        busy_timeout: How long a locked file was waited for (seconds).
    """
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    where = f"the job store {location}"
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return StoreError(
            f"Cannot use {where}: it is corrupt or not an SQLite database ({exc}). Move "
            f"it aside (for example rename it to {Path(path).name}.corrupt; a new empty "
            f"store is then created in its place), {ELSEWHERE}."
        )
    if is_busy(exc):
        return StoreError(
            f"{where.capitalize()} stayed locked by another connection for more than "
            f"{busy_timeout:.0f} s while {doing}; try again, and look for a process "
            "that holds it open in a transaction"
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return StoreError(
            f"Cannot write {where} while {doing} ({exc}): make the file and its folder "
            f"writable, {ELSEWHERE}."
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return StoreError(
            f"Cannot open {where} ({exc}): check that it and its folder exist and are "
            f"readable and writable, {ELSEWHERE}."
        )
    if code == sqlite3.SQLITE_FULL:
        return StoreError(
            f"The disk holding {where} is full ({exc}) while {doing}: free some space or "
            f"prune old jobs (provider.prune), {ELSEWHERE}."
        )
    return StoreError(f"Error in {where} while {doing}: {type(exc).__name__}: {exc}")


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the database was locked by another connection."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc)
    return "locked" in text or "busy" in text
