"""Adapters: this package's engine behind the job contracts other frameworks speak.

One package per external contract; each states the clauses it meets in its docstring.

- :mod:`~qiskit_myprovider.adapters.job_contract`: the abstract Job contract (Qrisp's
  ``Backend.run_async`` / ``Job``), :class:`JobContractBackend`.
- :mod:`~qiskit_myprovider.adapters.async_job`: the ``AsyncJobBackend`` protocol (Divi's),
  :class:`AsyncJobBackendAdapter`.
- :mod:`~qiskit_myprovider.adapters.job_group`: what both share, several ``MyJob`` s as one
  logical job, with the one rule for its combined state (a failure beats a cancellation).

Circuit preparation (width, parameters, translation, counts) is
:mod:`qiskit_myprovider.circuits`, shared with the rest of the package.
"""

from qiskit_myprovider.adapters.async_job import (
    AsyncJobBackendAdapter,
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
)
from qiskit_myprovider.adapters.job_contract import (
    Job,
    JobCancelledError,
    JobContractBackend,
    JobFailureError,
    JobResult,
    JobStatus,
)

__all__ = [
    "AsyncJobBackendAdapter",
    "ExecutionCancelledError",
    "ExecutionResult",
    "ExecutionStatus",
    "Job",
    "JobCancelledError",
    "JobContractBackend",
    "JobFailureError",
    "JobResult",
    "JobStatus",
]
