"""A job split into parts: one handle and listener, the unsplit Result, every part cancelled."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit.circuit.random import random_circuit
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider import MyProvider
from qiskit_myprovider.execution import (
    AutoExecutor,
    JobExecutor,
    ProcessExecutor,
    SimulationTask,
    TaskHandle,
    TaskListener,
    ThreadExecutor,
    simulate,
)
from qiskit_myprovider.execution.split import (
    AER_SEED_STRIDE,
    MIN_SPLIT_COST,
    combine_results,
    experiment_count,
    split_circuits,
    submit_parts,
)
from tests.support import process_alive, wait_until

#: Experiment metadata that depends on timing or the thread budget, not on the simulation.
_UNSTABLE = {"time_taken", "sample_measure_time", "parallel_state_update", "parallel_shots",
             "max_memory_mb", "required_memory_mb"}  # fmt: skip


def _circuits(count: int, qubits: int = 4) -> list[QuantumCircuit]:
    sim = AerSimulator()
    return [transpile(random_circuit(qubits, 5, measure=True, seed=s), sim) for s in range(count)]


def _task(circuits: Sequence[QuantumCircuit], **options: Any) -> SimulationTask:
    binds = options.pop("parameter_binds", None)
    return SimulationTask(
        job_id="job",
        backend_name="b",
        simulator=AerSimulator(),
        circuits=tuple(circuits),
        run_options={"shots": 64, "memory": True, **options},
        parameter_binds=binds,
        cost=10.0,  # as if expensive: the planner splits it
    )


def _experiments(result: Result) -> list[dict[str, Any]]:
    """What must not change when a job is split: all but timing and thread budgets."""
    out = []
    for experiment in result.results:
        data = experiment.to_dict()
        data["metadata"] = {k: v for k, v in data.get("metadata", {}).items() if k not in _UNSTABLE}
        data.pop("time_taken", None)
        out.append(data)
    return out


class _Listener:
    def __init__(self, refuse: bool = False) -> None:
        self.events: list[str] = []
        self.progress: list[tuple[int, int, float | None]] = []
        self.result: Any = None
        self.error: BaseException | None = None
        self.final = threading.Event()
        self._refuse = refuse

    def task_started(self) -> bool:
        self.events.append("started")
        return not self._refuse

    def task_succeeded(self, result: Any) -> None:
        self.events.append("succeeded")
        self.result = result
        self.final.set()

    def task_failed(self, error: BaseException) -> None:
        self.events.append("failed")
        self.error = error
        self.final.set()

    def task_cancelled(self) -> None:
        self.events.append("cancelled")
        self.final.set()

    def task_progress(self, done: int, total: int, cost_fraction: float | None) -> None:
        self.progress.append((done, total, cost_fraction))


def test_aer_seeds_experiment_i_with_seed_plus_the_stride_times_i() -> None:
    """The rule the planner relies on, checked against the installed Aer."""
    circuits = _circuits(4)
    aer = AerSimulator()
    whole = aer.run(circuits, shots=32, seed_simulator=7, memory=True).result()
    tail = aer.run(circuits[2:], shots=32, seed_simulator=7 + 2 * AER_SEED_STRIDE, memory=True)
    assert [e.seed_simulator for e in whole.results] == [7 + AER_SEED_STRIDE * i for i in range(4)]
    assert tail.result().get_memory(0) == whole.get_memory(2)


def test_split_circuits_result_equals_the_unsplit_one_for_a_fixed_seed() -> None:
    """Counts, memory, experiment order, headers and metadata, through two threads."""
    circuits = _circuits(7)
    task = _task(circuits, seed_simulator=123)
    parts = split_circuits(task, workers=2)
    assert len(parts) > 1
    assert [c for p in parts for c in p.circuits] == circuits
    executor = ThreadExecutor(max_workers=2)
    listener = _Listener()
    submit_parts(executor, parts, listener, combine_results)
    assert listener.final.wait(60)
    executor.shutdown()
    assert listener.events == ["started", "succeeded"], listener.error
    whole = simulate(task)
    split: Result = listener.result
    assert _experiments(split) == _experiments(whole)
    for index in range(len(circuits)):
        assert split.get_memory(index) == whole.get_memory(index)
        assert split.get_counts(index) == whole.get_counts(index)
    assert split.job_id == whole.job_id
    assert split.backend_name == whole.backend_name
    dones = [done for done, _, _ in listener.progress]
    assert dones == sorted(dones)
    assert dones[-1] == 7
    assert all(total == 7 for _, total, _ in listener.progress)
    assert listener.progress[-1][2] == pytest.approx(1.0)


def test_split_parameter_sets_result_equals_the_unsplit_one_for_a_fixed_seed() -> None:
    theta, phi = Parameter("t"), Parameter("p")
    qc = QuantumCircuit(3)
    qc.rx(theta, 0)
    qc.ry(phi, 1)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure_all()
    values = np.linspace(0, 3, 9)
    binds = [{theta: list(values), phi: list(values[::-1])}]
    task = _task([qc], seed_simulator=5, parameter_binds=binds)
    parts = split_circuits(task, workers=2)
    assert len(parts) > 1
    assert sum(experiment_count(p) for p in parts) == 9
    results = [simulate(p) for p in parts]
    combined = combine_results(results)
    whole = simulate(task)
    assert _experiments(combined) == _experiments(whole)
    assert [combined.get_memory(i) for i in range(9)] == [whole.get_memory(i) for i in range(9)]


def test_a_job_without_a_seed_gets_one_so_its_parts_are_one_run() -> None:
    parts = split_circuits(_task(_circuits(4)), workers=2)
    seeds = [p.run_options["seed_simulator"] for p in parts]
    offsets = [0]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part.circuits))
    assert seeds == [seeds[0] + AER_SEED_STRIDE * k for k in offsets]


def test_cheap_jobs_and_single_experiments_are_never_split() -> None:
    circuits = _circuits(50)
    cheap = replace(_task(circuits), cost=MIN_SPLIT_COST / 2)
    assert split_circuits(cheap, workers=8) == [cheap]
    one = _task(circuits[:1])
    assert split_circuits(one, workers=8) == [one]
    alone = _task(circuits)
    assert split_circuits(alone, workers=1) == [alone]


def test_parts_have_about_equal_cost() -> None:
    circuits = _circuits(6, qubits=3) + _circuits(6, qubits=10)
    parts = split_circuits(_task(circuits), workers=2)
    costs = [p.cost for p in parts]
    assert sum(len(p.circuits) for p in parts) == 12
    assert max(costs) < 0.6 * sum(costs)  # not "half the circuits each"


class _Recorder(JobExecutor):
    """Keeps every part queued until the test reports on it."""

    def __init__(self) -> None:
        self.listeners: list[TaskListener] = []
        self.cancelled: list[int] = []

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        index = len(self.listeners)
        self.listeners.append(listener)
        recorder = self

        class Handle(TaskHandle):
            def cancel(self) -> bool:
                recorder.cancelled.append(index)
                return True

            def queue_position(self) -> int | None:
                return index

        return Handle()

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        pass


def test_one_failing_part_fails_the_job_once_and_cancels_the_others() -> None:
    executor = _Recorder()
    listener = _Listener()
    parts = split_circuits(_task(_circuits(6)), workers=2)
    handle = submit_parts(executor, parts, listener, combine_results)
    assert handle.queue_position() == 0
    assert all(part.task_started() for part in executor.listeners)
    assert handle.queue_position() is None
    executor.listeners[1].task_failed(RuntimeError("boom"))
    executor.listeners[2].task_failed(RuntimeError("again"))
    assert listener.events == ["started", "failed"]
    assert str(listener.error) == "boom"
    assert sorted(executor.cancelled) == list(range(len(parts)))
    assert handle.cancel() is False  # already over


def test_cancel_drops_every_part_and_reports_once() -> None:
    executor = _Recorder()
    listener = _Listener()
    parts = split_circuits(_task(_circuits(6)), workers=2)
    handle = submit_parts(executor, parts, listener, combine_results)
    assert handle.cancel() is True
    assert sorted(executor.cancelled) == list(range(len(parts)))
    assert executor.listeners[0].task_started() is False  # a part that comes up is skipped
    executor.listeners[0].task_cancelled()
    assert listener.events == ["cancelled"]


def test_a_combine_that_raises_fails_the_job() -> None:
    executor = _Recorder()
    listener = _Listener()

    def combine(results: list[Any]) -> Any:
        raise ValueError("cannot combine")

    handle = submit_parts(executor, [_task(_circuits(1))] * 2, listener, combine)
    for part in executor.listeners:
        part.task_started()
        part.task_succeeded("part")
    assert listener.events == ["started", "failed"]
    assert handle.queue_position() is None


def test_a_job_refused_at_start_skips_its_other_parts() -> None:
    executor = _Recorder()
    listener = _Listener(refuse=True)
    submit_parts(executor, [_task(_circuits(1))] * 3, listener, combine_results)
    assert [p.task_started() for p in executor.listeners] == [False, False, False]
    assert listener.events == ["started"]


@pytest.mark.slow
def test_backend_run_splits_a_big_batch_and_returns_the_unsplit_result() -> None:
    """The default executor splits it across its workers; the Result is the thread-run one."""
    batch = [
        transpile(random_circuit(8 + s % 3, 10, measure=True, seed=100 + s), AerSimulator())
        for s in range(120)
    ]
    process = ProcessExecutor(max_workers=2)
    executor = AutoExecutor(process=process)
    with MyProvider(store=":memory:", executor=executor) as provider:
        backend = provider.get_backend()
        job = backend.run(batch, shots=50, seed_simulator=9, memory=True)
        split = job.result(timeout=300)
        assert process.worker_pids(), "the parts ran in worker processes"
        progress = job.progress()
        assert progress is not None
        assert (progress.done, progress.total) == (120, 120)
        backend.set_executor("thread")
        whole = backend.run(batch, shots=50, seed_simulator=9, memory=True).result(timeout=300)
    executor.shutdown()
    assert _experiments(split) == _experiments(whole)
    assert [split.get_memory(i) for i in range(120)] == [whole.get_memory(i) for i in range(120)]


class _Keeping(JobExecutor):
    """Submits to a process executor and keeps the parts' handles, to ask who runs them."""

    def __init__(self, inner: ProcessExecutor) -> None:
        self.inner = inner
        self.handles: list[TaskHandle] = []

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        handle = self.inner.submit(task, listener)
        self.handles.append(handle)
        return handle

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        self.inner.shutdown(cancel_pending=cancel_pending)


