"""Job ids by unique prefix: one rule (``cli/ids.py``) for every ``jobs`` command that takes one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.cli.ids import MIN_PREFIX, SHOWN_CANDIDATES, resolve_job_id, short_ids
from tests.cli.conftest import Run, add_record
from tests.conftest import bell_circuit

#: Ids that share their first 8 characters (and the first 13, dash included).
TWINS = ("0123abcd-0000-4000-8000-000000000001", "0123abcd-0000-4000-8000-000000000002")
#: An id that shares the twins' first 7 characters only.
COUSIN = "0123abce-0000-4000-8000-000000000003"


@pytest.fixture
def related(stored: MyProvider) -> MyProvider:
    for job_id in (*TWINS, COUSIN):
        add_record(stored, job_id)
    return stored


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (COUSIN[:8], COUSIN),
        (COUSIN[:14], COUSIN),
        (COUSIN[:8].upper(), COUSIN),  # case-blind
        (TWINS[0][:-1], None),  # 35 characters, and both twins start with them
        (COUSIN.replace("-", "")[:12], COUSIN),  # without its dashes
        (TWINS[0], TWINS[0]),  # a whole id is returned as given
        ("not-an-id", "not-an-id"),  # not an id: provider.job() refuses it in its words
    ],
    ids=["8", "14", "upper", "35", "no-dashes", "whole", "no-id"],
)
def test_a_unique_prefix_stands_for_its_id(
    related: MyProvider, text: str, expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(CommandError, match="ambiguous"):
            resolve_job_id(related, text)
    else:
        assert resolve_job_id(related, text) == expected


def test_a_prefix_is_looked_up_in_the_store_file_without_listing_every_job(
    related: MyProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    def every_job(**_: object) -> None:
        raise AssertionError("every job was read")

    monkeypatch.setattr(related, "jobs", every_job)
    assert resolve_job_id(related, COUSIN[:MIN_PREFIX]) == COUSIN
    assert resolve_job_id(related, COUSIN.replace("-", "")[:20]) == COUSIN
    with pytest.raises(CommandError, match="ambiguous: 2 jobs"):
        resolve_job_id(related, TWINS[0][:MIN_PREFIX])


def test_a_memory_store_is_searched_by_reading_its_jobs() -> None:
    with MyProvider(store=":memory:") as provider:
        job_id = add_record(provider, COUSIN)
        assert resolve_job_id(provider, job_id[:MIN_PREFIX]) == job_id


def test_an_ambiguous_prefix_names_the_candidates(related: MyProvider) -> None:
    with pytest.raises(CommandError) as caught:
        resolve_job_id(related, TWINS[0][:MIN_PREFIX])
    message = caught.value.message
    assert caught.value.exit_code == 2
    assert message.startswith(f"job id prefix '{TWINS[0][:MIN_PREFIX]}' is ambiguous: 2 jobs")
    assert all(job_id in message for job_id in TWINS)
    assert message.endswith("give more characters")


def test_an_ambiguous_prefix_names_a_few_candidates_and_counts_the_rest(
    stored: MyProvider,
) -> None:
    ids = [f"feedface-0000-4000-8000-00000000000{i}" for i in range(SHOWN_CANDIDATES + 2)]
    for job_id in ids:
        add_record(stored, job_id)
    with pytest.raises(CommandError) as caught:
        resolve_job_id(stored, "feedface")
    message = caught.value.message
    assert sum(job_id in message for job_id in ids) == SHOWN_CANDIDATES
    assert "and 2 more" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0123abc", f"too short: give at least {MIN_PREFIX} characters"),
        ("fedcba98", "no job id starts with 'fedcba98' in the job store "),
    ],
    ids=["short", "unknown"],
)
def test_a_short_or_unknown_prefix_is_one_clear_error(
    related: MyProvider, text: str, expected: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(expected)) as caught:
        resolve_job_id(related, text)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("command", ["show", "result", "wait", "cancel", "delete"])
def test_every_jobs_command_with_an_id_takes_a_prefix(
    run: Run, stored: MyProvider, command: str
) -> None:
    job = stored.get_backend().run(bell_circuit(), shots=20, seed_simulator=1)
    job.result(timeout=60)
    code, out, err = run("jobs", command, job.job_id()[:MIN_PREFIX])
    if command == "cancel":  # a finished job: nothing to cancel, and the line says which job
        assert (code, out) == (1, "")
        assert f"job {job.job_id()} had already ended (DONE)" in err
    else:
        assert (code, err) == (0, "")
        assert job.job_id() in out


@pytest.mark.parametrize("command", ["show", "result", "wait", "cancel", "delete"])
def test_every_jobs_command_refuses_an_ambiguous_prefix_in_one_line(
    mistake: Callable[..., str], related: MyProvider, command: str
) -> None:
    err = mistake("jobs", command, TWINS[0][:MIN_PREFIX])
    assert "is ambiguous: 2 jobs match" in err
    assert all(job_id in err for job_id in TWINS)


def test_short_ids_are_8_characters_unless_another_id_starts_the_same() -> None:
    assert short_ids([COUSIN, TWINS[0]]) == [COUSIN[:8], TWINS[0][:8]]
    # The twins differ in their last digit only: nothing shorter keeps them apart; the
    # cousin, in its 8th, keeps its 8 characters.
    assert short_ids([*TWINS, COUSIN]) == [*TWINS, COUSIN[:8]]
    nine = ["12345678-9a00-4000-8000-000000000000", "12345678-9b00-4000-8000-000000000000"]
    assert short_ids(nine) == ["12345678-9a", "12345678-9b"]  # never cut at a dash
    assert short_ids([TWINS[0], TWINS[0]]) == [TWINS[0][:8]] * 2  # the same job twice
    assert short_ids([]) == []


def test_the_listing_shows_ids_that_are_prefixes_the_commands_take(
    run: Run, related: MyProvider
) -> None:
    rows = json.loads(run("jobs", "list", "--json")[1])
    shown = re.findall(r"^([0-9a-f-]{8,36})\s", run("jobs", "list")[1], re.M)
    assert sorted(shown) == sorted(short_ids([row["job_id"] for row in rows]))
    assert COUSIN[:8] in shown
    for prefix in shown:
        assert run("jobs", "show", prefix, "--json")[0] == 0
