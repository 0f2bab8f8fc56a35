"""Timestamps: every time the package records is timezone-aware, in local time."""

from __future__ import annotations

from datetime import datetime

__all__ = ["aware", "now"]


def now() -> datetime:
    """Return the current time, timezone-aware, in local time."""
    return datetime.now().astimezone()


def aware(when: datetime) -> datetime:
    """Return ``when`` timezone-aware: a naive datetime means local time."""
    return when if when.tzinfo is not None else when.astimezone()
