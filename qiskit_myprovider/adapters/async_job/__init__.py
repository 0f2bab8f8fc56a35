"""The AsyncJobBackend protocol (Divi's asynchronous backend contract) on this package's engine.

:class:`AsyncJobBackendAdapter` lets a program written against the ``AsyncJobBackend``
protocol of `qoro-divi <https://pypi.org/project/qoro-divi/>`_ (and the older seed protocol it
grew from) run its circuit batches on a :class:`~qiskit_myprovider.MyBackend`: the same
engine, executors and job store as every other job of this package. Each submission becomes
one or a few :class:`~qiskit_myprovider.MyJob` objects that run in the background while the
caller polls.

The package, one module per concept:

- :mod:`~qiskit_myprovider.adapters.async_job.types`: :class:`ExecutionStatus`,
  :class:`ExecutionResult`, :class:`JobResponse`, :class:`ExecutionCancelledError`;
- :mod:`~qiskit_myprovider.adapters.async_job.payloads`: the inputs (mappings, sequences,
  payloads) as items;
- :mod:`~qiskit_myprovider.adapters.async_job.expval`: ``ham_ops`` terms and ``shot_groups``;
- :mod:`~qiskit_myprovider.adapters.async_job.plans`: which jobs a submission becomes, and
  the merging of same-shape circuits;
- :mod:`~qiskit_myprovider.adapters.async_job.adapter`: :class:`AsyncJobBackendAdapter`.

**Design contract.** Each clause is checked by the tests in ``tests/adapters/async_job/``
and, against the real ``qoro-divi``, by ``tests/interop/divi``.

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
10. **Several jobs as one.** A submission of several jobs is submitted all or nothing (if one
    cannot be submitted, those already submitted are cancelled) and has one status, by the
    rule both adapters follow (:mod:`~qiskit_myprovider.adapters.job_group`): it is
    ``COMPLETED`` when every job is DONE. If any job ended in ERROR, it is ``FAILED``, whatever
    happened to the other jobs: a real failure is never reported as a cancellation, and the
    error raised is the first failed job's. Otherwise, if any job was cancelled, it is
    ``CANCELLED``. Otherwise it is ``RUNNING`` while any job runs or has finished, else
    ``PENDING``. When one job fails, the others are left to finish (their results are not
    reported, but a caller may still read them from the job store).

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

from qiskit_myprovider.adapters.async_job.adapter import (
    ID_SEPARATOR,
    JOB_TAG,
    AsyncJobBackendAdapter,
)
from qiskit_myprovider.adapters.async_job.types import (
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
    JobResponse,
)

__all__ = [
    "ID_SEPARATOR",
    "JOB_TAG",
    "AsyncJobBackendAdapter",
    "ExecutionCancelledError",
    "ExecutionResult",
    "ExecutionStatus",
    "JobResponse",
]
