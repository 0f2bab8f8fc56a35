"""Who runs a job: owner tokens, whether their process still lives, and the "lost" message.

Every record names its *owner* (see :func:`make_owner_token`); a record left QUEUED or
RUNNING by an owner process that has since died is marked ERROR ("lost") when it is read
(see :func:`owner_is_gone`). Liveness is read from ``/proc`` where there is one, so a pid
reused by a newer process is told apart from the owner.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

__all__ = [
    "Owner",
    "lost_message",
    "make_owner_token",
    "owner_is_gone",
    "owner_token_for",
    "parse_owner",
]

#: Owner tokens made in this process: a record with our pid but a token not in here was
#: written by an earlier process that happened to have the same pid (common in containers).
_OWN_TOKENS: set[str] = set()


@dataclass(frozen=True)
class Owner:
    """The process named by an owner token (see :func:`parse_owner`).

    Attributes:
        host: The host name it ran on.
        pid: Its process id.
        start: Its start time in clock ticks after boot (from ``/proc``), or ``""`` where the
            platform does not tell.
    """

    host: str
    pid: int
    start: str

    @property
    def on_this_host(self) -> bool:
        """Whether it ran on this host (only then can its liveness be checked)."""
        return self.host == socket.gethostname()


def make_owner_token() -> str:
    """Return a new token naming this process as the owner of the jobs it runs.

    The token is ``"host:pid:start:nonce"``: the host name, the process id, the process's start
    time (from ``/proc`` where there is one, so a reused pid is told apart; empty elsewhere)
    and a random nonce (one per provider).

    Returns:
        The token, for :attr:`JobRecord.owner`.
    """
    return owner_token_for(os.getpid())


def owner_token_for(pid: int) -> str:
    """Return a new token naming the process ``pid`` of this host as a job's owner.

    The same form as :func:`make_owner_token`, for a record written on behalf of another
    process (``run --no-wait`` records a job for the runner it has just started): if that
    process dies before the job ends, the job reads as lost.

    Args:
        pid: A running process of this host (its start time is read now, where the
            platform tells it).

    Returns:
        The token, for :attr:`JobRecord.owner`.
    """
    stat = _proc_stat(pid)
    start = "" if stat is None else stat[1]
    token = f"{socket.gethostname()}:{pid}:{start}:{uuid.uuid4().hex[:12]}"
    if pid == os.getpid():
        _OWN_TOKENS.add(token)
    return token


def parse_owner(owner: str | None) -> Owner | None:
    """Read the process an owner token names.

    Tokens are ``"host:pid:start:nonce"`` (see :func:`make_owner_token`); the older form
    ``"host:pid:nonce"`` reads with an empty start. The host name may itself hold colons.

    Args:
        owner: A token, or None.

    Returns:
        The owner; None for None, an empty string, or a token that is not of that form (too
        few parts, or a pid that is not a positive integer).
    """
    if not owner:
        return None
    parts = owner.rsplit(":", 3)
    if len(parts) == 4:
        host, pid, start, _nonce = parts
    elif len(parts) == 3:
        (host, pid, _nonce), start = parts, ""
    else:
        return None
    try:
        number = int(pid)
    except ValueError:
        return None
    return Owner(host, number, start) if number > 0 else None


def owner_is_gone(owner: str | None) -> bool:
    """Return whether the process named by an owner token has certainly exited.

    Only a process on this host can be checked; for any other host, a malformed token or a
    platform without a safe liveness check (Windows), the answer is False ("cannot tell").

    Args:
        owner: A token from :func:`make_owner_token`, or None.

    Returns:
        True if that process no longer runs (it exited, is a zombie, or its pid now belongs to
        a newer process); False if it runs or if this cannot be told.
    """
    parsed = parse_owner(owner)
    if parsed is None or os.name == "nt":  # os.kill(pid, 0) would terminate it on Windows
        return False
    if not parsed.on_this_host:
        return False
    if parsed.pid == os.getpid():
        if owner in _OWN_TOKENS:
            return False
        # Our pid, in a token another process made for us (see owner_token_for), or one an
        # earlier process with our pid made for itself: only the start time tells them apart.
        stat = _proc_stat(parsed.pid)
        return not parsed.start or stat is None or parsed.start != stat[1]
    try:
        os.kill(parsed.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, and belongs to another user
    except OSError:
        return False
    stat = _proc_stat(parsed.pid)
    if stat is None:
        return False
    state, started = stat
    return state in ("Z", "X") or (bool(parsed.start) and parsed.start != started)


def lost_message(job_id: str, owner: str, status: str) -> str:
    """The error message of a job lost with its process.

    Args:
        job_id: The job.
        owner: Its owner token (shown as it is if it cannot be parsed).
        status: The state it was left in (``"QUEUED"`` or ``"RUNNING"``).

    Returns:
        A message that names the job, the process and what to do.
    """
    parsed = parse_owner(owner)
    who = f"pid {parsed.pid} on host {parsed.host}" if parsed else owner
    return (
        f"Job {job_id} was lost: the process that ran it ({who}) exited while the job was "
        f"{status}, before it finished. Submit the job again."
    )


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """Return the state letter and start time (clock ticks after boot) of a Linux process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            text = file.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; it ends at the last ')'.
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]  # fields 3 (state) and 22 (starttime) of proc(5)
