"""The AsyncJobBackend protocol (Divi's asynchronous backend contract) on this package's engine.

:class:`AsyncJobBackendAdapter` lets a program written against the ``AsyncJobBackend``
protocol of `qoro-divi <https://pypi.org/project/qoro-divi/>`_ (and the older seed protocol it
grew from) run its circuit batches on a :class:`~qiskit_myprovider.MyBackend`: the same
engine, executors and job store as every other job of this package. Each submission becomes
one or a few :class:`~qiskit_myprovider.MyJob` objects that run in the background while the
caller polls.

**Design contract.** Each clause is checked by ``tests/test_adapter_async_job.py`` and, against
the real ``qoro-divi``, by ``tests/interop/divi``.

1. **Protocol members.** The adapter has ``shots`` (a read-only property), ``submit_circuits``,
   ``poll_job_status``, ``get_job_results`` and ``cancel_job``, so
   ``isinstance(adapter, divi.backends.AsyncJobBackend)`` holds; it also has ``is_async``,
   ``supports_expval`` and ``resolves_parameters`` (all True) and ``set_seed(seed)``, which
   Divi programs read from every backend.
2. **Inputs.** ``submit_circuits`` takes a mapping label → OpenQASM 2 or 3 text or
   ``QuantumCircuit``; a sequence of those (labelled ``"0"``, ``"1"``, ...); or a sequence of
   payload objects with the attributes ``circuit`` (OpenQASM text, placeholders allowed, or a
   ``QuantumCircuit``), ``parameters`` (``Parameter`` objects or names) and
   ``parameter_sets`` (``(label, values)`` rows), such as ``divi.circuits.CircuitPayload``.
   A parametric payload is parsed once and bound inside Aer (``parameter_binds``, one
   experiment per row); its text is never re-exported or re-parsed per row. (Circuits with
   controlled rotations or phases, which Aer 0.18 binds wrongly, are bound in Python
   instead, row by row, and still run as one Aer job.) Bound circuits that differ only in
   their rotation angles (Divi's bound batches) are likewise run as one parametric circuit.
3. **Options.** ``ham_ops`` asks for expectation values: ``;``-separated Pauli strings with
   qubit 0 *leftmost*, ``|``-separated groups that ``circuit_ham_map`` (half-open
   ``[start, end)`` ranges over the submitted circuits, one per group) assigns to circuits;
   values are computed exactly by Aer (``save_expval`` on the measurement-free circuit, one
   shot), never sampled. ``shot_groups`` is a list of ``[start, end, shots]`` triples
   (``end`` exclusive) that must tile the circuits exactly. Both at once, an unknown keyword
   (``TypeError``), malformed OpenQASM (``ValueError`` naming the label) or any other bad
   input is refused before anything is queued.
4. **Cancellation before dispatch.** A set ``cancellation_event`` makes ``submit_circuits``
   raise :class:`ExecutionCancelledError` and queue nothing.
5. **Handles.** ``submit_circuits`` returns a frozen :class:`ExecutionResult` with
   ``results=None`` and a ``job_id``: the id of the one ``MyJob`` the submission became, or
   (when it took several: one per distinct shot count) their ids joined by ``+``.
   ``backend_jobs`` is how many jobs that is. The jobs are tagged
   ``async-job-adapter`` and carry their layout in their header, so any adapter on the same
   job store can poll, fetch or cancel them by that id.
6. **Polling.** ``poll_job_status`` returns an :class:`ExecutionStatus` (a ``str`` enum equal
   to Divi's ``JobStatus`` of the same name). With ``loop_until_complete`` it blocks on the
   jobs themselves (no fixed sleeps: it wakes the moment they end), calls
   ``progress_callback(attempt, status)`` while they run, calls ``on_complete(response)``
   once when they reach a final state, returns ``COMPLETED``, and raises
   :class:`~qiskit_myprovider.exceptions.JobFailedError` (chained to the cause) or
   :class:`~qiskit_myprovider.exceptions.JobCancelledError` when they end otherwise. A set
   ``cancellation_event`` cancels the jobs and raises :class:`ExecutionCancelledError`.
   ``on_complete`` is optional, so callers of both protocol generations work.
7. **Results.** ``get_job_results`` refuses a job that is not ``COMPLETED`` and otherwise
   returns the handle populated: ``[{"label": ..., "results": ...}]`` in submission order,
   counts keyed by bitstrings in Qiskit's order (clbit 0 rightmost), expectation values as
   floats keyed by their Pauli string, and ``run_time`` (seconds of simulation, summed).
8. **Cancelling.** ``cancel_job`` is idempotent and never raises for a finished job: it
   returns a :class:`JobResponse` with ``status_code`` 200 when it cancelled something and
   409 when every job was already final.
9. **No dependency on Divi.** ``divi`` is never imported at runtime, except that when it is
   installed the :class:`ExecutionCancelledError` raised is also an instance of
   ``divi.exceptions.ExecutionCancelledError``, so Divi's own handlers catch it.

Example:
    >>> from qiskit_myprovider import MyProvider
    >>> from qiskit_myprovider.adapters import AsyncJobBackendAdapter
    >>> bell = '''OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2];
    ...           h q[0]; cx q[0], q[1]; measure q -> c;'''
    >>> with MyProvider(store=":memory:") as provider:
    ...     adapter = AsyncJobBackendAdapter(provider.get_backend(), shots=100)
    ...     handle = adapter.submit_circuits({"bell": bell}, ham_ops="ZZ;XX")
    ...     status = adapter.poll_job_status(handle, loop_until_complete=True)
    ...     done = adapter.get_job_results(handle)
    >>> status
    <ExecutionStatus.COMPLETED: 'COMPLETED'>
    >>> done.results
    [{'label': 'bell', 'results': {'ZZ': 1.0, 'XX': 1.0}}]
"""

from __future__ import annotations

import contextlib
import enum
import functools
import importlib
import importlib.util
import logging
import math
import operator
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Self

from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp, Parameter
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.providers import JobStatus
from qiskit.quantum_info import Pauli
from qiskit_aer.library import SaveExpectationValue

from qiskit_myprovider.backend import AER_BINDABLE_GATES, MyBackend, aer_binds_correctly
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    JobTimeoutError,
    MyJobError,
    MyProviderError,
    UnboundParametersError,
)
from qiskit_myprovider.options import validate_shots
from qiskit_myprovider.qasm import load_template, parameter_name, parse_qasm

if TYPE_CHECKING:
    from qiskit.result import Result

    from qiskit_myprovider.job import MyJob

__all__ = [
    "AsyncJobBackendAdapter",
    "ExecutionCancelledError",
    "ExecutionResult",
    "ExecutionStatus",
    "JobResponse",
]

