"""One job as several tasks: a planner that says when splitting pays, and the handle over the parts.

A job of many circuits, or of one circuit bound with many parameter sets, spends most of its
time in work that one Aer call does serially (its Python-side preparation of every
instruction, then the kernel of each experiment). Cut into parts, each part is still one Aer
call (Aer keeps batching inside it), and the parts run on different workers at once.

:func:`submit_parts` submits the parts and hides them behind ONE :class:`TaskHandle` and the
caller's ONE :class:`TaskListener`: ``task_started`` when the first part starts, then
``task_succeeded`` with ``combine(results)`` (run in this process, in part order) when every
part has succeeded, or ``task_failed`` with the first part's error (the other parts are
cancelled), or ``task_cancelled``. :meth:`TaskHandle.cancel` stops every part, queued or
running. While parts finish, the listener's optional ``task_progress(done, total,
cost_fraction)`` hears how many experiments are done. It is generic over the result type:
primitive jobs combine their parts' results with a function of their own.

:func:`split_circuits` plans the parts of a :class:`SimulationTask` for ``backend.run``, and
:func:`combine_results` joins their :class:`~qiskit.result.Result` objects back into the one
an unsplit run gives: same experiment order, headers, counts and memory, and for a given
``seed_simulator`` the same seeds (Aer seeds experiment ``i`` of a run with ``seed + 2113 *
i``, so a part that starts at experiment ``k`` runs with ``seed + 2113 * k``).
"""

from __future__ import annotations

import copy
import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.pub_split import split_part
from qiskit_myprovider.execution.simulate import estimate_cost, estimate_transfer

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result

