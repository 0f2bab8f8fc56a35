"""Write a job's changes of state in the background, coalesced (what file-backed providers use)."""

from __future__ import annotations

import atexit
import contextlib
import copy
import logging
import threading
import time
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from qiskit_myprovider.exceptions import JobNotFoundError
from qiskit_myprovider.store.record import JobQuery, JobRecord, JobStore, check_updatable

__all__ = ["WriteBehindStore"]

logger = logging.getLogger(__name__)

#: Fields whose updates a caller waits for (a user's rename must not be lost or reordered).
_SYNCHRONOUS_FIELDS: Final = frozenset({"name", "tags"})
#: How long the writer lets changes gather before it writes them: a job of a millisecond
#: then costs one transaction for QUEUED, RUNNING and DONE together, and many such jobs share
#: one (other processes still see a change within milliseconds).
LINGER_S: Final = 0.003
#: How long the writer waits before retrying updates that failed (a full disk, a lock held
#: too long): a job's final state must reach the store once it can.
RETRY_AFTER_S: Final = 1.0


class WriteBehindStore:
    """Write a job's changes of state in the background, coalesced.

    A job of a millisecond changes state three times after its submission (QUEUED, RUNNING,
    DONE); three more SQLite transactions would cost more than the simulation. The
    submission itself (``add``) is written at once, so a job id handed out can be looked up
    from any process immediately; later ``update`` calls return at once and a writer thread
    applies them, every update queued for a job while it was busy becoming one, so other
    processes see a change within milliseconds. Jobs long enough for it to be negligible
    call :meth:`flush` at RUNNING and at their final state (see
    :class:`~qiskit_myprovider.MyJob`), so their record is exact while they run and the
    moment they end.

    Reads (``get``, ``list``), ``delete`` and ``prune`` first flush every write-behind store
    on the same file in this process, so this process always reads its own writes. Renames
    and re-tags are written before returning. Pending writes are flushed by :meth:`close`
    and at interpreter exit. A background write that fails is logged (it cannot be raised
    into the job that caused it) and kept: it is retried with the next writes, every
    :data:`RETRY_AFTER_S` seconds meanwhile, and at close (a record that no longer exists
    is not retried).

    Args:
        inner: The store that is written to.
    """

    def __init__(self, inner: JobStore) -> None:
        self._inner = inner
        self.location: str = inner.location
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._queue: list[tuple[str, dict[str, Any]]] = []
        self._failed: dict[
            str, dict[str, Any]
        ] = {}  # updates to retry, by job (guarded by _write_lock)
        self._queued = 0  # operations ever queued
        self._written = 0  # operations ever applied (or failed)
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="myprovider-store-writer")
        self._thread.daemon = True
        self._thread.start()
        _write_behind_stores.add(self)

    def __repr__(self) -> str:
        return f"<WriteBehindStore over {self._inner!r}>"

    @property
    def inner(self) -> JobStore:
        """The store written to."""
        return self._inner

    def add(self, record: JobRecord) -> None:
        """Insert a new record at once (see :class:`JobStore`)."""
        self._inner.add(record)

    def update(self, job_id: str, **changes: Any) -> None:
        """Queue a change of state; renames and re-tags are written before returning."""
        check_updatable(changes)
        if _SYNCHRONOUS_FIELDS & set(changes):
            self.flush()
            self._inner.update(job_id, **changes)
            return
        # Copied now, as MemoryJobStore does: the caller may change its dict or list before
        # the writer thread encodes it (which could then fail mid-iteration, or write later
        # values than the caller meant).
        self._enqueue(job_id, {key: copy.copy(value) for key, value in changes.items()})

    def get(self, job_id: str) -> JobRecord:
        """Return a record, after this process's pending writes (see :class:`JobStore`)."""
        self._flush_siblings()
        return self._inner.get(job_id)

    def list(self, query: JobQuery) -> Sequence[JobRecord]:
        """Return matching records, after this process's pending writes."""
        self._flush_siblings()
        return self._inner.list(query)

    def delete(self, job_id: str) -> None:
        """Delete a record, after this process's pending writes."""
        self._flush_siblings()
        self._inner.delete(job_id)

    def prune(self, older_than: datetime) -> int:
        """Delete old final records, after this process's pending writes."""
        self._flush_siblings()
        return self._inner.prune(older_than)

    def request_cancel(self, job_id: str) -> bool:
        """Record a cancel request at once (another process acts on it)."""
        self._flush_siblings()
        return self._inner.request_cancel(job_id)

    def cancel_requests(self, owner: str) -> Sequence[str]:
        """The cancel requests for ``owner``'s unfinished jobs."""
        return self._inner.cancel_requests(owner)

    def _flush_siblings(self) -> None:
        # Another provider of this process may be writing behind to the same file.
        for store in list(_write_behind_stores):
            if store.location == self.location:
                store.flush()

    def flush(self) -> None:
        """Apply every write queued so far (in this thread, unless the writer is at it)."""
        with self._cond:
            target = self._queued
        while True:
            self._drain()
            with self._cond:
                if self._written >= target:
                    return

    def close(self) -> None:
        """Flush, stop the writer and close the inner store. Idempotent.

        Writes that arrive afterwards (a job ending after its provider closed) go straight
        to the inner store.
        """
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(10)
        self._inner.close()
        _write_behind_stores.discard(self)

    def _enqueue(self, job_id: str, changes: dict[str, Any]) -> None:
        with self._cond:
            if not self._closed:
                self._queue.append((job_id, changes))
                self._queued += 1
                if len(self._queue) == 1:  # the writer waits for the first one only
                    self._cond.notify_all()
                return
        self._inner.update(job_id, **changes)

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    if self._failed and not self._cond.wait(RETRY_AFTER_S):
                        break  # time to retry what failed
                    if not self._failed:
                        self._cond.wait()
                if not self._queue and self._closed:
                    return
            # Let the job's next changes (and other jobs') join this write.
            time.sleep(LINGER_S)
            self._drain()

    def _drain(self) -> None:
        # Whoever holds the write lock writes; a flushing caller does it itself rather than
        # wait for the writer thread to be scheduled.
        with self._write_lock:
            with self._cond:
                batch, self._queue = self._queue, []
            if not batch and not self._failed:
                return
            try:
                self._apply(batch)
            finally:
                with self._cond:
                    self._written += len(batch)
                    self._cond.notify_all()

    def _apply(self, batch: Sequence[tuple[str, dict[str, Any]]]) -> None:
        # Coalesce: several updates of one job become one, after those that failed before.
        retried = set(self._failed)
        updates, self._failed = self._failed, {}
        for job_id, changes in batch:
            updates.setdefault(job_id, {}).update(changes)
        many = getattr(self._inner, "update_many", None)
        if many is not None and len(updates) > 1:
            try:
                many(updates)  # one transaction for the whole batch
                return
            except Exception:  # one by one below, to keep what can be written
                logger.debug("batched update failed; writing jobs one by one", exc_info=True)
        for job_id, changes in updates.items():
            try:
                self._inner.update(job_id, **changes)
            except JobNotFoundError:
                logger.exception(  # deleted meanwhile: retrying cannot help
                    "could not update job %s in %s; it is no longer stored", job_id, self.location
                )
            except Exception:
                # The first failure is logged with its cause; retries that fail again are
                # quiet (one line a second for as long as the disk stays full would bury it).
                log = logger.debug if job_id in retried else logger.exception
                log("could not update job %s in %s; retrying every %g s",
                    job_id, self.location, RETRY_AFTER_S)  # fmt: skip
                self._failed[job_id] = changes


_write_behind_stores: weakref.WeakSet[WriteBehindStore] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    # A job that ended just before exit must not read back as RUNNING (and then "lost").
    for store in list(_write_behind_stores):
        with contextlib.suppress(Exception):
            store.flush()
