"""Completion: jobs as futures, for ``concurrent.futures``, ``asyncio`` and ``as_completed``.

A job made in this process completes its :class:`~concurrent.futures.Future` the moment it
ends (its executor reports it; nothing polls). A job read from the store, run by another
process, is watched by one shared daemon thread that re-reads the store with a backoff (20 ms
up to 0.5 s): no thread is parked per job, however many are awaited.
"""

from __future__ import annotations

import concurrent.futures
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, Protocol, TypeVar

from qiskit_myprovider.exceptions import JobTimeoutError
from qiskit_myprovider.validation import deadline as deadline_of

__all__ = ["HasFuture", "StoreWatcher", "as_completed", "store_watcher"]

logger = logging.getLogger(__name__)

#: The first and the longest pause between two reads of a watched stored job (seconds).
POLL_MIN: Final = 0.02
POLL_MAX: Final = 0.5


class HasFuture(Protocol):
    """Anything with a ``future()``: run jobs, primitive jobs, stored jobs."""

    def future(self) -> concurrent.futures.Future[Any]:
        """The future that completes with the job."""


_J = TypeVar("_J", bound=HasFuture)


class StoreWatcher:
    """One thread that polls every watched stored job until each has ended."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[tuple[float, int, float, Callable[[], bool]]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, check: Callable[[], bool]) -> None:
        """Call ``check()`` now and then, with a backoff, until it returns True.

        ``check`` re-reads the job and completes its future once it has ended; an exception
        from it is logged, and the job is looked at again later.
        """
        with self._lock:
            heapq.heappush(self._heap, (time.monotonic(), next(self._order), POLL_MIN, check))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="myprovider-store-watcher", daemon=True
                )
                self._thread.start()
            self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._heap:
                    self._thread = None
                    return
                due, _, delay, check = self._heap[0]
                pause = due - time.monotonic()
                if pause > 0:
                    self._lock.wait(pause)
                    continue
                heapq.heappop(self._heap)
            try:
                finished = check()
            except Exception:
                logger.exception("could not re-read a watched job; trying again later")
                finished = False
            if not finished:
                with self._lock:
                    later = min(delay * 2, POLL_MAX)
                    entry = (time.monotonic() + delay, next(self._order), later, check)
                    heapq.heappush(self._heap, entry)


_watcher = StoreWatcher()


def store_watcher() -> StoreWatcher:
    """Return the process-wide watcher of stored jobs."""
    return _watcher


def as_completed(jobs: Iterable[_J], timeout: float | None = None) -> Iterator[_J]:
    """Yield the given jobs as they end (DONE, ERROR or CANCELLED), first finished first.

    Args:
        jobs: Jobs (run, primitive or stored); duplicates are yielded once.
        timeout: Seconds to wait for all of them; None waits as long as it takes.

    Yields:
        Each job, once it is final.

    Raises:
        JobTimeoutError: some jobs had not ended within ``timeout`` (they keep going).
        InvalidInputError: a negative or NaN ``timeout``.
    """
    end = deadline_of(timeout)
    by_future = {job.future(): job for job in jobs}
    remaining = None if end is None else max(0.0, end - time.monotonic())
    try:
        for future in concurrent.futures.as_completed(by_future, timeout=remaining):
            yield by_future[future]
    except TimeoutError:
        pending = sum(1 for future in by_future if not future.done())
        raise JobTimeoutError(
            f"{pending} of {len(by_future)} jobs had not ended after {timeout} s; they keep "
            "running"
        ) from None
