"""The in-process job store (``store=":memory:"``): nothing outlives the process."""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from qiskit.providers.jobstatus import JOB_FINAL_STATES

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.store.record import JobQuery, JobRecord, check_updatable, not_found

__all__ = ["MemoryJobStore"]


class MemoryJobStore:
    """A :class:`JobStore` that lives in this process only.

    Records are copied in and out, so callers never share mutable state with the store.
    """

    location = ":memory:"

    def __init__(self) -> None:
        self._records: dict[str, JobRecord] = {}
        self._cancel_requests: set[str] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryJobStore jobs={len(self._records)}>"

    def add(self, record: JobRecord) -> None:
        """Insert a new record (see :class:`JobStore`)."""
        with self._lock:
            if record.job_id in self._records:
                raise InvalidInputError(f"A job with id {record.job_id} is already stored")
            self._records[record.job_id] = _copy(record)

    def update(self, job_id: str, **changes: Any) -> None:
        """Change fields of a record (see :class:`JobStore`)."""
        check_updatable(changes)
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                raise not_found(job_id, self.location)
            for key, value in changes.items():
                setattr(record, key, copy.copy(value))

    def get(self, job_id: str) -> JobRecord:
        """Return a copy of the record (see :class:`JobStore`)."""
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                raise not_found(job_id, self.location)
            return _copy(record)

    def list(self, query: JobQuery) -> list[JobRecord]:
        """Return matching records, newest first (see :class:`JobStore`)."""
        with self._lock:
            matching = [r for r in self._records.values() if query.matches(r)]
        matching.sort(key=lambda r: (r.creation_date, r.job_id), reverse=True)
        end = None if query.limit is None else query.skip + query.limit
        return [
            dataclasses.replace(_copy(r), circuits=None, result=None)
            for r in matching[query.skip : end]
        ]

    def delete(self, job_id: str) -> None:
        """Delete a record (see :class:`JobStore`)."""
        with self._lock:
            if self._records.pop(job_id, None) is None:
                raise not_found(job_id, self.location)
            self._cancel_requests.discard(job_id)

    def prune(self, older_than: datetime) -> int:
        """Delete old final records (see :class:`JobStore`)."""
        with self._lock:
            old = [
                job_id
                for job_id, r in self._records.items()
                if r.creation_date < older_than and r.status in JOB_FINAL_STATES
            ]
            for job_id in old:
                del self._records[job_id]
        return len(old)

    def request_cancel(self, job_id: str) -> bool:
        """Record a cancel request (see :class:`JobStore`)."""
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                raise not_found(job_id, self.location)
            if record.status in JOB_FINAL_STATES:
                return False
            self._cancel_requests.add(job_id)
            return True

    def cancel_requests(self, owner: str) -> Sequence[str]:
        """The unfinished jobs of ``owner`` asked to cancel (see :class:`JobStore`)."""
        with self._lock:
            return [
                job_id
                for job_id in self._cancel_requests
                if (record := self._records.get(job_id)) is not None
                and record.owner == owner
                and record.status not in JOB_FINAL_STATES
            ]

    def flush(self) -> None:
        """Nothing to flush: every write is applied at once."""

    def close(self) -> None:
        """Nothing to release."""


def _copy(record: JobRecord) -> JobRecord:
    # Circuits and results are treated as immutable once stored, so a shallow copy of the
    # containers is enough.
    return dataclasses.replace(
        record,
        time_per_step=dict(record.time_per_step),
        tags=list(record.tags),
        circuits=None if record.circuits is None else list(record.circuits),
        options=dict(record.options),
        header=dict(record.header),
    )
