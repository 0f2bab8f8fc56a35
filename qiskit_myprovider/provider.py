"""The provider: the backend catalogue, the executor that runs jobs, the store that keeps them."""

from __future__ import annotations

import atexit
import os
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from qiskit.providers import JobStatus
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.exceptions import (
    BackendNotFoundError,
    InvalidInputError,
    InvalidInputTypeError,
)
from qiskit_myprovider.execution import make_executor
from qiskit_myprovider.execution.base import JobExecutor
from qiskit_myprovider.job import MyJob, now, validate_tags
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

if TYPE_CHECKING:
    from qiskit_myprovider.execution import ExecutorSpec
    from qiskit_myprovider.execution.base import SimulationTask

__all__ = ["DEFAULT_BACKEND", "MyProvider", "default_provider"]

#: The backend :meth:`MyProvider.get_backend` returns when no name is given.
DEFAULT_BACKEND: Final = "myprovider_simulator"

_ONE_QUBIT_GATES: Final = (
    "u", "u1", "u2", "u3", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "p", "r",
)  # fmt: skip
_TWO_QUBIT_GATES: Final = ("cx", "cy", "cz", "ecr", "swap", "cp", "crx", "cry", "crz", "rzz", "rxx")


def default_noise_model() -> NoiseModel:
    """Return the noise model of the built-in noisy backends.

    Depolarizing error of 0.1 % on every one-qubit gate and 1 % on every two-qubit gate, and
    a 1 % symmetric readout error: roughly today's superconducting devices.
    """
    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.001, 1), list(_ONE_QUBIT_GATES))
    model.add_all_qubit_quantum_error(depolarizing_error(0.01, 2), list(_TWO_QUBIT_GATES))
    model.add_all_qubit_readout_error(ReadoutError([[0.99, 0.01], [0.01, 0.99]]))
    return model


@dataclass(frozen=True)
class _Entry:
    name: str
    method: str
    noisy: bool
    description: str


_CATALOGUE: Final = (
    _Entry(DEFAULT_BACKEND, "automatic", False, "Aer simulator; picks the method per circuit"),
    _Entry("myprovider_statevector", "statevector", False, "Aer statevector simulator"),
    _Entry("myprovider_density_matrix", "density_matrix", False, "Aer density-matrix simulator"),
    _Entry(
        "myprovider_matrix_product_state",
        "matrix_product_state",
        False,
        "Aer matrix-product-state simulator (many qubits, little entanglement)",
    ),
    _Entry("myprovider_stabilizer", "stabilizer", False, "Aer Clifford (stabilizer) simulator"),
    _Entry("myprovider_noisy_simulator", "automatic", True, "Aer simulator with a noise model"),
    _Entry(
        "myprovider_noisy_density_matrix",
        "density_matrix",
        True,
        "Aer density-matrix simulator with a noise model",
    ),
)
_GPU_METHODS: Final = ("statevector", "density_matrix")

#: Attributes :meth:`MyProvider.backends` filters on.
_FILTER_ATTRIBUTES: Final = (
    "method", "num_qubits", "min_num_qubits", "noisy", "device", "simulator",
)  # fmt: skip


