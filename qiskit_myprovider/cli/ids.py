"""Job ids on the command line: a unique prefix stands for the whole id, and tables show one.

A job id is a UUID, 36 characters; nobody types that. Every ``jobs`` command that takes an
id also takes a prefix of at least :data:`MIN_PREFIX` characters that only one stored job's
id starts with (:func:`resolve_job_id`, the one place that reads a prefix), and ``jobs
list`` shows ids cut to the shortest such prefix (:func:`short_ids`). A prefix is looked up
with a range query on the store file's primary key
(:func:`~qiskit_myprovider.store.listing.find_ids`), never by reading every id.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.store.listing import ListingUnavailable, PrefixMatches, find_ids

if TYPE_CHECKING:
    from qiskit_myprovider.provider import MyProvider

__all__ = ["MIN_PREFIX", "SHOWN_CANDIDATES", "resolve_job_id", "short_ids"]

#: The fewest characters of a job id that a prefix may have (and that tables show).
MIN_PREFIX: Final = 8
#: How many of the matching ids an "ambiguous prefix" message names.
SHOWN_CANDIDATES: Final = 3
#: The characters of a job id: hexadecimal digits and dashes.
_ID_CHARACTERS: Final = re.compile(r"[0-9a-f-]+")
#: Hexadecimal digits in a whole job id.
_ID_DIGITS: Final = 32
#: Where the dashes of a job id go, counted in its digits (8-4-4-4-12).
_DASHES_AFTER: Final = (8, 12, 16, 20)


def resolve_job_id(provider: MyProvider, text: str) -> str:
    """Return the job id that ``text`` stands for: the id itself, or a unique prefix of one.

    A whole id (or anything that is no id at all) is returned as given, for
    ``provider.job`` to look up or refuse with its own message. A prefix is matched,
    case-blind and with or without its dashes, against the ids in the job store.

    Args:
        provider: The provider whose job store holds the jobs.
        text: What the user typed.

    Returns:
        The job id.

    Raises:
        CommandError: the prefix is shorter than :data:`MIN_PREFIX` characters, no job's id
            starts with it, or several do (the message names a few); exit status 2.
    """
    prefix = text.strip().lower()
    digits = prefix.replace("-", "")
    if not _ID_CHARACTERS.fullmatch(prefix) or len(digits) >= _ID_DIGITS:
        return text  # a whole id, or no id: provider.job() says which
    if len(digits) < MIN_PREFIX:
        raise CommandError(
            f"job id prefix '{text}' is too short: give at least {MIN_PREFIX} characters of "
            "the id (as 'jobs list' shows them), or the whole id"
        )
    found = _matches(provider, _dashed(digits))
    matches = list(found.first)
    if found.count == 1:
        return matches[0]
    if not found.count:
        raise CommandError(
            f"no job id starts with '{text}' in the job store {provider.store.location} "
            "('jobs list' shows the jobs there)"
        )
    named = ", ".join(matches[:SHOWN_CANDIDATES])
    more = found.count - SHOWN_CANDIDATES
    raise CommandError(
        f"job id prefix '{text}' is ambiguous: {found.count} jobs match ({named}"
        + (f" and {more} more" if more > 0 else "")
        + "); give more characters"
    )


def _dashed(digits: str) -> str:
    """Return the start of an id, given as digits, in the id's own form (with its dashes)."""
    parts, start = [], 0
    for end in (*_DASHES_AFTER, _ID_DIGITS):
        parts.append(digits[start:end])
        if end >= len(digits):
            break
        start = end
    return "-".join(parts)


def _matches(provider: MyProvider, prefix: str) -> PrefixMatches:
    """The stored ids that start with ``prefix``: by the store file's index, else by reading all."""
    location = provider.store.location
    if os.path.isfile(location):
        with contextlib.suppress(ListingUnavailable):
            return find_ids(location, prefix, first=SHOWN_CANDIDATES)
    # Not a file this module can read (a memory store, a store of the caller's own, one the
    # store must repair first): every id is read instead.
    ids = sorted(
        job.job_id() for job in provider.jobs(limit=None) if job.job_id().startswith(prefix)
    )
    return PrefixMatches(len(ids), tuple(ids[:SHOWN_CANDIDATES]))


def short_ids(job_ids: Sequence[str]) -> list[str]:
    """Return each id cut to the shortest prefix that no other of ``job_ids`` starts with.

    A prefix has at least :data:`MIN_PREFIX` characters, and never ends at a dash. Each
    shortened id is a prefix that :func:`resolve_job_id` reads back, as long as no job
    outside ``job_ids`` shares it (with 8 hexadecimal digits, a clash is a 1 in 4 billion
    chance for a pair of jobs).
    """
    ordered = sorted(set(job_ids))
    # In sorted order, the ids an id shares most of its start with are its neighbours.
    needed: dict[str, int] = {}
    for index, job_id in enumerate(ordered):
        neighbours = ordered[max(index - 1, 0) : index] + ordered[index + 1 : index + 2]
        shared = max((_shared_start(job_id, n) for n in neighbours), default=0)
        length = max(MIN_PREFIX, shared + 1)
        while length < len(job_id) and job_id[length - 1] == "-":
            length += 1
        needed[job_id] = length
    return [job_id[: needed[job_id]] for job_id in job_ids]


def _shared_start(one: str, other: str) -> int:
    """How many characters two ids have in common at their start."""
    count = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        count += 1
    return count
