"""Several jobs as one (``adapters/job_group.py``): the rule both adapters follow, on its own.

The rule is also tested on each adapter, with real jobs ending ERROR and CANCELLED in both
orders (``job_contract/test_job.py`` and ``async_job/test_adapter.py``).
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Final, cast

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyBackend, MyJob, MyProvider
from qiskit_myprovider.adapters.job_group import (
    FINAL_STATES,
    JobGroup,
    combined_status,
    default_backend,
    find_job,
    find_jobs,
    group_by_shots,
    store_location,
    submit_all,
)
from qiskit_myprovider.exceptions import (
    JobCancelledError,
    JobFailedError,
    JobNotFoundError,
    JobTimeoutError,
    MyJobError,
    SimulationError,
)
from tests.adapters.helpers import basis_circuit
from tests.conftest import Gate
from tests.support import PATIENCE, PROMPT

#: A wait that must run out (nothing ends meanwhile).
SHORT_WAIT: Final = 0.05

Q, R, D, E, C = (
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.DONE,
    JobStatus.ERROR,
    JobStatus.CANCELLED,
)


class FakeJob:
    """A MyJob stand-in with a settable status (only what JobGroup asks of a job)."""

    def __init__(self, name: str, status: JobStatus = Q, *, foreign: bool = False) -> None:
        self.name = name
        self.state = status
        self.foreign = foreign  # run by another process: cancel() raises
        self.cancel_calls = 0

    def job_id(self) -> str:
        return self.name

    def status(self) -> JobStatus:
        return self.state

    def in_final_state(self) -> bool:
        return self.state in FINAL_STATES

    def cancel(self) -> bool:
        self.cancel_calls += 1
        if self.foreign:
            raise MyJobError(f"job {self.name} runs in another process")
        if self.state in FINAL_STATES:
            return False
        self.state = C
        return True

    def result(self, timeout: float | None = None) -> Any:
        if self.state is E:
            raise JobFailedError(f"job {self.name} failed") from SimulationError(self.name)
        if self.state is C:
            raise JobCancelledError(f"job {self.name} was cancelled")
        return f"result of {self.name}"

    def wait_for_final_state(self, timeout: float | None = None, wait: float = 5) -> None:
        if self.state not in FINAL_STATES:
            time.sleep(timeout or 0)
            raise JobTimeoutError(f"job {self.name} is still {self.state.name}")


def group(*jobs: FakeJob) -> JobGroup:
    return JobGroup(tuple(cast(MyJob, job) for job in jobs))


# -- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([D], D),
        ([D, D, D], D),
        ([E, C], E),  # a failure is never reported as a cancellation ...
        ([C, E], E),  # ... whichever part is first
        ([C, D, E], E),
        ([E, R], E),
        ([C, R], C),
        ([C, D], C),
        ([Q, C], C),
        ([D, Q], R),  # a part has finished: the logical job runs
        ([Q, R], R),
        ([Q, Q], Q),
        ([JobStatus.INITIALIZING, Q], Q),
        ([JobStatus.VALIDATING], Q),
    ],
)
def test_combined_status_follows_the_rule(
    statuses: list[JobStatus], expected: JobStatus
) -> None:
    assert combined_status(statuses) is expected


def test_the_rule_does_not_depend_on_the_order_of_the_parts() -> None:
    for size in (1, 2, 3):
        for statuses in itertools.product(list(JobStatus), repeat=size):
            results = {combined_status(order) for order in itertools.permutations(statuses)}
            assert len(results) == 1, statuses


def test_the_rule_in_words() -> None:
    """ERROR beats everything, CANCELLED beats everything else, DONE needs every part."""
    for statuses in itertools.product(list(JobStatus), repeat=3):
        combined = combined_status(statuses)
        if E in statuses:
            assert combined is E
        elif C in statuses:
            assert combined is C
        elif all(status is D for status in statuses):
            assert combined is D
        elif R in statuses or D in statuses:
            assert combined is R
        else:
            assert combined is Q


def test_a_logical_job_has_parts() -> None:
    with pytest.raises(ValueError, match="at least one part"):
        combined_status([])
    with pytest.raises(ValueError, match="at least one MyJob"):
        JobGroup(())


def test_group_by_shots_keeps_positions_and_first_appearance() -> None:
    assert group_by_shots([100, 7, 100, 1, 7]) == {100: [0, 2], 7: [1, 4], 1: [3]}
    assert list(group_by_shots([5, 3, 5])) == [5, 3]
    assert group_by_shots([]) == {}


# -- all-or-nothing submission --------------------------------------------------------------


def test_submit_all_hands_each_part_the_parts_before_it() -> None:
    seen: list[tuple[str, ...]] = []

    def submit(plan: str, submitted: Any) -> MyJob:
        seen.append(tuple(job.job_id() for job in submitted))
        return cast(MyJob, FakeJob(plan))

    jobs = submit_all(["a", "b", "c"], submit)
    assert [job.job_id() for job in jobs] == ["a", "b", "c"]
    assert seen == [(), ("a",), ("a", "b")]


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_if_part_k_fails_to_submit_the_parts_before_it_are_cancelled(failing: int) -> None:
    made: list[FakeJob] = []

    def submit(plan: int, submitted: Any) -> MyJob:
        if plan == failing:
            raise RuntimeError(f"part {plan} refused")
        made.append(FakeJob(str(plan)))
        return cast(MyJob, made[-1])

    with pytest.raises(RuntimeError, match=f"part {failing} refused"):
        submit_all(range(3), submit)
    assert len(made) == failing  # nothing after the failing part was submitted
    assert [job.state for job in made] == [C] * failing


def test_a_part_that_refuses_to_cancel_does_not_hide_the_submission_error() -> None:
    made = [FakeJob("a", foreign=True), FakeJob("b")]

    def submit(plan: int, submitted: Any) -> MyJob:
        if plan == 2:
            raise KeyboardInterrupt
        return cast(MyJob, made[plan])

    with pytest.raises(KeyboardInterrupt):
        submit_all(range(3), submit)
    assert [job.cancel_calls for job in made] == [1, 1]
    assert made[1].state is C


# -- a group of parts -----------------------------------------------------------------------


def test_the_first_failure_is_the_first_failed_part_in_order() -> None:
    parts = group(FakeJob("a", D), FakeJob("b", C), FakeJob("c", E), FakeJob("d", E))
    assert parts.status() is E
    failed = parts.first_failure()
    assert failed is not None
    assert failed.job_id() == "c"
    cause = parts.failure_cause()
    assert isinstance(cause, SimulationError)
    assert str(cause) == "c"
    with pytest.raises(JobFailedError, match="job c failed") as info:
        parts.raise_for_status()
    assert isinstance(info.value.__cause__, SimulationError)


def test_a_cancelled_group_raises_the_first_cancelled_parts_error() -> None:
    parts = group(FakeJob("a", D), FakeJob("b", C), FakeJob("c", C))
    assert parts.first_failure() is None
    with pytest.raises(JobCancelledError, match="job b was cancelled"):
        parts.raise_for_status()
    assert "without a recorded cause" in str(parts.failure_cause())
    group(FakeJob("a", D)).raise_for_status()  # DONE: nothing to raise


def test_cancel_cancels_what_has_not_ended_and_says_whether_it_did() -> None:
    done, running, queued = FakeJob("a", D), FakeJob("b", R), FakeJob("c", Q)
    parts = group(done, running, queued)
    assert parts.cancel() is True
    assert [job.state for job in (done, running, queued)] == [D, C, C]
    assert parts.cancel() is False
    assert parts.status() is C


def test_cancel_raises_for_a_part_of_another_process_and_cancel_unfinished_skips_it() -> None:
    mine, theirs = FakeJob("a", R), FakeJob("b", R, foreign=True)
    with pytest.raises(MyJobError, match="another process"):
        group(mine, theirs).cancel()
    mine.state = R
    group(theirs, mine).cancel_unfinished()
    assert (mine.state, theirs.state) == (C, R)


def test_wait_returns_whether_the_logical_job_is_final() -> None:
    running = FakeJob("a", R)
    parts = group(FakeJob("b", D), running)
    start = time.monotonic()
    assert parts.wait(SHORT_WAIT) is False
    assert time.monotonic() - start < PROMPT
    running.state = E
    assert parts.wait(0) is True
    # A cancelled part ends the logical job, though another part still runs.
    assert group(FakeJob("c", C), FakeJob("d", R)).wait(0) is True
    with pytest.raises(ValueError, match="timeout"):
        parts.wait(-1)


def test_wait_wakes_when_the_parts_end(gated_backend: MyBackend, gate: Gate) -> None:
    first = gated_backend.run(basis_circuit("1"), shots=3)
    second = gated_backend.run(basis_circuit("0"), shots=4)
    parts = JobGroup((first, second))
    gate.wait_started()
    assert parts.status() is R
    assert parts.wait(SHORT_WAIT) is False
    gate.open()
    assert parts.wait(PATIENCE) is True
    assert parts.status() is D
    assert parts.job_ids == [first.job_id(), second.job_id()]


# -- where the adapters reach the engine ----------------------------------------------------


def test_find_job_and_find_jobs_read_the_backends_job_store(provider: MyProvider) -> None:
    backend = provider.get_backend()
    other = provider.get_backend("myprovider_statevector")
    tagged = backend.run(basis_circuit("1"), shots=3, job_tags=["part-of:x"])
    elsewhere = other.run(basis_circuit("1"), shots=3, job_tags=["part-of:x"])
    tagged.wait_for_final_state(timeout=PATIENCE)
    elsewhere.wait_for_final_state(timeout=PATIENCE)
    assert find_job(backend, tagged.job_id()) is tagged
    with pytest.raises(JobNotFoundError, match="ran on backend"):
        find_job(backend, elsewhere.job_id())
    assert [job.job_id() for job in find_jobs(backend, tag="part-of:x")] == [tagged.job_id()]
    assert find_jobs(backend, tag="part-of:y") == []
    assert [job.job_id() for job in find_jobs(backend, status="DONE")] == [tagged.job_id()]
    assert find_jobs(backend, status=JobStatus.QUEUED) == []
    assert store_location(backend) == ":memory:"


def test_default_backend_is_the_default_providers() -> None:
    assert default_backend().name == "myprovider_simulator"
