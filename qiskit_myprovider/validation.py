"""One validator for each small value users hand in: shots, seeds, seconds, tags, ids, dates.

Every function returns the value in its canonical form or raises an error of the documented
tree (``InvalidInputTypeError`` is a ``TypeError``, ``InvalidInputError`` a ``ValueError``)
whose message names the value and the valid range. Callers pass ``name`` so the message
names the argument the user wrote.
"""

from __future__ import annotations

import math
import numbers
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from qiskit_myprovider.clock import aware
from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = [
    "MAX_COUNT",
    "MAX_SEED",
    "MAX_SHOTS",
    "MAX_TEXT",
    "deadline",
    "validate_count",
    "validate_datetime",
    "validate_interval",
    "validate_job_id",
    "validate_seed",
    "validate_shots",
    "validate_tags",
    "validate_text",
    "validate_timeout",
]

#: The most shots one experiment may ask for.
MAX_SHOTS: Final = 10**9
#: The largest seed Aer takes (its seeds are signed 64-bit integers).
MAX_SEED: Final = 2**63 - 1
#: The largest count (limit, skip) the job store can hold: SQLite's integers are 64-bit.
MAX_COUNT: Final = 2**63 - 1
#: The longest job name or tag, in characters.
MAX_TEXT: Final = 1000


