"""The exception tree: what each class also is, and that every one survives pickling."""

from __future__ import annotations

import pickle
import traceback

import pytest
from qiskit.exceptions import QiskitError
from qiskit.providers import JobError, QiskitBackendNotFoundError
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError

from qiskit_myprovider import exceptions as exc
from qiskit_myprovider.execution.remote import RemoteTraceback


def raised_from_a_cause(cls: type[exc.MyProviderError], *message: str) -> exc.MyProviderError:
    """``cls(*message)`` as a worker meets it: raised from a cause, with a traceback."""
    try:
        try:
            raise exc.SimulationError("Aer said no")
        except exc.SimulationError as cause:
            raise cls(*message) from cause
    except exc.MyProviderError as error:
        return error
    raise AssertionError("unreachable")


@pytest.mark.parametrize("name", exc.__all__)
def test_every_exception_pickles_with_its_class_message_and_cause(name: str) -> None:
    cls = getattr(exc, name)
    error = raised_from_a_cause(cls, "job 1234", f"failed in {name}")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error) == f"job 1234 failed in {name}"
    assert clone.args == error.args == ("job 1234", f"failed in {name}")
    # Pickle carries no exception's __cause__ or __traceback__: the cause goes on its own,
    # and comes back whole as well.
    cause = pickle.loads(pickle.dumps(error.__cause__))
    assert type(cause) is exc.SimulationError
    assert str(cause) == "Aer said no"


@pytest.mark.parametrize("name", exc.__all__)
def test_every_exception_comes_back_from_a_worker_with_its_traceback_as_cause(name: str) -> None:
    """The trip of ``execution.process`` (and Dask's): the error and its traceback text go
    pickled, and the caller hangs the text back on as ``__cause__``. The real trip, through
    worker processes and Dask, is in ``test_lifecycle``."""
    cls = getattr(exc, name)
    error = raised_from_a_cause(cls, f"job 1234 failed in {name}")
    sent = (error, "".join(traceback.format_exception(error)))
    clone, text = pickle.loads(pickle.dumps(sent))
    clone.__cause__ = RemoteTraceback(f'\n"""\n{text}"""')
    assert type(clone) is cls
    assert str(clone) == f"job 1234 failed in {name}"
    remote = str(clone.__cause__)
    assert "SimulationError: Aer said no" in remote  # the original cause ...
    assert "The above exception was the direct cause" in remote
    assert f"{cls.__module__}.{name}: job 1234 failed in {name}" in remote  # ... and the error
    assert "in raised_from_a_cause" in remote  # where the worker raised it
    shown = "".join(traceback.format_exception(clone))
    assert remote in shown  # what a user who prints the error reads


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
