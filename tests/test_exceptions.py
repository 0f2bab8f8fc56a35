"""The exception tree: what each class also is, and that every one survives pickling."""

from __future__ import annotations

import pickle

import pytest
from qiskit.exceptions import QiskitError
from qiskit.providers import JobError, QiskitBackendNotFoundError
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError

from qiskit_myprovider import exceptions as exc


@pytest.mark.parametrize("name", exc.__all__)
def test_every_exception_pickles_with_its_message(name: str) -> None:
    cls = getattr(exc, name)
    error = cls(f"job 1234 failed in {name}")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error) == f"job 1234 failed in {name}"


def test_a_chained_cause_survives_pickling_as_a_separate_error() -> None:
    cause = exc.SimulationError("Aer said no")
    error = exc.JobFailedError("job failed")
    error.__cause__ = cause
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == "job failed"


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (exc.MyProviderError, (QiskitError,)),
        (exc.InvalidInputError, (exc.MyProviderError, ValueError)),
        (exc.UnknownOptionError, (exc.InvalidInputError, ValueError)),
        (exc.UnboundParametersError, (exc.InvalidInputError, ValueError)),
        (exc.InvalidInputTypeError, (exc.MyProviderError, TypeError)),
        (exc.BackendNotFoundError, (QiskitBackendNotFoundError, LookupError)),
        (exc.JobNotFoundError, (exc.MyProviderError, LookupError)),
        (exc.JobFailedError, (exc.MyJobError, JobError)),
        (exc.JobCancelledError, (exc.MyJobError, JobError)),
        (exc.JobTimeoutError, (JobError, QiskitJobTimeoutError, TimeoutError)),
        (exc.WorkerDiedError, (exc.ExecutionError,)),
        (exc.SimulationError, (exc.ExecutionError,)),
        (exc.StoreError, (exc.MyProviderError,)),
    ],
)
def test_each_error_is_also_what_callers_already_catch(cls: type, bases: tuple[type, ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)
    assert issubclass(cls, exc.MyProviderError)


def test_messages_are_not_wrapped_in_quotes() -> None:
    assert str(exc.InvalidInputError("shots must be positive")) == "shots must be positive"
