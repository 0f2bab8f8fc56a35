"""The abstract Job contract (Qrisp's ``Backend.run_async`` / ``Job``), met by our engine.

:class:`JobContractBackend` wraps a :class:`~qiskit_myprovider.MyBackend`; its
:meth:`~JobContractBackend.run_async` submits :class:`~qiskit_myprovider.MyJob` s to the same
executor and job store as ``MyBackend.run`` and returns a :class:`ContractJob` over them. The
contract types (:class:`Job`, :class:`JobStatus`, :class:`JobResult`,
:class:`JobFailureError`, :class:`JobCancelledError`) mirror ``qrisp.interface`` name for
name, so code written against Qrisp's contract runs unchanged; Qrisp itself is never
imported.

Per-circuit shots are native: Aer runs one shot count per job, so the circuits of one
``run_async`` call are grouped by shot count and each group becomes one ``MyJob`` (a single
``MyJob`` in the usual case of one shot count). The contract job reports the combined state
of its parts and assembles their counts in input order. The first part's id is the contract
job's id; the other parts carry it in a tag, which is how
:meth:`~JobContractBackend.retrieve_job` finds them again from any process.

.. rubric:: Design contract

Each clause is checked by ``tests/contract/job_contract_suite.py``, run on this module and,
where the clause applies, on Qrisp's reference backend in the Qrisp interop environment.

- **C1** ``run_async`` returns a :class:`Job` at once, already handed to the executor: never
  ``INITIALIZING`` (``QUEUED`` or later).
- **C2** ``job_id``, ``backend`` and ``last_known_status`` are properties; ``job_id`` is the
  job store's id (a ``str``), ``backend`` the backend that made (or retrieved) the job.
- **C3** ``status()`` is a live query and caches into ``last_known_status``; a final state
  (``DONE``, ``CANCELLED``, ``ERROR``) never changes.
- **C4** ``done``, ``running``, ``queued``, ``cancelled``, ``in_final_state`` and ``refresh``
  answer from ``status()``.
- **C5** ``result(timeout=None)`` blocks until the job is final (waiting on the job, no
  polling loop) and returns a :class:`JobResult`; when the job is already final it returns
  or raises at once.
- **C6** ``result(timeout=t)`` raises ``TimeoutError`` after ``t`` seconds and leaves the
  job running.
- **C7** ``result()`` of a job that ended in ``ERROR`` raises :class:`JobFailureError`
  chained (``__cause__``) to the simulation's own error.
- **C8** ``result()`` of a cancelled job raises :class:`JobCancelledError`.
- **C9** ``cancel()`` returns True when the job is (or is being) cancelled, False when it
  had already ended (nothing is done). Cancelling a running job stops it (in a worker
  process, the worker is replaced).
- **C10** ``_raise_for_status(status=None)`` raises :class:`JobFailureError` for ``ERROR``,
  :class:`JobCancelledError` for ``CANCELLED``, nothing otherwise; with no status it asks
  ``status()``.
- **C11** ``repr(job)`` shows ``last_known_status`` and never makes a live query.
- **C12** :class:`JobResult`: ``all_counts`` holds one dict per circuit in input order,
  ``get_counts(i)`` one of them (``i`` defaults to 0; out of range: ``IndexError`` saying how
  many there are), ``num_circuits``, ``metadata``.
- **C13** Counts keys are contiguous bitstrings (register separators removed) in Qiskit's
  order: classical bit 0 is the rightmost character.
- **C14** ``shots`` is an int or one int per circuit (native, no warning; each circuit's
  counts sum to its shots); None means ``options["shots"]``. A bool or non-int is a
  ``TypeError``, a value <= 0 or a list of the wrong length a ``ValueError``, raised before
  anything is queued.
- **C15** ``circuits`` is one circuit or a sequence: Qiskit circuits or any object with a
  ``to_qiskit()`` method (Qrisp's circuits). Circuits whose gates the backend's target lacks
  are transpiled for it; others run as given. More circuits than ``max_circuits`` (when not
  None) is a ``ValueError``.
- **C16** ``run(circuits, shots=None)`` blocks and returns plain counts dicts: one dict for one
  circuit, a list for a sequence; ``shots`` is an int or None. (The dicts also answer Qrisp's
  lazy-result protocol, see :class:`CountsDict`, for Qrisp functions that read them directly.)
- **C17** ``options`` is a read-only mapping; ``update_options(**kw)`` changes known keys only
  (``AttributeError`` otherwise), validates the values, and changes nothing if any key or
  value is refused.
- **C18** ``retrieve_job(job_id)`` returns the job from the job store, from any process;
  an unknown id is a ``LookupError``.
- **C19** ``name``, ``num_qubits``, ``max_circuits`` and the optional metadata properties
  ``health``, ``info``, ``queue``, ``connectivity``, ``gate_set`` and ``error_rates``: a real
  value where the backend has one, None ("not exposed") where it has not.
- **C20** :class:`JobStatus` is a ``str`` enum whose values are the lowercase names, with
  ``final_states()``; :class:`JobFailureError` and :class:`JobCancelledError` are
  ``RuntimeError`` s (and also our :class:`~qiskit_myprovider.exceptions.JobFailedError` /
  :class:`~qiskit_myprovider.exceptions.JobCancelledError`), neither a subclass of the other.
"""

