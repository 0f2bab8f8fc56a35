"""How jobs look in a notebook: a job, and a list of jobs, as a small HTML table.

Nothing here does I/O: a summary is made of what the job object already holds.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol, TypeVar

__all__ = ["JobList", "Summarised", "summary_table"]

#: The colour of each status name.
_COLOURS: Final = {"DONE": "#2e7d32", "ERROR": "#c62828", "CANCELLED": "#ef6c00"}


class Summarised(Protocol):
    """A job that can describe itself without I/O."""

    def summary(self) -> dict[str, str]:
        """The job's facts as text, by field name."""


_J = TypeVar("_J", bound=Summarised)


def summary_table(rows: Iterable[Mapping[str, str]], *, caption: str = "") -> str:
    """Render job summaries as one HTML table, a row per job, a column per field."""
    rows = list(rows)
    fields: list[str] = []
    for row in rows:
        fields += [field for field in row if field not in fields]
    head = "".join(f"<th style='text-align:left'>{html.escape(f)}</th>" for f in fields)
    body = "".join(
        "<tr>" + "".join(_cell(field, row.get(field, "")) for field in fields) + "</tr>"
        for row in rows
    )
    title = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(field: str, value: str) -> str:
    text = html.escape(value)
    if field == "status" and value in _COLOURS:
        text = f"<b style='color:{_COLOURS[value]}'>{text}</b>"
    return f"<td style='text-align:left'>{text}</td>"


class JobList(list[_J]):
    """A plain list of jobs that a notebook shows as one table."""

    def _repr_html_(self) -> str:
        return summary_table((job.summary() for job in self), caption=f"{len(self)} jobs")

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return JobList(item) if isinstance(index, slice) else item
