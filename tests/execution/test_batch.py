"""Tiny queued jobs share one Aer call: each its own Result, seeded ones apart, failures alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Gate as OpaqueGate
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import SimulationError
from qiskit_myprovider.execution import SimulationTask, ThreadExecutor, simulate
from qiskit_myprovider.execution.batch import (
    MAX_BATCH_COST,
    MAX_BATCH_TASKS,
    TINY_COST,
    batchable,
    joins,
    run_batch,
    split_result,
)
from qiskit_myprovider.execution.pubs import PrimitivePart
from tests.conftest import Gate, bell_circuit, ghz_circuit

#: Experiment metadata that depends on timing or the thread budget, not on the simulation.
_UNSTABLE = {"time_taken", "sample_measure_time", "parallel_state_update", "parallel_shots",
             "max_memory_mb", "required_memory_mb"}  # fmt: skip
#: How long a test waits for the executor's thread before it calls the run lost.
_TIMEOUT = 30.0

_SIM = AerSimulator()
_BELL = transpile(bell_circuit(), _SIM)
_GHZ = transpile(ghz_circuit(3), _SIM)
#: Another circuit as wide as Bell's (a call's circuits share one classical width).
_BELL2 = transpile(ghz_circuit(2), _SIM)


def _task(
    job_id: str, circuits: Sequence[QuantumCircuit] = (_BELL,), **options: Any
) -> SimulationTask:
    return SimulationTask(
        job_id=job_id,
        backend_name="aer-test",
        simulator=_SIM,
        circuits=tuple(circuits),
        run_options={"shots": 50, "memory": True, **options},
        cost=3e-4 * len(circuits),
        simulator_key="sim",
    )


def _stable(result: Result) -> list[dict[str, Any]]:
    """Each experiment as a dict, without its counts and what depends on timing."""
    out = []
    for experiment in result.results:
        data = experiment.to_dict()
        data["metadata"] = {k: v for k, v in data["metadata"].items() if k not in _UNSTABLE}
        for key in ("time_taken", "data", "seed_simulator"):
            data.pop(key, None)
        out.append(data)
    return out


class _Listener:
    def __init__(self, name: str, log: list[tuple[str, str]], refuse: bool = False) -> None:
        self.name = name
        self.log = log
        self.refuse = refuse
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.final = threading.Event()

    def task_started(self) -> bool:
        self.log.append(("started", self.name))
        return not self.refuse

    def task_succeeded(self, result: Result) -> None:
        self.result = result
        self.log.append(("succeeded", self.name))
        self.final.set()

    def task_failed(self, error: BaseException) -> None:
        self.error = error
        self.log.append(("failed", self.name))
        self.final.set()

    def task_cancelled(self) -> None:
        self.log.append(("cancelled", self.name))
        self.final.set()


class _Spy:
    """Records the size of every shared call, then makes it for real."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, tasks: Sequence[SimulationTask]) -> list[Result]:
        self.calls.append([task.job_id for task in tasks])
        return run_batch(tasks)


@pytest.fixture
def spy() -> _Spy:
    return _Spy()


@pytest.fixture
def executor(gate: Gate, spy: _Spy) -> Iterator[ThreadExecutor]:
    ex = ThreadExecutor(run=gate.run, run_batch=spy)
    yield ex
    ex.shutdown()


def _hold(executor: ThreadExecutor, gate: Gate, log: list[tuple[str, str]]) -> _Listener:
    """Occupy the executor's thread with a seeded job (never batched) until the gate opens."""
    blocker = _Listener("blocker", log)
    executor.submit(_task("blocker", seed_simulator=1), blocker)
    gate.wait_started()
    return blocker


def _finish(listeners: Sequence[_Listener]) -> None:
    for listener in listeners:
        assert listener.final.wait(_TIMEOUT), f"{listener.name} never ended"