logger = logging.getLogger(__name__)

#: The tag every job submitted through the adapter carries.
JOB_TAG: Final = "async-job-adapter"
#: The header key under which each job records which labels its experiments belong to.
_HEADER_KEY: Final = "async_job_adapter"
#: Separates the MyJob ids of a submission that became several jobs.
_ID_SEPARATOR: Final = "+"
#: While polling, how often ``progress_callback`` hears about a job that is still running.
_PROGRESS_INTERVAL: Final = 0.5
#: While polling with a ``cancellation_event``, the longest it may stay set unnoticed.
_EVENT_CHECK_INTERVAL: Final = 0.05
#: Aer parallelises a statevector only from this many qubits on (its own default threshold);
#: below it, a batch is faster with one experiment per core.
_SMALL_CIRCUIT_QUBITS: Final = 14
_SUBMIT_KEYWORDS: Final = ("cancellation_event", "circuit_ham_map", "ham_ops", "shot_groups")


# -- value types ----------------------------------------------------------------------------


class ExecutionStatus(enum.StrEnum):
    """The state of a submission, as the AsyncJobBackend protocol names it.

    Members are strings, so ``ExecutionStatus.COMPLETED == "COMPLETED"`` and they compare
    equal to Divi's ``JobStatus`` members of the same name.
    """

    PENDING = "PENDING"
    """Created or queued; not running yet."""
    RUNNING = "RUNNING"
    """Simulating (for a submission of several jobs: at least one has started)."""
    COMPLETED = "COMPLETED"
    """Every job finished successfully; the results can be fetched."""
    FAILED = "FAILED"
    """A job ended in error."""
    CANCELLED = "CANCELLED"
    """A job was cancelled."""

    @property
    def is_final(self) -> bool:
        """Whether the state can no longer change (COMPLETED, FAILED or CANCELLED)."""
        return self in _FINAL


_FINAL: Final = frozenset(
    {ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED}
)

_FROM_JOB_STATUS: Final = {
    JobStatus.INITIALIZING: ExecutionStatus.PENDING,
    JobStatus.QUEUED: ExecutionStatus.PENDING,
    JobStatus.VALIDATING: ExecutionStatus.PENDING,
    JobStatus.RUNNING: ExecutionStatus.RUNNING,
    JobStatus.DONE: ExecutionStatus.COMPLETED,
    JobStatus.ERROR: ExecutionStatus.FAILED,
    JobStatus.CANCELLED: ExecutionStatus.CANCELLED,
}


@dataclass(frozen=True)
class ExecutionResult:
    """A submission's handle and, once fetched, its results (the protocol's value type).

    Attributes:
        results: None until :meth:`AsyncJobBackendAdapter.get_job_results` fills it with one
            ``{"label": str, "results": dict}`` per circuit, in submission order.
        job_id: The submission's id: a ``MyJob`` id, or several joined by ``+``.
        backend_jobs: How many ``MyJob`` objects the submission became.
        run_time: Seconds of simulation, summed over those jobs (0.0 until fetched).
    """

    results: list[dict[str, Any]] | None = None
    job_id: str | None = None
    backend_jobs: int = 1
    run_time: float = 0.0

    def is_async(self) -> bool:
        """Return whether this is a handle still waiting for its results."""
        return self.job_id is not None and self.results is None

    def with_results(self, results: list[dict[str, Any]], run_time: float = 0.0) -> Self:
        """Return a copy with ``results`` and ``run_time`` filled in (``job_id`` kept).

        Args:
            results: One ``{"label", "results"}`` dict per circuit.
            run_time: Seconds of simulation.
        """
        return replace(self, results=results, run_time=run_time)


@dataclass(frozen=True)
class JobResponse:
    """The answer to :meth:`~AsyncJobBackendAdapter.cancel_job` and what ``on_complete`` gets.

    Shaped like the HTTP response the protocol was written for.

    Attributes:
        status_code: 200 when the request did what it asked (cancelled a job; reached a final
            state), 409 when it could not because every job had already ended.
        job_id: The submission's id.
        status: The submission's status after the request.
        message: A sentence saying what happened.
    """

    status_code: int
    job_id: str
    status: ExecutionStatus
    message: str = ""

    @property
    def ok(self) -> bool:
        """Whether ``status_code`` is below 400."""
        return self.status_code < 400

    def json(self) -> dict[str, Any]:
        """Return the response as a JSON-ready dict (``job_id``, ``status``, ``message``)."""
        return {"job_id": self.job_id, "status": self.status.value, "message": self.message}


class ExecutionCancelledError(MyProviderError):
    """A submission or a polling loop was cancelled through its ``cancellation_event``.

    When ``divi`` is installed, the instances raised are also instances of
    ``divi.exceptions.ExecutionCancelledError``.
    """

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        # The class raised may be built at run time (see _cancelled_error_class): rebuild
        # through the factory, which picks the right class in the unpickling process too.
        return (_new_cancelled_error, self.args)


def _new_cancelled_error(*message: object) -> ExecutionCancelledError:
    return _cancelled_error_class()(*message)


@functools.cache
def _cancelled_error_class() -> type[ExecutionCancelledError]:
    """Return the class to raise: ours, or ours mixed with Divi's when Divi is installed."""
    divi_class = _divi_cancelled_error()
    if divi_class is None:
        return ExecutionCancelledError
    mixed = type(
        "ExecutionCancelledError",
        (ExecutionCancelledError, divi_class),
        {"__module__": __name__, "__doc__": ExecutionCancelledError.__doc__},
    )
    return mixed


