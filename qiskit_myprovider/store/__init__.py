"""The job store: where every job's record lives, behind a small :class:`JobStore` protocol.

A job writes its record at submission and at every change of state; the provider reads
records back to retrieve and list jobs. :class:`SQLiteJobStore` keeps them in an embedded
SQLite file that several processes and threads share (the default, under the user's data
directory); :class:`MemoryJobStore` keeps them in this process only (``store=":memory:"``);
:class:`WriteBehindStore` puts a file store's changes of state on a background thread.

The store also owns lost-job detection: every record names its *owner* (see
:func:`make_owner_token`), and a record left QUEUED or RUNNING by an owner process that has
since died is marked ERROR ("lost") when it is read (see :func:`owner_is_gone`).

One module per concept::

    record.py        JobRecord, JobQuery, UPDATABLE_FIELDS and the JobStore protocol (the port)
    memory.py        MemoryJobStore
    owners.py        owner tokens, process liveness from /proc, the "lost" message
    paths.py         STORE_ENV_VAR and the default file
    schema.py        the SQLite schema: append-only migrations, version, application id
    values.py        typed JSON: options, headers, results, noise models (no pickle, no code)
    codec.py         record values as SQLite columns and blobs (QPY, typed JSON, zlib)
    files.py         private files: 0600 / 0700 whatever the umask, a warning for shared ones
    legacy.py        migrate_pickles: converting older stores' pickles, on the owner's word
    listing.py       a Qiskit-free, read-only listing of a store file (``jobs list``, id prefixes)
    queries.py       the SQL of listings
    sqlite.py        SQLiteJobStore: connections, transactions, retries
    sqlite_errors.py SQLite's errors as StoreErrors naming the file and the fix
    write_behind.py  WriteBehindStore
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from qiskit_myprovider.store.legacy import migrate_pickles
    from qiskit_myprovider.store.memory import MemoryJobStore
    from qiskit_myprovider.store.owners import (
        Owner,
        make_owner_token,
        owner_is_gone,
        owner_token_for,
        parse_owner,
    )
    from qiskit_myprovider.store.paths import STORE_ENV_VAR, default_store_path
    from qiskit_myprovider.store.record import UPDATABLE_FIELDS, JobQuery, JobRecord, JobStore
    from qiskit_myprovider.store.schema import SCHEMA_VERSION
    from qiskit_myprovider.store.sqlite import SQLiteJobStore
    from qiskit_myprovider.store.write_behind import WriteBehindStore

__all__ = [
    "SCHEMA_VERSION",
    "STORE_ENV_VAR",
    "UPDATABLE_FIELDS",
    "JobQuery",
    "JobRecord",
    "JobStore",
    "MemoryJobStore",
    "Owner",
    "SQLiteJobStore",
    "WriteBehindStore",
    "default_store_path",
    "make_owner_token",
    "migrate_pickles",
    "owner_is_gone",
    "owner_token_for",
    "parse_owner",
]

#: Where each name lives. They are imported on first use (PEP 562): most of them pull in
#: Qiskit, which ``listing.py`` (and with it ``jobs list``) does without.
_LAZY: Final = {
    "SCHEMA_VERSION": "schema",
    "STORE_ENV_VAR": "paths",
    "UPDATABLE_FIELDS": "record",
    "JobQuery": "record",
    "JobRecord": "record",
    "JobStore": "record",
    "MemoryJobStore": "memory",
    "Owner": "owners",
    "SQLiteJobStore": "sqlite",
    "WriteBehindStore": "write_behind",
    "default_store_path": "paths",
    "make_owner_token": "owners",
    "migrate_pickles": "legacy",
    "owner_is_gone": "owners",
    "owner_token_for": "owners",
    "parse_owner": "owners",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"qiskit_myprovider.store.{module}"), name)
    globals()[name] = value  # later look-ups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