@pytest.mark.slow
def test_cancelling_a_split_job_stops_every_part() -> None:
    """Running parts lose their workers, queued ones are dropped; one cancelled report."""
    sim = AerSimulator()
    heavy = [transpile(random_circuit(21, 12, measure=True, seed=s), sim) for s in range(6)]
    process = ProcessExecutor(max_workers=2)
    keeping = _Keeping(process)
    listener = _Listener()
    task = replace(_task(heavy, seed_simulator=1), cost=60.0)
    parts = split_circuits(task, workers=2)
    assert len(parts) >= 3
    handle = submit_parts(keeping, parts, listener, combine_results)

    def running() -> list[int]:
        return [p for p in (process.running_pid(h) for h in keeping.handles) if p is not None]

    wait_until(lambda: len(running()) == 2, what="two parts to run", timeout=120)
    pids = running()
    assert handle.cancel() is True
    wait_until(lambda: not any(process_alive(pid) for pid in pids), what="the workers to die")
    # The queued parts were dropped too: nothing runs them on a fresh worker.
    time.sleep(1.0)
    assert running() == []
    assert all(h.queue_position() is None for h in keeping.handles)
    assert listener.events == ["started", "cancelled"]
    process.shutdown()
    assert listener.events == ["started", "cancelled"]


def test_progress_counts_a_running_part_as_half_done() -> None:
    """Parts run side by side; the expected time must not assume the rest starts from zero."""
    executor = _Recorder()
    listener = _Listener()
    parts = [_task(_circuits(1)) for _ in range(3)]
    parts = [replace(part, cost=cost) for part, cost in zip(parts, (1.0, 1.0, 2.0), strict=True)]
    submit_parts(executor, parts, listener, lambda results: results)
    first, second, _third = executor.listeners
    assert first.task_started()
    assert second.task_started()
    first.task_succeeded("one")
    # Done: part 0 (cost 1); running: part 1 (cost 1, counted 0.5); queued: part 2 (cost 2).
    assert listener.progress[-1] == (1, 3, pytest.approx(1.5 / 4))
