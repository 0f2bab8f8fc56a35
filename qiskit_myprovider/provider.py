"""The provider: the backend catalogue over one engine (its job store and executors)."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit_aer.noise import NoiseModel

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.catalogue import DEFAULT_BACKEND, build_catalogue, default_noise_model
from qiskit_myprovider.clock import now
from qiskit_myprovider.engine import Engine, default_engine
from qiskit_myprovider.exceptions import (
    BackendNotFoundError,
    InvalidInputError,
    InvalidInputTypeError,
)
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.notebook import JobList
from qiskit_myprovider.primitive_job import job_from_record
from qiskit_myprovider.validation import validate_datetime, validate_job_id

if TYPE_CHECKING:
    from qiskit_myprovider.execution import ExecutorSpec
    from qiskit_myprovider.execution.base import JobExecutor
    from qiskit_myprovider.store import JobRecord, JobStore

__all__ = ["DEFAULT_BACKEND", "MyProvider", "default_noise_model", "default_provider"]

#: Attributes :meth:`MyProvider.backends` filters on.
_FILTER_ATTRIBUTES: Final = (
    "method", "num_qubits", "min_num_qubits", "noisy", "device", "simulator",
)  # fmt: skip


class MyProvider:
    """The entry point: a catalogue of Aer-backed simulators that return asynchronous jobs.

    Args:
        store: Where jobs are recorded: a path (an SQLite file, created if missing, that
            any number of processes share), ``":memory:"`` (this process only), or a
            :class:`~qiskit_myprovider.store.JobStore`. None: ``$QISKIT_MYPROVIDER_STORE`` if
            set, else :func:`~qiskit_myprovider.store.default_store_path`.
        executor: Where jobs run: ``"auto"`` (default: cheap jobs on a thread, the rest in
            warm worker processes), ``"process"``, ``"thread"``, ``"dask"``, a
            :class:`~qiskit_myprovider.execution.JobExecutor`, any
            :class:`concurrent.futures.Executor`, or a ``dask.distributed.Client``. An
            executor object passed in stays the caller's to shut down.
        noise_model: The noise model of the ``myprovider_noisy_*`` backends (default: see
            :func:`~qiskit_myprovider.catalogue.default_noise_model`).
        engine: Share an existing :class:`~qiskit_myprovider.engine.Engine` (its store and
            executors) instead of building one from ``store`` and ``executor``; the engine
            stays its owner's to close.

    Use it as a context manager, or call :meth:`close`, to release its worker processes
    and its store.

    Raises:
        InvalidInputError: ``engine`` given together with ``store`` or ``executor``.
        StoreError: the job store file cannot be opened (corrupt, unreadable, or written by
            a newer version); the message names the file and what to do.

    Example:
        >>> from qiskit_myprovider import MyProvider
        >>> with MyProvider(store=":memory:") as provider:
        ...     backend = provider.get_backend()
        ...     backend.name
        'myprovider_simulator'
    """

    def __init__(
        self,
        store: str | os.PathLike[str] | JobStore | None = None,
        executor: ExecutorSpec = "auto",
        noise_model: NoiseModel | None = None,
        *,
        engine: Engine | None = None,
    ) -> None:
        if noise_model is not None and not isinstance(noise_model, NoiseModel):
            raise InvalidInputTypeError(
                "noise_model must be a qiskit_aer.noise.NoiseModel, "
                f"not {type(noise_model).__name__}"
            )
        if engine is not None and not isinstance(engine, Engine):
            raise InvalidInputTypeError(f"engine must be an Engine, not {type(engine).__name__}")
        if engine is not None and (store is not None or executor != "auto"):
            raise InvalidInputError(
                "give either engine= or store=/executor=, not both: an engine has its own"
            )
        self._closed = False
        self._noise_model = noise_model or default_noise_model()
        self._owns_engine = engine is None
        # Last but one: nothing after it may fail and leave the store's file open.
        self._engine = engine if engine is not None else Engine(store, executor)
        self._backends = build_catalogue(self, self._noise_model)
        # Jobs of backends this provider does not list (e.g. from_backend mimics), by name.
        self._stand_ins: dict[str, MyBackend] = {}

    def __repr__(self) -> str:
        return (
            f"<MyProvider store={self.store.location!r} "
            f"executor={self._engine.executor_spec!r}>"
        )

    def __enter__(self) -> MyProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- backends ------------------------------------------------------------------------

    def backends(
        self,
        name: str | None = None,
        filters: Callable[[MyBackend], bool] | None = None,
        **attributes: Any,
    ) -> list[MyBackend]:
        """Return the backends that match every given criterion.

        Args:
            name: An exact backend name.
            filters: A callable that gets each backend and returns whether to keep it.
            **attributes: ``method`` (e.g. ``"statevector"``), ``num_qubits`` (exact),
                ``min_num_qubits``, ``noisy`` (bool), ``device`` (``"CPU"``/``"GPU"``),
                ``simulator`` (bool; all of ours are simulators).

        Returns:
            The matching backends, in catalogue order (empty if none match).

        Raises:
            InvalidInputError: an attribute this provider cannot filter on.
        """
        unknown = sorted(set(attributes) - set(_FILTER_ATTRIBUTES))
        if unknown:
            raise InvalidInputError(
                f"Cannot filter backends on {', '.join(unknown)}. "
                f"Valid attributes: {', '.join(_FILTER_ATTRIBUTES)}"
            )
        if filters is not None and not callable(filters):
            raise InvalidInputTypeError("filters must be a callable taking a backend")
        checks: dict[str, Callable[[MyBackend, Any], bool]] = {
            "method": lambda b, v: b.method == v,
            "num_qubits": lambda b, v: b.num_qubits == v,
            "min_num_qubits": lambda b, v: b.num_qubits >= v,
            "noisy": lambda b, v: b.noisy == bool(v),
            "device": lambda b, v: b.device == v,
            "simulator": lambda b, v: bool(v),
        }
        return [
            backend
            for backend in self._backends.values()
            if (name is None or backend.name == name)
            and all(checks[key](backend, value) for key, value in attributes.items())
            and (filters is None or filters(backend))
        ]

    def get_backend(self, name: str | None = None, **attributes: Any) -> MyBackend:
        """Return the one backend that matches.

        Args:
            name: The backend's name; None and no attributes gives ``myprovider_simulator``.
            **attributes: Filters, as for :meth:`backends`.

        Returns:
            The backend (the same object on every call).

        Raises:
            BackendNotFoundError: no backend, or more than one, matches; the message lists
                the available names. It is a ``QiskitBackendNotFoundError``.
        """
        if name is not None and not isinstance(name, str):
            raise InvalidInputTypeError(f"backend name must be a str, not {type(name).__name__}")
        if name is None and not attributes:
            name = DEFAULT_BACKEND
        found = self.backends(name, **attributes)
        available = ", ".join(self._backends)
        if not found:
            what = f"named '{name}'" if name else "matching the given attributes"
            raise BackendNotFoundError(f"No backend {what}. Available backends: {available}")
        if len(found) > 1:
            names = ", ".join(b.name for b in found)
            raise BackendNotFoundError(
                f"{len(found)} backends match ({names}); give a name to choose one"
            )
        return found[0]

    # -- jobs ----------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine this provider's backends share: job store, executors, live jobs."""
        return self._engine

    @property
    def store(self) -> JobStore:
        """The job store this provider records jobs in."""
        return self._engine.store

    @property
    def executor(self) -> JobExecutor:
        """The executor that runs this provider's jobs (started on first use)."""
        return self._engine.executor

    @property
    def owner_token(self) -> str:
        """The token on the records of the jobs this process runs (see the store)."""
        return self._engine.owner_token

    def job(self, job_id: str) -> MyJob:
        """Return the job with this id, from this process or from the job store.

        Args:
            job_id: The job's id.

        Returns:
            The live job if this process runs it, else a job read from the store.

        Raises:
            InvalidInputTypeError: ``job_id`` is not a string.
            InvalidInputError: ``job_id`` is not a well-formed job id.
            JobNotFoundError: no job has this id.
        """
        job_id = validate_job_id(job_id)
        live: MyJob | None = self._engine.live_job(job_id)
        if live is not None:
            return live
        return self._stored_job(self.store.get(job_id))

    def _stored_job(self, record: JobRecord) -> MyJob:
        backend = self._backends.get(record.backend_name)
        if backend is None:
            # A backend this provider does not list: a plain one (its simulator is only built
            # if asked for) carries the name, so the job's data stays readable.
            backend = self._stand_ins.get(record.backend_name)
            if backend is None:
                backend = MyBackend(name=record.backend_name, provider=self)
                self._stand_ins[record.backend_name] = backend
        return job_from_record(backend, record, self._engine)

    def jobs(
        self,
        limit: int | None = 10,
        skip: int = 0,
        backend_name: str | None = None,
        status: JobStatus | str | None = None,
        job_tags: list[str] | None = None,
        name: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        primitive_id: str | None = None,
    ) -> list[MyJob]:
        """Return stored jobs, newest first.

        Args:
            limit: At most this many jobs (None: all).
            skip: Skip this many of the newest matches first (paging).
            backend_name: Only jobs of this backend.
            status: Only jobs in this status (a ``JobStatus`` or its name, e.g. ``"DONE"``).
            job_tags: Only jobs that carry *all* of these tags.
            name: Only jobs with exactly this name.
            created_after: Only jobs created at or after this time.
            created_before: Only jobs created at or before this time.
            primitive_id: Only primitive jobs of this kind (``"sampler"`` or
                ``"estimator"``; their result is a ``PrimitiveResult``).

        Returns:
            The matching jobs (a list, shown as a table in a notebook).

        Raises:
            InvalidInputError: a negative limit or skip, or an unknown status name.
            InvalidInputTypeError: an argument of the wrong type.
        """
        records = self._engine.query(
            limit=limit,
            skip=skip,
            backend_name=backend_name,
            status=status,
            job_tags=job_tags,
            name=name,
            created_after=created_after,
            created_before=created_before,
            primitive_id=primitive_id,
        )
        jobs: JobList[MyJob] = JobList()
        for record in records:
            live: MyJob | None = self._engine.live_job(record.job_id)
            jobs.append(live if live is not None else self._stored_job(record))
        return jobs

    def delete_job(self, job_id: str) -> None:
        """Delete a finished job's record from the job store.

        Args:
            job_id: The job's id.

        Raises:
            InvalidInputTypeError: ``job_id`` is not a string.
            InvalidInputError: ``job_id`` is malformed, or the job has not finished (cancel
                it, or wait for it, first: its process still writes to the record).
            JobNotFoundError: no job has this id.
            StoreError: the job store could not be written.
        """
        job = self.job(job_id)
        status = job.status()
        if not job.in_final_state():
            raise InvalidInputError(
                f"Job {job.job_id()} is {status.name}; only a finished job can be deleted. "
                "Cancel it (job.cancel()) or wait for it to finish first"
            )
        self.store.delete(job.job_id())
        self._engine.forget(job.job_id())

    def prune(self, older_than: datetime | timedelta) -> int:
        """Delete the records of finished jobs created before a point in time.

        Jobs that are not finished are kept, whatever their age (a job lost with its process
        counts as finished: it is in ERROR).

        Args:
            older_than: A datetime (naive means local time), or a timedelta: jobs created
                more than that long ago.

        Returns:
            How many jobs were deleted.

        Raises:
            InvalidInputTypeError: ``older_than`` is neither a datetime nor a timedelta.
            InvalidInputError: a negative timedelta.
            StoreError: the job store could not be written.
        """
        if isinstance(older_than, timedelta):
            if older_than < timedelta(0):
                raise InvalidInputError(f"older_than must not be negative, not {older_than}")
            try:
                cutoff = now() - older_than
            except OverflowError:  # longer ago than the calendar goes: no job is that old
                return 0
        elif isinstance(older_than, datetime):
            cutoff = validate_datetime("older_than", older_than) or older_than
        else:
            raise InvalidInputTypeError(
                f"older_than must be a datetime or a timedelta, not {type(older_than).__name__}"
            )
        return self._engine.prune(cutoff)

    def close(self) -> None:
        """Cancel this provider's unfinished jobs, stop its workers, close the store.

        Idempotent. An executor object passed to the constructor is left running (only this
        provider's jobs on it are cancelled). A shared ``engine=`` is left open.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_engine:
            self._engine.close()


_default: MyProvider | None = None
_default_lock = threading.Lock()


def default_provider() -> MyProvider:
    """Return the process-wide provider, over the default engine (the default job store)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MyProvider(engine=default_engine())
            atexit.register(_default.close)
        return _default
