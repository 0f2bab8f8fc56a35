"""The abstract Job contract (Qrisp's ``Backend.run_async`` / ``Job``), one test per clause.

Written once and run on any backend that claims the contract: a test module subclasses
:class:`JobContractSuite` and provides a ``contract`` fixture returning a
:class:`ContractUnderTest`. It runs on our ``JobContractBackend`` in the main suite
(``tests/adapters/job_contract/test_backend.py``) and on Qrisp's own reference backend, with
Qrisp's own contract classes, in the Qrisp environment (``tests/interop/qrisp/``), which
shows that these tests encode the contract rather than our implementation of it.

This module imports neither Qrisp nor qiskit_myprovider: everything backend-specific comes
through the fixture. Clause ids (C1 ...) are those of the "Design contract" section of
``qiskit_myprovider/adapters/job_contract/__init__.py``. A clause that cannot apply to a
backend (a synchronous backend has no running job to cancel) is listed in
:attr:`ContractUnderTest.not_applicable` with the reason, and its test reports that reason
as a skip; for our backend that list must be empty (a test checks it).
"""

from __future__ import annotations

import enum
import pickle
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

#: How long a test waits for something that should take well under a second.
PROMPT = 5.0
#: How long a test waits for a job that should end.
PATIENCE = 120.0


@dataclass
class ContractUnderTest:
    """A backend that claims the contract, with its contract classes and test circuits.

    Attributes:
        name: A label for messages.
        backend: The backend under test (``run_async``, ``run``, ``options`` ...).
        job_class: The contract's abstract ``Job``.
        status_enum: The contract's ``JobStatus``.
        result_class: The contract's ``JobResult``.
        failure_error: The contract's ``JobFailureError``.
        cancelled_error: The contract's ``JobCancelledError``.
        circuit: ``circuit(bits)`` prepares the basis state ``bits`` (Qiskit order: the
            rightmost character is qubit 0) and measures qubit ``i`` into classical bit ``i``.
        failing_circuit: A circuit whose execution fails (the job ends in ERROR).
        limited_backend: ``limited_backend(n)``: a backend of the same kind whose
            ``max_circuits`` is ``n``.
        slow_circuit: A circuit that runs for seconds (None for a synchronous backend).
        retrieves_jobs: Whether ``retrieve_job`` is implemented (it is optional).
        not_applicable: Clause id -> why that clause cannot apply to this backend.
    """

    name: str
    backend: Any
    job_class: type
    status_enum: type[enum.Enum]
    result_class: type
    failure_error: type[BaseException]
    cancelled_error: type[BaseException]
    circuit: Callable[[str], Any]
    failing_circuit: Callable[[], Any]
    limited_backend: Callable[[int], Any]
    slow_circuit: Callable[[], Any] | None = None
    retrieves_jobs: bool = False
    not_applicable: Mapping[str, str] = field(default_factory=dict)

    def require(self, clause: str) -> None:
        """Skip, saying why, if ``clause`` cannot apply to this backend."""
        reason = self.not_applicable.get(clause)
        if reason is not None:
            pytest.skip(f"{clause} not applicable to {self.name}: {reason}")

    def status(self, name: str) -> Any:
        """The contract's status called ``name`` (``"DONE"`` ...)."""
        return self.status_enum[name]

    @property
    def final_states(self) -> tuple[Any, ...]:
        return tuple(self.status(name) for name in ("DONE", "CANCELLED", "ERROR"))

    def slow(self) -> Any:
        assert self.slow_circuit is not None, f"{self.name} gave no slow circuit"
        return self.slow_circuit()


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def wait_final(contract: ContractUnderTest, job: Any) -> None:
    wait_until(lambda: job.status() in contract.final_states, what=f"{job!r} to end")


def counts_total(counts: Mapping[str, float]) -> float:
    return sum(counts.values())


