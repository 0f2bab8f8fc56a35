"""The public surface: exactly the pinned names, in a sorted ``__all__``."""

from __future__ import annotations

import pytest

import qiskit_myprovider
from qiskit_myprovider import exceptions


def test_all_is_sorted_and_exact() -> None:
    assert qiskit_myprovider.__all__ == sorted(qiskit_myprovider.__all__)
    assert set(qiskit_myprovider.__all__) == {
        "MyBackend",
        "MyJob",
        "MyProvider",
        "__version__",
        "as_completed",
    }
    for name in qiskit_myprovider.__all__:
        assert getattr(qiskit_myprovider, name) is not None


def test_the_public_classes_are_the_ones_of_their_modules() -> None:
    from qiskit_myprovider import backend, job, provider

    assert qiskit_myprovider.MyBackend is backend.MyBackend
    assert qiskit_myprovider.MyJob is job.MyJob
    assert qiskit_myprovider.MyProvider is provider.MyProvider


def test_dir_lists_the_public_names_before_they_are_loaded() -> None:
    assert set(qiskit_myprovider.__all__) <= set(dir(qiskit_myprovider))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'MyProvder'"):
        _ = qiskit_myprovider.MyProvder  # type: ignore[attr-defined]


def test_version_is_a_release_string() -> None:
    major, minor, _patch = qiskit_myprovider.__version__.split(".")
    assert major.isdigit()
    assert minor.isdigit()


def test_exceptions_all_lists_every_exception_class() -> None:
    classes = {
        name
        for name, value in vars(exceptions).items()
        if isinstance(value, type)
        and issubclass(value, exceptions.MyProviderError)
    }
    assert set(exceptions.__all__) == classes
    assert exceptions.__all__ == sorted(exceptions.__all__)


def test_adapters_export_exactly_the_pinned_names() -> None:
    from qiskit_myprovider import adapters

    assert adapters.__all__ == sorted(adapters.__all__)
    assert set(adapters.__all__) == {
        "JobContractBackend",
        "Job",
        "JobStatus",
        "JobResult",
        "JobFailureError",
        "JobCancelledError",
        "AsyncJobBackendAdapter",
        "ExecutionResult",
        "ExecutionStatus",
        "ExecutionCancelledError",
    }
