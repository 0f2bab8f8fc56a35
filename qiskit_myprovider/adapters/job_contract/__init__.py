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
of its parts by the rule of :mod:`~qiskit_myprovider.adapters.job_group` and assembles their
counts in input order. The first part's id is the contract job's id; the other parts carry
it in a tag, which is how :meth:`~JobContractBackend.retrieve_job` finds them again from any
process.

The package, one module per concept:

- :mod:`~qiskit_myprovider.adapters.job_contract.contract`: the contract's own types
  (:class:`Job`, :class:`JobStatus`, :class:`JobResult`, the two errors);
- :mod:`~qiskit_myprovider.adapters.job_contract.job`: :class:`ContractJob`, over the parts;
- :mod:`~qiskit_myprovider.adapters.job_contract.inputs`: circuits and shots as
  ``run_async`` takes them, :class:`CountsDict` as ``run`` returns them;
- :mod:`~qiskit_myprovider.adapters.job_contract.metadata`: the optional metadata properties;
- :mod:`~qiskit_myprovider.adapters.job_contract.backend`: :class:`JobContractBackend`.

.. rubric:: Design contract

Each clause is checked by ``tests/contract/job_contract_suite.py``, run on this package
(``tests/adapters/job_contract/test_backend.py``) and, where the clause applies, on Qrisp's
reference backend in the Qrisp interop environment.

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

Beyond the contract, for a job that runs as several parts (one per distinct shot count;
checked in ``tests/adapters/job_contract/``: P1 by ``test_backend.py``, P2 and P3 by
``test_job.py``):

- **P1** Submission is all or nothing: if a part cannot be submitted, the parts already
  submitted are cancelled and the error is raised.
- **P2** The job's state is the parts' combined state, by the one rule that both adapters
  follow (:mod:`~qiskit_myprovider.adapters.job_group`): a job is ``DONE`` when every part
  is ``DONE``. If any part ended in ``ERROR``, the job is ``ERROR``, whatever happened to the
  other parts: a real failure is never reported as a cancellation, and its error (the
  ``__cause__`` of :class:`JobFailureError`) is the first failed part's. Otherwise, if any
  part was ``CANCELLED``, it is ``CANCELLED``. Otherwise it is ``RUNNING`` while any part
  runs or has finished, else ``QUEUED``.
- **P3** Once the job has ended otherwise than ``DONE``, its parts still going are cancelled
  (those this process runs), so they do not waste the executor's time.
"""

from qiskit_myprovider.adapters.job_contract.backend import (
    CONTRACT_TAG,
    HEADER_KEY,
    PART_TAG_PREFIX,
    JobContractBackend,
)
from qiskit_myprovider.adapters.job_contract.contract import (
    JOB_FINAL_STATES,
    Job,
    JobCancelledError,
    JobFailureError,
    JobResult,
    JobStatus,
)
from qiskit_myprovider.adapters.job_contract.inputs import CountsDict, SupportsToQiskit
from qiskit_myprovider.adapters.job_contract.job import ContractJob

__all__ = [
    "CONTRACT_TAG",
    "HEADER_KEY",
    "JOB_FINAL_STATES",
    "PART_TAG_PREFIX",
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
