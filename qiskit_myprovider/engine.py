"""The engine: what every backend, job and provider of one store shares.

An :class:`Engine` owns the job store, the executors it built (and shuts them down), the
registry of the jobs this process runs, the owner token stamped on their records and the
flush policy. It knows no provider, backend or job class: those are built on top of it and
handed it, so imports only go one way (provider → backend → job → engine).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from qiskit.providers import JobStatus

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.execution import make_executor
from qiskit_myprovider.execution.base import JobExecutor
from qiskit_myprovider.store import (
    STORE_ENV_VAR,
    JobQuery,
    JobRecord,
    JobStore,
    MemoryJobStore,
    SQLiteJobStore,
    WriteBehindStore,
    default_store_path,
    make_owner_token,
)
from qiskit_myprovider.validation import (
    validate_count,
    validate_datetime,
    validate_tags,
    validate_text,
)

if TYPE_CHECKING:
    from qiskit_myprovider.execution import ExecutorSpec

__all__ = [
    "CANCEL_POLL",
    "FLUSH_ABOVE",
    "Engine",
    "LiveJob",
    "default_engine",
    "open_store",
    "validate_status",
]

#: Jobs expected to run longer than this (seconds) make the store write RUNNING and their
#: final state at once; shorter ones leave it to the store's own pace (milliseconds).
FLUSH_ABOVE: Final = 0.05
#: How often an engine with unfinished jobs reads the store for cancel requests (seconds):
#: another process's ``cancel()`` takes effect within this, plus the cancel itself.
CANCEL_POLL: Final = 0.2
#: How long the cancel watcher stays up with no unfinished job before it stops (seconds).
CANCEL_WATCH_IDLE: Final = 5.0

logger = logging.getLogger(__name__)

#: The kinds of primitive job (``primitive_id``).
PRIMITIVE_IDS: Final = ("sampler", "estimator")

_STORE_METHODS: Final = ("add", "update", "get", "list", "delete", "prune", "flush", "close")


class LiveJob(Protocol):
    """What the engine needs of a job this process runs."""

    def cancel(self) -> bool:
        """Cancel the job; return whether it is now cancelled."""

    def in_final_state(self) -> bool:
        """Return whether the job has ended."""

    def creation_date(self) -> datetime:
        """Return when the job was created."""


class Engine:
    """The job store, the executors and the live jobs that backends of one store share.

    Args:
        store: Where jobs are recorded: a path (an SQLite file that any number of processes
            share), ``":memory:"`` (this process only), or a :class:`JobStore`. None:
            ``$QISKIT_MYPROVIDER_STORE`` if set, else the default path under the user's data
            directory.
        executor: Where jobs run by default (see ``MyProvider(executor=...)``). An executor
            object passed in stays the caller's to shut down.

    Raises:
        InvalidInputError: an unknown executor name, or an empty store path.
        InvalidInputTypeError: ``store`` or ``executor`` of the wrong kind.
        StoreError: the store file cannot be opened; the message names the file and the fix.
    """

    def __init__(self, store: Any = None, executor: ExecutorSpec = "auto") -> None:
        # Validate the executor spec first, so a bad one fails before the store file is opened.
        make_executor(executor, validate_only=True)
        self._executor_spec = executor
        self._executor: JobExecutor | None = None
        self._built: list[JobExecutor] = []
        self._shared: list[JobExecutor] = []
        self._lock = threading.RLock()
        self._closed = False
        self._live: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        #: Stamped on the records of the jobs this engine runs (who to ask, who is gone).
        self.owner_token: Final[str] = make_owner_token()
        # Last: nothing after it may fail and leave the store's file open.
        self._store = open_store(store)

    def __repr__(self) -> str:
        return f"<Engine store={self._store.location!r} executor={self._executor_spec!r}>"

    @property
    def store(self) -> JobStore:
        """The job store."""
        return self._store

    @property
    def executor_spec(self) -> ExecutorSpec:
        """What the default executor was asked to be (``"auto"``, an executor, ...)."""
        return self._executor_spec

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    # -- executors -----------------------------------------------------------------------

    @property
    def executor(self) -> JobExecutor:
        """The default executor (built on first use).

        Raises:
            InvalidInputError: the engine has been closed.
        """
        with self._lock:
            self._check_open()
            if self._executor is None:
                self._executor = self._adopt(self._executor_spec)
            return self._executor

    def build_executor(self, spec: ExecutorSpec) -> JobExecutor:
        """Return an executor for ``spec`` (one built here from a name stops on :meth:`close`).

        Raises:
            InvalidInputError: an unknown executor name, or the engine has been closed.
            InvalidInputTypeError: ``spec`` is not an executor.
        """
        with self._lock:
            self._check_open()
            return self._adopt(spec)

    def release_executor(self, executor: JobExecutor) -> None:
        """Shut down an executor from :meth:`build_executor` that is no longer used.

        An executor the caller handed in is left running (it stays theirs).
        """
        with self._lock:
            if executor not in self._built or executor is self._executor:
                return
            self._built.remove(executor)
        executor.shutdown(cancel_pending=False)

    def _adopt(self, spec: ExecutorSpec) -> JobExecutor:
        executor = make_executor(spec)
        if executor is spec:
            self._shared.append(executor)
        else:
            self._built.append(executor)
        return executor

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidInputError("this provider has been closed; create a new one")

    # -- live jobs -----------------------------------------------------------------------

    def register(self, job_id: str, job: LiveJob) -> None:
        """Remember ``job`` as run by this process (kept while anyone holds the job).

        On a store other processes can share, the engine then watches it for cancel requests
        (another process's ``job.cancel()``) and cancels the job here within
        :data:`CANCEL_POLL` seconds.
        """
        self._live[job_id] = job
        if self._watcher is None and callable(getattr(self._store, "cancel_requests", None)):
            self._start_cancel_watch()

    def _start_cancel_watch(self) -> None:
        if self._store.location == ":memory:":
            return  # no other process can reach this store
        with self._lock:
            if self._watcher is not None or self._closed:
                return
            self._watcher = threading.Thread(
                target=self._watch_cancels, name="myprovider-cancel-watcher", daemon=True
            )
            self._watcher.start()

    def _watch_cancels(self) -> None:
        idle_since = time.monotonic()
        while not self._stopping.wait(CANCEL_POLL):
            running = [job for job in list(self._live.values()) if not job.in_final_state()]
            if not running:
                if time.monotonic() - idle_since > CANCEL_WATCH_IDLE:
                    with self._lock:
                        self._watcher = None
                    return
                continue
            idle_since = time.monotonic()
            try:
                requested = self._store.cancel_requests(self.owner_token)
            except Exception:
                logger.exception("could not read cancel requests from %s", self._store.location)
                continue
            for job_id in requested:
                job = self._live.get(job_id)
                if job is not None:
                    job.cancel()

    def live_job(self, job_id: str) -> Any | None:
        """Return the job this process runs under ``job_id``, or None."""
        return self._live.get(job_id)

    def forget(self, job_id: str) -> None:
        """Drop ``job_id`` from the live jobs (its record was deleted)."""
        self._live.pop(job_id, None)

    def flushes_steps(self, cost: float) -> bool:
        """Return whether a job of this estimated cost writes RUNNING and its end at once."""
        return cost > FLUSH_ABOVE

    # -- queries -------------------------------------------------------------------------

    def query(
        self,
        *,
        limit: object = 10,
        skip: object = 0,
        backend_name: object = None,
        status: object = None,
        job_tags: object = None,
        name: object = None,
        created_after: object = None,
        created_before: object = None,
        primitive_id: object = None,
    ) -> list[JobRecord]:
        """Return the stored records that match, newest first (arguments as ``provider.jobs``).

        Raises:
            InvalidInputError: a negative limit or skip, an unknown status name or
                primitive id.
            InvalidInputTypeError: an argument of the wrong type.
        """
        if primitive_id is not None and primitive_id not in PRIMITIVE_IDS:
            raise InvalidInputError(
                f"Unknown primitive_id {primitive_id!r}. Valid: {', '.join(PRIMITIVE_IDS)}"
            )
        for label, text in (("backend_name", backend_name), ("name", name)):
            if text is not None:
                validate_text(text, name=label)
        query = JobQuery(
            limit=validate_count("limit", limit, allow_none=True),
            skip=validate_count("skip", skip) or 0,
            backend_name=backend_name,  # type: ignore[arg-type]
            status=validate_status(status),
            job_tags=tuple(validate_tags(job_tags)) if job_tags is not None else (),
            name=name,  # type: ignore[arg-type]
            created_after=validate_datetime("created_after", created_after),
            created_before=validate_datetime("created_before", created_before),
            primitive_id=primitive_id,
        )
        return list(self._store.list(query))

    def prune(self, cutoff: datetime) -> int:
        """Delete finished jobs created before ``cutoff``; return how many were deleted."""
        deleted = self._store.prune(cutoff)
        for job_id, job in list(self._live.items()):
            if job.creation_date() < cutoff and job.in_final_state():
                self._live.pop(job_id, None)
        return deleted

    # -- closing -------------------------------------------------------------------------

    def close(self) -> None:
        """Cancel this engine's unfinished jobs, stop the executors it built, close the store.

        Idempotent. Executors handed in are left running (only this engine's jobs on them are
        cancelled).
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping.set()
            built, shared = list(self._built), list(self._shared)
            self._built.clear()
            self._shared.clear()
            self._executor = None
        if shared:
            for job in list(self._live.values()):
                job.cancel()
        for executor in built:
            executor.shutdown(cancel_pending=True)
        self._store.close()


def validate_status(status: object) -> JobStatus | None:
    """Return ``status`` as a :class:`JobStatus` (a member or its name), or None.

    Raises:
        InvalidInputError: an unknown status name (the message lists the valid ones).
        InvalidInputTypeError: neither a JobStatus nor a string.
    """
    if status is None or isinstance(status, JobStatus):
        return status
    if isinstance(status, str):
        try:
            return JobStatus[status.upper()]
        except KeyError:
            valid = ", ".join(s.name for s in JobStatus)
            raise InvalidInputError(f"Unknown job status '{status}'. Valid: {valid}") from None
    raise InvalidInputTypeError(f"status must be a JobStatus or its name, not {status!r}")


def open_store(store: object) -> JobStore:
    """Open the job store that ``store`` names (see :class:`Engine`).

    Raises:
        InvalidInputError: an empty path.
        InvalidInputTypeError: not a path, ``":memory:"`` or a JobStore.
        StoreError: the file cannot be opened.
    """
    if store is None:
        store = os.environ.get(STORE_ENV_VAR) or default_store_path()
    if isinstance(store, str) and store == ":memory:":
        return MemoryJobStore()
    if isinstance(store, str | os.PathLike):
        path = os.fspath(store)
        if not path:
            raise InvalidInputError("store must be ':memory:' or a file path, not ''")
        try:
            unusable = "\x00" in path or b"\x00" in os.fsencode(path)
        except UnicodeEncodeError:
            unusable = True
        if unusable:
            raise InvalidInputError(
                f"store path {path!r} cannot name a file (a NUL character or text the file "
                "system cannot encode); give another path"
            )
        return WriteBehindStore(SQLiteJobStore(store))
    if all(callable(getattr(store, attr, None)) for attr in _STORE_METHODS):
        return store  # type: ignore[return-value]
    raise InvalidInputTypeError(
        f"store must be ':memory:', a path or a JobStore, not {type(store).__name__}"
    )


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """Return the process-wide engine of backends made without a provider (default store)."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Engine()
            atexit.register(_default.close)
        return _default

