"""Adapters: this package's engine behind other frameworks' contracts, one module per contract.

- :mod:`~qiskit_myprovider.adapters.job_contract`: the abstract Job contract (Qrisp's
  ``Backend.run_async`` / ``Job``), :class:`JobContractBackend`.
"""

from qiskit_myprovider.adapters.job_contract import (
    Job,
    JobCancelledError,
    JobContractBackend,
    JobFailureError,
    JobResult,
    JobStatus,
)

__all__ = [
    "Job",
    "JobCancelledError",
    "JobContractBackend",
    "JobFailureError",
    "JobResult",
    "JobStatus",
]