class JobContractSuite:
    """One test per clause of the contract; subclass it and provide a ``contract`` fixture."""

    # -- C1 run_async hands back a job, never INITIALIZING ---------------------------------

    def test_c01_run_async_returns_a_job_never_initializing(
        self, contract: ContractUnderTest
    ) -> None:
        """C1: run_async returns a contract Job already handed off (not INITIALIZING)."""
        job = contract.backend.run_async(contract.circuit("01"), 10)
        assert isinstance(job, contract.job_class)
        assert job.last_known_status != contract.status("INITIALIZING")
        assert job.status() != contract.status("INITIALIZING")
        job.result(timeout=PATIENCE)

    def test_c01_run_async_returns_at_once_for_a_long_job(
        self, contract: ContractUnderTest
    ) -> None:
        """C1: run_async does not wait for the execution (the Future pattern)."""
        contract.require("C1-async")
        start = time.monotonic()
        job = contract.backend.run_async(contract.slow(), 10)
        try:
            assert time.monotonic() - start < PROMPT
            assert job.last_known_status in (contract.status("QUEUED"), contract.status("RUNNING"))
        finally:
            job.cancel()

    # -- C2 properties ---------------------------------------------------------------------

    def test_c02_job_id_backend_and_last_known_status_are_properties(
        self, contract: ContractUnderTest
    ) -> None:
        """C2: job_id, backend and last_known_status are properties with the right values."""
        job = contract.backend.run_async(contract.circuit("1"), 10)
        for name in ("job_id", "backend", "last_known_status"):
            assert isinstance(getattr(type(job), name), property), name
        assert job.job_id is None or (isinstance(job.job_id, str) and job.job_id)
        assert job.job_id == job.job_id  # stable
        assert job.backend is contract.backend
        assert isinstance(job.last_known_status, contract.status_enum)
        job.result(timeout=PATIENCE)

    # -- C3 status -------------------------------------------------------------------------

    def test_c03_status_is_a_live_query_cached_in_last_known_status(
        self, contract: ContractUnderTest
    ) -> None:
        """C3: status() sees the job end without result() being called, and caches it."""
        job = contract.backend.run_async(contract.circuit("10"), 10)
        wait_final(contract, job)
        assert job.last_known_status == contract.status("DONE")
        assert job.status() == job.last_known_status

    def test_c03_a_final_state_never_changes(self, contract: ContractUnderTest) -> None:
        """C3: once final, status() keeps answering the same, whatever is called next."""
        job = contract.backend.run_async(contract.circuit("11"), 10)
        job.result(timeout=PATIENCE)
        assert job.status() == contract.status("DONE")
        job.cancel()
        job.refresh()
        assert job.status() == contract.status("DONE")
        assert job.last_known_status == contract.status("DONE")

    # -- C4 derived predicates ---------------------------------------------------------------

    def test_c04_predicates_and_refresh_follow_status(self, contract: ContractUnderTest) -> None:
        """C4: done/running/queued/cancelled/in_final_state/refresh agree with status()."""
        job = contract.backend.run_async(contract.circuit("0"), 10)
        job.result(timeout=PATIENCE)
        assert job.refresh() == contract.status("DONE")
        assert job.done()
        assert job.in_final_state()
        assert not job.running()
        assert not job.queued()
        assert not job.cancelled()

    def test_c04_predicates_of_an_unfinished_job(self, contract: ContractUnderTest) -> None:
        """C4: while a job runs, running() or queued() holds and in_final_state() does not."""
        contract.require("C1-async")
        job = contract.backend.run_async(contract.slow(), 10)
        try:
            assert not job.in_final_state()
            assert job.running() or job.queued()
            assert not job.done()
            assert not job.cancelled()
            assert job.refresh() == job.last_known_status
        finally:
            job.cancel()

    # -- C5 result -------------------------------------------------------------------------

    def test_c05_result_waits_for_the_end_and_returns_a_job_result(
        self, contract: ContractUnderTest
    ) -> None:
        """C5: result() returns a JobResult once the job is DONE."""
        job = contract.backend.run_async(contract.circuit("101"), 10)
        result = job.result()
        assert isinstance(result, contract.result_class)
        assert job.last_known_status == contract.status("DONE")
        assert result.get_counts() == {"101": 10}

    def test_c05_result_of_a_final_job_returns_at_once(self, contract: ContractUnderTest) -> None:
        """C5: once final, result() (even with timeout=0) returns without waiting."""
        job = contract.backend.run_async(contract.circuit("01"), 10)
        first = job.result(timeout=PATIENCE)
        start = time.monotonic()
        again = job.result(timeout=0)
        assert time.monotonic() - start < 0.5
        assert again.all_counts == first.all_counts

    def test_c05_result_of_a_failed_job_raises_at_once_every_time(
        self, contract: ContractUnderTest
    ) -> None:
        """C5: a final failed job raises again, at once, on every result() call."""
        job = contract.backend.run_async(contract.failing_circuit(), 10)
        with pytest.raises(contract.failure_error):
            job.result(timeout=PATIENCE)
        start = time.monotonic()
        with pytest.raises(contract.failure_error):
            job.result(timeout=0)
        assert time.monotonic() - start < 0.5

    # -- C6 timeout ------------------------------------------------------------------------

    def test_c06_result_timeout_raises_timeout_error_and_the_job_goes_on(
        self, contract: ContractUnderTest
    ) -> None:
        """C6: result(timeout) raises the built-in TimeoutError; the job is left alone."""
        contract.require("C6")
        job = contract.backend.run_async(contract.slow(), 10)
        try:
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                job.result(timeout=0.2)
            assert time.monotonic() - start < PROMPT
            assert job.status() in (contract.status("QUEUED"), contract.status("RUNNING"))
        finally:
            job.cancel()

    # -- C7 failure ------------------------------------------------------------------------

    def test_c07_failed_job_raises_job_failure_error_chained_to_its_cause(
        self, contract: ContractUnderTest
    ) -> None:
        """C7: ERROR -> JobFailureError (a RuntimeError) whose __cause__ is the real error."""
        job = contract.backend.run_async(contract.failing_circuit(), 10)
        with pytest.raises(contract.failure_error) as info:
            job.result(timeout=PATIENCE)
        assert isinstance(info.value, RuntimeError)
        assert info.value.__cause__ is not None
        assert str(info.value.__cause__) in str(info.value)
        assert job.status() == contract.status("ERROR")
        assert job.last_known_status == contract.status("ERROR")

    # -- C8 cancelled ----------------------------------------------------------------------

    def test_c08_cancelled_job_raises_job_cancelled_error(
        self, contract: ContractUnderTest
    ) -> None:
        """C8: result() of a cancelled job raises JobCancelledError (a RuntimeError)."""
        contract.require("C8")
        job = contract.backend.run_async(contract.slow(), 10)
        assert job.cancel() is True
        with pytest.raises(contract.cancelled_error) as info:
            job.result(timeout=PATIENCE)
        assert isinstance(info.value, RuntimeError)
        assert "cancel" in str(info.value).lower()
        assert job.status() == contract.status("CANCELLED")

    # -- C9 cancel -------------------------------------------------------------------------

    def test_c09_cancel_of_a_finished_job_returns_false_and_changes_nothing(
        self, contract: ContractUnderTest
    ) -> None:
        """C9: cancel() of a job already final returns False; the job stays DONE."""
        job = contract.backend.run_async(contract.circuit("1"), 10)
        result = job.result(timeout=PATIENCE)
        assert job.cancel() is False
        assert job.status() == contract.status("DONE")
        assert job.result().all_counts == result.all_counts

    def test_c09_cancel_of_a_running_job_returns_true_and_stops_it(
        self, contract: ContractUnderTest
    ) -> None:
        """C9: cancel() of a running job returns True and the job is CANCELLED promptly."""
        contract.require("C9-running")
        job = contract.backend.run_async(contract.slow(), 10)
        wait_until(lambda: job.status() == contract.status("RUNNING"), what="the job to start")
        start = time.monotonic()
        assert job.cancel() is True
        wait_until(
            lambda: job.status() == contract.status("CANCELLED"),
            what="the job to be cancelled",
            timeout=PROMPT,
        )
        assert time.monotonic() - start < PROMPT
        assert job.cancelled()
        assert job.cancel() is False  # now final: nothing more to do

    # -- C10 _raise_for_status -------------------------------------------------------------

    def test_c10_raise_for_status(self, contract: ContractUnderTest) -> None:
        """C10: _raise_for_status maps ERROR and CANCELLED to the contract's errors."""
        job = contract.backend.run_async(contract.circuit("1"), 10)
        job.result(timeout=PATIENCE)
        job._raise_for_status()  # DONE: nothing to raise
        job._raise_for_status(contract.status("DONE"))
        with pytest.raises(contract.failure_error):
            job._raise_for_status(contract.status("ERROR"))
        with pytest.raises(contract.cancelled_error):
            job._raise_for_status(contract.status("CANCELLED"))

    # -- C11 repr --------------------------------------------------------------------------

    def test_c11_repr_makes_no_live_query(self, contract: ContractUnderTest) -> None:
        """C11: repr shows the cached status and never calls status()."""
        job = contract.backend.run_async(contract.circuit("1"), 10)
        job.result(timeout=PATIENCE)

        def no_query() -> Any:
            raise AssertionError("repr made a live status query")

        job.status = no_query
        text = repr(job)
        assert job.last_known_status.name in text
        assert str(job.job_id) in text

    # -- C12 JobResult ---------------------------------------------------------------------

    def test_c12_job_result_holds_one_dict_per_circuit_in_input_order(
        self, contract: ContractUnderTest
    ) -> None:
        """C12: all_counts, get_counts(i), num_circuits and metadata of a batch."""
        states = ["011", "110", "000", "101"]
        job = contract.backend.run_async([contract.circuit(bits) for bits in states], 20)
        result = job.result(timeout=PATIENCE)
        assert result.num_circuits == len(states)
        assert isinstance(result.all_counts, list)
        assert result.all_counts == [{bits: 20} for bits in states]
        assert result.get_counts() == result.get_counts(0) == {"011": 20}
        for index, bits in enumerate(states):
            assert result.get_counts(index) == {bits: 20}
        assert isinstance(result.metadata, Mapping)
        assert "JobResult(num_circuits=4" in repr(result)

    def test_c12_get_counts_out_of_range_is_a_clear_index_error(
        self, contract: ContractUnderTest
    ) -> None:
        """C12: get_counts beyond the last circuit raises IndexError saying how many there are."""
        job = contract.backend.run_async([contract.circuit("0"), contract.circuit("1")], 5)
        result = job.result(timeout=PATIENCE)
        with pytest.raises(IndexError, match=r"2 circuit\(s\); index 2 is out of range"):
            result.get_counts(2)

    def test_c12_job_result_validates_its_counts(self, contract: ContractUnderTest) -> None:
        """C12: JobResult(counts, **metadata) takes a non-empty sequence of dicts."""
        result = contract.result_class([{"0": 3}], source="test")
        assert result.all_counts == [{"0": 3}]
        assert result.metadata == {"source": "test"}
        with pytest.raises(ValueError, match="at least one"):
            contract.result_class([])
        with pytest.raises(TypeError):
            contract.result_class({"0": 3})
        with pytest.raises(TypeError, match="index 1"):
            contract.result_class([{"0": 3}, [("1", 2)]])

    # -- C13 keys --------------------------------------------------------------------------

    def test_c13_keys_are_contiguous_bitstrings_in_qiskit_order(
        self, contract: ContractUnderTest
    ) -> None:
        """C13: keys hold one 0/1 per classical bit, bit 0 rightmost, no separators."""
        job = contract.backend.run_async(contract.circuit("0001"), 10)
        counts = job.result(timeout=PATIENCE).get_counts()
        assert counts == {"0001": 10}
        for key in counts:
            assert set(key) <= {"0", "1"}
            assert len(key) == 4

    # -- C14 shots -------------------------------------------------------------------------

    def test_c14_counts_sum_to_the_shots(self, contract: ContractUnderTest) -> None:
        """C14: with an int, every circuit's counts sum to it."""
        job = contract.backend.run_async([contract.circuit("0"), contract.circuit("1")], 37)
        for counts in job.result(timeout=PATIENCE).all_counts:
            assert counts_total(counts) == 37

    def test_c14_one_shot_count_per_circuit_natively(self, contract: ContractUnderTest) -> None:
        """C14: a list gives each circuit its own shots, in order, without a warning."""
        circuits = [contract.circuit(bits) for bits in ("00", "01", "10", "11")]
        shots = [5, 17, 5, 3]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            job = contract.backend.run_async(circuits, shots)
            result = job.result(timeout=PATIENCE)
        assert result.all_counts == [{"00": 5}, {"01": 17}, {"10": 5}, {"11": 3}]

    def test_c14_shots_list_of_the_wrong_length_is_a_value_error(
        self, contract: ContractUnderTest
    ) -> None:
        """C14: a shots list whose length is not the number of circuits is a ValueError."""
        circuits = [contract.circuit("0"), contract.circuit("1")]
        with pytest.raises(ValueError, match="1 element"):
            contract.backend.run_async(circuits, [10])

    @pytest.mark.parametrize(
        ("shots", "error"),
        [(True, TypeError), (2.5, TypeError), ("10", TypeError), (0, ValueError), (-3, ValueError)],
    )
    def test_c14_run_refuses_bad_shots(
        self, contract: ContractUnderTest, shots: object, error: type[Exception]
    ) -> None:
        """C14: run() refuses a bool or non-int (TypeError) and a value <= 0 (ValueError)."""
        with pytest.raises(error, match="'shots' must be a positive integer"):
            contract.backend.run(contract.circuit("1"), shots)

    @pytest.mark.parametrize(
        ("shots", "error"),
        [
            (True, TypeError),
            (2.5, TypeError),
            ("10", TypeError),
            (0, ValueError),
            (-3, ValueError),
            ([4, 0], ValueError),
            ([4, False], TypeError),
        ],
    )
    def test_c14_run_async_refuses_bad_shots_before_queueing(
        self, contract: ContractUnderTest, shots: object, error: type[Exception]
    ) -> None:
        """C14: run_async refuses bad shots up front, as run() does."""
        contract.require("C14-run_async")
        with pytest.raises(error, match="'shots' must be a positive integer"):
            contract.backend.run_async([contract.circuit("0"), contract.circuit("1")], shots)

    def test_c14_shots_none_means_the_shots_option(self, contract: ContractUnderTest) -> None:
        """C14: shots=None takes options["shots"]."""
        previous = contract.backend.options["shots"]
        contract.backend.update_options(shots=23)
        try:
            job = contract.backend.run_async(contract.circuit("10"))
            assert job.result(timeout=PATIENCE).get_counts() == {"10": 23}
        finally:
            contract.backend.update_options(shots=previous)

    # -- C15 circuits ----------------------------------------------------------------------

    def test_c15_one_circuit_or_a_sequence(self, contract: ContractUnderTest) -> None:
        """C15: a single circuit gives one result, a tuple of circuits one per circuit."""
        single = contract.backend.run_async(contract.circuit("1"), 4).result(timeout=PATIENCE)
        assert single.all_counts == [{"1": 4}]
        pair = (contract.circuit("0"), contract.circuit("1"))
        batch = contract.backend.run_async(pair, 4).result(timeout=PATIENCE)
        assert batch.all_counts == [{"0": 4}, {"1": 4}]

    def test_c15_more_circuits_than_max_circuits_is_a_value_error(
        self, contract: ContractUnderTest
    ) -> None:
        """C15: a batch beyond max_circuits is refused (ValueError) by run_async and run."""
        limited = contract.limited_backend(2)
        assert limited.max_circuits == 2
        circuits = [contract.circuit(bits) for bits in ("0", "1", "0")]
        with pytest.raises(ValueError, match="at most 2 circuit"):
            limited.run_async(circuits, 5)
        with pytest.raises(ValueError, match="at most 2 circuit"):
            limited.run(circuits, 5)
        assert limited.run(circuits[:2], 5) == [{"0": 5}, {"1": 5}]

    # -- C16 run ---------------------------------------------------------------------------

    def test_c16_run_returns_one_counts_mapping_for_one_circuit(
        self, contract: ContractUnderTest
    ) -> None:
        """C16: run(circuit) blocks and returns that circuit's counts."""
        counts = contract.backend.run(contract.circuit("110"), 12)
        assert isinstance(counts, Mapping)
        assert counts == {"110": 12}

    def test_c16_run_returns_a_list_for_a_sequence(self, contract: ContractUnderTest) -> None:
        """C16: run([circuits]) returns one counts mapping per circuit, in order."""
        results = contract.backend.run([contract.circuit("01"), contract.circuit("10")], 6)
        assert isinstance(results, list)
        assert results == [{"01": 6}, {"10": 6}]

    def test_c16_run_takes_no_shots_list(self, contract: ContractUnderTest) -> None:
        """C16: run() takes an int or None for shots; a list is a TypeError (use run_async)."""
        with pytest.raises(TypeError):
            contract.backend.run([contract.circuit("0"), contract.circuit("1")], [3, 4])

    # -- C17 options -----------------------------------------------------------------------

    def test_c17_options_are_a_read_only_mapping(self, contract: ContractUnderTest) -> None:
        """C17: options is a Mapping with shots; assigning to it is a TypeError."""
        options = contract.backend.options
        assert isinstance(options, Mapping)
        assert "shots" in options
        with pytest.raises(TypeError):
            options["shots"] = 3  # type: ignore[index]

    def test_c17_update_options_changes_known_keys(self, contract: ContractUnderTest) -> None:
        """C17: update_options(shots=n) changes the option."""
        previous = contract.backend.options["shots"]
        contract.backend.update_options(shots=77)
        try:
            assert contract.backend.options["shots"] == 77
        finally:
            contract.backend.update_options(shots=previous)

    def test_c17_update_options_refuses_unknown_keys_all_or_nothing(
        self, contract: ContractUnderTest
    ) -> None:
        """C17: an unknown key is an AttributeError naming it, and nothing changes."""
        before = dict(contract.backend.options)
        with pytest.raises(AttributeError, match="'shot' is not a valid backend option"):
            contract.backend.update_options(shots=5, shot=6)
        assert dict(contract.backend.options) == before

    @pytest.mark.parametrize(("shots", "error"), [(0, ValueError), (True, TypeError)])
    def test_c17_update_options_validates_shots(
        self, contract: ContractUnderTest, shots: object, error: type[Exception]
    ) -> None:
        """C17: update_options validates shots as run() does, changing nothing on error."""
        before = dict(contract.backend.options)
        with pytest.raises(error):
            contract.backend.update_options(shots=shots)
        assert dict(contract.backend.options) == before

    # -- C18 retrieve_job ------------------------------------------------------------------

    def test_c18_retrieve_job(self, contract: ContractUnderTest) -> None:
        """C18: retrieve_job finds a job by id (or, being optional, is NotImplementedError)."""
        job = contract.backend.run_async([contract.circuit("01"), contract.circuit("11")], [3, 4])
        result = job.result(timeout=PATIENCE)
        if not contract.retrieves_jobs:
            with pytest.raises(NotImplementedError):
                contract.backend.retrieve_job(str(job.job_id))
            return
        again = contract.backend.retrieve_job(job.job_id)
        assert isinstance(again, contract.job_class)
        assert again.job_id == job.job_id
        assert again.status() == contract.status("DONE")
        assert again.result(timeout=PATIENCE).all_counts == result.all_counts

    def test_c18_retrieve_job_of_an_unknown_id_is_a_lookup_error(
        self, contract: ContractUnderTest
    ) -> None:
        """C18: an id no job has is a LookupError (where retrieval is implemented)."""
        unknown = "00000000-0000-4000-8000-000000000000"
        if not contract.retrieves_jobs:
            with pytest.raises(NotImplementedError):
                contract.backend.retrieve_job(unknown)
            return
        with pytest.raises(LookupError):
            contract.backend.retrieve_job(unknown)

    # -- C19 metadata ----------------------------------------------------------------------

    def test_c19_name_and_metadata_properties(self, contract: ContractUnderTest) -> None:
        """C19: name is a str; the metadata properties exist (None: not exposed)."""
        backend = contract.backend
        assert isinstance(backend.name, str)
        assert backend.name
        assert backend.max_circuits is None or (
            isinstance(backend.max_circuits, int) and backend.max_circuits > 0
        )
        assert backend.num_qubits is None or isinstance(backend.num_qubits, int)
        for name in ("health", "info", "queue", "connectivity", "gate_set", "error_rates"):
            getattr(backend, name)  # each exists and answers

    # -- C20 the contract's types ----------------------------------------------------------

    def test_c20_job_status_is_a_str_enum_of_lowercase_names(
        self, contract: ContractUnderTest
    ) -> None:
        """C20: JobStatus members are strs equal to their lowercase names; final_states()."""
        names = ["INITIALIZING", "QUEUED", "RUNNING", "DONE", "CANCELLED", "ERROR"]
        assert [member.name for member in contract.status_enum] == names
        for member in contract.status_enum:
            assert isinstance(member, str)
            assert member == member.name.lower()
            assert str(member) == member.name.lower()
        final_states = contract.status_enum.final_states()  # type: ignore[attr-defined]
        assert tuple(final_states) == contract.final_states

    def test_c20_errors_are_runtime_errors_and_not_each_other(
        self, contract: ContractUnderTest
    ) -> None:
        """C20: JobFailureError and JobCancelledError are RuntimeErrors, unrelated, picklable."""
        failure, cancelled = contract.failure_error, contract.cancelled_error
        assert issubclass(failure, RuntimeError)
        assert issubclass(cancelled, RuntimeError)
        assert not issubclass(failure, cancelled)
        assert not issubclass(cancelled, failure)
        for cls in (failure, cancelled):
            error = cls("job 'x' failed")
            clone = pickle.loads(pickle.dumps(error))
            assert type(clone) is cls
            assert str(clone) == str(error)

    def test_c20_job_is_abstract_in_result_cancel_and_status(
        self, contract: ContractUnderTest
    ) -> None:
        """C20: Job cannot be instantiated; result, cancel and status are its abstract methods."""
        abstract: Sequence[str] = sorted(getattr(contract.job_class, "__abstractmethods__", ()))
        assert abstract == ["cancel", "result", "status"]
        with pytest.raises(TypeError):
            contract.job_class(contract.backend)