from __future__ import annotations

import contextlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum, auto
from types import MappingProxyType
from typing import Any, ClassVar, Final, Protocol, overload, runtime_checkable

from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp
from qiskit.exceptions import QiskitError
from qiskit.providers import JobStatus as QiskitJobStatus
from qiskit.result import Result
from qiskit.transpiler import Target
from typing_extensions import override

from qiskit_myprovider import exceptions as _exc
from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.exceptions import (
    ExecutionError,
    InvalidInputError,
    InvalidInputTypeError,
    JobNotFoundError,
    JobTimeoutError,
    MyJobError,
    UnboundParametersError,
)
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.options import validate_option
from qiskit_myprovider.version import __version__

__all__ = [
    "JOB_FINAL_STATES",
    "ContractJob",
    "CountsDict",
    "Job",
    "JobCancelledError",
    "JobContractBackend",
    "JobFailureError",
    "JobResult",
    "JobStatus",
    "SupportsToQiskit",
]

#: The tag every ``MyJob`` submitted through the contract carries.
CONTRACT_TAG: Final = "job-contract"
#: Parts after the first carry ``PART_TAG_PREFIX + <the contract job's id>``.
PART_TAG_PREFIX: Final = "job-contract-part-of:"
#: The key of the contract's bookkeeping in each part's header.
_HEADER_KEY: Final = "job_contract"
#: Instructions that tell the transpiler something but are no gate a target must offer.
_DIRECTIVES: Final = frozenset({"barrier", "delay"})
#: Later than any real time stamp.
_NEVER: Final = datetime.max.replace(tzinfo=UTC)


# -- the contract types ------------------------------------------------------------------


class JobStatus(StrEnum):
    """The states of a contract :class:`Job`; the values are the lowercase names.

    ``INITIALIZING`` is transient: no job leaves :meth:`JobContractBackend.run_async` in it.
    ``DONE``, ``CANCELLED`` and ``ERROR`` are final: once reached, the state never changes.
    """

    INITIALIZING = auto()
    QUEUED = auto()
    RUNNING = auto()
    DONE = auto()
    CANCELLED = auto()
    ERROR = auto()

    @classmethod
    def final_states(cls) -> tuple[JobStatus, ...]:
        """Return the terminal states: ``DONE``, ``CANCELLED`` and ``ERROR``."""
        return (cls.DONE, cls.CANCELLED, cls.ERROR)


#: The terminal states, as :meth:`JobStatus.final_states` returns them.
JOB_FINAL_STATES: Final = JobStatus.final_states()


class JobFailureError(_exc.JobFailedError, RuntimeError):
    """Raised by :meth:`Job.result` when the job ended in ``ERROR``; ``__cause__`` says why.

    A ``RuntimeError`` as the contract requires, and a
    :class:`~qiskit_myprovider.exceptions.JobFailedError` (so a ``JobError``) like every
    failed-job error of this package.
    """


class JobCancelledError(_exc.JobCancelledError, RuntimeError):
    """Raised by :meth:`Job.result` when the job was cancelled.

    A ``RuntimeError`` as the contract requires, and a
    :class:`~qiskit_myprovider.exceptions.JobCancelledError` (so a ``JobError``).
    """


class JobResult:
    """The counts of a job's circuits, one dict per circuit in input order.

    Read-only: the counts and metadata are fixed at construction (the accessors hand out
    copies). Not a dataclass, because the contract's constructor takes the metadata as
    keyword arguments.

    Args:
        counts: One dict per circuit (outcome -> count); a list or tuple, not empty.
        **metadata: Backend-specific details of the execution.

    Raises:
        TypeError: ``counts`` is not a sequence of dicts.
        ValueError: ``counts`` is empty.

    Example:
        >>> from qiskit_myprovider.adapters import JobResult
        >>> result = JobResult([{"0": 800, "1": 224}, {"00": 500, "11": 524}])
        >>> result.num_circuits, result.get_counts(1)
        (2, {'00': 500, '11': 524})
    """

    __slots__ = ("_counts", "_metadata")

    def __init__(self, counts: Sequence[dict[Any, Any]], **metadata: Any) -> None:
        if not isinstance(counts, Sequence) or isinstance(counts, str | bytes):
            raise InvalidInputTypeError(
                f"'counts' must be a sequence of dicts, got {type(counts).__name__}"
            )
        if len(counts) == 0:
            raise InvalidInputError("'counts' must contain at least one dict")
        for index, item in enumerate(counts):
            if not isinstance(item, dict):
                raise InvalidInputTypeError(
                    f"Each item in 'counts' must be a dict, got {type(item).__name__} "
                    f"at index {index}"
                )
        self._counts: tuple[dict[Any, Any], ...] = tuple(dict(item) for item in counts)
        self._metadata: dict[str, Any] = dict(metadata)

    @property
    def all_counts(self) -> list[dict[Any, Any]]:
        """All counts, one dict per circuit, in the order the circuits were submitted."""
        return [dict(item) for item in self._counts]

    @property
    def num_circuits(self) -> int:
        """How many circuits the result holds counts for."""
        return len(self._counts)

    @property
    def metadata(self) -> dict[str, Any]:
        """Details of the execution (for :class:`ContractJob`: ids, backend, shots)."""
        return dict(self._metadata)

    def get_counts(self, index: int = 0) -> dict[Any, Any]:
        """Return the counts of one circuit.

        Args:
            index: The circuit's position in the submitted batch.

        Returns:
            Its counts (outcome -> count).

        Raises:
            IndexError: no circuit has that index; the message says how many there are.
        """
        try:
            return dict(self._counts[index])
        except IndexError as exc:
            raise IndexError(
                f"Result contains {len(self._counts)} circuit(s); index {index} is out of range."
            ) from exc

    def __repr__(self) -> str:
        return f"JobResult(num_circuits={self.num_circuits}, metadata={self._metadata!r})"


