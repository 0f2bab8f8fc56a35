"""The contract's own types (``job_contract/contract.py``) and the names the package exports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import qiskit_myprovider.adapters as adapters
import qiskit_myprovider.adapters.job_contract as job_contract
from qiskit_myprovider import exceptions
from qiskit_myprovider.adapters import JobCancelledError, JobFailureError, JobResult, JobStatus
from tests.support import PATIENCE, ROOT, child_env


def test_adapters_export_the_pinned_contract_names_in_a_sorted_all() -> None:
    assert adapters.__all__ == sorted(adapters.__all__)
    pinned = {"JobContractBackend", "Job", "JobStatus", "JobResult", "JobFailureError"}
    assert pinned | {"JobCancelledError"} <= set(adapters.__all__)
    for name in adapters.__all__:
        assert getattr(adapters, name) is not None


def test_the_package_re_exports_what_the_module_exported() -> None:
    """``qiskit_myprovider.adapters.job_contract`` keeps every public name of the old module."""
    before = {
        "JOB_FINAL_STATES",
        "ContractJob",
        "CountsDict",
        "Job",
        "JobCancelledError",
        "JobContractBackend",
        "JobFailureError",
        "JobResult",
        "JobStatus",
        "SupportsToQiskit",
    }
    assert before <= set(job_contract.__all__)
    for name in job_contract.__all__:
        assert getattr(job_contract, name) is not None
    assert job_contract.JobContractBackend is adapters.JobContractBackend
    assert job_contract.CONTRACT_TAG == "job-contract"
    assert job_contract.PART_TAG_PREFIX == "job-contract-part-of:"


def test_no_qrisp_import_at_runtime() -> None:
    code = "import sys, qiskit_myprovider.adapters; print('qrisp' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_contract_errors_are_also_this_packages_job_errors() -> None:
    assert issubclass(JobFailureError, exceptions.JobFailedError)
    assert issubclass(JobCancelledError, exceptions.JobCancelledError)
    assert issubclass(JobFailureError, exceptions.MyProviderError)
    assert issubclass(JobFailureError, RuntimeError)
    assert issubclass(JobCancelledError, RuntimeError)
    assert not issubclass(JobFailureError, JobCancelledError)
    assert not issubclass(JobCancelledError, JobFailureError)
    assert JobStatus.DONE == "done"
    assert JobStatus("cancelled") is JobStatus.CANCELLED
    assert JobStatus.final_states() == job_contract.JOB_FINAL_STATES


def test_job_result_is_read_only() -> None:
    result = JobResult([{"0": 1}], job_id="x")
    result.all_counts[0]["0"] = 99
    result.get_counts()["1"] = 5
    result.metadata["job_id"] = "y"
    assert result.all_counts == [{"0": 1}]
    assert result.metadata == {"job_id": "x"}
    with pytest.raises(AttributeError):
        result.all_counts = []  # type: ignore[misc]


@pytest.mark.parametrize(
    ("counts", "error", "match"),
    [
        ("00", TypeError, "sequence of dicts"),
        ([], ValueError, "at least one dict"),
        ([{"0": 1}, 5], TypeError, "at index 1"),
    ],
)
def test_job_result_refuses_what_is_not_counts(
    counts: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        JobResult(counts)  # type: ignore[arg-type]
