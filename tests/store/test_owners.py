"""Owner tokens: what they name, how they parse, and when their process counts as gone."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_myprovider.store import (
    Owner,
    make_owner_token,
    owner_is_gone,
    owner_token_for,
    parse_owner,
)
from qiskit_myprovider.store import owners as owners_module
from qiskit_myprovider.store.owners import lost_message

from .conftest import token_for


def test_owner_tokens_tell_running_processes_from_dead_ones(dead_pid: int) -> None:
    mine = make_owner_token()
    assert mine.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert owner_is_gone(mine) is False
    # Our own pid, but a token this process never made: an earlier process with our pid.
    assert owner_is_gone(token_for(os.getpid())) is True
    assert owner_is_gone(token_for(dead_pid)) is True
    parent = os.getppid()
    assert owner_is_gone(token_for(parent)) is False
    if Path(f"/proc/{parent}/stat").exists():
        start = owners_module._proc_stat(parent)
        assert start is not None
        assert owner_is_gone(token_for(parent, start[1])) is False
        # Same pid, another start time: the pid was reused by a newer process.
        assert owner_is_gone(token_for(parent, "1")) is True
    # What cannot be checked is never declared lost.
    assert owner_is_gone(token_for(dead_pid, host="some-other-host")) is False
    assert owner_is_gone(None) is False
    assert owner_is_gone("garbage") is False
    assert owner_is_gone("host:notapid:x:y") is False


def test_every_token_names_a_new_owner_of_this_process() -> None:
    first, second = make_owner_token(), make_owner_token()
    assert first != second  # one nonce per provider
    owner = parse_owner(first)
    assert owner is not None
    assert owner.host == socket.gethostname()
    assert owner.pid == os.getpid()
    assert owner.on_this_host
    if Path("/proc/self/stat").exists():
        assert owner.start.isdigit()
        assert owner == parse_owner(second)  # same process: same host, pid and start


def test_a_token_for_another_process_reads_gone_once_that_process_exits() -> None:
    """``run --no-wait`` records its runner as the owner: the runner's death makes it lost."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        token = owner_token_for(child.pid)
        owner = parse_owner(token)
        assert owner is not None
        assert (owner.host, owner.pid) == (socket.gethostname(), child.pid)
        assert owner_is_gone(token) is False
        assert owner_token_for(child.pid) != token  # a new nonce each time
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    assert owner_is_gone(token) is True


def test_a_token_another_process_made_for_this_one_names_this_one() -> None:
    """The runner of ``run --no-wait`` reads the token its parent recorded for it."""
    assert owner_is_gone(owner_token_for(os.getpid())) is False
    stat = owners_module._proc_stat(os.getpid())
    if stat is not None:
        assert owner_is_gone(token_for(os.getpid(), stat[1])) is False
        assert owner_is_gone(token_for(os.getpid(), "1")) is True  # an earlier process


def test_parse_owner_reads_both_token_forms_and_hosts_with_colons() -> None:
    assert parse_owner("box:123:4567:0123456789ab") == Owner("box", 123, "4567")
    assert parse_owner("box:123::0123456789ab") == Owner("box", 123, "")
    assert parse_owner("box:123:0123456789ab") == Owner("box", 123, "")  # older: no start
    assert parse_owner("fe80::1:123:4567:nonce") == Owner("fe80::1", 123, "4567")


@pytest.mark.parametrize(
    "token", [None, "", "garbage", "a:b", "box:notapid:1:n", "box:0:1:n", "box:-5:1:n"]
)
def test_parse_owner_refuses_what_is_not_a_token(token: str | None) -> None:
    assert parse_owner(token) is None


def test_an_owner_is_a_frozen_value_that_knows_its_host() -> None:
    here = Owner(socket.gethostname(), 1, "")
    elsewhere = Owner("some-other-host", 1, "")
    assert here.on_this_host
    assert not elsewhere.on_this_host
    with pytest.raises(dataclasses.FrozenInstanceError):
        here.pid = 2  # type: ignore[misc]
    assert {here, Owner(socket.gethostname(), 1, "")} == {here}


def test_the_lost_message_names_job_process_state_and_fix() -> None:
    message = lost_message("job-1", "box:123:4567:nonce", "RUNNING")
    assert "Job job-1 was lost" in message
    assert "pid 123 on host box" in message
    assert "while the job was RUNNING" in message
    assert "Submit the job again" in message
    # A token that does not parse is shown as it is.
    assert "(garbage)" in lost_message("job-1", "garbage", "QUEUED")