class Job(ABC):
    """A handle on a (possibly asynchronous) execution: the abstract contract.

    Concrete jobs implement :meth:`result`, :meth:`cancel` and :meth:`status`; everything
    else derives from them. :class:`ContractJob` is this package's implementation.

    Args:
        backend: The backend that created the job.
        job_id: The job's id, or None if the concrete class assigns one later.
        **metadata: Backend-specific details, kept in :attr:`metadata`.
    """

    def __init__(self, backend: Any, job_id: str | None = None, **metadata: Any) -> None:
        self._backend = backend
        self._job_id = job_id
        self._last_known_status = JobStatus.INITIALIZING
        self._failure_cause: BaseException | None = None
        self.metadata: dict[str, Any] = dict(metadata)

    @property
    def job_id(self) -> str | None:
        """The job's id, or None if none was assigned yet."""
        return self._job_id

    @property
    def backend(self) -> Any:
        """The backend that created the job."""
        return self._backend

    @property
    def last_known_status(self) -> JobStatus:
        """The status seen by the last :meth:`status`, :meth:`refresh` or :meth:`result`.

        Reading it makes no query.
        """
        return self._last_known_status

    @abstractmethod
    def result(self, timeout: float | None = None) -> JobResult:
        """Wait until the job is final and return its result.

        Args:
            timeout: Seconds to wait; None waits as long as it takes.

        Returns:
            The counts of the job's circuits.

        Raises:
            TimeoutError: the job was not final within ``timeout``.
            JobFailureError: the job ended in ``ERROR``.
            JobCancelledError: the job was cancelled.
        """

    @abstractmethod
    def cancel(self) -> bool:
        """Try to cancel the job.

        Returns:
            True if the job is (or is being) cancelled; False if it had already ended.
        """

    @abstractmethod
    def status(self) -> JobStatus:
        """Query the job's current status, store it in :attr:`last_known_status`, return it."""

    def done(self) -> bool:
        """Return whether the job finished successfully (asks :meth:`status`)."""
        return self.status() == JobStatus.DONE

    def running(self) -> bool:
        """Return whether the job is executing (asks :meth:`status`)."""
        return self.status() == JobStatus.RUNNING

    def queued(self) -> bool:
        """Return whether the job waits in a queue (asks :meth:`status`)."""
        return self.status() == JobStatus.QUEUED

    def cancelled(self) -> bool:
        """Return whether the job was cancelled (asks :meth:`status`)."""
        return self.status() == JobStatus.CANCELLED

    def in_final_state(self) -> bool:
        """Return whether the job is ``DONE``, ``CANCELLED`` or ``ERROR`` (asks :meth:`status`)."""
        return self.status() in JOB_FINAL_STATES

    def refresh(self) -> JobStatus:
        """Update :attr:`last_known_status` from a live query and return it."""
        return self.status()

    def _raise_for_status(self, status: JobStatus | None = None) -> None:
        """Raise the contract's error for a job that did not end successfully.

        Args:
            status: The final status already known to the caller; None asks :meth:`status`.

        Raises:
            JobFailureError: the status is ``ERROR`` (chained to the failure's cause).
            JobCancelledError: the status is ``CANCELLED``.
        """
        if status is None:
            status = self.status()
        if status == JobStatus.ERROR:
            cause = self._failure_cause
            if cause is None:
                raise JobFailureError(f"Job {self._job_id!r} terminated with status ERROR.")
            raise JobFailureError(f"Job {self._job_id!r} failed: {cause}") from cause
        if status == JobStatus.CANCELLED:
            raise JobCancelledError(f"Job {self._job_id!r} was cancelled.")

    def __repr__(self) -> str:
        # Only the cached status: repr runs in logs, debuggers and test reports, where a
        # live query would be a surprise (and, for a stored job, a read of the job store).
        return (
            f"{type(self).__name__}(job_id={self._job_id!r}, status={self._last_known_status.name})"
        )


# -- our job -------------------------------------------------------------------------------


_FROM_QISKIT: Final = {
    QiskitJobStatus.INITIALIZING: JobStatus.INITIALIZING,
    QiskitJobStatus.QUEUED: JobStatus.QUEUED,
    QiskitJobStatus.VALIDATING: JobStatus.QUEUED,
    QiskitJobStatus.RUNNING: JobStatus.RUNNING,
    QiskitJobStatus.DONE: JobStatus.DONE,
    QiskitJobStatus.CANCELLED: JobStatus.CANCELLED,
    QiskitJobStatus.ERROR: JobStatus.ERROR,
}


