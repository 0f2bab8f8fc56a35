"""Worker processes: starting clean interpreters of our worker entry point, stopping them.

It also says why a worker died (:func:`death_error`).

On POSIX a worker is ``python -P -m qiskit_myprovider.execution.worker``, started with
:mod:`subprocess` and handed one end of a socket pair: it imports the package, never the
user's main module, so scripts need no ``__main__`` guard and a script read from stdin, a
``python -c`` command or a notebook runs its jobs exactly once. It sees the caller's
``sys.path``, so it imports the same package and Aer. Elsewhere (Windows), or when
``forkserver`` is asked for, :mod:`multiprocessing` starts it instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from typing import Any, Final, Protocol

from qiskit_myprovider.exceptions import WorkerDiedError

__all__ = [
    "CLEAN_START",
    "START_HINT",
    "WorkerProcess",
    "death_error",
    "start_worker",
    "startup_death_error",
    "stop_worker",
]

#: What to do when workers cannot start.
START_HINT: Final = (
    "Workers are new interpreters that import qiskit_myprovider and qiskit_aer from the "
    'caller\'s sys.path; check that they import there, or use MyProvider(executor="thread")'
)

#: Whether workers start as clean interpreters here (else through multiprocessing).
CLEAN_START: Final = os.name == "posix"

_MODULE: Final = "qiskit_myprovider.execution.worker"


class WorkerProcess(Protocol):
    """The parent's handle on one worker (what :class:`multiprocessing.Process` offers)."""

    @property
    def pid(self) -> int | None:
        """The worker's process id."""

    @property
    def exitcode(self) -> int | None:
        """None while it runs; its exit code, or minus the signal that killed it."""

    @property
    def sentinel(self) -> int:
        """A descriptor that becomes ready when the worker ends."""

    def kill(self) -> None:
        """SIGKILL the worker."""

    def join(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds for the worker to end."""

    def is_alive(self) -> bool:
        """Return whether the worker still runs."""


class _CleanWorker:
    """A worker started by :mod:`subprocess`, with the interface of a multiprocessing Process."""

    def __init__(self, popen: subprocess.Popen[bytes], sentinel: int) -> None:
        self._popen = popen
        self._sentinel = sentinel

    @property
    def pid(self) -> int | None:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    @property
    def sentinel(self) -> int:
        return self._sentinel

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)
        if self._popen.returncode is not None:
            self._close_sentinel()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def _close_sentinel(self) -> None:
        if self._sentinel >= 0:
            with contextlib.suppress(OSError):
                os.close(self._sentinel)
            self._sentinel = -1

    def __del__(self) -> None:
        self._close_sentinel()


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The executor gives every task its thread count (its thread budget) through Aer's
    # max_parallel_threads. An inherited OMP_NUM_THREADS would cap that silently, and it is
    # often not the user's: creating a Dask LocalCluster sets OMP_NUM_THREADS=1 in the
    # caller's own environment and leaves it there.
    env.pop("OMP_NUM_THREADS", None)
    # The worker must import what the caller imports: the same package, the same Aer.
    paths = [entry for entry in sys.path if entry]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def start_worker(memory_limit_mb: int | None, mp_context: str) -> tuple[WorkerProcess, Connection]:
    """Start one worker; return the handle on it and the parent's end of its connection.

    Args:
        memory_limit_mb: The worker's memory limit (None: none).
        mp_context: ``"spawn"`` (a clean interpreter where the platform allows) or
            ``"forkserver"``.

    Raises:
        OSError: the process could not be started.
    """
    if not CLEAN_START or mp_context != "spawn":
        return _start_with_multiprocessing(memory_limit_mb, mp_context)
    parent_sock, child_sock = socket.socketpair()
    child_fd = child_sock.fileno()
    try:
        popen = subprocess.Popen(
            [sys.executable, "-P", "-m", _MODULE, str(child_fd), str(os.getpid()),
             "" if memory_limit_mb is None else str(memory_limit_mb)],
            pass_fds=(child_fd,),
            stdin=subprocess.DEVNULL,
            env=_child_environment(),
            close_fds=True,
        )  # fmt: skip
    except BaseException:
        parent_sock.close()
        raise
    finally:
        child_sock.close()
    sentinel = _process_sentinel(popen.pid)
    return _CleanWorker(popen, sentinel), Connection(parent_sock.detach())


def _process_sentinel(pid: int) -> int:
    """A descriptor ready when ``pid`` exits (Linux pidfd); -1 where there is none.

    Without one the manager still sees a worker's death: its end of the connection closes.
    """
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return -1
    try:
        fd: int = pidfd_open(pid)
    except OSError:
        return -1
    return fd


def _start_with_multiprocessing(
    memory_limit_mb: int | None, mp_context: str
) -> tuple[WorkerProcess, Connection]:
    from qiskit_myprovider.execution.worker import serve

    ctx: Any = multiprocessing.get_context(mp_context)
    parent_conn, child_conn = ctx.Pipe(duplex=True)
    process = ctx.Process(
        target=serve, args=(child_conn, memory_limit_mb), name="myprovider-worker", daemon=True
    )
    process.start()
    child_conn.close()
    worker: WorkerProcess = process
    return worker, parent_conn


def stop_worker(process: WorkerProcess, conn: Connection) -> None:
    """Ask a worker to stop (it ends after its task), then kill it if it does not."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(None)
    process.join(0.5)
    if process.is_alive():
        process.kill()
        process.join(5)
    with contextlib.suppress(OSError):
        conn.close()


def death_error(process: WorkerProcess, job_id: str, limit_mb: int | None) -> WorkerDiedError:
    """The error of a job whose worker died: how it died (signal, exit code, memory limit)."""
    code = process.exitcode
    if code is not None and code < 0:
        try:
            how = f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
        if code == -signal.SIGKILL:
            how += " (the out-of-memory killer sends this signal too)"
    else:
        how = f"exited with code {code}"
    if limit_mb is not None:
        how += f" (it ran under a memory limit of {limit_mb} MB beyond its own start-up)"
    return WorkerDiedError(
        f"The worker process (pid {process.pid}) running job {job_id} {how}; "
        "the job was lost, other jobs go on"
    )


def startup_death_error(process: WorkerProcess, limit_mb: int | None) -> WorkerDiedError:
    """The error of the jobs waiting for a worker that died while starting, with the fix.

    The cause is in the environment (the package or Aer cannot be imported, too small a
    memory limit): another worker would die the same way.
    """
    limit = (
        f" It had a memory limit of {limit_mb} MB; a larger one may help."
        if limit_mb is not None
        else ""
    )
    return WorkerDiedError(
        f"A worker process (pid {process.pid}) exited with code {process.exitcode} while "
        f"starting, before it could take a job (its error, if any, is on stderr).{limit} "
        f"{START_HINT}"
    )