def _owner_token() -> str:
    return make_owner_token()


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
            :func:`default_noise_model`).

    Use it as a context manager, or call :meth:`close`, to release its worker processes
    and its store.

    Raises:
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
    ) -> None:
        if noise_model is not None and not isinstance(noise_model, NoiseModel):
            raise InvalidInputTypeError(
                "noise_model must be a qiskit_aer.noise.NoiseModel, "
                f"not {type(noise_model).__name__}"
            )
        self._executor_spec = executor
        self._executor: JobExecutor | None = None
        # Backends given an executor of their own: id(backend) -> (spec, executor).
        self._backend_executors: dict[int, tuple[ExecutorSpec, JobExecutor]] = {}
        self._lock = threading.RLock()
        self._closed = False
        self._live_jobs: weakref.WeakValueDictionary[str, MyJob] = weakref.WeakValueDictionary()
        self.owner_token: Final[str] = _owner_token()
        self._noise_model = noise_model or default_noise_model()
        self._backends = self._build_catalogue()
        # Validate the executor spec now, so a bad one fails here rather than at first run.
        make_executor(executor, validate_only=True)
        # Last: nothing after it may fail and leave the store's file open.
        self._store = _open_store(store)

    def __repr__(self) -> str:
        return f"<MyProvider store={self._store.location!r} executor={self._executor_spec!r}>"

    def __enter__(self) -> MyProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- backends ------------------------------------------------------------------------

    def _build_catalogue(self) -> dict[str, MyBackend]:
        backends: dict[str, MyBackend] = {}
        gpu = "GPU" in AerSimulator().available_devices()
        for entry in _CATALOGUE:
            devices = ["CPU", "GPU"] if gpu and entry.method in _GPU_METHODS else ["CPU"]
            for device in devices:
                options: dict[str, Any] = {"method": entry.method, "device": device}
                if entry.noisy:
                    options["noise_model"] = self._noise_model
                name = entry.name if device == "CPU" else f"{entry.name}_gpu"
                backends[name] = MyBackend(
                    AerSimulator(**options),
                    name=name,
                    provider=self,
                    description=entry.description + (" on GPU" if device == "GPU" else ""),
                    noisy=entry.noisy,
                )
        return backends

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
    def store(self) -> JobStore:
        """The job store this provider records jobs in."""
        return self._store

    @property
    def executor(self) -> JobExecutor:
        """The executor that runs this provider's jobs (started on first use)."""
        with self._lock:
            if self._closed:
                raise InvalidInputError("this provider has been closed; create a new one")
            if self._executor is None:
                self._executor = make_executor(self._executor_spec)
            return self._executor

    def _executor_for(self, backend: MyBackend) -> JobExecutor:
        with self._lock:
            entry = self._backend_executors.get(id(backend))
        return entry[1] if entry is not None else self.executor

    def _set_backend_executor(self, backend: MyBackend, spec: ExecutorSpec | None) -> None:
        """Give ``backend`` its own executor (None: back to the provider's)."""
        new = None if spec is None else (spec, make_executor(spec))
        with self._lock:
            if self._closed:
                raise InvalidInputError("this provider has been closed; create a new one")
            old = self._backend_executors.pop(id(backend), None)
            if new is not None:
                self._backend_executors[id(backend)] = new
        if old is not None and not isinstance(old[0], JobExecutor):
            old[1].shutdown(cancel_pending=False)

    def _submit(self, backend: MyBackend, record: JobRecord, task: SimulationTask) -> MyJob:
        executor = self._executor_for(backend)
        self._store.add(record)
        job = MyJob(backend, record, self._store, task=task, executor=executor)
        self._live_jobs[record.job_id] = job
        job.submit()
        return job

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
        job_id = _check_job_id(job_id)
        live = self._live_jobs.get(job_id)
        if live is not None:
            return live
        record = self._store.get(job_id)
        return self._stored_job(record)

    def _stored_job(self, record: JobRecord) -> MyJob:
        backend = self._backends.get(record.backend_name)
        if backend is None:
            # A job from a backend this provider does not list (e.g. from_backend copies):
            # a plain backend stands in, so the job's data stays readable.
            backend = MyBackend(name=record.backend_name, provider=self)
        return MyJob(backend, record, self._store)

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

        Returns:
            The matching jobs.

        Raises:
            InvalidInputError: a negative limit or skip, or an unknown status name.
            InvalidInputTypeError: an argument of the wrong type.
        """
        query = JobQuery(
            limit=_check_count("limit", limit, allow_none=True),
            skip=_check_count("skip", skip, allow_none=False) or 0,
            backend_name=backend_name,
            status=_check_status(status),
            job_tags=tuple(validate_tags(job_tags)) if job_tags is not None else (),
            name=name,
            created_after=_check_datetime("created_after", created_after),
            created_before=_check_datetime("created_before", created_before),
        )
        jobs = []
        for record in self._store.list(query):
            live = self._live_jobs.get(record.job_id)
            jobs.append(live if live is not None else self._stored_job(record))
        return jobs

    def _cancel_own_jobs(self) -> None:
        for job in list(self._live_jobs.values()):
            job.cancel()

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
        self._store.delete(job.job_id())
        self._live_jobs.pop(job.job_id(), None)

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
            cutoff = now() - older_than
        elif isinstance(older_than, datetime):
            cutoff = _check_datetime("older_than", older_than) or older_than
        else:
            raise InvalidInputTypeError(
                f"older_than must be a datetime or a timedelta, not {type(older_than).__name__}"
            )
        deleted = self._store.prune(cutoff)
        for job_id, job in list(self._live_jobs.items()):
            if job.creation_date() < cutoff and job.in_final_state():
                self._live_jobs.pop(job_id, None)
        return deleted

    def close(self) -> None:
        """Cancel this provider's unfinished jobs, stop its workers, close the store.

        Idempotent. An executor object passed to the constructor is left running (only this
        provider's jobs on it are cancelled).
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            executors = list(self._backend_executors.values())
            self._backend_executors.clear()
            if self._executor is not None:
                executors.append((self._executor_spec, self._executor))
            self._executor = None
        # A JobExecutor handed in is shared and stays its owner's; what we built is ours.
        if any(isinstance(spec, JobExecutor) for spec, _ in executors):
            self._cancel_own_jobs()
        for spec, executor in executors:
            if not isinstance(spec, JobExecutor):
                executor.shutdown(cancel_pending=True)
        self._store.close()


def _open_store(store: str | os.PathLike[str] | JobStore | None) -> JobStore:
    if store is None:
        store = os.environ.get(STORE_ENV_VAR) or default_store_path()
    if isinstance(store, str) and store == ":memory:":
        return MemoryJobStore()
    if isinstance(store, str | os.PathLike):
        if not os.fspath(store):
            raise InvalidInputError("store must be ':memory:' or a file path, not ''")
        return WriteBehindStore(SQLiteJobStore(store))
    required = ("add", "update", "get", "list", "delete", "prune", "flush", "close")
    if all(callable(getattr(store, attr, None)) for attr in required):
        return store
    raise InvalidInputTypeError(
        f"store must be ':memory:', a path or a JobStore, not {type(store).__name__}"
    )


def _check_job_id(job_id: object) -> str:
    if not isinstance(job_id, str):
        raise InvalidInputTypeError(f"A job id must be a str, not {type(job_id).__name__}")
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise InvalidInputError(
            f"'{job_id}' is not a job id (job ids look like "
            "'3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b')"
        ) from None


def _check_count(name: str, value: object, *, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputTypeError(f"{name} must be an int, not {value!r}")
    if value < 0:
        raise InvalidInputError(f"{name} must be >= 0, not {value}")
    return value


def _check_status(status: JobStatus | str | None) -> JobStatus | None:
    if status is None or isinstance(status, JobStatus):
        return status
    if isinstance(status, str):
        try:
            return JobStatus[status.upper()]
        except KeyError:
            valid = ", ".join(s.name for s in JobStatus)
            raise InvalidInputError(f"Unknown job status '{status}'. Valid: {valid}") from None
    raise InvalidInputTypeError(f"status must be a JobStatus or its name, not {status!r}")


def _check_datetime(name: str, value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInputTypeError(f"{name} must be a datetime, not {type(value).__name__}")
    # Naive datetimes mean local time, like the job's own timestamps.
    return value if value.tzinfo is not None else value.astimezone()


_default: MyProvider | None = None
_default_lock = threading.Lock()


def default_provider() -> MyProvider:
    """Return the process-wide provider used by backends built without one."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MyProvider()
            atexit.register(_default.close)
        return _default

