"""The adapter: :class:`AsyncJobBackendAdapter`, the AsyncJobBackend protocol over a MyBackend.

A submission is planned (:mod:`~qiskit_myprovider.adapters.async_job.plans`), submitted as
one ``MyJob`` per plan, all or nothing, and from then on treated as one logical job by the
rules of :mod:`~qiskit_myprovider.adapters.job_group`; its id is the parts' ids joined by
``+``.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from qiskit import QuantumCircuit

from qiskit_myprovider.adapters.async_job.payloads import normalise
from qiskit_myprovider.adapters.async_job.plans import (
    JOB_TAG,
    JobPlan,
    counts_plans,
    expval_plan,
    job_options,
    results_of,
)
from qiskit_myprovider.adapters.async_job.types import (
    ExecutionResult,
    ExecutionStatus,
    JobResponse,
    execution_status,
    new_cancelled_error,
    raise_if_cancelled,
)
from qiskit_myprovider.adapters.job_group import (
    JobGroup,
    default_backend,
    find_job,
    submit_all,
)
from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.circuits import TargetSupport, prepare
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MyJobError,
)
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.validation import validate_seed, validate_shots

__all__ = ["ID_SEPARATOR", "JOB_TAG", "AsyncJobBackendAdapter"]

logger = logging.getLogger(__name__)

#: Separates the MyJob ids of a submission that became several jobs.
ID_SEPARATOR: Final = "+"
#: While polling, how often ``progress_callback`` hears about a job that is still running.
_PROGRESS_INTERVAL: Final = 0.5
#: While polling with a ``cancellation_event``, the longest it may stay set unnoticed.
_EVENT_CHECK_INTERVAL: Final = 0.05
_SUBMIT_KEYWORDS: Final = ("cancellation_event", "circuit_ham_map", "ham_ops", "shot_groups")


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
            backend = default_backend()
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
        self._submissions: dict[str, JobGroup] = {}

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
            seed: An int from 0 to 2**63 - 1, or None to stop seeding.

        Raises:
            InvalidInputTypeError: ``seed`` is not an int.
            InvalidInputError: ``seed`` is out of that range.
        """
        self._seed = validate_seed(seed, name="seed")

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
        raise_if_cancelled(cancellation_event, "Submission cancelled before dispatch")
        if ham_ops is not None and shot_groups is not None:
            raise InvalidInputError(
                "shot_groups is incompatible with ham_ops: expectation values are computed "
                "exactly and use no shots. Pass exactly one."
            )
        if circuit_ham_map is not None and ham_ops is None:
            raise InvalidInputError("circuit_ham_map only applies with ham_ops")
        items = normalise(circuits)
        if ham_ops is not None:
            plans = [expval_plan(items, ham_ops, circuit_ham_map, self._shots, self._prepare)]
        else:
            plans = counts_plans(items, shot_groups, self._shots, self._prepare)
        # Parsing a large batch takes a moment: honour an event set meanwhile.
        raise_if_cancelled(cancellation_event, "Submission cancelled before dispatch")
        group = JobGroup(tuple(submit_all(plans, lambda plan, _: self._run(plan))))
        job_id = ID_SEPARATOR.join(group.job_ids)
        with self._lock:
            self._submissions[job_id] = group
        return ExecutionResult(job_id=job_id, backend_jobs=len(group.jobs))

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
        job_id, group = self._group_for(execution_result)
        cancelled = f"Polling cancelled for job {job_id}; the job was cancelled"
        if not loop_until_complete:
            self._cancel_if_set(cancellation_event, job_id, group, cancelled)
            status = execution_status(group.status())
            if verbose:
                logger.info("Job %s is %s", job_id, status.value)
            return status
        attempt = 0
        try:
            while True:
                self._cancel_if_set(cancellation_event, job_id, group, cancelled)
                status = execution_status(group.status())
                if status.is_final:
                    break
                attempt += 1
                if verbose:
                    logger.info("Job %s is %s (poll %d)", job_id, status.value, attempt)
                if progress_callback is not None:
                    _call_quietly(progress_callback, attempt, status.value)
                _wait_while_running(group, cancellation_event)
        except KeyboardInterrupt:
            # Ctrl-C while waiting: leave no job running behind the caller's back.
            group.cancel()
            raise
        if verbose:
            logger.info("Job %s is %s", job_id, status.value)
        if on_complete is not None:
            _call_quietly(on_complete, JobResponse(200, job_id, status, f"Job {status.value}"))
        if status is not ExecutionStatus.COMPLETED:
            with self._lock:
                self._submissions.pop(job_id, None)
            group.raise_for_status()
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
        job_id, group = self._group_for(execution_result)
        status = execution_status(group.status())
        if status is not ExecutionStatus.COMPLETED:
            if status.is_final:
                group.raise_for_status()
            raise MyJobError(
                f"Job {job_id} is {status.value}, not COMPLETED: its results are not ready. "
                "Wait with poll_job_status(..., loop_until_complete=True) first"
            )
        results, run_time = results_of(group.jobs)
        with self._lock:
            self._submissions.pop(job_id, None)
        if isinstance(execution_result, ExecutionResult) or hasattr(
            execution_result, "with_results"
        ):
            populated: ExecutionResult = execution_result.with_results(results, run_time)
            return populated
        return ExecutionResult(results, job_id, len(group.jobs), run_time)

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
        job_id, group = self._group_for(execution_result)
        cancelled = group.cancel()
        status = execution_status(group.status())
        if cancelled:
            return JobResponse(200, job_id, status, f"Job {job_id} cancelled")
        return JobResponse(409, job_id, status, f"Job {job_id} had already ended ({status})")

    # -- internals -----------------------------------------------------------------------

    def _group_for(self, execution_result: object) -> tuple[str, JobGroup]:
        job_id = getattr(execution_result, "job_id", execution_result)
        if not isinstance(job_id, str) or not job_id:
            raise InvalidInputError(
                "Expected the ExecutionResult returned by submit_circuits (with a job_id), "
                f"got {type(execution_result).__name__} {execution_result!r}"
            )
        with self._lock:
            group = self._submissions.get(job_id)
        if group is None:
            # Any adapter on the same job store may poll, fetch or cancel a submission.
            parts = job_id.split(ID_SEPARATOR)
            found = (find_job(self._backend, part) for part in parts)
            group = JobGroup(tuple(found))
        return job_id, group

    def _cancel_if_set(
        self, event: threading.Event | None, job_id: str, group: JobGroup, message: str
    ) -> None:
        if event is not None and event.is_set():
            group.cancel()
            with self._lock:
                self._submissions.pop(job_id, None)
            raise new_cancelled_error(message)

    def _run(self, plan: JobPlan) -> MyJob:
        options = job_options(plan, self._backend, self._seed)
        return self._backend.run(plan.circuits, **options)

    def _prepare(self, circuit: QuantumCircuit, label: str) -> QuantumCircuit:
        """Return ``circuit`` as Aer can run it: as is when it can, transpiled otherwise."""
        # Payload templates keep their parameters: Aer binds them (parameter_binds).
        return prepare(
            circuit,
            self._backend.target,
            key=label,
            backend=self._backend.name,
            support=self._support,
            bound=False,
        )

    @functools.cached_property
    def _support(self) -> TargetSupport:
        # The target never changes once the backend exists: read what it runs once.
        return TargetSupport.of(self._backend.target)


def _wait_while_running(group: JobGroup, event: threading.Event | None) -> None:
    """Block until the submission is final, ``event`` is set, or the progress interval is over.

    The wait is on the jobs themselves, so it ends the moment the submission does; with an
    event, it is cut into short slices so that setting the event is noticed at once.
    """
    deadline = time.monotonic() + _PROGRESS_INTERVAL
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or (event is not None and event.is_set()):
            return
        timeout = remaining if event is None else min(remaining, _EVENT_CHECK_INTERVAL)
        if group.wait(timeout):
            return


def _call_quietly(callback: Callable[..., Any], *args: Any) -> None:
    try:
        callback(*args)
    except Exception:
        logger.exception("callback %r raised; ignored", callback)