@dataclass(frozen=True)
class _Part:
    """One ``MyJob`` of a contract job and the input positions of its circuits.

    ``indices`` is None for a job not made through the contract: its circuits are the
    contract job's circuits, in order.
    """

    job: MyJob
    indices: tuple[int, ...] | None


class ContractJob(Job):
    """The contract :class:`Job` of :class:`JobContractBackend`, over one or more ``MyJob`` s.

    Made by :meth:`JobContractBackend.run_async` and :meth:`JobContractBackend.retrieve_job`;
    not meant to be built directly. Its id is the id of its first ``MyJob`` (the only one
    unless the circuits were given different shot counts).

    Args:
        backend: The contract backend that made the job.
        parts: The ``MyJob`` s, the first one's id being the job's id.
        num_circuits: How many circuits were submitted (None: as many as the parts ran).
    """

    def __init__(
        self,
        backend: JobContractBackend,
        parts: Sequence[_Part],
        num_circuits: int | None,
    ) -> None:
        if not parts:
            raise InvalidInputError("a contract job needs at least one MyJob")
        super().__init__(backend, parts[0].job.job_id())
        self._parts = tuple(parts)
        self._num_circuits = num_circuits
        self._result: JobResult | None = None
        self._lock = threading.Lock()

    @property
    @override
    def job_id(self) -> str:
        """The job's id: the id of its first ``MyJob`` in the job store."""
        job_id = self._job_id
        assert job_id is not None
        return job_id

    @property
    @override
    def backend(self) -> JobContractBackend:
        """The :class:`JobContractBackend` that made (or retrieved) the job."""
        backend: JobContractBackend = self._backend
        return backend

    @property
    def jobs(self) -> list[MyJob]:
        """The ``MyJob`` s that run this job's circuits, one per distinct shot count."""
        return [part.job for part in self._parts]

    @override
    def status(self) -> JobStatus:
        """Return the job's current status (and cache it in :attr:`last_known_status`).

        With several parts: ``ERROR`` or ``CANCELLED`` as soon as one part ended so (the one
        that ended first decides), ``DONE`` when all are done, ``RUNNING`` once any part
        started, else ``QUEUED``. A part still going when the job has ended otherwise is
        cancelled, so it does not waste the executor's time.
        """
        if self._last_known_status in JOB_FINAL_STATES:
            return self._last_known_status  # a final state never changes: no query needed
        statuses = [_FROM_QISKIT[part.job.status()] for part in self._parts]
        status = self._combine(statuses)
        if status in (JobStatus.ERROR, JobStatus.CANCELLED):
            self._cancel_unfinished()
        self._last_known_status = status
        return status

    @override
    def result(self, timeout: float | None = None) -> JobResult:
        """Wait until the job is final and return its counts.

        Waits on the job itself (it wakes when the job ends, no polling), unless the job runs
        in another process, whose progress is read from the job store.

        Args:
            timeout: Seconds to wait, >= 0; None waits as long as it takes. A job that is
                already final returns (or raises) at once.

        Returns:
            One counts dict per circuit, in input order, keys as contiguous bitstrings.

        Raises:
            JobTimeoutError: the job was not final within ``timeout`` (a ``TimeoutError``);
                it keeps going.
            JobFailureError: the job ended in ``ERROR``; ``__cause__`` is the simulation's error.
            JobCancelledError: the job was cancelled.
            InvalidInputError: ``timeout`` is negative.
            InvalidInputTypeError: ``timeout`` is not a number.
        """
        if self._result is not None:
            return self._result
        deadline = _deadline(timeout)
        for part in self._parts:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                part.job.wait_for_final_state(timeout=remaining, wait=3600)
            except JobTimeoutError:
                status = self.status()
                if status not in JOB_FINAL_STATES:
                    raise JobTimeoutError(
                        f"Job {self.job_id} is still {status.name} after {timeout} s; it keeps "
                        "running (wait longer, or cancel it)"
                    ) from None
                break
            if part.job.status() in (QiskitJobStatus.ERROR, QiskitJobStatus.CANCELLED):
                break  # the whole job has ended; no need to wait for the other parts
        status = self.status()
        if status is JobStatus.ERROR:
            self._failure_cause = self._find_failure_cause()
        self._raise_for_status(status)
        with self._lock:
            if self._result is None:
                self._result = self._assemble()
            return self._result

    @override
    def cancel(self) -> bool:
        """Cancel the job: every part that has not ended yet.

        A queued part leaves its executor's queue; a running part in a worker process is
        stopped (the worker is replaced); a part running in a thread is marked cancelled at
        once and its result is discarded.

        Returns:
            True if the job is now ``CANCELLED``; False if it had already ended.

        Raises:
            MyJobError: the job runs in another process, which alone can cancel it.
        """
        if self.status() in JOB_FINAL_STATES:
            return False
        for part in self._parts:
            part.job.cancel()
        return self.status() is JobStatus.CANCELLED

    # -- internals -----------------------------------------------------------------------

    def _combine(self, statuses: list[JobStatus]) -> JobStatus:
        if len(statuses) == 1:
            return statuses[0]
        ended_badly = [
            (self._ended_at(part, status), status)
            for part, status in zip(self._parts, statuses, strict=True)
            if status in (JobStatus.ERROR, JobStatus.CANCELLED)
        ]
        if ended_badly:
            # The part that ended first decides: a failure that made us cancel the other
            # parts stays a failure, a cancellation that a late failure raced stays one.
            return min(ended_badly)[1]
        if all(status is JobStatus.DONE for status in statuses):
            return JobStatus.DONE
        if any(status in (JobStatus.RUNNING, JobStatus.DONE) for status in statuses):
            return JobStatus.RUNNING
        if any(status is JobStatus.QUEUED for status in statuses):
            return JobStatus.QUEUED
        return JobStatus.INITIALIZING

    @staticmethod
    def _ended_at(part: _Part, status: JobStatus) -> datetime:
        return part.job.time_per_step().get(status.name, _NEVER)

    def _cancel_unfinished(self) -> None:
        for part in self._parts:
            # A part run by another process can only be cancelled there; it ends on its own.
            with contextlib.suppress(MyJobError):
                part.job.cancel()

    def _find_failure_cause(self) -> BaseException:
        for part in self._parts:
            if part.job.status() is not QiskitJobStatus.ERROR:
                continue
            try:
                part.job.result(timeout=0)
            except _exc.JobFailedError as exc:
                return exc.__cause__ if exc.__cause__ is not None else exc
        return ExecutionError("the job ended in ERROR without a recorded cause")

    def _assemble(self) -> JobResult:
        counts: dict[int, dict[str, int]] = {}
        shots: dict[int, int] = {}
        time_taken = 0.0
        for part in self._parts:
            result = part.job.result(timeout=0)
            time_taken += float(getattr(result, "time_taken", 0.0) or 0.0)
            indices = part.indices
            if indices is None:
                indices = tuple(range(len(result.results)))
            for position, index in enumerate(indices):
                counts[index], shots[index] = _counts_of(result, position)
        total = self._num_circuits if self._num_circuits is not None else len(counts)
        missing = [index for index in range(total) if index not in counts]
        if missing:
            raise ExecutionError(
                f"Job {self.job_id} has no counts for circuit(s) {missing}: its parts in the "
                "job store do not match the circuits submitted"
            )
        return JobResult(
            [counts[index] for index in range(total)],
            job_id=self.job_id,
            backend_name=self.backend.name,
            shots=[shots[index] for index in range(total)],
            job_ids=[part.job.job_id() for part in self._parts],
            time_taken=time_taken,
        )


