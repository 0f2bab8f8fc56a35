"""The command line's arguments: mistakes in them, the sub-commands' help, the status names."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider.cli import PROG, build_parser
from qiskit_myprovider.cli.parser import JOB_STATUS_NAMES, duration
from tests.cli.conftest import BELL, Run


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", BELL, "--shots", 0], "--shots: must be a positive integer"),
        (["run", BELL, "--shots", "many"], "--shots: must be an integer"),
        (["run", BELL, "--seed", -1], "--seed: must be a non-negative integer"),
        (["run", BELL, "--top", -1], "--top: must be a non-negative integer"),
        (["run"], "required: FILE"),
        (["launch"], "invalid choice: 'launch'"),
        (["jobs", "show"], "required: JOB_ID"),
        (["jobs", "list", "--limit", -1], "--limit: must be a non-negative integer"),
        (["jobs", "wait", "x", "--timeout", "-1"], "--timeout: must be a non-negative number"),
        (["jobs", "wait", "x", "--timeout", "nan"], "--timeout: must be a non-negative number"),
        (["run", BELL, "--timeout", "-1"], "--timeout: must be a non-negative number"),
        (["run", BELL, "--timeout", 5, "--no-wait"], "--no-wait: not allowed with .*--timeout"),
        (["jobs", "delete"], "required: JOB_ID"),
        (["jobs", "prune"], "required: --older-than"),
        (["jobs", "prune", "--older-than", "7 days"], "--older-than: must be a duration such"),
        (["jobs", "prune", "--older-than", "1h1d"], "--older-than: must be a duration such"),
        (["jobs", "prune", "--older-than", ""], "--older-than: must be a duration such"),
    ],
    ids=[
        "zero-shots", "text-shots", "negative-seed", "negative-top", "no-file",
        "unknown-command", "no-job-id", "negative-limit", "negative-timeout", "nan-timeout",
        "negative-run-timeout", "timeout-and-no-wait", "delete-nothing", "prune-no-age",
        "prune-words", "prune-out-of-order", "prune-empty",
    ],
)  # fmt: skip
def test_a_mistake_in_the_arguments_is_one_error_line_and_exit_status_2(
    mistake: Callable[..., str], argv: list[object], expected: str
) -> None:
    err = mistake(*argv)
    assert re.search(expected, err)
    assert err.rstrip().endswith("--help')")  # it says where to look


def test_the_status_names_are_qiskits_job_statuses_in_order() -> None:
    assert list(JOB_STATUS_NAMES) == [status.name for status in JobStatus]


def test_list_refuses_an_unknown_status_naming_the_valid_ones(mistake: Callable[..., str]) -> None:
    err = mistake("jobs", "list", "--status", "finished")
    assert "invalid choice: 'FINISHED'" in err
    assert all(f"'{name}'" in err for name in JOB_STATUS_NAMES)


JOBS_COMMANDS = ("list", "show", "result", "wait", "cancel", "delete", "prune")


@pytest.mark.parametrize("argv", [[], ["jobs"]], ids=["top", "jobs"])
def test_a_group_without_its_command_prints_its_commands_and_exits_2(
    run: Run, argv: list[str]
) -> None:
    """A person sees what to choose from; a script sees argparse's usage-mistake status."""
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"usage: {' '.join([PROG, *argv])} ")
    commands = JOBS_COMMANDS if argv else ("run", "backends", "jobs")
    for command in commands:
        assert re.search(rf"^ +{command} +\S", err, re.M), command  # listed, with its help
    assert "error:" not in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("2h30m15s", timedelta(hours=2, minutes=30, seconds=15)),
        ("0s", timedelta(0)),
        (" 7D ", timedelta(days=7)),
        ("9999999999d", timedelta.max),  # older than the calendar: no job is that old
    ],
)
def test_durations_are_days_hours_minutes_seconds(text: str, expected: timedelta) -> None:
    assert duration(text) == expected


@pytest.mark.parametrize(
    "argv",
    [[], ["run"], ["backends"], ["jobs"], *(["jobs", command] for command in JOBS_COMMANDS)],
    ids=lambda argv: " ".join(argv) or "top",
)
def test_every_command_has_help_that_exits_0(run: Run, argv: list[str]) -> None:
    code, out, err = run(*argv, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: {' '.join([PROG, *argv])}")
    assert "--debug" in out


def test_the_runner_flag_is_hidden_from_help(run: Run) -> None:
    _, out, _ = run("run", "--help")
    assert "--no-wait" in out
    assert "_runner" not in out


def test_debug_is_accepted_before_or_after_the_command() -> None:
    parser = build_parser()
    assert parser.parse_args(["--debug", "backends"]).debug is True
    assert parser.parse_args(["backends", "--debug"]).debug is True
    assert not hasattr(parser.parse_args(["backends"]), "debug")
