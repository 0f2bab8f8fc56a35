"""Adapters: this package's engine behind the job contracts other frameworks speak.

One module per external contract; each states the clauses it meets in its docstring.
"""

from qiskit_myprovider.adapters.async_job import (
    AsyncJobBackendAdapter,
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
)

__all__ = [
    "AsyncJobBackendAdapter",
    "ExecutionCancelledError",
    "ExecutionResult",
    "ExecutionStatus",
]