def test_queued_tiny_tasks_share_one_call_and_each_gets_its_own_result(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    shapes = [(_BELL,), (_BELL2, _BELL), (_BELL2,), (_BELL, _BELL, _BELL2)]
    tasks = [_task(f"job{i}", shapes[i % len(shapes)]) for i in range(8)]
    listeners = [_Listener(task.job_id, log) for task in tasks]
    for task, listener in zip(tasks, listeners, strict=True):
        executor.submit(task, listener)
    gate.open()
    _finish([blocker, *listeners])

    assert spy.calls == [[task.job_id for task in tasks]]
    for task, listener in zip(tasks, listeners, strict=True):
        result = listener.result
        assert result is not None
        assert result.success
        assert result.job_id == task.job_id
        assert result.backend_name == "aer-test"
        alone = simulate(task)
        assert _stable(result) == _stable(alone)
        assert [e.header["name"] for e in result.results] == [c.name for c in task.circuits]
        for index in range(len(task.circuits)):
            assert sum(result.get_counts(index).values()) == 50
            assert len(result.get_memory(index)) == 50
        assert result.header == alone.header
        assert set(result.to_dict()["metadata"]) == set(alone.to_dict()["metadata"])


def test_each_result_takes_its_share_of_the_calls_time() -> None:
    tasks = [_task("a", (_BELL,)), _task("b", (_GHZ, _BELL, _GHZ))]
    whole = simulate(replace(tasks[0], circuits=(_BELL, _GHZ, _BELL, _GHZ)))
    parts = split_result(whole, tasks)
    assert [len(p.results) for p in parts] == [1, 3]
    assert sum(p.time_taken for p in parts) == pytest.approx(whole.time_taken)
    executes = [p.to_dict()["metadata"]["time_taken_execute"] for p in parts]
    assert sum(executes) == pytest.approx(whole.to_dict()["metadata"]["time_taken_execute"])
    assert all(p.time_taken < whole.time_taken for p in parts)
    assert whole.job_id == "a"
    assert len(whole.results) == 4


def test_split_result_refuses_a_result_of_another_size() -> None:
    whole = simulate(_task("a"))
    with pytest.raises(ValueError, match="1 experiments for 2 circuits"):
        split_result(whole, [_task("a"), _task("b")])


def test_seeded_tasks_are_not_batched_and_reproduce(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    tasks = [_task(f"seeded{i}", (_GHZ,), seed_simulator=11 + i) for i in range(4)]
    listeners = [_Listener(task.job_id, log) for task in tasks]
    for task, listener in zip(tasks, listeners, strict=True):
        executor.submit(task, listener)
    gate.open()
    _finish([blocker, *listeners])
    assert spy.calls == []
    for task, listener in zip(tasks, listeners, strict=True):
        assert listener.result is not None
        assert listener.result.get_memory(0) == simulate(task).get_memory(0)


def test_what_may_share_a_call() -> None:
    first = _task("a")
    assert batchable(first)
    assert joins(first, _task("b"))
    assert not batchable(_task("a", seed_simulator=3))
    assert not batchable(replace(first, cost=TINY_COST * 2))
    assert not batchable(replace(first, simulator=None))
    assert not batchable(replace(first, circuits=()))
    assert not batchable(replace(first, primitive=PrimitivePart(kind="sampler", segments=())))
    assert not batchable(_task("a", (_BELL, _GHZ)))
    assert not joins(first, _task("b", (_GHZ,)))
    assert joins(first, _task("b", (_BELL2, _BELL)))
    assert not joins(first, _task("b", shots=51))
    assert not joins(first, _task("b", method="statevector"))
    assert not joins(first, replace(_task("b"), simulator=AerSimulator()))
    assert not joins(first, replace(_task("b"), simulator_key="other"))


def test_tasks_with_parameter_binds_are_not_batched() -> None:
    from qiskit.circuit import Parameter

    theta = Parameter("t")
    qc = QuantumCircuit(1)
    qc.rx(theta, 0)
    qc.measure_all()
    task = replace(_task("p", (qc,)), parameter_binds=[{theta: [0.1, 0.2]}])
    assert not batchable(task)


def test_options_that_cannot_compare_keep_jobs_apart() -> None:
    import numpy as np

    a = _task("a", initial=np.zeros(2))
    b = _task("b", initial=np.zeros(2))
    assert not joins(a, b)
    assert joins(a, replace(b, run_options=a.run_options))


def test_a_task_cancelled_while_queued_is_left_out(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    tasks = [_task(f"job{i}") for i in range(5)]
    listeners = [_Listener(task.job_id, log) for task in tasks]
    handles = [executor.submit(t, lis) for t, lis in zip(tasks, listeners, strict=True)]
    assert handles[2].cancel() is True
    gate.open()
    _finish([blocker, *listeners])
    assert spy.calls == [["job0", "job1", "job3", "job4"]]
    assert [event for event in log if event[1] == "job2"] == [("cancelled", "job2")]
    assert listeners[2].result is None


def test_a_task_whose_job_was_cancelled_before_it_started_is_left_out(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    listeners = [_Listener(f"job{i}", log, refuse=(i == 1)) for i in range(3)]
    for listener in listeners:
        executor.submit(_task(listener.name), listener)
    gate.open()
    _finish([blocker, listeners[0], listeners[2]])
    assert spy.calls == [["job0", "job2"]]
    assert ("started", "job1") in log
    assert listeners[1].result is None


def test_a_failing_task_in_a_batch_fails_alone(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    bad = QuantumCircuit(2, name="bad")
    bad.append(OpaqueGate("mystery", 1, []), [0])
    bad.measure_all()
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    tasks = [_task("job0"), _task("job1", (bad,)), _task("job2", (_BELL2,))]
    listeners = [_Listener(task.job_id, log) for task in tasks]
    for task, listener in zip(tasks, listeners, strict=True):
        executor.submit(task, listener)
    gate.open()
    _finish([blocker, *listeners])
    assert spy.calls == [["job0", "job1", "job2"]]
    assert isinstance(listeners[1].error, SimulationError)
    assert "job1" in str(listeners[1].error)
    assert "mystery" in str(listeners[1].error)
    for listener in (listeners[0], listeners[2]):
        assert listener.error is None
        assert listener.result is not None
        assert listener.result.job_id == listener.name


def test_results_arrive_in_queue_order_after_every_start(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    listeners = [_Listener(f"job{i}", log) for i in range(6)]
    for listener in listeners:
        executor.submit(_task(listener.name), listener)
    gate.open()
    _finish([blocker, *listeners])
    names = [listener.name for listener in listeners]
    batch_log = [event for event in log if event[1] != "blocker"]
    assert batch_log == [("started", n) for n in names] + [("succeeded", n) for n in names]


def test_batches_keep_to_their_caps_and_big_tasks_run_alone(
    executor: ThreadExecutor, gate: Gate, spy: _Spy
) -> None:
    log: list[tuple[str, str]] = []
    blocker = _hold(executor, gate, log)
    tasks = [_task(f"job{i}") for i in range(40)]
    tasks.insert(20, replace(_task("big"), cost=TINY_COST * 10))
    listeners = [_Listener(task.job_id, log) for task in tasks]
    for task, listener in zip(tasks, listeners, strict=True):
        executor.submit(task, listener)
    gate.open()
    _finish([blocker, *listeners])
    cost = {task.job_id: task.cost for task in tasks}
    assert all(len(call) <= MAX_BATCH_TASKS for call in spy.calls)
    assert all(sum(cost[j] for j in call) <= MAX_BATCH_COST for call in spy.calls)
    batched = [job for call in spy.calls for job in call]
    assert "big" not in batched
    assert len(batched) == 40
    assert all(listener.result is not None for listener in listeners)


def test_batch_limit_one_turns_batching_off(gate: Gate, spy: _Spy) -> None:
    executor = ThreadExecutor(run=gate.run, run_batch=spy, batch_limit=1)
    try:
        log: list[tuple[str, str]] = []
        blocker = _hold(executor, gate, log)
        listeners = [_Listener(f"job{i}", log) for i in range(3)]
        for listener in listeners:
            executor.submit(_task(listener.name), listener)
        gate.open()
        _finish([blocker, *listeners])
        assert spy.calls == []
    finally:
        executor.shutdown()


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_batch_limit_must_be_a_positive_int(limit: Any) -> None:
    with pytest.raises(ValueError, match="batch_limit"):
        ThreadExecutor(batch_limit=limit)


def test_jobs_through_the_provider_get_their_own_results(gate: Gate, spy: _Spy) -> None:
    executor = ThreadExecutor(run=gate.run, run_batch=spy)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend()
        bell = transpile(bell_circuit(), backend)
        blocker = backend.run(bell, shots=10, seed_simulator=5)
        gate.wait_started()
        jobs = [backend.run(bell, shots=20, memory=True, header={"n": i}) for i in range(5)]
        gate.open()
        assert blocker.result().success
        for job in jobs:
            result = job.result(timeout=_TIMEOUT)
            assert result.job_id == job.job_id()
            assert len(result.results) == 1
            assert len(result.get_memory()) == 20
        assert spy.calls == [[job.job_id() for job in jobs]]
