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
    queries.py       the SQL of listings
    sqlite.py        SQLiteJobStore: connections, transactions, retries, error translation
    write_behind.py  WriteBehindStore
"""

from __future__ import annotations

from qiskit_myprovider.store.legacy import migrate_pickles
from qiskit_myprovider.store.memory import MemoryJobStore
from qiskit_myprovider.store.owners import Owner, make_owner_token, owner_is_gone, parse_owner
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
    "parse_owner",
]
