"""Timestamps: every time the package records is timezone-aware, in local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["aware", "micros", "now"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def now() -> datetime:
    """Return the current time, timezone-aware, in local time."""
    return datetime.now().astimezone()


def aware(when: datetime) -> datetime:
    """Return ``when`` timezone-aware: a naive datetime means local time."""
    return when if when.tzinfo is not None else when.astimezone()


def micros(when: datetime) -> int:
    """Return ``when`` as microseconds after the Unix epoch (a naive time means local time)."""
    return (aware(when) - _EPOCH) // _MICROSECOND