def _deadline(timeout: object) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InvalidInputTypeError(f"timeout must be a number of seconds or None, not {timeout!r}")
    if not timeout >= 0:
        raise InvalidInputError(f"timeout must be >= 0 seconds, not {timeout}")
    return time.monotonic() + float(timeout)


def _counts_of(result: Result, position: int) -> tuple[dict[str, int], int]:
    """Return one experiment's counts with contiguous keys, and its shot count."""
    experiment_shots = int(getattr(result.results[position], "shots", 0) or 0)
    try:
        raw = result.get_counts(position)
    except QiskitError:
        # A circuit without classical bits has no counts; every shot gave the empty outcome.
        return {"": experiment_shots}, experiment_shots
    counts: dict[str, int] = {}
    for key, value in raw.items():
        bits = key.replace(" ", "")
        counts[bits] = counts.get(bits, 0) + int(value)
    return counts, experiment_shots or sum(counts.values())


# -- the backend ---------------------------------------------------------------------------


class CountsDict(dict[str, int]):
    """One circuit's counts (bitstring -> count), as :meth:`JobContractBackend.run` returns them.

    A plain ``dict``. Qrisp functions that read a backend's ``run()`` result themselves
    (``multi_measurement``, which Grover's algorithm uses) expect Qrisp's own lazy result
    objects and ask them ``_ensure_populated()`` and ``_data``; these counts, always
    complete, answer both, so those functions work without this package importing Qrisp.
    """

    __slots__ = ()

    #: Always complete (Qrisp's lazy results say so through this flag).
    _populated: ClassVar[bool] = True

    def _ensure_populated(self) -> None:
        """Do nothing: the counts are complete (for Qrisp's lazy-result protocol)."""

    @property
    def _data(self) -> dict[str, int]:
        """The counts themselves (for Qrisp's lazy-result protocol)."""
        return self


@runtime_checkable
class SupportsToQiskit(Protocol):
    """A circuit from another framework that converts itself (Qrisp's ``QuantumCircuit``)."""

    def to_qiskit(self) -> Any:
        """Return the circuit as a :class:`qiskit.QuantumCircuit`."""


_OPTION_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {"shots": 1024, "seed_simulator": None}
)