__all__ = [
    "AER_SEED_STRIDE",
    "MIN_SPLIT_COST",
    "combine_results",
    "experiment_count",
    "split_circuits",
    "submit_parts",
]

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: Aer gives experiment ``i`` of a run the seed ``seed_simulator + 2113 * i`` (measured on
#: qiskit-aer 0.18; tests/execution/test_split.py checks it against the installed Aer).
AER_SEED_STRIDE: Final = 2113
#: Jobs estimated below this many seconds are never split: a part's hop costs milliseconds.
MIN_SPLIT_COST: Final = 0.1
#: How much faster than one Aer call at every core a worker per core runs the same work:
#: 1.3-1.5x measured for kernels, about 2x for Aer's serial Python-side preparation.
_PARALLEL_EFFICIENCY: Final = 0.7
#: What one more part costs: a task sent, started and reported, an Aer call set up.
_PART_OVERHEAD: Final = 0.003
#: Each worker gets about this many parts, so the parent encodes the next part while the
#: workers simulate the previous ones, and the last part to end is a small one.
_PARTS_PER_WORKER: Final = 3
#: A split only goes ahead when it is estimated to take less than this share of the time.
_PAYS_BELOW: Final = 0.95


# -- the handle over the parts ----------------------------------------------------------------


class _SplitHandle(TaskHandle, Generic[R]):
    """Several submitted parts seen as one task; see :func:`submit_parts`."""

    def __init__(
        self,
        listener: TaskListener,
        combine: Callable[[list[R]], R],
        sizes: Sequence[int],
        costs: Sequence[float],
    ) -> None:
        self._listener = listener
        self._combine = combine
        self._sizes = list(sizes)
        self._costs = list(costs)
        self._lock = threading.Lock()
        self._handles: list[TaskHandle | None] = [None] * len(sizes)
        self._results: list[R | None] = [None] * len(sizes)
        self._succeeded = [False] * len(sizes)
        self._running = [False] * len(sizes)
        self._started = False
        self._starting = threading.Lock()  # one part reports the start; the others wait on it
        self._refused = False  # the job said no at task_started (cancelled meanwhile)
        self._final = False

    # -- TaskHandle ------------------------------------------------------------------------

    def cancel(self) -> bool:
        """Cancel every part, queued or running; False if the job had already ended."""
        with self._lock:
            if self._final:
                return False
            self._final = True
            handles = [h for h in self._handles if h is not None]
        # Outside our lock: an executor may be calling a part's listener under its own lock.
        self._cancel_all(handles)
        self._listener.task_cancelled()
        return True

    def queue_position(self) -> int | None:
        """The place of the first part to start, or None once any part runs."""
        with self._lock:
            if self._started or self._final:
                return None
            handles = [h for h in self._handles if h is not None]
        positions = [p for p in (h.queue_position() for h in handles) if p is not None]
        return min(positions) if positions else None

    # -- what the parts report ---------------------------------------------------------------

    def part_started(self, index: int | None = None) -> bool:
        if index is not None:
            with self._lock:
                self._running[index] = True
        with self._starting:
            with self._lock:
                if self._final or self._refused:
                    return False
                first = not self._started
            if first:
                go = self._listener.task_started()
                if go:
                    self._report_progress(0, sum(self._sizes), 0.0)
                with self._lock:
                    self._started = go
                    # Cancelled before its handle was known: the other parts are skipped as
                    # they come up (cancelling them here could re-enter the executor's lock).
                    self._refused = not go
                    self._final = self._final or not go
                return go
        return True

    def part_succeeded(self, index: int, result: R) -> None:
        with self._lock:
            if self._final or self._succeeded[index]:
                return
            self._succeeded[index] = True
            self._results[index] = result
            done = sum(s for s, ok in zip(self._sizes, self._succeeded, strict=True) if ok)
            # Parts run side by side: one still running is, on average, half done. Counting
            # it as nothing would expect the rest to take as long again as all that ran.
            cost = sum(
                c if ok else c / 2 if running else 0.0
                for c, ok, running in zip(
                    self._costs, self._succeeded, self._running, strict=True
                )
            )
            complete = all(self._succeeded)
            if complete:
                self._final = True
        total_cost = sum(self._costs)
        self._report_progress(done, sum(self._sizes), cost / total_cost if total_cost else None)
        if not complete:
            return
        results: list[R] = [r for r in self._results if r is not None]
        try:
            combined = self._combine(results)
        except Exception as exc:  # a combine that fails fails the job, not the executor
            self._listener.task_failed(exc)
            return
        self._listener.task_succeeded(combined)

    def part_failed(self, error: BaseException) -> None:
        if self._end():
            self._listener.task_failed(error)

    def part_cancelled(self) -> None:
        # Cancelled by the executor itself (it shut down): the job cannot complete.
        if self._end():
            self._listener.task_cancelled()

    def cancel_quietly(self) -> None:
        """Stop every part without a report (the job already knows it is over)."""
        with self._lock:
            self._final = True
            handles = [h for h in self._handles if h is not None]
        self._cancel_all(handles)

    def _end(self) -> bool:
        with self._lock:
            if self._final:
                return False
            self._final = True
            handles = [h for h in self._handles if h is not None]
        self._cancel_all(handles)
        return True

    def _cancel_all(self, handles: Sequence[TaskHandle]) -> None:
        for handle in handles:
            try:
                handle.cancel()
            except Exception:  # one part that cannot be cancelled must not keep the others
                logger.exception("could not cancel a part of a split job")

    def _report_progress(self, done: int, total: int, cost_fraction: float | None) -> None:
        report = getattr(self._listener, "task_progress", None)
        if report is None:
            return
        try:
            report(done, total, cost_fraction)
        except Exception:
            logger.exception("task_progress raised; ignored")

    # -- submitting ----------------------------------------------------------------------------

    def attach(self, index: int, handle: TaskHandle) -> None:
        with self._lock:
            self._handles[index] = handle
            late = self._final and not self._succeeded[index]
        if late:  # the job ended while this part was being submitted
            self._cancel_all([handle])


class _PartListener(Generic[R]):
    """The listener one part reports to; it forwards to the split handle."""

    def __init__(self, split: _SplitHandle[R], index: int) -> None:
        self._split = split
        self._index = index

    def task_started(self) -> bool:
        return self._split.part_started(self._index)

    def task_succeeded(self, result: R) -> None:
        self._split.part_succeeded(self._index, result)

    def task_failed(self, error: BaseException) -> None:
        self._split.part_failed(error)

    def task_cancelled(self) -> None:
        self._split.part_cancelled()


def submit_parts(
    executor: JobExecutor,
    parts: Sequence[SimulationTask],
    listener: TaskListener,
    combine: Callable[[list[R]], R],
    *,
    sizes: Sequence[int] | None = None,
) -> TaskHandle:
    """Submit ``parts`` to ``executor`` as one task that ``listener`` hears about once.

    Args:
        executor: Where every part runs.
        parts: The parts, in the order their results are combined.
        listener: Hears ``task_started`` when the first part starts, then one final report:
            ``task_succeeded(combine(results))`` once every part succeeded, ``task_failed``
            with the first error (the other parts are cancelled), or ``task_cancelled``. Its
            optional ``task_progress(done, total, cost_fraction)`` is called as parts end.
        combine: Joins the parts' results (in part order) into the job's; it runs in this
            process, on the thread that reports the last part. If it raises, the job fails.
        sizes: How many units (experiments, PUBs) each part holds, for progress; default:
            :func:`experiment_count` of each part.

    Returns:
        The one handle: ``cancel()`` stops every part (queued ones are dropped, running ones
        stopped as their executor can), ``queue_position()`` is the first part's.

    Raises:
        ValueError: no parts.
        Exception: whatever ``executor.submit`` raises (the parts already submitted are
            cancelled first).
    """
    if not parts:
        raise ValueError("submit_parts needs at least one part")
    counts = list(sizes) if sizes is not None else [experiment_count(p) for p in parts]
    split: _SplitHandle[R] = _SplitHandle(listener, combine, counts, [p.cost for p in parts])
    for index, part in enumerate(parts):
        try:
            handle = executor.submit(part, _PartListener(split, index))
        except BaseException:
            split.cancel_quietly()
            raise
        split.attach(index, handle)
    return split


# -- planning ----------------------------------------------------------------------------------


def experiment_count(task: SimulationTask) -> int:
    """How many experiments ``task`` runs: its circuits, each once per parameter set.

    A primitive task runs one experiment per parameter set of its PUBs (a PUB of no
    parameters has one).
    """
    if task.primitive is not None:
        return sum(segment.rows for segment in task.primitive.segments)
    if not task.parameter_binds:
        return len(task.circuits)
    return sum(_rows(bind) for bind in task.parameter_binds)


def _rows(bind: Mapping[Any, Sequence[float]]) -> int:
    return max((len(values) for values in bind.values()), default=1)


def split_circuits(task: SimulationTask, workers: int) -> list[SimulationTask]:
    """Cut ``task`` into parts for ``workers`` workers, or keep it whole when that pays more.

    A job is split only when it is estimated to cost at least :data:`MIN_SPLIT_COST`
    seconds, has at least two experiments, and the parallel run (the transfer of every part,
    a fixed cost per part, the work shared by the workers) is estimated to take well under
    the serial one. Parts are contiguous runs of circuits (for a job of several circuits) or
    of parameter sets (for one circuit with many), of about equal estimated cost; each part
    gets the ``seed_simulator`` that makes its experiments reproduce the unsplit run's, and
    a job without a seed is given one, so its parts stay one reproducible run.

    Args:
        task: The job's simulation.
        workers: How many workers can run parts at once.

    Returns:
        The parts in experiment order; ``[task]`` when the job is not worth splitting.
    """
    experiments = experiment_count(task)
    if workers < 2 or experiments < 2 or task.cost < MIN_SPLIT_COST:
        return [task]
    if task.parameter_binds and len(task.circuits) > 1 and task.primitive is None:
        return [task]  # several circuits with parameters: rare, and kept whole for now
    count = min(experiments, workers * _PARTS_PER_WORKER)
    transfer = estimate_transfer(task.circuits)
    parallel = (
        transfer * (1.0 if task.parameter_binds else 1.0 / count)
        + count * _PART_OVERHEAD
        + task.cost / (workers * _PARALLEL_EFFICIENCY)
    )
    if parallel >= _PAYS_BELOW * task.cost:
        return [task]
    if task.primitive is not None:
        # Cut by rows: each piece keeps the seeds its rows have in the whole.
        return split_part(task, min(count, workers))
    seed = task.run_options.get("seed_simulator")
    if seed is None:
        seed = random.randrange(2**31)  # a simulation seed, not a secret
    if task.parameter_binds:
        return _split_rows(task, count, int(seed))
    return _split_list(task, count, int(seed))


def _split_list(task: SimulationTask, count: int, seed: int) -> list[SimulationTask]:
    method = str(task.run_options.get("method") or _simulator_method(task))
    costs = [estimate_cost([c], method, task.run_options) for c in task.circuits]
    bounds = _balanced_bounds(costs, count)
    parts = []
    for start, stop in bounds:
        circuits: tuple[QuantumCircuit, ...] = task.circuits[start:stop]
        options = {**task.run_options, "seed_simulator": seed + AER_SEED_STRIDE * start}
        parts.append(
            replace(task, circuits=circuits, run_options=options, cost=sum(costs[start:stop]))
        )
    return parts


def _split_rows(task: SimulationTask, count: int, seed: int) -> list[SimulationTask]:
    assert task.parameter_binds is not None
    bind = task.parameter_binds[0]
    rows = _rows(bind)
    per_row = task.cost / rows
    parts = []
    for start, stop in _balanced_bounds([1.0] * rows, count):
        part_bind = {param: list(values[start:stop]) for param, values in bind.items()}
        options = {**task.run_options, "seed_simulator": seed + AER_SEED_STRIDE * start}
        parts.append(
            replace(
                task,
                parameter_binds=[part_bind],
                run_options=options,
                cost=per_row * (stop - start),
            )
        )
    return parts


def _balanced_bounds(costs: Sequence[float], count: int) -> list[tuple[int, int]]:
    """Cut ``costs`` into ``count`` contiguous, non-empty runs of about equal sum."""
    total = sum(costs) or float(len(costs))
    weights = costs if sum(costs) else [1.0] * len(costs)
    bounds: list[tuple[int, int]] = []
    start, acc = 0, 0.0
    for index, weight in enumerate(weights):
        acc += weight
        left = len(costs) - index - 1  # items after this one
        wanted = count - len(bounds) - 1  # runs still to start after this one
        if wanted == 0:
            break
        if (acc >= total * (len(bounds) + 1) / count and left >= wanted) or left == wanted:
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(costs)))
    return bounds


