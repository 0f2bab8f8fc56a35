"""Warm worker processes: real parallelism, real cancellation, crash isolation.

Each worker is a clean interpreter of the package's own worker entry point (see
:mod:`.launch`; never a fork: forking after Aer has run OpenMP can hang, qiskit-aer #1385),
so it never re-imports the user's main module. It keeps the simulators it was sent, runs one
task at a time and sends the result back over a socket; circuits travel as QPY where it
carries them faithfully (see :mod:`qiskit_myprovider.circuit_codec`), else pickled like the
results, never as QASM. One manager thread in the caller's process hands tasks to idle
workers and watches every connection and process sentinel at once, so it sees a result, a
crash or an out-of-memory kill the moment it happens.

Thread budgets are what make a pool of Aer workers fast: Aer gives every simulation all
cores through OpenMP, so two workers each running two-thread jobs on two cores thrash (11 times
slower, measured). The manager gives each task the cores no other running task holds, and a
fair share when more work is waiting, unless the user set ``max_parallel_threads`` themself.

Cancelling a running task kills its worker (SIGKILL) and a fresh one is started when next
needed; a worker that dies on its own turns its task into a :class:`WorkerDiedError`.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import logging
import multiprocessing
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Final

from qiskit_myprovider.exceptions import ExecutionError, InvalidInputError
from qiskit_myprovider.execution.base import JobExecutor, SimulationTask, TaskHandle, TaskListener
from qiskit_myprovider.execution.launch import (
    START_HINT,
    WorkerProcess,
    death_error,
    start_worker,
    startup_death_error,
    stop_worker,
)
from qiskit_myprovider.execution.remote import with_remote_traceback
from qiskit_myprovider.execution.wire import UNPACKED, pack, task_message

__all__ = ["ProcessExecutor"]

logger = logging.getLogger(__name__)

#: How often the manager checks for idle workers to release when nothing else happens.
_HOUSEKEEPING_INTERVAL: Final = 1.0
#: Seconds a worker started ahead of need (:meth:`ProcessExecutor.warm`) waits for its first
#: task before it is released.
WARM_IDLE_TIMEOUT: Final = 60.0


# -- the caller side ------------------------------------------------------------------------


class _ProcessTask(TaskHandle):
    def __init__(self, executor: ProcessExecutor, task: SimulationTask, listener: TaskListener):
        self.task_id = next(executor._ids)
        self.task = task
        self.listener = listener
        self._executor = executor
        self.worker: _Worker | None = None
        self.finished = False
        self.cancelled = False
        #: The circuits as QPY once encoded (None: QPY cannot carry them), or UNPACKED.
        self.packed: bytes | object | None = UNPACKED

    def cancel(self) -> bool:
        return self._executor._cancel(self)

    def queue_position(self) -> int | None:
        return self._executor._position(self)


@dataclass(eq=False)
class _Worker:
    process: WorkerProcess
    conn: Connection
    ready: bool = False
    task: _ProcessTask | None = None
    threads: int = 0
    keys: set[str] = field(default_factory=set)
    idle_since: float = field(default_factory=time.monotonic)
    #: Whether it ever took a task (a worker started ahead of need that never did is
    #: released after WARM_IDLE_TIMEOUT, not the full idle timeout).
    used: bool = False

    @property
    def pid(self) -> int | None:
        return self.process.pid


class ProcessExecutor(JobExecutor):
    """Run tasks in warm worker processes (clean interpreters), one task per worker at a time.

    Args:
        max_workers: How many workers at most (default: the number of cores).
        idle_timeout: Seconds a worker may sit idle before it is released.
        memory_limit_mb: A hard limit on what each worker may allocate beyond what it holds
            once started (the interpreter and Aer take over a GiB of address space first),
            and the default Aer ``max_memory_mb`` of each task; a job that needs more ends in
            ERROR with a message that names the limit.
        mp_context: ``"spawn"`` (default: a clean interpreter, see :mod:`.launch`) or
            ``"forkserver"`` (multiprocessing's); ``"fork"`` is refused.
    """

    name = "process"

    def __init__(
        self,
        max_workers: int | None = None,
        *,
        idle_timeout: float = 300.0,
        memory_limit_mb: int | None = None,
        mp_context: str = "spawn",
    ) -> None:
        cores = os.cpu_count() or 1
        if max_workers is None:
            max_workers = cores
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise InvalidInputError(f"max_workers must be a positive int, not {max_workers!r}")
        if mp_context not in ("spawn", "forkserver"):
            raise InvalidInputError(
                f"mp_context must be 'spawn' or 'forkserver', not {mp_context!r} "
                "(forking after Aer has run can hang: qiskit-aer #1385)"
            )
        if memory_limit_mb is not None and (
            isinstance(memory_limit_mb, bool)
            or not isinstance(memory_limit_mb, int)
            or memory_limit_mb < 64
        ):
            raise InvalidInputError(
                f"memory_limit_mb must be an int >= 64 or None, not {memory_limit_mb!r}"
            )
        self._mp_context = mp_context
        self._max_workers = max_workers
        self._cores = cores
        self._idle_timeout = float(idle_timeout)
        self._memory_limit_mb = memory_limit_mb
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._queue: collections.deque[_ProcessTask] = collections.deque()
        self._workers: list[_Worker] = []
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._manager: threading.Thread | None = None
        self._closed = False
        _live_executors.add(self)

    def __repr__(self) -> str:
        return f"<ProcessExecutor max_workers={self._max_workers} workers={len(self._workers)}>"

    # -- public --------------------------------------------------------------------------

    @property
    def max_workers(self) -> int:
        """How many workers may run at once."""
        return self._max_workers

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        """Queue ``task`` for the next free worker (see :class:`JobExecutor`)."""
        handle = _ProcessTask(self, task, listener)
        with self._lock:
            if self._closed:
                raise ExecutionError("this process executor has been shut down")
            self._queue.append(handle)
            self._start_manager_locked()
        self._wake()
        return handle

    def warm(self, workers: int = 1) -> None:
        """Start up to ``workers`` workers now, so the first jobs need not wait for one.

        A worker started so that never takes a task is released after
        :data:`WARM_IDLE_TIMEOUT` seconds (or the idle timeout, if shorter). Call it from a
        background thread: starting a process takes milliseconds. Nothing happens once the
        executor is shut down, or if the workers are already there.

        Args:
            workers: How many workers to have (at most ``max_workers``).
        """
        with self._lock:
            if self._closed:
                return
            missing = min(workers, self._max_workers) - len(self._workers)
            for _ in range(max(0, missing)):
                try:
                    self._start_worker_locked()
                except Exception:  # a job would report it; a warm-up only tried to help
                    logger.debug("could not start a worker ahead of need", exc_info=True)
                    return
            self._start_manager_locked()
        self._wake()

    def _start_manager_locked(self) -> None:
        if self._manager is None:
            self._manager = threading.Thread(
                target=self._manage, name="myprovider-process-manager", daemon=True
            )
            self._manager.start()

    def worker_pids(self) -> list[int]:
        """Return the process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return [w.pid for w in self._workers if w.pid is not None]

    def running_pid(self, handle: TaskHandle) -> int | None:
        """Return the pid of the worker running ``handle``'s task, or None if not running."""
        with self._lock:
            worker = getattr(handle, "worker", None)
            return worker.pid if worker is not None else None

    def shutdown(self, *, cancel_pending: bool = True) -> None:
        """Stop every worker; with ``cancel_pending`` cancel queued and running tasks.

        Without ``cancel_pending`` the call waits for queued and running tasks to finish.
        """
        if not cancel_pending:
            self._drain()
        with self._lock:
            self._closed = True
            dropped = list(self._queue)
            self._queue.clear()
            workers = list(self._workers)
            for worker in workers:
                if worker.task is not None:
                    worker.task.cancelled = True
                    dropped.append(worker.task)
        self._wake()
        for worker in workers:
            stop_worker(worker.process, worker.conn)
        manager = self._manager
        if manager is not None and manager is not threading.current_thread():
            manager.join(10)
        with self._lock:
            self._workers.clear()
        for handle in dropped:
            if not handle.finished:
                handle.finished = True
                handle.listener.task_cancelled()
        self._wake_w.close()
        self._wake_r.close()
        _live_executors.discard(self)

    # -- internals -----------------------------------------------------------------------

    def _drain(self) -> None:
        while True:
            with self._lock:
                busy = bool(self._queue) or any(w.task for w in self._workers)
            if not busy:
                return
            time.sleep(0.05)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # closed during shutdown
            self._wake_w.send_bytes(b"\0")

    def _position(self, handle: _ProcessTask) -> int | None:
        with self._lock:
            try:
                return self._queue.index(handle)
            except ValueError:
                return None

    def _cancel(self, handle: _ProcessTask) -> bool:
        with self._lock:
            if handle.finished:
                return False
            handle.cancelled = True
            worker = handle.worker
            if worker is None:
                try:
                    self._queue.remove(handle)
                except ValueError:
                    return False
                handle.finished = True
            else:
                # The only way to stop Aer mid-simulation: end its process. The manager sees
                # the death, reports the cancellation and starts a fresh worker when needed.
                worker.process.kill()
        if worker is None:
            handle.listener.task_cancelled()
        self._wake()
        return True

    def _manage(self) -> None:
        while True:
            reports: list[tuple[TaskListener, str, Any]] = []
            with self._lock:
                if self._closed:
                    return
                self._dispatch_locked(reports)
                self._release_idle_locked()
                waitables: list[Any] = [self._wake_r]
                for worker in self._workers:
                    waitables.append(worker.conn)
                    if worker.process.sentinel >= 0:
                        waitables.append(worker.process.sentinel)
            _deliver(reports)
            # While the workers are busy, encode what waits, so a worker that frees up gets
            # its next task at once (a split job's parts queue up behind each other).
            packed = self._pack_ahead()
            try:
                ready = set(wait(waitables, timeout=0 if packed else _HOUSEKEEPING_INTERVAL))
            except OSError:
                return  # pipes closed by shutdown
            if self._wake_r in ready:
                try:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                except (OSError, EOFError):
                    return
            reports = []
            with self._lock:
                for worker in list(self._workers):
                    if worker.conn in ready or worker.process.sentinel in ready:
                        self._collect_locked(worker, worker.process.sentinel in ready, reports)
            _deliver(reports)

    def _pack_ahead(self) -> bool:
        """Encode the circuits of the first queued task not encoded yet; False if none."""
        with self._lock:
            handle = next((h for h in self._queue if h.packed is UNPACKED), None)
        if handle is None:
            return False
        try:
            packed = pack(handle.task)
        except Exception:  # reported when the task is sent, like any other send failure
            return False
        with self._lock:
            if handle.packed is UNPACKED:
                handle.packed = packed
        return True

    def _dispatch_locked(self, reports: list[tuple[TaskListener, str, Any]]) -> None:
        """Hand queued tasks to ready idle workers; start workers while some are missing."""
        while self._queue:
            idle = [w for w in self._workers if w.ready and w.task is None]
            if not idle:
                starting = sum(1 for w in self._workers if not w.ready)
                if len(self._workers) < self._max_workers and starting < len(self._queue):
                    try:
                        self._start_worker_locked()
                    except Exception as exc:
                        why = " ".join(str(exc).split())  # multiprocessing's text spans lines
                        error = ExecutionError(
                            f"could not start a worker process: {why}. {START_HINT}"
                        )
                        self._fail_queue_locked(error, reports)
                return
            handle = self._queue.popleft()
            if not handle.listener.task_started():
                handle.finished = True  # cancelled while it waited
                continue
            key = handle.task.simulator_key
            # Prefer a worker that already holds this task's simulator.
            worker = next((w for w in idle if key in w.keys), idle[0])
            threads = self._threads_for_locked(handle)
            task = handle.task
            try:
                message = task_message(
                    handle.task_id, task, handle.packed, send_simulator=key not in worker.keys,
                    threads=threads, memory_limit_mb=self._memory_limit_mb,
                )  # fmt: skip
                worker.conn.send(message)
            except Exception as exc:  # a task that cannot be pickled, or a dead pipe
                handle.finished = True
                error = ExecutionError(f"could not send job {task.job_id} to a worker: {exc}")
                reports.append((handle.listener, "error", error))
                continue
            worker.keys.add(key)
            worker.used = True
            worker.task = handle
            worker.threads = threads or self._cores
            handle.worker = worker

    def _fail_queue_locked(
        self, error: ExecutionError, reports: list[tuple[TaskListener, str, Any]]
    ) -> None:
        while self._queue:
            handle = self._queue.popleft()
            handle.finished = True
            reports.append((handle.listener, "error", error))

    def _threads_for_locked(self, handle: _ProcessTask) -> int | None:
        if handle.task.run_options.get("max_parallel_threads") is not None:
            return None  # the user chose
        busy = sum(w.threads for w in self._workers if w.task is not None)
        free = max(1, self._cores - busy)
        if self._queue:
            # More work is waiting: take a fair share so the other workers get cores too.
            share = max(1, self._cores // min(self._max_workers, len(self._queue) + 1))
            return min(free, share)
        return free

    def _start_worker_locked(self) -> None:
        process, conn = start_worker(self._memory_limit_mb, self._mp_context)
        self._workers.append(_Worker(process=process, conn=conn))

    def _release_idle_locked(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            idle_for = now - worker.idle_since
            limit = (
                self._idle_timeout if worker.used else min(self._idle_timeout, WARM_IDLE_TIMEOUT)
            )
            if worker.ready and worker.task is None and idle_for > limit:
                self._workers.remove(worker)
                stop_worker(worker.process, worker.conn)

    def _collect_locked(
        self, worker: _Worker, died: bool, reports: list[tuple[TaskListener, str, Any]]
    ) -> None:
        """Read every message ``worker`` sent; if its process ended, account for its task."""
        while True:
            try:
                if not worker.conn.poll():
                    break
                message = worker.conn.recv()
            except (EOFError, OSError):
                died = True
                break
            if message[0] == "ready":
                worker.ready = True
                worker.idle_since = time.monotonic()
                continue
            kind, task_id, payload, tb = message
            handle = worker.task
            worker.task, worker.threads, worker.idle_since = None, 0, time.monotonic()
            if handle is None or handle.task_id != task_id or handle.finished:
                continue
            handle.finished, handle.worker = True, None
            if kind == "done":
                reports.append((handle.listener, "done", payload))
            else:
                reports.append((handle.listener, "error", with_remote_traceback(payload, tb)))
        if not died:
            return
        worker.process.join(5)
        self._workers.remove(worker)
        worker.conn.close()
        if not worker.ready:
            # It died while starting up: the cause is in the environment (the package or Aer
            # cannot be imported, too small a memory limit), and starting another worker would
            # only die the same way. Fail what waits, with the likely fix.
            error = startup_death_error(worker.process, self._memory_limit_mb)
            self._fail_queue_locked(error, reports)
            return
        handle = worker.task
        if handle is None or handle.finished:
            return
        handle.finished, handle.worker = True, None
        if handle.cancelled:
            reports.append((handle.listener, "cancelled", None))
        else:
            reports.append(
                (handle.listener, "error",
                 death_error(worker.process, handle.task.job_id, self._memory_limit_mb))
            )


def _deliver(reports: list[tuple[TaskListener, str, Any]]) -> None:
    for listener, kind, payload in reports:
        if kind == "done":
            listener.task_succeeded(payload)
        elif kind == "error":
            listener.task_failed(payload)
        else:
            listener.task_cancelled()


_live_executors: weakref.WeakSet[ProcessExecutor] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    # Registered after multiprocessing's own exit handler, so it runs first: stop workers
    # politely before multiprocessing terminates whatever daemons are left.
    for executor in list(_live_executors):
        try:
            executor.shutdown(cancel_pending=True)
        except Exception:  # best effort at exit
            logger.debug("error while shutting down %r at exit", executor, exc_info=True)