class JobContractBackend:
    """A backend that speaks the abstract Job contract (Qrisp's ``Backend``) over our engine.

    Jobs run on a :class:`~qiskit_myprovider.MyBackend`: the same executor and the same job
    store as that backend's own ``run()``. Pass it to Qrisp wherever a backend is expected,
    e.g. ``qv.get_measurement(backend=JobContractBackend())``.

    Args:
        backend: The backend to run on; None uses the default backend of the process-wide
            provider (``myprovider_simulator``).
        shots: The default shot count (``options["shots"]``).
        name: The name to report; None uses the backend's name.

    Raises:
        InvalidInputTypeError: ``backend`` is not a ``MyBackend``, ``name`` not a string, or
            ``shots`` not an int.
        InvalidInputError: ``shots`` is not positive, or ``name`` is empty.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit_myprovider import MyProvider
        >>> from qiskit_myprovider.adapters import JobContractBackend
        >>> qc = QuantumCircuit(1, 1)
        >>> _ = qc.x(0); _ = qc.measure(0, 0)
        >>> with MyProvider(store=":memory:") as provider:
        ...     backend = JobContractBackend(provider.get_backend(), shots=100)
        ...     backend.run(qc)
        {'1': 100}
    """

    def __init__(
        self, backend: MyBackend | None = None, *, shots: int = 1024, name: str | None = None
    ) -> None:
        if backend is None:
            from qiskit_myprovider.provider import default_provider

            backend = default_provider().get_backend()
        if not isinstance(backend, MyBackend):
            raise InvalidInputTypeError(
                "JobContractBackend runs on a qiskit_myprovider MyBackend (e.g. "
                f"MyProvider().get_backend()), not {type(backend).__name__}"
            )
        if name is not None and not isinstance(name, str):
            raise InvalidInputTypeError(f"name must be a str, not {type(name).__name__}")
        if name == "":
            raise InvalidInputError("name must not be empty")
        self._backend = backend
        self.name: str = name if name is not None else backend.name
        self._options: dict[str, Any] = dict(_OPTION_DEFAULTS)
        self._options["shots"] = _check_shots(shots)

    def __repr__(self) -> str:
        return f"JobContractBackend(name={self.name!r}, options={self._options!r})"

    # -- options ---------------------------------------------------------------------------

    @property
    def options(self) -> Mapping[str, Any]:
        """The run options (read-only): ``shots`` and ``seed_simulator``.

        Change them with :meth:`update_options`; assigning to the mapping is a ``TypeError``.
        """
        return MappingProxyType(self._options)

    def update_options(self, **options: Any) -> None:
        """Change run options; all of them or, if any is refused, none.

        Args:
            **options: ``shots`` (a positive int) and/or ``seed_simulator`` (an int, or None
                for a fresh seed per job).

        Raises:
            AttributeError: a key that is not an option (the message lists the valid ones).
            InvalidInputTypeError: a value of the wrong type (a ``TypeError``).
            InvalidInputError: a value out of range (a ``ValueError``).
        """
        unknown = [key for key in options if key not in self._options]
        if unknown:
            raise AttributeError(
                f"'{unknown[0]}' is not a valid backend option for {type(self).__name__}. "
                f"Valid options: {list(self._options)}"
            )
        checked = dict(options)
        if "shots" in checked:
            checked["shots"] = _check_shots(checked["shots"])
        if checked.get("seed_simulator") is not None:
            checked["seed_simulator"] = validate_option("seed_simulator", checked["seed_simulator"])
        self._options.update(checked)

    # -- running ---------------------------------------------------------------------------

    def run_async(
        self,
        circuits: QuantumCircuit | SupportsToQiskit | Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | Sequence[int] | None = None,
    ) -> ContractJob:
        """Submit circuits and return their job at once (already ``QUEUED`` or further).

        Everything is checked before anything is queued.

        Args:
            circuits: One circuit or a sequence of them: Qiskit circuits, or objects with a
                ``to_qiskit()`` method (Qrisp's circuits). Circuits with gates the backend's
                target lacks are transpiled for it.
            shots: Shots for every circuit, or one count per circuit; None uses
                ``options["shots"]``.

        Returns:
            The job. Its counts come in the order of ``circuits``.

        Raises:
            InvalidInputTypeError: a bool or non-int shot count, or something that is not a
                circuit (a ``TypeError``).
            InvalidInputError: a shot count <= 0, a shots list whose length is not the number
                of circuits, no circuits, more than :attr:`max_circuits`, a circuit wider than
                the backend, unbound parameters, or a circuit that cannot be converted or
                translated for the backend (a ``ValueError``).
        """
        batch = self._normalise(circuits)
        self._check_circuit_limit(len(batch))
        per_circuit = self._shots_per_circuit(shots, len(batch))
        qiskit_circuits = [self._prepare(circuit, index) for index, circuit in enumerate(batch)]

        groups: dict[int, list[int]] = {}
        for index, count in enumerate(per_circuit):
            groups.setdefault(count, []).append(index)
        run_options: dict[str, Any] = {}
        if self._options["seed_simulator"] is not None:
            run_options["seed_simulator"] = self._options["seed_simulator"]

        parts: list[_Part] = []
        try:
            for part_number, (count, indices) in enumerate(groups.items()):
                primary = parts[0].job.job_id() if parts else None
                tags = [CONTRACT_TAG]
                if primary is not None:
                    tags.append(PART_TAG_PREFIX + primary)
                header = {
                    _HEADER_KEY: {
                        "part": part_number,
                        "num_parts": len(groups),
                        "num_circuits": len(batch),
                        "circuit_indices": list(indices),
                        "primary": primary,
                    }
                }
                job = self._backend.run(
                    [qiskit_circuits[index] for index in indices],
                    shots=count,
                    job_tags=tags,
                    header=header,
                    **run_options,
                )
                parts.append(_Part(job, tuple(indices)))
        except BaseException:
            for part in parts:  # all or nothing: an accepted part must not run on alone
                part.job.cancel()
            raise
        contract_job = ContractJob(self, parts, len(batch))
        contract_job.status()  # caches QUEUED or later: run_async never hands out INITIALIZING
        return contract_job

    @overload
    def run(
        self, circuits: QuantumCircuit | SupportsToQiskit, shots: int | None = None
    ) -> CountsDict: ...

    @overload
    def run(
        self,
        circuits: Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | None = None,
    ) -> list[CountsDict]: ...

    def run(
        self,
        circuits: QuantumCircuit | SupportsToQiskit | Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | None = None,
    ) -> CountsDict | list[CountsDict]:
        """Run circuits, wait for them and return their counts.

        This is what Qrisp's ``get_measurement`` and ``multi_measurement`` call.

        Args:
            circuits: One circuit or a sequence (as for :meth:`run_async`).
            shots: Shots for every circuit; None uses ``options["shots"]``. (For one count
                per circuit, use :meth:`run_async`.)

        Returns:
            One counts dict (a :class:`CountsDict`) for one circuit, a list of them (in
            order) for a sequence.

        Raises:
            InvalidInputTypeError: ``shots`` is not an int or None, or bad circuits.
            InvalidInputError: as for :meth:`run_async`.
            JobFailureError: the job ended in ``ERROR``.
            JobCancelledError: the job was cancelled meanwhile.
        """
        if shots is not None:
            _check_shots(shots)
        single = _is_circuit(circuits)
        result = self.run_async(circuits, shots).result()
        counts = [CountsDict(item) for item in result.all_counts]
        return counts[0] if single else counts

    def retrieve_job(self, job_id: str) -> ContractJob:
        """Return a job from the job store, whichever process submitted it.

        Any job of the wrapped backend can be retrieved, also one made by its ``run()``.

        Args:
            job_id: The job's id (``job.job_id``).

        Returns:
            The job, in whatever state it is now.

        Raises:
            JobNotFoundError: no job of this backend has that id, or ``job_id`` is not a job id
                (a ``LookupError``).
            InvalidInputTypeError: ``job_id`` is not a string.
        """
        try:
            job = self._backend.retrieve_job(job_id)
        except InvalidInputTypeError:
            raise
        except InvalidInputError as exc:
            raise JobNotFoundError(str(exc)) from None
        info = job.header().get(_HEADER_KEY)
        if not isinstance(info, Mapping):
            return ContractJob(self, [_Part(job, None)], None)
        if info.get("primary") is not None:
            raise JobNotFoundError(
                f"Job {job_id} is part {info.get('part')} of job {info['primary']}; "
                f"retrieve that one: retrieve_job('{info['primary']}')"
            )
        parts = [_Part(job, tuple(info["circuit_indices"]))]
        num_parts = int(info["num_parts"])
        if num_parts > 1:
            others = self._backend.jobs(limit=None, job_tags=[PART_TAG_PREFIX + job_id])
            others.sort(key=lambda other: int(other.header()[_HEADER_KEY]["part"]))
            if len(others) != num_parts - 1:
                raise JobNotFoundError(
                    f"Job {job_id} ran in {num_parts} parts, but the job store holds "
                    f"{len(others) + 1} of them (deleted or pruned?)"
                )
            parts += [
                _Part(other, tuple(other.header()[_HEADER_KEY]["circuit_indices"]))
                for other in others
            ]
        return ContractJob(self, parts, int(info["num_circuits"]))

    # -- what the backend is -------------------------------------------------------------

    @property
    def backend(self) -> MyBackend:
        """The :class:`~qiskit_myprovider.MyBackend` the jobs run on."""
        return self._backend

    @property
    def num_qubits(self) -> int:
        """The most qubits a circuit may have (Aer's limit for this machine's memory)."""
        return int(self._backend.num_qubits)

    @property
    def max_circuits(self) -> int | None:
        """The most circuits one job may hold; None: no limit (Aer has none)."""
        return self._backend.max_circuits

    @property
    def health(self) -> None:
        """None: a local simulator keeps no health diagnostics."""
        return None

    @property
    def info(self) -> dict[str, Any]:
        """What the backend is: name, simulation method, device, noise, version, job store."""
        backend = self._backend
        return {
            "name": self.name,
            "backend": backend.name,
            "description": backend.description,
            "provider": "qiskit_myprovider",
            "version": __version__,
            "simulator": True,
            "method": backend.method,
            "device": backend.device,
            "noisy": backend.noisy,
            "job_store": backend.engine.store.location,
        }

    @property
    def queue(self) -> dict[str, int]:
        """The backend's jobs in the job store that wait (``queued``) or run (``running``)."""
        backend = self._backend
        return {
            "queued": len(backend.jobs(limit=None, status="QUEUED")),
            "running": len(backend.jobs(limit=None, status="RUNNING")),
        }

    @property
    def connectivity(self) -> list[tuple[int, int]] | None:
        """The qubit pairs a two-qubit gate may act on; None: any pair (no coupling map)."""
        coupling = self._target.build_coupling_map()
        if coupling is None:
            return None
        return sorted((int(a), int(b)) for a, b in coupling.get_edges())

    @property
    def gate_set(self) -> frozenset[str]:
        """The names of the operations the backend's target runs natively (with ``measure``)."""
        return frozenset(self._target.operation_names)

    @property
    def error_rates(self) -> dict[str, Any] | None:
        """Gate errors recorded in the target (devices mimicked with ``from_backend``).

        Returns:
            ``{"calibration": <where the numbers come from>, "errors": {(gate, qubits):
            error}}``, or None when the target records no errors (ideal simulators, and the
            built-in noisy ones, whose noise model has no calibration snapshot).
        """
        target = self._target
        errors: dict[tuple[str, tuple[int, ...]], float] = {}
        for gate in target.operation_names:
            for qargs, properties in target[gate].items():
                error = getattr(properties, "error", None)
                if qargs is not None and error is not None:
                    errors[(gate, tuple(qargs))] = float(error)
        if not errors:
            return None
        return {"calibration": f"target of {self._backend.name}", "errors": errors}

    # -- internals -----------------------------------------------------------------------

    @property
    def _target(self) -> Target:
        return self._backend.target

    def _check_circuit_limit(self, count: int) -> None:
        limit = self.max_circuits
        if limit is not None and count > limit:
            raise InvalidInputError(
                f"{type(self).__name__} accepts at most {limit} circuit(s) per job, but "
                f"{count} were submitted. Split the batch into smaller chunks and submit "
                "separately."
            )

    @staticmethod
    def _normalise(circuits: object) -> list[object]:
        if _is_circuit(circuits):
            return [circuits]
        if isinstance(circuits, str | bytes | Mapping) or not isinstance(circuits, Iterable):
            raise InvalidInputTypeError(
                "run_async() takes a circuit (Qiskit's, or one with a to_qiskit() method) or a "
                f"sequence of them, not {type(circuits).__name__}"
            )
        batch = list(circuits)
        if not batch:
            raise InvalidInputError("run_async() needs at least one circuit; got none")
        return batch

    def _shots_per_circuit(self, shots: object, count: int) -> list[int]:
        if shots is None:
            return [int(self._options["shots"])] * count
        if isinstance(shots, Sequence) and not isinstance(shots, str | bytes):
            if len(shots) != count:
                raise InvalidInputError(
                    f"'shots' list has {len(shots)} element(s) but {count} circuit(s) were "
                    "submitted. When passing per-circuit shot counts, provide exactly one "
                    "value per circuit."
                )
            return [_check_shots(value) for value in shots]
        return [_check_shots(shots)] * count

    def _prepare(self, circuit: object, index: int) -> QuantumCircuit:
        qc = _to_qiskit(circuit, index)
        if qc.num_qubits > self.num_qubits:
            raise InvalidInputError(
                f"Circuit {index} ('{qc.name}') has {qc.num_qubits} qubits; backend "
                f"'{self.name}' simulates at most {self.num_qubits}"
            )
        if qc.num_parameters:
            names = ", ".join(sorted(p.name for p in qc.parameters))
            raise UnboundParametersError(
                f"Circuit {index} ('{qc.name}') has unbound parameters ({names}); bind them "
                "with circuit.assign_parameters(...) first"
            )
        if not _needs_translation(qc, self._target):
            return qc
        try:
            translated: QuantumCircuit = transpile(qc, backend=self._backend, optimization_level=1)
        except Exception as exc:
            raise InvalidInputError(
                f"Circuit {index} ('{qc.name}') cannot be translated to the gates of backend "
                f"'{self.name}': {exc}"
            ) from exc
        return translated