def _simulator_method(task: SimulationTask) -> str:
    options = getattr(task.simulator, "options", None)
    return str(getattr(options, "method", "automatic"))


# -- combining ---------------------------------------------------------------------------------


def combine_results(parts: list[Result]) -> Result:
    """Join the :class:`~qiskit.result.Result` of each part into the one of the whole job.

    The experiments keep their order; everything else (job id, backend, date, status, header)
    is the first part's. ``time_taken`` (and Aer's ``time_taken_execute``) is the sum over
    the parts: the simulation time the job used, not the wall time its parts overlapped in.

    Args:
        parts: The parts' results, in part order.

    Returns:
        A new result; the parts are not changed.
    """
    first = parts[0]
    combined = copy.copy(first)
    combined._metadata = copy.deepcopy(first._metadata)
    combined.results = [experiment for part in parts for experiment in part.results]
    combined.success = all(part.success for part in parts)
    times = [part._metadata.get("time_taken") for part in parts]
    if all(isinstance(t, int | float) for t in times):
        combined._metadata["time_taken"] = float(sum(t for t in times if t is not None))
    inner = combined._metadata.get("metadata")
    if isinstance(inner, dict):
        executes = [getattr(p, "metadata", {}).get("time_taken_execute") for p in parts]
        if all(isinstance(t, int | float) for t in executes):
            inner["time_taken_execute"] = float(sum(t for t in executes if t is not None))
    return combined