def _int_like(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def validate_shots(value: object, *, name: str = "shots") -> int:
    """Return ``value`` as an int if it is a valid shot count.

    Args:
        value: The proposed number of shots.
        name: The argument's name, for messages.

    Returns:
        The shot count as a plain ``int``.

    Raises:
        InvalidInputTypeError: ``value`` is not an integer (``True``, ``1.5`` and ``"10"`` are not).
        InvalidInputError: ``value`` is not between 1 and 10**9.
    """
    if not _int_like(value):
        raise InvalidInputTypeError(
            f"{name} must be a positive int, not {type(value).__name__} {value!r}"
        )
    shots: int = int(value)  # type: ignore[call-overload]
    if not 1 <= shots <= MAX_SHOTS:
        raise InvalidInputError(f"{name} must be between 1 and {MAX_SHOTS}, not {shots}")
    return shots


def validate_seed(value: object, *, name: str = "seed_simulator") -> int | None:
    """Return ``value`` as an int seed, or None (no seed).

    Raises:
        InvalidInputTypeError: ``value`` is neither None nor an integer.
        InvalidInputError: ``value`` is outside 0 .. 2**63 - 1.
    """
    if value is None:
        return None
    if not _int_like(value):
        raise InvalidInputTypeError(f"{name} must be an int or None, not {value!r}")
    seed: int = int(value)  # type: ignore[call-overload]
    if not 0 <= seed <= MAX_SEED:
        raise InvalidInputError(f"{name} must be between 0 and 2**63 - 1, not {seed}")
    return seed


def _seconds(name: str, value: object, *, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputTypeError(f"{name} must be {what}, not {value!r}")
    return float(value)


def validate_timeout(value: object, *, name: str = "timeout") -> float | None:
    """Return a timeout in seconds: None (no limit) or a number >= 0.

    A timeout longer than any wait can last (``math.inf`` included) means no limit: None.

    Raises:
        InvalidInputTypeError: ``value`` is not a number or None.
        InvalidInputError: ``value`` is negative or NaN.
    """
    if value is None:
        return None
    seconds = _seconds(name, value, what="a number of seconds or None")
    if not seconds >= 0:
        raise InvalidInputError(f"{name} must be >= 0 seconds or None, not {value}")
    return None if seconds >= threading.TIMEOUT_MAX else seconds


def validate_interval(value: object, *, name: str = "wait") -> float:
    """Return a positive, finite number of seconds (a polling or callback interval).

    Raises:
        InvalidInputTypeError: ``value`` is not a number.
        InvalidInputError: ``value`` is not positive, or not finite.
    """
    seconds = _seconds(name, value, what="a number of seconds")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise InvalidInputError(f"{name} must be a positive, finite number of seconds, not {value}")
    return min(seconds, threading.TIMEOUT_MAX)


def deadline(timeout: object, *, name: str = "timeout") -> float | None:
    """Return the ``time.monotonic()`` moment a timeout ends (None: never).

    Raises:
        InvalidInputTypeError: as :func:`validate_timeout`.
        InvalidInputError: as :func:`validate_timeout`.
    """
    seconds = validate_timeout(timeout, name=name)
    return None if seconds is None else time.monotonic() + seconds


def validate_text(value: object, *, name: str) -> str:
    """Return ``value`` if it is text the job store can keep: a job name, a tag.

    Raises:
        InvalidInputTypeError: ``value`` is not a string.
        InvalidInputError: it holds a NUL character or an unpaired surrogate (not valid
            UTF-8), or is longer than 1000 characters.
    """
    if not isinstance(value, str):
        raise InvalidInputTypeError(f"{name} must be a str, not {type(value).__name__} {value!r}")
    if "\x00" in value:
        raise InvalidInputError(f"{name} must not contain NUL characters: {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{name} is not valid text (it holds an unpaired surrogate): {value!r}"
        ) from None
    if len(value) > MAX_TEXT:
        raise InvalidInputError(
            f"{name} is {len(value)} characters long; at most {MAX_TEXT} are kept"
        )
    return value


def validate_tags(tags: object) -> list[str]:
    """Return ``tags`` as a list of strings.

    Args:
        tags: A sequence of strings (a lone string is refused: it is almost always a mistake).

    Returns:
        The tags, in order, duplicates removed.

    Raises:
        InvalidInputTypeError: ``tags`` is a string, not a sequence, or holds a non-string.
        InvalidInputError: a tag the store cannot keep (see :func:`validate_text`).
    """
    if isinstance(tags, str) or not isinstance(tags, Sequence | set | frozenset):
        raise InvalidInputTypeError(
            f"job tags must be a list of strings, not {type(tags).__name__} {tags!r}"
        )
    result: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInputTypeError(
                f"job tags must be strings; {tag!r} is a {type(tag).__name__}"
            )
        validate_text(tag, name="a job tag")
        if tag not in result:
            result.append(tag)
    return result


def validate_job_id(job_id: object) -> str:
    """Return ``job_id`` in canonical form (a lower-case UUID string).

    Raises:
        InvalidInputTypeError: ``job_id`` is not a string.
        InvalidInputError: ``job_id`` is not a well-formed job id.
    """
    if not isinstance(job_id, str):
        raise InvalidInputTypeError(f"A job id must be a str, not {type(job_id).__name__}")
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise InvalidInputError(
            f"'{job_id}' is not a job id (job ids look like "
            "'3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b')"
        ) from None


def validate_count(name: str, value: object, *, allow_none: bool = False) -> int | None:
    """Return a count (a limit, a number to skip): an int >= 0, or None where allowed.

    Raises:
        InvalidInputTypeError: ``value`` is not an int (or None where allowed).
        InvalidInputError: ``value`` is negative.
    """
    if value is None and allow_none:
        return None
    if not _int_like(value):
        raise InvalidInputTypeError(f"{name} must be an int, not {value!r}")
    count: int = int(value)  # type: ignore[call-overload]
    if not 0 <= count <= MAX_COUNT:
        raise InvalidInputError(f"{name} must be between 0 and 2**63 - 1, not {count}")
    return count


def validate_datetime(name: str, value: object) -> datetime | None:
    """Return a datetime made timezone-aware (naive means local time), or None.

    Raises:
        InvalidInputTypeError: ``value`` is neither a datetime nor None.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInputTypeError(f"{name} must be a datetime, not {type(value).__name__}")
    try:
        return aware(value)
    except (OverflowError, ValueError, OSError):  # beyond what local time can express
        raise InvalidInputError(
            f"{name}={value!r} is out of range; give a datetime with a timezone, or a "
            "later/earlier one"
        ) from None