def _is_circuit(value: object) -> bool:
    return isinstance(value, QuantumCircuit) or callable(getattr(value, "to_qiskit", None))


def _check_shots(shots: object) -> int:
    """Return ``shots`` if it is a positive int; refuse it as the contract says otherwise."""
    if isinstance(shots, bool) or not isinstance(shots, int):
        raise InvalidInputTypeError(
            f"'shots' must be a positive integer, got {type(shots).__name__!r}"
        )
    if shots <= 0:
        raise InvalidInputError(f"'shots' must be a positive integer, got {shots!r}")
    return int(shots)


def _to_qiskit(circuit: object, index: int) -> QuantumCircuit:
    if isinstance(circuit, QuantumCircuit):
        return circuit
    convert = getattr(circuit, "to_qiskit", None)
    if not callable(convert):
        raise InvalidInputTypeError(
            f"Circuit {index} is a {type(circuit).__name__}: neither a qiskit QuantumCircuit "
            "nor an object with a to_qiskit() method"
        )
    try:
        converted = convert()
    except Exception as exc:
        raise InvalidInputError(
            f"Circuit {index}: {type(circuit).__name__}.to_qiskit() failed: {exc}"
        ) from exc
    if not isinstance(converted, QuantumCircuit):
        raise InvalidInputTypeError(
            f"Circuit {index}: {type(circuit).__name__}.to_qiskit() returned a "
            f"{type(converted).__name__}, not a qiskit QuantumCircuit"
        )
    return converted


def _needs_translation(circuit: QuantumCircuit, target: Target) -> bool:
    """Return whether some instruction is not one the target runs on its qubits."""
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in _DIRECTIVES:
            continue
        qargs = tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)
        if not target.instruction_supported(operation.name, qargs):
            return True
        # Inside a control-flow block, qubit indices are the block's own: exact for targets
        # without a coupling map (Aer's), and a translation is only ever one step too many.
        if isinstance(operation, ControlFlowOp) and any(
            _needs_translation(block, target) for block in operation.blocks
        ):
            return True
    return False
