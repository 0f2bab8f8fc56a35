"""The protocol's value types (``async_job/types.py``), and Divi's cancelled error.

Clauses 5 (handles), 8 (responses) and 9 (no dependency on Divi) of the design contract.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from qiskit.providers import JobStatus

import qiskit_myprovider.adapters.async_job as async_job
from qiskit_myprovider.adapters import (
    AsyncJobBackendAdapter,
    ExecutionCancelledError,
    ExecutionResult,
    ExecutionStatus,
)
from qiskit_myprovider.adapters.async_job import JobResponse
from qiskit_myprovider.adapters.async_job import types as job_types
from qiskit_myprovider.exceptions import MyProviderError
from tests.adapters.async_job.helpers import BELL


def test_the_package_re_exports_what_the_module_exported() -> None:
    """``qiskit_myprovider.adapters.async_job`` keeps every public name of the old module."""
    before = {
        "AsyncJobBackendAdapter",
        "ExecutionCancelledError",
        "ExecutionResult",
        "ExecutionStatus",
        "JobResponse",
    }
    assert before <= set(async_job.__all__)
    for name in async_job.__all__:
        assert getattr(async_job, name) is not None
    assert async_job.JOB_TAG == "async-job-adapter"


def test_execution_status_is_a_str_enum_with_the_protocols_values() -> None:
    assert [s.value for s in ExecutionStatus] == [
        "PENDING",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
    ]
    assert ExecutionStatus.COMPLETED == "COMPLETED"
    assert isinstance(ExecutionStatus.FAILED, str)
    assert ExecutionStatus("CANCELLED") is ExecutionStatus.CANCELLED
    assert ExecutionStatus.COMPLETED.is_final
    assert not ExecutionStatus.RUNNING.is_final


def test_statuses_survive_a_round_trip_through_their_values() -> None:
    for status in ExecutionStatus:
        assert ExecutionStatus(str(status)) is status


def test_every_job_status_maps_to_the_protocols_name() -> None:
    assert {status: job_types.execution_status(status) for status in JobStatus} == {
        JobStatus.INITIALIZING: ExecutionStatus.PENDING,
        JobStatus.QUEUED: ExecutionStatus.PENDING,
        JobStatus.VALIDATING: ExecutionStatus.PENDING,
        JobStatus.RUNNING: ExecutionStatus.RUNNING,
        JobStatus.DONE: ExecutionStatus.COMPLETED,
        JobStatus.ERROR: ExecutionStatus.FAILED,
        JobStatus.CANCELLED: ExecutionStatus.CANCELLED,
    }


def test_execution_result_is_frozen_and_populates_by_copy() -> None:
    handle = ExecutionResult(job_id="j", backend_jobs=2)
    assert handle.is_async()
    with pytest.raises(dataclasses.FrozenInstanceError):
        handle.results = []  # type: ignore[misc]
    done = handle.with_results([{"label": "a", "results": {"0": 1}}], run_time=1.5)
    assert not done.is_async()
    assert (done.job_id, done.backend_jobs, done.run_time) == ("j", 2, 1.5)
    assert handle.results is None
    assert not ExecutionResult(results=[]).is_async()


def test_job_response_reads_like_an_http_response() -> None:
    response = JobResponse(409, "j", ExecutionStatus.COMPLETED, "already ended")
    assert not response.ok
    assert response.json() == {"job_id": "j", "status": "COMPLETED", "message": "already ended"}
    assert JobResponse(200, "j", ExecutionStatus.CANCELLED).ok


# -- ExecutionCancelledError and Divi -------------------------------------------------------


@pytest.fixture
def fake_divi(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Exception]]:
    """Install a stand-in ``divi.exceptions`` module, as if Divi were imported."""

    class DiviExecutionCancelledError(Exception):
        pass

    module = types.ModuleType("divi.exceptions")
    module.ExecutionCancelledError = DiviExecutionCancelledError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "divi", types.ModuleType("divi"))
    monkeypatch.setitem(sys.modules, "divi.exceptions", module)
    job_types.cancelled_error_class.cache_clear()
    yield DiviExecutionCancelledError
    job_types.cancelled_error_class.cache_clear()


def test_the_cancelled_error_is_also_divis_when_divi_is_there(
    adapter: AsyncJobBackendAdapter, fake_divi: type[Exception]
) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(ExecutionCancelledError) as info:
        adapter.submit_circuits({"bell": BELL}, cancellation_event=event)
    assert isinstance(info.value, fake_divi)
    assert isinstance(info.value, MyProviderError)
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, fake_divi)
    assert str(again) == str(info.value)


def test_without_divi_the_cancelled_error_is_ours_alone_and_pickles() -> None:
    job_types.cancelled_error_class.cache_clear()
    error = job_types.new_cancelled_error("stop")
    if "divi" not in sys.modules:
        assert type(error) is ExecutionCancelledError
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, ExecutionCancelledError)
    assert str(again) == "stop"


def test_no_module_of_the_adapter_imports_divi() -> None:
    assert async_job.__file__ is not None
    modules = sorted(Path(async_job.__file__).parent.glob("*.py"))
    assert len(modules) >= 6  # __init__ and the five concept modules
    for source in modules:
        text = source.read_text(encoding="utf-8")
        assert "import divi" not in text, source.name
        assert "from divi" not in text, source.name
