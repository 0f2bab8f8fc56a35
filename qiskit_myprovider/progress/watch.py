"""The watcher thread: tells a display the moment a job reaches its final state.

A ``wait_for_final_state`` callback is called only while the job is not final, so a callback
alone would never see the end; each display starts one small daemon thread per job for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Final

from qiskit.providers import JobStatus
from qiskit.providers.exceptions import JobTimeoutError as QiskitJobTimeoutError

__all__ = ["LOGGER_NAME", "watch"]

#: The logger of the whole progress package: :class:`LoggingCallback`'s default, and where
#: a watcher reports a display that failed.
LOGGER_NAME: Final = "qiskit_myprovider.progress"

#: Seconds a watcher thread waits on its job between checks that its display is still open.
_WATCH_STEP: Final = 1.0

logger = logging.getLogger(LOGGER_NAME)


def watch(
    job: Any, stop: threading.Event, then: Callable[[Any, JobStatus], object]
) -> threading.Thread:
    """Start a daemon thread that calls ``then(job, status)`` once ``job`` is final.

    It gives up quietly when ``stop`` is set or the job cannot be read any more; an error
    raised by ``then`` is logged, never propagated.

    Args:
        job: The job to watch (any Qiskit ``JobV1``).
        stop: Set it to make the thread give up (within about a second).
        then: What to call with the job and its final status.

    Returns:
        The started thread.
    """

    def run() -> None:
        while not stop.is_set():
            try:
                job.wait_for_final_state(timeout=_WATCH_STEP, wait=_WATCH_STEP)
            except QiskitJobTimeoutError:
                continue
            except Exception:
                logger.debug("stopped watching job %s", job.job_id(), exc_info=True)
                return
            try:
                then(job, job.status())
            except Exception:
                logger.exception("progress display failed for job %s; ignored", job.job_id())
            return

    thread = threading.Thread(target=run, name=f"watch-{job.job_id()}", daemon=True)
    thread.start()
    return thread
