"""Which job store a command uses: ``--store`` (before or after the command), else the variable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli.context import MEMORY_STORE, STORE_ENV_VAR
from qiskit_myprovider.store import STORE_ENV_VAR as STORES_OWN_NAME
from tests.cli.conftest import BELL, Run, add_record


def test_the_variable_is_the_stores_own() -> None:
    assert STORE_ENV_VAR == STORES_OWN_NAME


@pytest.mark.parametrize("where", ["before", "after"])
def test_store_before_or_after_the_command_overrides_the_variable(
    run: Run, stored: MyProvider, tmp_path: Path, where: str
) -> None:
    other = tmp_path / "other.sqlite3"
    with MyProvider(store=other, executor="thread") as provider:
        theirs = add_record(provider)
    add_record(stored)  # in the store the variable names
    argv = ["jobs", "list", "--json"]
    argv = ["--store", other, *argv] if where == "before" else [*argv, "--store", other]
    code, out, _ = run(*argv)
    assert code == 0
    assert [row["job_id"] for row in json.loads(out)] == [theirs]


def test_run_records_its_job_in_the_store_given(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    code, out, _ = run("--store", path, "run", BELL, "--json", "--seed", 1)
    assert code == 0
    with MyProvider(store=path) as provider:
        assert provider.job(json.loads(out)["job_id"]).result().get_counts()


@pytest.mark.parametrize(
    "command",
    [
        ["jobs", "list"],
        ["jobs", "show", "0123abcd"],
        ["jobs", "result", "0123abcd"],
        ["jobs", "wait", "0123abcd"],
        ["jobs", "cancel", "0123abcd"],
        ["jobs", "delete", "0123abcd"],
        ["jobs", "prune", "--older-than", "1d"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
@pytest.mark.parametrize("source", ["--store", "variable"])
def test_commands_that_read_jobs_refuse_an_in_memory_store_in_one_line(
    mistake: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    source: str,
) -> None:
    if source == "--store":
        argv = ["--store", MEMORY_STORE, *command]
    else:
        monkeypatch.setenv(STORE_ENV_VAR, MEMORY_STORE)
        argv = command
    err = mistake(*argv)
    assert err.startswith(f"error: the job store is '{MEMORY_STORE}' (from ")
    assert ("--store" if source == "--store" else STORE_ENV_VAR) in err
    assert f"so '{' '.join(command[:2])}' would find none" in err


def test_run_and_backends_work_on_an_in_memory_store(run: Run) -> None:
    code, out, _ = run("--store", MEMORY_STORE, "run", BELL, "--json")
    assert (code, json.loads(out)["status"]) == (0, "DONE")
    assert run("--store", MEMORY_STORE, "backends", "--json")[0] == 0


def test_backends_opens_no_store(run: Run, store_path: Path) -> None:
    assert run("backends")[0] == 0
    assert not store_path.exists()


def test_an_empty_store_path_is_one_line(mistake: Callable[..., str]) -> None:
    err = mistake("--store", "", "jobs", "list")
    assert "store must be ':memory:' or a file path, not ''" in err