def _divi_cancelled_error() -> type[BaseException] | None:
    module = sys.modules.get("divi.exceptions")
    if module is None:
        try:
            if importlib.util.find_spec("divi") is None:
                return None
            module = importlib.import_module("divi.exceptions")
        except Exception:  # a broken Divi install must not break cancellation
            logger.debug("divi is present but divi.exceptions did not import", exc_info=True)
            return None
    found = getattr(module, "ExecutionCancelledError", None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _raise_if_cancelled(event: threading.Event | None, message: str) -> None:
    if event is not None and event.is_set():
        raise _new_cancelled_error(message)


# -- the adapter ----------------------------------------------------------------------------


class AsyncJobBackendAdapter:
    """A backend for programs written against the AsyncJobBackend protocol (e.g. Divi).

    The module documentation lists the contract it meets, clause by clause. The adapter
    holds on to each submission's jobs until their results are fetched (or they are found
    failed or cancelled); after that, any adapter on the same job store finds them by id.
    It is safe to use from several threads at once.

    Args:
        backend: The backend that runs the circuits; None uses the default provider's
            default backend (``myprovider_simulator``).
        shots: Shots per circuit when the submission does not say otherwise.

    Raises:
        InvalidInputTypeError: ``backend`` is not a :class:`~qiskit_myprovider.MyBackend`, or
            ``shots`` is not an int.
        InvalidInputError: ``shots`` is not positive.
    """

    def __init__(self, backend: MyBackend | None = None, *, shots: int = 1024) -> None:
        if backend is None:
            from qiskit_myprovider.provider import default_provider

            backend = default_provider().get_backend()
        elif not isinstance(backend, MyBackend):
            raise InvalidInputTypeError(
                "AsyncJobBackendAdapter runs on a qiskit_myprovider MyBackend "
                f"(MyProvider().get_backend()), not {type(backend).__name__}"
            )
        self._backend = backend
        self._shots = validate_shots(shots)
        self._seed: int | None = None
        self._lock = threading.Lock()
        # Live jobs are held here until their results are fetched: the provider only keeps
        # weak references, and a live job wakes its waiters the moment it ends.
        self._submissions: dict[str, tuple[MyJob, ...]] = {}

    def __repr__(self) -> str:
        return f"<AsyncJobBackendAdapter backend='{self._backend.name}' shots={self._shots}>"

    # -- properties ----------------------------------------------------------------------

    @property
    def backend(self) -> MyBackend:
        """The backend that runs the circuits."""
        return self._backend

    @property
    def shots(self) -> int:
        """Shots per circuit for sampling, unless ``shot_groups`` says otherwise."""
        return self._shots

    @property
    def is_async(self) -> bool:
        """Whether submissions return at once and run in the background (always True)."""
        return True

    @property
    def supports_expval(self) -> bool:
        """Whether ``ham_ops`` submissions get expectation values (always True; exact ones)."""
        return True

    @property
    def resolves_parameters(self) -> bool:
        """Whether parametric payloads may be submitted (always True; Aer binds the rows)."""
        return True

    def set_seed(self, seed: int | None) -> None:
        """Seed the simulator for every later submission (``seed_simulator``).

        Args:
            seed: A non-negative int, or None to stop seeding.

        Raises:
            InvalidInputTypeError: ``seed`` is not an int.
            InvalidInputError: ``seed`` is negative.
        """
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int):
                raise InvalidInputTypeError(f"seed must be an int or None, not {seed!r}")
            if seed < 0:
                raise InvalidInputError(f"seed must be >= 0, not {seed}")
        self._seed = seed

    # -- submit --------------------------------------------------------------------------

    def submit_circuits(
        self,
        circuits: Any,
        *,
        cancellation_event: threading.Event | None = None,
        ham_ops: str | None = None,
        circuit_ham_map: Sequence[Sequence[int]] | None = None,
        shot_groups: Sequence[Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> ExecutionResult:
        """Check, translate and queue a batch of circuits; return its handle at once.

        Args:
            circuits: A mapping label → OpenQASM 2/3 text or ``QuantumCircuit``; a sequence
                of those (labelled by index); or a sequence of payloads with ``circuit``,
                ``parameters`` and ``parameter_sets`` (one resolved circuit per row).
            cancellation_event: If already set, nothing is queued.
            ham_ops: Pauli strings (qubit 0 leftmost) separated by ``;``, groups by ``|``:
                return exact expectation values instead of counts.
            circuit_ham_map: With ``ham_ops``: one half-open ``[start, end)`` range of
                circuit positions per ``|``-group; circuits outside every range get all
                terms.
            shot_groups: ``[start, end, shots]`` triples (``end`` exclusive) tiling the
                circuits: shots per circuit instead of :attr:`shots`.
            **kwargs: Nothing else is accepted.

        Returns:
            A handle (``results`` None, ``job_id`` set) for :meth:`poll_job_status`.

        Raises:
            InvalidInputTypeError: an unknown keyword, or input of the wrong type.
            InvalidInputError: malformed OpenQASM (the message names the label), duplicate
                labels, bad ``ham_ops``, ``circuit_ham_map`` or ``shot_groups``, both
                ``ham_ops`` and ``shot_groups``, a circuit too wide for the backend, a
                sampled circuit without measurements, or parameters left unbound.
            ExecutionCancelledError: ``cancellation_event`` was set; nothing was queued.
        """
        if kwargs:
            raise InvalidInputTypeError(
                f"{type(self).__name__}.submit_circuits() got unexpected keyword arguments "
                f"{sorted(kwargs)}. Valid keywords: {', '.join(_SUBMIT_KEYWORDS)}"
            )
        _raise_if_cancelled(cancellation_event, "Submission cancelled before dispatch")
        if ham_ops is not None and shot_groups is not None:
            raise InvalidInputError(
                "shot_groups is incompatible with ham_ops: expectation values are computed "
                "exactly and use no shots. Pass exactly one."
            )
        if circuit_ham_map is not None and ham_ops is None:
            raise InvalidInputError("circuit_ham_map only applies with ham_ops")
        items = _normalise(circuits)
        if ham_ops is not None:
            plans = [self._expval_plan(items, ham_ops, circuit_ham_map)]
        else:
            plans = self._counts_plans(items, shot_groups)
        # Parsing a large batch takes a moment: honour an event set meanwhile.
        _raise_if_cancelled(cancellation_event, "Submission cancelled before dispatch")
        jobs: list[MyJob] = []
        try:
            for plan in plans:
                jobs.append(self._run(plan))
        except BaseException:
            for job in jobs:
                job.cancel()
            raise
        job_id = _ID_SEPARATOR.join(job.job_id() for job in jobs)
        with self._lock:
            self._submissions[job_id] = tuple(jobs)
        return ExecutionResult(job_id=job_id, backend_jobs=len(jobs))

    # -- poll ----------------------------------------------------------------------------

    def poll_job_status(
        self,
        execution_result: ExecutionResult | Any,
        loop_until_complete: bool = False,
        on_complete: Callable[[JobResponse], Any] | None = None,
        verbose: bool = True,
        progress_callback: Callable[[int, str], Any] | None = None,
        cancellation_event: threading.Event | None = None,
    ) -> ExecutionStatus:
        """Return a submission's status, or wait until it completes.

        Args:
            execution_result: The handle from :meth:`submit_circuits` (anything with its
                ``job_id`` will do).
            loop_until_complete: Wait until the jobs end (no timeout: cancel through
                ``cancellation_event`` or Ctrl-C, which also cancel the jobs).
            on_complete: Called once as ``on_complete(response)`` (a :class:`JobResponse`)
                when the loop sees the final state. Its exceptions are logged, not raised.
            verbose: Log each poll at INFO level (turn off when ``progress_callback`` shows
                progress).
            progress_callback: Called as ``progress_callback(attempt, status)`` (``attempt``
                counts from 1, ``status`` is the status name) when the loop starts and at
                least every half second while the jobs run. Its exceptions are logged.
            cancellation_event: When set (before or during the wait), the jobs are cancelled
                and :class:`ExecutionCancelledError` is raised, within 50 ms.

        Returns:
            The status; with ``loop_until_complete``, always ``COMPLETED``.

        Raises:
            ExecutionCancelledError: ``cancellation_event`` was set.
            JobFailedError: while looping, a job ended in error (``__cause__``: the cause).
            JobCancelledError: while looping, a job was cancelled by someone else.
            InvalidInputError: the handle has no valid job id.
            JobNotFoundError: no job has that id.
        """
        if on_complete is not None and not callable(on_complete):
            raise InvalidInputTypeError(
                f"on_complete must be callable or None, not {type(on_complete).__name__}"
            )
        job_id, jobs = self._jobs_for(execution_result)
        cancelled = f"Polling cancelled for job {job_id}; the job was cancelled"
        if not loop_until_complete:
            self._cancel_if_set(cancellation_event, job_id, jobs, cancelled)
            status = _combined_status(jobs)
            if verbose:
                logger.info("Job %s is %s", job_id, status.value)
            return status
        attempt = 0
        try:
            while True:
                self._cancel_if_set(cancellation_event, job_id, jobs, cancelled)
                status = _combined_status(jobs)
                if status.is_final:
                    break
                attempt += 1
                if verbose:
                    logger.info("Job %s is %s (poll %d)", job_id, status.value, attempt)
                if progress_callback is not None:
                    _call_quietly(progress_callback, attempt, status.value)
                _wait_while_running(jobs, cancellation_event)
        except KeyboardInterrupt:
            # Ctrl-C while waiting: leave no job running behind the caller's back.
            self._cancel_all(jobs)
            raise
        if verbose:
            logger.info("Job %s is %s", job_id, status.value)
        if on_complete is not None:
            _call_quietly(on_complete, JobResponse(200, job_id, status, f"Job {status.value}"))
        if status is not ExecutionStatus.COMPLETED:
            with self._lock:
                self._submissions.pop(job_id, None)
            _raise_job_error(jobs)
        return status

    # -- results -------------------------------------------------------------------------

    def get_job_results(self, execution_result: ExecutionResult | Any) -> ExecutionResult:
        """Return the handle populated with the results of a COMPLETED submission.

        Args:
            execution_result: The handle from :meth:`submit_circuits`.

        Returns:
            A copy of the handle with ``results`` (one ``{"label", "results"}`` per circuit,
            in submission order) and ``run_time`` (seconds of simulation).

        Raises:
            MyJobError: the submission is not COMPLETED (still pending or running: poll
                first); for a failed or cancelled one, the
                :class:`~qiskit_myprovider.exceptions.JobFailedError` or
                :class:`~qiskit_myprovider.exceptions.JobCancelledError` of its job.
            InvalidInputError: the handle has no valid job id.
            JobNotFoundError: no job has that id.
        """
        job_id, jobs = self._jobs_for(execution_result)
        status = _combined_status(jobs)
        if status is not ExecutionStatus.COMPLETED:
            if status.is_final:
                _raise_job_error(jobs)
            raise MyJobError(
                f"Job {job_id} is {status.value}, not COMPLETED: its results are not ready. "
                "Wait with poll_job_status(..., loop_until_complete=True) first"
            )
        placed: list[tuple[int, dict[str, Any]]] = []
        run_time = 0.0
        for job in jobs:
            result = job.result()
            run_time += float(getattr(result, "time_taken", 0.0) or 0.0)
            layout = _layout_of(job)
            for index, (label, position) in enumerate(
                zip(layout["labels"], layout["positions"], strict=True)
            ):
                if layout["kind"] == "expval":
                    data = result.data(index)
                    values = {term: float(data[term]) for term in layout["ops"][index]}
                    placed.append((position, {"label": label, "results": values}))
                else:
                    placed.append((position, {"label": label, "results": _counts(result, index)}))
        placed.sort(key=operator.itemgetter(0))
        with self._lock:
            self._submissions.pop(job_id, None)
        results = [entry for _, entry in placed]
        if isinstance(execution_result, ExecutionResult) or hasattr(
            execution_result, "with_results"
        ):
            populated: ExecutionResult = execution_result.with_results(results, run_time)
            return populated
        return ExecutionResult(results, job_id, len(jobs), run_time)

    # -- cancel --------------------------------------------------------------------------

    def cancel_job(self, execution_result: ExecutionResult | Any) -> JobResponse:
        """Cancel a submission's jobs that have not ended; idempotent.

        Args:
            execution_result: The handle from :meth:`submit_circuits`.

        Returns:
            A :class:`JobResponse`: ``status_code`` 200 if a job was cancelled now, 409 if
            every job had already ended (nothing to do; not an error).

        Raises:
            InvalidInputError: the handle has no valid job id.
            JobNotFoundError: no job has that id.
            MyJobError: a job is running in another process, which alone can cancel it.
        """
        job_id, jobs = self._jobs_for(execution_result)
        cancelled = self._cancel_all(jobs)
        status = _combined_status(jobs)
        if cancelled:
            return JobResponse(200, job_id, status, f"Job {job_id} cancelled")
        return JobResponse(409, job_id, status, f"Job {job_id} had already ended ({status})")

    # -- internals -----------------------------------------------------------------------

    def _jobs_for(self, execution_result: object) -> tuple[str, tuple[MyJob, ...]]:
        job_id = getattr(execution_result, "job_id", execution_result)
        if not isinstance(job_id, str) or not job_id:
            raise InvalidInputError(
                "Expected the ExecutionResult returned by submit_circuits (with a job_id), "
                f"got {type(execution_result).__name__} {execution_result!r}"
            )
        with self._lock:
            jobs = self._submissions.get(job_id)
        if jobs is None:
            jobs = tuple(
                self._backend.retrieve_job(part) for part in job_id.split(_ID_SEPARATOR)
            )
        return job_id, jobs

    def _cancel_if_set(
        self,
        event: threading.Event | None,
        job_id: str,
        jobs: Sequence[MyJob],
        message: str,
    ) -> None:
        if event is not None and event.is_set():
            self._cancel_all(jobs)
            with self._lock:
                self._submissions.pop(job_id, None)
            raise _new_cancelled_error(message)

    @staticmethod
    def _cancel_all(jobs: Sequence[MyJob]) -> bool:
        cancelled = False
        for job in jobs:
            cancelled = job.cancel() or cancelled
        return cancelled

    def _run(self, plan: _JobPlan) -> MyJob:
        options: dict[str, Any] = {
            "shots": plan.shots,
            "job_tags": [JOB_TAG],
            "header": {_HEADER_KEY: plan.layout()},
        }
        if self._seed is not None:
            options["seed_simulator"] = self._seed
        if plan.binds is not None:
            options["parameter_binds"] = plan.binds
        if plan.kind == "expval" and self._backend.noisy:
            # Expectation values under noise are exact only on the density matrix; any
            # trajectory method would sample them.
            options["method"] = "density_matrix"
        backend_options = self._backend.options
        experiments = len(plan.labels)
        if (
            experiments > 1
            and max(circuit.num_qubits for circuit in plan.circuits) < _SMALL_CIRCUIT_QUBITS
            and getattr(backend_options, "max_parallel_experiments", None) is None
            and getattr(backend_options, "max_parallel_shots", None) is None
        ):
            # Small circuits gain nothing from parallel state updates; spreading the
            # experiments over the cores is several times faster (and what Divi's own runner
            # configures). 0 means "as many as the job's thread budget".
            options["max_parallel_experiments"] = 0
            options["max_parallel_shots"] = 1
        return self._backend.run(plan.circuits, **options)

    def _runnable(self, circuit: QuantumCircuit, label: str) -> QuantumCircuit:
        """Return ``circuit`` as Aer can run it: as is when it can, transpiled otherwise."""
        width, supported = self._target_summary
        if circuit.num_qubits > width:
            raise InvalidInputError(
                f"Circuit '{label}' has {circuit.num_qubits} qubits; backend "
                f"'{self._backend.name}' simulates at most {width}"
            )
        if supported is not None and _uses_only(circuit, supported):
            return circuit
        try:
            runnable: QuantumCircuit = transpile(circuit, self._backend, optimization_level=1)
        except Exception as exc:
            raise InvalidInputError(
                f"Circuit '{label}' cannot be translated for backend '{self._backend.name}': {exc}"
            ) from exc
        return runnable

    @functools.cached_property
    def _target_summary(self) -> tuple[int, frozenset[str] | None]:
        """The backend's width, and the operations Aer runs without translation.

        Computed once: Aer builds a new target on every access, which costs a millisecond.
        The operations are None for a device copy, whose circuits all need a layout.
        """
        target = self._backend.target
        width = int(target.num_qubits)
        if target.build_coupling_map() is not None:
            return width, None
        return width, frozenset(target.operation_names) | {"barrier"}

    def _counts_plans(
        self, items: list[_Item], shot_groups: Sequence[Sequence[int]] | None
    ) -> list[_JobPlan]:
        experiments = [(i, r) for i, item in enumerate(items) for r in range(len(item.rows))]
        if shot_groups is None:
            per_experiment = [self._shots] * len(experiments)
        else:
            per_experiment = _expand_shot_groups(shot_groups, len(experiments))
        for item in items:
            if not _measures(item.circuit):
                raise InvalidInputError(
                    f"Circuit '{item.rows[0][0]}' measures nothing, so it has no counts; add "
                    "measurements, or pass ham_ops for expectation values"
                )
        by_shots: dict[int, list[int]] = {}
        for position, shots in enumerate(per_experiment):
            by_shots.setdefault(shots, []).append(position)
        runnable: dict[int, QuantumCircuit] = {}
        plans = []
        for shots, positions in by_shots.items():
            plan = _JobPlan(kind="counts", shots=shots)
            entries = [(items[i], rows) for i, rows in _by_item(positions, experiments).items()]
            for item, rows in _merge_same_shape(entries):
                if id(item.circuit) not in runnable:
                    label = item.rows[rows[0][1]][0]
                    runnable[id(item.circuit)] = self._runnable(item.circuit, label)
                plan.add(runnable[id(item.circuit)], item, rows, None)
            plans.append(plan)
        return plans

    def _expval_plan(
        self,
        items: list[_Item],
        ham_ops: str,
        circuit_ham_map: Sequence[Sequence[int]] | None,
    ) -> _JobPlan:
        experiments = [(i, r) for i, item in enumerate(items) for r in range(len(item.rows))]
        widths = [items[i].circuit.num_qubits for i, _ in experiments]
        terms = _terms_per_experiment(ham_ops, circuit_ham_map, widths)
        groups: dict[tuple[int, tuple[str, ...]], list[tuple[int, int]]] = {}
        for position, ((item_index, row), ops) in enumerate(zip(experiments, terms, strict=True)):
            item = items[item_index]
            for term in ops:
                if len(term) > item.circuit.num_qubits:
                    raise InvalidInputError(
                        f"Observable '{term}' acts on {len(term)} qubits but circuit "
                        f"'{item.rows[row][0]}' has {item.circuit.num_qubits}"
                    )
            groups.setdefault((item_index, tuple(ops)), []).append((position, row))
        by_terms: dict[tuple[str, ...], list[tuple[_Item, list[tuple[int, int]]]]] = {}
        for (item_index, measured), rows in groups.items():
            by_terms.setdefault(measured, []).append((items[item_index], rows))
        plan = _JobPlan(kind="expval", shots=1)
        for measured, entries in by_terms.items():
            for item, rows in _merge_same_shape(entries):
                label = item.rows[rows[0][1]][0]
                plan.add(
                    self._expval_circuit(item.circuit, measured, label), item, rows, list(measured)
                )
        if any(_measures(circuit) for circuit in plan.circuits):
            # Mid-circuit measurements make the state random: average over the shots.
            plan.shots = self._shots
        return plan

    def _expval_circuit(
        self, circuit: QuantumCircuit, ops: Sequence[str], label: str
    ) -> QuantumCircuit:
        width = circuit.num_qubits
        base = circuit.remove_final_measurements(inplace=False)
        runnable = self._runnable(base, label)
        physical = _virtual_to_physical(runnable, width)
        total = runnable.num_qubits
        for term in ops:
            chars = ["I"] * total
            for virtual, char in enumerate(term):
                chars[physical[virtual]] = char
            # Terms put qubit 0 leftmost; Qiskit's Pauli labels put it rightmost.
            pauli = Pauli("".join(reversed(chars)))
            runnable.append(SaveExpectationValue(pauli, label=term), list(range(total)))
        return runnable


# -- job plans ------------------------------------------------------------------------------


@dataclass
class _JobPlan:
    """One MyJob to be: its circuits, bindings, and where each experiment's result goes."""

    kind: str
    shots: int
    circuits: list[QuantumCircuit] = field(default_factory=list)
    bind_list: list[dict[Parameter, list[float]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    ops: list[list[str]] = field(default_factory=list)

    @property
    def binds(self) -> list[dict[Parameter, list[float]]] | None:
        """Aer's ``parameter_binds``, or None when no circuit has parameters."""
        return self.bind_list if any(self.bind_list) else None

    def add(
        self,
        circuit: QuantumCircuit,
        item: _Item,
        rows: Sequence[tuple[int, int]],
        ops: list[str] | None,
    ) -> None:
        """Add ``item``'s ``rows`` (``(position, row)`` pairs) as experiments on ``circuit``."""
        if item.columns and aer_binds_correctly(circuit):
            self.circuits.append(circuit)
            self.bind_list.append(
                {
                    param: [item.rows[row][1][column] for _, row in rows]
                    for column, param in item.columns.items()
                }
            )
        elif item.columns:
            # A gate Aer would bind wrongly: bind here, row by row, still in one Aer run.
            for _, row in rows:
                values = item.rows[row][1]
                binding = {param: values[column] for column, param in item.columns.items()}
                self.circuits.append(circuit.assign_parameters(binding, inplace=False))
                self.bind_list.append({})
        else:
            # Nothing to bind: the same circuit once per row, under each row's label.
            self.circuits.extend([circuit] * len(rows))
            self.bind_list.extend({} for _ in rows)
        for position, row in rows:
            self.labels.append(item.rows[row][0])
            self.positions.append(position)
            if ops is not None:
                self.ops.append(ops)

    def layout(self) -> dict[str, Any]:
        """Return what the job header records: kind, labels, positions (and terms)."""
        layout: dict[str, Any] = {
            "kind": self.kind,
            "labels": self.labels,
            "positions": self.positions,
        }
        if self.kind == "expval":
            layout["ops"] = self.ops
        return layout


#: Operations a circuit may hold to be merged with others of its shape (see below).
_SHAPE_OPERATIONS: Final = frozenset(get_standard_gate_name_mapping()) | {
    "measure",
    "barrier",
    "reset",
}


def _merge_same_shape(
    entries: list[tuple[_Item, list[tuple[int, int]]]],
) -> list[tuple[_Item, list[tuple[int, int]]]]:
    """Turn bound circuits that differ only in rotation angles into one parametric circuit.

    Divi binds a template row by row and sends the results as separate OpenQASM texts.
    Circuits of the same shape (the same gates on the same qubits, the same registers) run
    faster as one circuit whose angles Aer binds, one experiment per circuit: one circuit to
    assemble, store and ship instead of many. Each entry is an item and its
    ``(position, row)`` pairs; the result has the same form.
    """
    merged: list[tuple[_Item, list[tuple[int, int]]]] = []
    shapes: dict[Hashable, list[tuple[_Item, tuple[int, int], list[float]]]] = {}
    for item, rows in entries:
        found = None if item.columns or len(rows) != 1 else _shape(item.circuit)
        if found is None:
            merged.append((item, rows))
        else:
            key, angles = found
            shapes.setdefault(key, []).append((item, rows[0], angles))
    for members in shapes.values():
        if len(members) == 1:
            item, row, _ = members[0]
            merged.append((item, [row]))
            continue
        template, parameters = _parametrise(members[0][0].circuit)
        rows_out = tuple((item.rows[row][0], tuple(angles)) for item, (_, row), angles in members)
        item = _Item(template, rows_out, dict(enumerate(parameters)))
        merged.append((item, [(position, i) for i, (_, (position, _), _) in enumerate(members)]))
    return merged


def _shape(circuit: QuantumCircuit) -> tuple[Hashable, list[float]] | None:
    """Return a circuit's shape and its angles, or None if it is not a candidate."""
    qubits = {bit: index for index, bit in enumerate(circuit.qubits)}
    clbits = {bit: index for index, bit in enumerate(circuit.clbits)}
    parts: list[Hashable] = [
        circuit.num_qubits,
        tuple((register.name, register.size) for register in circuit.cregs),
    ]
    angles: list[float] = []
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        if name not in _SHAPE_OPERATIONS:
            return None
        params = operation.params
        if not all(isinstance(param, float) for param in params):
            return None
        where = (
            tuple(qubits[bit] for bit in instruction.qubits),
            tuple(clbits[bit] for bit in instruction.clbits),
        )
        if name in AER_BINDABLE_GATES:
            angles.extend(params)
            parts.append((name, where, len(params)))
        else:
            parts.append((name, where, tuple(params)))
    return tuple(parts), angles


def _parametrise(circuit: QuantumCircuit) -> tuple[QuantumCircuit, list[Parameter]]:
    """Return ``circuit`` with every angle Aer can bind replaced by a new parameter."""
    template = circuit.copy_empty_like()
    parameters: list[Parameter] = []
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in AER_BINDABLE_GATES and operation.params:
            fresh = [
                Parameter(f"_angle{len(parameters) + k}") for k in range(len(operation.params))
            ]
            parameters.extend(fresh)
            operation = operation.copy()
            operation.params = fresh
        template.append(instruction.replace(operation=operation))
    return template, parameters


def _by_item(
    positions: Iterable[int], experiments: Sequence[tuple[int, int]]
) -> dict[int, list[tuple[int, int]]]:
    grouped: dict[int, list[tuple[int, int]]] = {}
    for position in positions:
        item_index, row = experiments[position]
        grouped.setdefault(item_index, []).append((position, row))
    return grouped


def _layout_of(job: MyJob) -> dict[str, Any]:
    layout = job.header().get(_HEADER_KEY)
    if not isinstance(layout, dict):
        raise InvalidInputError(
            f"Job {job.job_id()} was not submitted through an AsyncJobBackendAdapter"
        )
    return layout


# -- statuses -------------------------------------------------------------------------------


def _counts(result: Result, index: int) -> dict[str, int]:
    """Return an experiment's counts keyed by bitstrings, clbit 0 rightmost."""
    experiment = result.results[index]
    header = experiment.header if isinstance(experiment.header, dict) else {}
    registers = header.get("creg_sizes") or []
    raw = getattr(experiment.data, "counts", None)
    if len(registers) == 1 and isinstance(raw, dict):
        # One register: no separators to insert, so convert Aer's hex keys directly (what
        # Result.get_counts does, at a tenth of the cost).
        width = f"0{int(registers[0][1])}b"
        return {format(int(key, 16), width): int(value) for key, value in raw.items()}
    return dict(result.get_counts(index))


def _combined_status(jobs: Sequence[MyJob]) -> ExecutionStatus:
    statuses = [_FROM_JOB_STATUS.get(job.status(), ExecutionStatus.PENDING) for job in jobs]
    for final in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
        if final in statuses:
            return final
    if all(status is ExecutionStatus.COMPLETED for status in statuses):
        return ExecutionStatus.COMPLETED
    if all(status is ExecutionStatus.PENDING for status in statuses):
        return ExecutionStatus.PENDING
    return ExecutionStatus.RUNNING


def _raise_job_error(jobs: Sequence[MyJob]) -> None:
    """Raise the error of the first job that failed, else of the first one cancelled."""
    ended = sorted(jobs, key=lambda job: job.status() is not JobStatus.ERROR)
    for job in ended:
        if job.status() in (JobStatus.ERROR, JobStatus.CANCELLED):
            job.result()  # raises JobFailedError (chained to the cause) or JobCancelledError


def _wait_while_running(jobs: Sequence[MyJob], event: threading.Event | None) -> None:
    """Block until every job is final, ``event`` is set, or the progress interval is over.

    The wait is on the jobs themselves, so it ends the moment the last one does; with an
    event, it is cut into short slices so that setting the event is noticed at once.
    """
    deadline = time.monotonic() + _PROGRESS_INTERVAL
    while True:
        pending = next((job for job in jobs if not job.in_final_state()), None)
        remaining = deadline - time.monotonic()
        if pending is None or remaining <= 0 or (event is not None and event.is_set()):
            return
        timeout = remaining if event is None else min(remaining, _EVENT_CHECK_INTERVAL)
        with contextlib.suppress(JobTimeoutError):
            pending.wait_for_final_state(timeout=timeout, wait=timeout)


def _call_quietly(callback: Callable[..., Any], *args: Any) -> None:
    try:
        callback(*args)
    except Exception:
        logger.exception("callback %r raised; ignored", callback)


# -- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One circuit as submitted, with the rows (label, values) it is to be resolved with.

    ``columns`` maps a row's value index to the circuit parameter it binds.
    """

    circuit: QuantumCircuit
    rows: tuple[tuple[str, tuple[float, ...]], ...]
    columns: Mapping[int, Parameter]


def _is_payload(value: object) -> bool:
    return (
        not isinstance(value, str | bytes | QuantumCircuit)
        and hasattr(value, "circuit")
        and hasattr(value, "parameter_sets")
    )


def _normalise(circuits: object) -> list[_Item]:
    if isinstance(circuits, str | bytes | QuantumCircuit) or _is_payload(circuits):
        raise InvalidInputTypeError(
            "submit_circuits expects a collection of circuits (a mapping label -> circuit, "
            "or a sequence); wrap a single circuit in a list"
        )
    cache: dict[str, QuantumCircuit] = {}
    if isinstance(circuits, Mapping):
        items = []
        for label, circuit in circuits.items():
            if not isinstance(label, str):
                raise InvalidInputTypeError(
                    f"circuit labels must be strings, not {type(label).__name__} {label!r}"
                )
            items.append(_plain_item(label, circuit, cache))
    elif isinstance(circuits, Iterable):
        values = list(circuits)
        payloads = [_is_payload(value) for value in values]
        if any(payloads) and not all(payloads):
            raise InvalidInputTypeError(
                "A sequence must hold either payloads or circuits, not both"
            )
        if values and all(payloads):
            items = [_payload_item(value, index, cache) for index, value in enumerate(values)]
        else:
            items = [_plain_item(str(i), value, cache) for i, value in enumerate(values)]
    else:
        raise InvalidInputTypeError(
            "submit_circuits expects a mapping label -> circuit or a sequence, "
            f"not {type(circuits).__name__}"
        )
    if not items:
        raise InvalidInputError("submit_circuits needs at least one circuit; got none")
    seen: set[str] = set()
    for item in items:
        for label, _ in item.rows:
            if label in seen:
                raise InvalidInputError(
                    f"Label '{label}' is used twice; each circuit needs its own label"
                )
            seen.add(label)
    return items


def _plain_item(label: str, circuit: object, cache: dict[str, QuantumCircuit]) -> _Item:
    parsed = _to_circuit(circuit, label, cache)
    if parsed.num_parameters:
        names = ", ".join(sorted(p.name for p in parsed.parameters))
        raise UnboundParametersError(
            f"Circuit '{label}' has unbound parameters ({names}); bind them, or submit a "
            "payload with parameters and parameter_sets"
        )
    return _Item(parsed, ((label, ()),), {})


def _payload_item(payload: Any, index: int, cache: dict[str, QuantumCircuit]) -> _Item:
    raw_rows = payload.parameter_sets
    if isinstance(raw_rows, str | bytes) or not isinstance(raw_rows, Iterable):
        raise InvalidInputTypeError(
            f"payload {index}: parameter_sets must be a sequence of (label, values) rows"
        )
    declared = tuple(getattr(payload, "parameters", ()) or ())
    rows: list[tuple[str, tuple[float, ...]]] = []
    for row in raw_rows:
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != 2:
            raise InvalidInputTypeError(
                f"payload {index}: each parameter set must be a (label, values) pair, not {row!r}"
            )
        label, values = row
        if not isinstance(label, str):
            raise InvalidInputTypeError(
                f"payload {index}: labels must be strings, not {type(label).__name__}"
            )
        try:
            numbers = tuple(float(value) for value in values)
        except (TypeError, ValueError) as exc:
            raise InvalidInputTypeError(
                f"Parameter set '{label}' must hold numbers: {exc}"
            ) from exc
        if len(numbers) != len(declared):
            raise InvalidInputError(
                f"Parameter set '{label}' has {len(numbers)} value(s) but the payload "
                f"declares {len(declared)} parameter(s)"
            )
        if not all(math.isfinite(value) for value in numbers):
            raise InvalidInputError(f"Parameter set '{label}' holds a non-finite value")
        rows.append((label, numbers))
    if not rows:
        raise InvalidInputError(f"payload {index} has no parameter sets, so no circuit to run")
    first = rows[0][0]
    source = payload.circuit
    if isinstance(source, str) and declared:
        circuit = load_template(source, declared, first)
    else:
        circuit = _to_circuit(source, first, cache)
    columns = _match_columns(circuit, declared, first)
    return _Item(circuit, tuple(rows), columns)


def _match_columns(
    circuit: QuantumCircuit, declared: Sequence[object], label: str
) -> dict[int, Parameter]:
    by_name = {param.name: param for param in circuit.parameters}
    columns: dict[int, Parameter] = {}
    for column, declared_param in enumerate(declared):
        if isinstance(declared_param, Parameter) and declared_param in circuit.parameters:
            columns[column] = declared_param
        elif parameter_name(declared_param) in by_name:
            columns[column] = by_name[parameter_name(declared_param)]
    unbound = set(circuit.parameters) - set(columns.values())
    if unbound:
        names = ", ".join(sorted(p.name for p in unbound))
        raise UnboundParametersError(
            f"Circuit '{label}' has parameters the payload does not declare ({names})"
        )
    return columns


def _to_circuit(circuit: object, label: str, cache: dict[str, QuantumCircuit]) -> QuantumCircuit:
    if isinstance(circuit, QuantumCircuit):
        return circuit
    if isinstance(circuit, str):
        parsed = cache.get(circuit)
        if parsed is None:
            parsed = cache[circuit] = parse_qasm(circuit, label)
        return parsed
    raise InvalidInputTypeError(
        f"Circuit '{label}' must be OpenQASM text or a QuantumCircuit, not {type(circuit).__name__}"
    )


def _measures(circuit: QuantumCircuit) -> bool:
    return any(instruction.operation.name == "measure" for instruction in circuit.data)


def _uses_only(circuit: QuantumCircuit, supported: frozenset[str]) -> bool:
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name not in supported:
            return False
        if isinstance(operation, ControlFlowOp) and not all(
            _uses_only(block, supported) for block in operation.blocks
        ):
            return False
    return True


def _virtual_to_physical(circuit: QuantumCircuit, width: int) -> list[int]:
    layout = circuit.layout
    if layout is None:
        return list(range(width))
    return list(layout.final_index_layout())[:width]


# -- ham_ops and shot_groups ----------------------------------------------------------------

_PAULI_TERM: Final = re.compile(r"[IXYZ]+")


def _terms_per_experiment(
    ham_ops: str, circuit_ham_map: Sequence[Sequence[int]] | None, widths: Sequence[int]
) -> list[list[str]]:
    """Return the Pauli terms each experiment is measured for (Divi's layout rules).

    Terms shorter than their circuits are padded with identities onto the circuits' first
    qubits (with a warning), as Divi's own runner does; results are keyed by padded terms.
    """
    if not isinstance(ham_ops, str) or not ham_ops.strip():
        raise InvalidInputTypeError(
            f"ham_ops must be a non-empty string of Pauli terms, not {ham_ops!r}"
        )
    groups = [[term.strip() for term in group.split(";")] for group in ham_ops.split("|")]
    for group in groups:
        for term in group:
            if not _PAULI_TERM.fullmatch(term):
                raise InvalidInputError(
                    f"ham_ops term '{term}' is not a Pauli string (letters I, X, Y, Z, "
                    "qubit 0 leftmost)"
                )
    n = len(widths)
    ranges = _check_ham_map(circuit_ham_map, len(groups), n)

    def group_of(position: int) -> int | None:
        for index, (start, end) in enumerate(ranges):
            if start <= position < end:
                return index
        return None

    group_widths: list[set[int]] = [set() for _ in groups]
    for position, width in enumerate(widths):
        index = group_of(position)
        for widths_seen in group_widths if index is None else [group_widths[index]]:
            widths_seen.add(width)
    padded: list[list[str]] = []
    example: tuple[str, str] | None = None
    for group, seen in zip(groups, group_widths, strict=True):
        if seen and min(map(len, group)) < max(seen):
            if len(seen) > 1:
                raise InvalidInputError(
                    f"Observables {group} are too short for circuits of widths {sorted(seen)}"
                )
            (width,) = seen
            short = next(term for term in group if len(term) < width)
            example = example or (short, short.ljust(width, "I"))
            group = [term.ljust(width, "I") for term in group]
        padded.append(group)
    if example is not None:
        warnings.warn(
            "Observables shorter than their circuit are padded onto its first qubits, "
            f"e.g. {example[0]!r} -> {example[1]!r}.",
            UserWarning,
            stacklevel=4,
        )
    everything = [term for group in padded for term in group]
    per_experiment = []
    for position in range(n):
        index = group_of(position)
        terms = everything if index is None else padded[index]
        per_experiment.append(list(dict.fromkeys(terms)))  # a term measured twice is one value
    return per_experiment


def _check_ham_map(
    circuit_ham_map: Sequence[Sequence[int]] | None, groups: int, n: int
) -> list[tuple[int, int]]:
    if circuit_ham_map is None:
        return []
    ranges = _int_rows(circuit_ham_map, 2, "circuit_ham_map", "[start, end]")
    if len(ranges) != groups:
        raise InvalidInputError(
            f"circuit_ham_map has {len(ranges)} range(s) but ham_ops has {groups} "
            "'|'-separated group(s); give one [start, end) range per group"
        )
    for start, end in ranges:
        if not 0 <= start < end <= n:
            raise InvalidInputError(
                f"circuit_ham_map range [{start}, {end}) is out of bounds for {n} circuit(s)"
            )
    return [(start, end) for start, end in ranges]


def _expand_shot_groups(shot_groups: Sequence[Sequence[int]], n: int) -> list[int]:
    """Return one shot count per experiment from ``[start, end, shots]`` triples."""
    triples = _int_rows(shot_groups, 3, "shot_groups", "[start, end, shots]")
    per_experiment: list[int | None] = [None] * n
    for start, end, shots in triples:
        if shots <= 0:
            raise InvalidInputError(f"shot_groups entry {[start, end, shots]} has {shots} shots")
        if not 0 <= start < end <= n:
            raise InvalidInputError(
                f"shot_groups entry {[start, end, shots]} is out of bounds for {n} circuit(s) "
                "(ranges are [start, end), end exclusive)"
            )
        for position in range(start, end):
            if per_experiment[position] is not None:
                raise InvalidInputError(
                    f"shot_groups entry {[start, end, shots]} overlaps an earlier one at "
                    f"circuit {position}"
                )
            per_experiment[position] = shots
    missing = [position for position, shots in enumerate(per_experiment) if shots is None]
    if missing:
        raise InvalidInputError(
            f"shot_groups do not cover every circuit; missing positions {missing}"
        )
    return [validate_shots(shots, name="shot_groups shots") for shots in per_experiment]


def _int_rows(rows: object, size: int, name: str, shape: str) -> list[tuple[int, ...]]:
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInputTypeError(f"{name} must be a list of {shape} lists, not {rows!r}")
    checked = []
    for row in rows:
        if (
            isinstance(row, str | bytes)
            or not isinstance(row, Iterable)
            or len(values := tuple(row)) != size
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        ):
            raise InvalidInputTypeError(
                f"{name} entries must be {shape} lists of ints, not {row!r}"
            )
        checked.append(tuple(int(v) for v in values))
    return checked
