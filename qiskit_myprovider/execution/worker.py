"""The worker side of :class:`~qiskit_myprovider.execution.ProcessExecutor`.

A worker is a clean interpreter running ``python -m qiskit_myprovider.execution.worker``: it
never imports the user's main module (tasks are circuits and options, no user code), so an
unguarded script, a script read from stdin, ``python -c`` and notebooks all run worker jobs
exactly once. It keeps the simulators it was sent, runs one task at a time and answers over
the connection it was handed; it dies with its parent (Linux's parent-death signal, and an
end-of-file on that connection everywhere).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import traceback
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = ["main", "serve"]

#: prctl(2) option: the signal this process gets when its parent thread ends.
_PR_SET_PDEATHSIG: Final = 1
#: Address space one thread reserves: its stack (the usual 8 MiB) and a malloc arena.
_THREAD_STACK: Final = 8 * 1024 * 1024
_MALLOC_ARENA: Final = 64 * 1024 * 1024


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this worker the moment its parent ends (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # the end-of-file on the connection still ends the worker
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)


def _limit_memory(memory_limit_mb: int | None) -> None:
    """Cap what the worker may allocate at ``memory_limit_mb`` beyond what it holds now.

    The interpreter, NumPy, Qiskit and Aer already map well over a GiB of address space
    before any job; a limit on the whole address space would leave a small limit nothing.
    """
    if memory_limit_mb is None:
        return
    import resource

    # Each thread Aer starts reserves address space it rarely uses: its stack and a malloc
    # arena (64 MiB on 64-bit glibc). Allow for them, or even a small job could not start
    # its threads; the memory a job really uses is held to the limit by Aer's max_memory_mb.
    per_thread = _THREAD_STACK + _MALLOC_ARENA
    threads = os.cpu_count() or 1
    limit = _address_space_now() + memory_limit_mb * 1024 * 1024 + threads * per_thread
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space_now() -> int:
    """The worker's current virtual memory size in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def serve(conn: Connection, memory_limit_mb: int | None) -> None:
    """Serve tasks from ``conn`` until told to stop or the parent goes away.

    Args:
        conn: The connection to the parent's executor.
        memory_limit_mb: The address-space limit to set first (None: none).
    """
    # The parent handles Ctrl-C; a worker must not die of it mid-job.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Everything a task needs is imported before the memory limit is set: the limit counts
    # from what the worker holds then, so later imports would eat into it.
    import qiskit.qpy  # noqa: F401 - loaded now, used to decode circuits

    from qiskit_myprovider.exceptions import ExecutionError
    from qiskit_myprovider.execution.simulate import simulate
    from qiskit_myprovider.execution.wire import read_task

    _limit_memory(memory_limit_mb)
    simulators: dict[str, AerSimulator] = {}
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone: leave no orphan behind
        if message is None:
            return
        task_id, task = read_task(message, simulators)
        try:
            result = simulate(task)
        except BaseException as exc:
            tb = traceback.format_exc()
            reply: tuple[object, ...] = ("error", task_id, exc, tb)
            fallback: tuple[object, ...] | None = (
                "error", task_id, ExecutionError(f"{type(exc).__name__}: {exc}"), tb,
            )  # fmt: skip
        else:
            reply, fallback = ("done", task_id, result, None), None
        try:
            try:
                conn.send(reply)
            except (EOFError, OSError):
                raise
            except Exception:  # the exception itself did not pickle
                if fallback is None:
                    raise
                conn.send(fallback)
        except (EOFError, OSError):
            return  # the parent went away while we simulated: end quietly


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m qiskit_myprovider.execution.worker FD PARENT_PID [LIMIT_MB]``."""
    args = sys.argv[1:] if argv is None else argv
    fd, parent_pid = int(args[0]), int(args[1])
    memory_limit_mb = int(args[2]) if len(args) > 2 and args[2] else None
    _die_with_parent(parent_pid)
    with Connection(fd) as conn:
        serve(conn, memory_limit_mb)


if __name__ == "__main__":
    main()
