"""The exception tree of qiskit_myprovider.

Every error this package raises on purpose derives from :class:`MyProviderError`, which is
a :class:`qiskit.exceptions.QiskitError`. Each class also mixes in the built-in or Qiskit
class that callers already catch, so ``except ValueError`` or ``except JobError`` keep
working::

    QiskitError
    └── MyProviderError
        ├── InvalidInputError (+ ValueError)       bad values: shots, widths, job ids ...
        │   ├── UnknownOptionError                 a run() option no simulator knows
        │   └── UnboundParametersError             circuit parameters left unbound
        ├── InvalidInputTypeError (+ TypeError)    a value of the wrong type
        ├── BackendNotFoundError (+ QiskitBackendNotFoundError, LookupError)
        ├── JobNotFoundError (+ LookupError)       no job with that id
        ├── MyJobError (+ JobError)                about a job
        │   ├── JobFailedError                     result() of a job that ended in ERROR
        │   ├── JobCancelledError                  result() of a job that was cancelled
        │   └── JobTimeoutError (+ qiskit JobTimeoutError, TimeoutError)
        ├── ExecutionError                         raised while simulating (a failed job's cause)
        │   ├── SimulationError                    Aer itself reported a failure
        │   └── WorkerDiedError                    the worker process running a job died
        └── StoreError                             the job store could not be read or written

All of them pickle and unpickle with their message intact, so errors raised in worker
processes survive the trip back to the caller.
"""

from __future__ import annotations

from qiskit.exceptions import QiskitError
from qiskit.providers.exceptions import JobError, QiskitBackendNotFoundError
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError

__all__ = [
    "BackendNotFoundError",
    "ExecutionError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "JobCancelledError",
    "JobFailedError",
    "JobNotFoundError",
    "JobTimeoutError",
    "MyJobError",
    "MyProviderError",
    "SimulationError",
    "StoreError",
    "UnboundParametersError",
    "UnknownOptionError",
    "WorkerDiedError",
]


class MyProviderError(QiskitError):
    """Base class of every error raised by qiskit_myprovider.

    Args:
        *message: The message parts, joined by spaces (as for :class:`QiskitError`).
    """

    def __init__(self, *message: object) -> None:
        super().__init__(*message)
        # QiskitError keeps only the joined text; keep the raw parts so pickling round-trips.
        self.args = message

    def __reduce__(self) -> tuple[type[MyProviderError], tuple[object, ...]]:
        return (type(self), self.args)

    def __str__(self) -> str:
        # QiskitError.__str__ wraps the message in quotes; users read these messages directly.
        return str(self.message)


class InvalidInputError(MyProviderError, ValueError):
    """An argument has a value that is not allowed (bad shots, too-wide circuit, ...)."""


class UnknownOptionError(InvalidInputError):
    """A ``run()`` option that is neither ours nor one the Aer simulator knows."""


class UnboundParametersError(InvalidInputError):
    """A circuit still has parameters and no ``parameter_binds`` were given for them."""


class InvalidInputTypeError(MyProviderError, TypeError):
    """An argument has the wrong type."""


class BackendNotFoundError(MyProviderError, QiskitBackendNotFoundError, LookupError):
    """No backend (or more than one) matches the requested name and filters."""


class JobNotFoundError(MyProviderError, LookupError):
    """No job with the given id exists in the job store."""


class MyJobError(MyProviderError, JobError):
    """Base class of errors about a job."""


class JobFailedError(MyJobError):
    """The job ended in ERROR; ``__cause__`` carries the simulation's own error."""


class JobCancelledError(MyJobError):
    """The job was cancelled, so it has no result."""


class JobTimeoutError(MyJobError, QiskitJobTimeoutError, TimeoutError):
    """Waiting for a job took longer than the given timeout; the job itself is untouched."""


class ExecutionError(MyProviderError):
    """Something went wrong while a job was being executed."""


class SimulationError(ExecutionError):
    """The Aer simulator reported that the simulation failed."""


class WorkerDiedError(ExecutionError):
    """The worker process that ran a job died (crash, signal or out-of-memory kill)."""


class StoreError(MyProviderError):
    """The job store could not be opened, read or written."""
