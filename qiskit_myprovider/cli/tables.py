"""Tables that fit the terminal: the job listing and the catalogue, at any width.

Left to itself, rich shrinks every column of a table that is too wide, cutting dates and
names (``Cr``, ``20``, ``myprovider`` / ``_simulator``). These tables decide for
themselves instead. Columns whose values must stay whole (ids, statuses, backend names,
dates) never wrap; free text (a job's name and tags, a backend's description) wraps between
words in its column, or, where the column would be too narrow for that, goes on a line under
its row. Only below 80 columns do columns go (the least important first), and a last line
says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from rich import box
from rich.cells import cell_len
from rich.markup import escape
from rich.padding import Padding
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from qiskit_myprovider.cli.ids import short_ids
from qiskit_myprovider.cli.render import local_time, styled_status

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "DESCRIPTION_INDENT",
    "DESCRIPTION_WIDTH",
    "FREE_TEXT_WIDTH",
    "GAP",
    "Column",
    "fitting",
    "print_backends",
    "print_jobs",
    "width_of",
]

#: Spaces between two columns.
GAP: Final = 2
#: The narrowest a column of free text (a name, tags) is squeezed to before the name and
#: tags go under their job's row.
FREE_TEXT_WIDTH: Final = 10
#: The narrowest the catalogue's Description column wraps to before it goes under its row
#: (wider if a word of a description is longer).
DESCRIPTION_WIDTH: Final = 16
#: How far a description is indented under its backend's row.
DESCRIPTION_INDENT: Final = 4


@dataclass(frozen=True)
class Column:
    """A column, and the width it needs at the least.

    Attributes:
        header: Its header.
        width: The fewest cells it needs: its widest value for a column that stays whole,
            else the width its text may be wrapped to.
        whole: Whether its values stay whole (never wrapped or cut).
    """

    header: str
    width: int
    whole: bool = True


def width_of(columns: Sequence[Column]) -> int:
    """Return the cells that ``columns`` need at the least, with the gaps between them."""
    return sum(c.width for c in columns) + GAP * (len(columns) - 1)


def fitting(columns: Sequence[Column], width: int, droppable: Sequence[str]) -> list[Column]:
    """Return the columns to show in ``width`` cells, dropping from ``droppable`` in its order.

    Args:
        columns: Every column, in table order.
        width: The cells available.
        droppable: Headers of the columns that may go, least important first.

    Returns:
        The columns that fit (all when they do; the others always, even if they do not).
    """
    shown = list(columns)
    for header in (None, *droppable):
        shown = [c for c in shown if c.header != header]
        if width_of(shown) <= width:
            break
    return shown


def _table() -> Table:
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, GAP - 1, 0, 0))


def _widest(header: str, values: Sequence[str]) -> int:
    return max([cell_len(header), *(cell_len(value) for value in values)])


def _say_dropped(
    out: Console, columns: Sequence[Column], shown: Sequence[Column], more: str
) -> None:
    dropped = [c.header for c in columns if c not in shown]
    if dropped:
        out.print(
            f"({', '.join(dropped)} not shown at this width; {more})", highlight=False, style="dim"
        )


def print_jobs(out: Console, rows: Sequence[dict[str, Any]]) -> None:
    """Print ``jobs list``: short ids, status, backend, name, tags and creation time.

    Where some job is a primitive's, a Kind column says which (``sampler``, ``estimator``,
    or ``run`` for a ``backend.run`` job); it is the first to go when the width is short.

    Where the name and tags cannot have :data:`FREE_TEXT_WIDTH` cells each (or the width of
    their longest value, if less), they go on a line under their job's row instead.

    Args:
        out: Where to print (its width decides the layout).
        rows: The jobs, as :func:`~qiskit_myprovider.cli.render.job_row` describes them.
    """
    ids = short_ids([row["job_id"] for row in rows])
    created = [local_time(row["created"]) for row in rows]
    names = [row["name"] or "" for row in rows]
    tags = [", ".join(row["tags"]) for row in rows]

    def free(header: str, values: Sequence[str]) -> Column:
        return Column(header, min(_widest(header, values), FREE_TEXT_WIDTH), whole=False)

    kinds = [row.get("primitive_id") or "run" for row in rows]
    whole = [
        Column("Job id", _widest("Job id", ids)),
        Column("Status", _widest("Status", [row["status"] for row in rows])),
        *([Column("Kind", _widest("Kind", kinds))] if set(kinds) != {"run"} else []),
        Column("Backend", _widest("Backend", [row["backend"] for row in rows])),
    ]
    when = Column("Created", _widest("Created", created))
    columns = [*whole, free("Name", names), free("Tags", tags), when]
    under = width_of(columns) > out.width
    if under:
        shown = fitting([*whole, when], out.width, ("Kind", "Created", "Backend", "Status"))
    else:
        shown = columns
    listing = _table()
    for column in shown:
        style = "cyan" if column.header == "Job id" else None
        if column.whole:
            listing.add_column(column.header, style=style, no_wrap=True)
        else:  # free text wraps between words; a word too long for it ends in "…"
            listing.add_column(column.header, overflow="ellipsis", min_width=column.width)
    cells = {
        "Job id": ids,
        "Status": [styled_status(row["status"]) for row in rows],
        "Kind": [escape(kind) for kind in kinds],
        "Backend": [escape(row["backend"]) for row in rows],
        "Name": [escape(name) for name in names],
        "Tags": [escape(tag) for tag in tags],
        "Created": created,
    }
    for index in range(len(rows)):
        listing.add_row(*(cells[column.header][index] for column in shown))
    if not under:
        out.print(listing, highlight=False)
    else:
        details = [
            "  ".join(part for part in (name, f"[{tag}]" if tag else "") if part)
            for name, tag in zip(names, tags, strict=True)
        ]
        _print_with_details(out, listing, details, whole[0].width + GAP)
    _say_dropped(out, [*whole, when], shown, "--json has them")


def _print_with_details(out: Console, listing: Table, details: Sequence[str], indent: int) -> None:
    """Print a table whose rows are one line each, each row's ``details`` on a line below it."""
    lines = out.render_lines(listing, out.options, pad=False)
    header_lines = len(lines) - len(details)
    for line in lines[:header_lines]:
        out.print(Segments([*line, Segment.line()]))
    for line, detail in zip(lines[header_lines:], details, strict=True):
        out.print(Segments([*line, Segment.line()]))
        if detail:
            text = Text(detail, style="dim")
            out.print(Padding(text, (0, 0, 0, indent), expand=False), highlight=False)


def print_backends(out: Console, rows: Sequence[dict[str, Any]]) -> None:
    """Print ``backends``: name, method, qubits, noisy, device and description.

    Where the description cannot have a column of :data:`DESCRIPTION_WIDTH` cells, it goes
    on its own line under its backend's row instead.

    Args:
        out: Where to print (its width decides the layout).
        rows: The backends, as ``backends --json`` describes them.
    """
    names = [str(row["name"]) + (" *" if row["default"] else "") for row in rows]
    values = {
        "Name": names,
        "Method": [str(row["method"]) for row in rows],
        "Qubits": [str(row["num_qubits"]) for row in rows],
        "Noisy": ["yes" if row["noisy"] else "no" for row in rows],
        "Device": [str(row["device"]) for row in rows],
    }
    descriptions = [str(row["description"] or "") for row in rows]
    longest_word = max((cell_len(w) for d in descriptions for w in d.split()), default=0)
    description = Column("Description", max(DESCRIPTION_WIDTH, longest_word), whole=False)
    columns = [Column(header, _widest(header, cells)) for header, cells in values.items()]
    if width_of([*columns, description]) <= out.width:
        shown, under = columns, False
    else:
        shown, under = fitting(columns, out.width, ("Device", "Noisy", "Qubits", "Method")), True

    listing = _table()
    for column in shown:
        style = "cyan" if column.header == "Name" else None
        right = column.header == "Qubits"
        listing.add_column(
            column.header, style=style, justify="right" if right else "left", no_wrap=True
        )
    if not under:
        listing.add_column("Description", min_width=description.width)
    for index, text in enumerate(descriptions):
        cells = [escape(values[column.header][index]) for column in shown]
        listing.add_row(*cells, *([] if under else [escape(text)]))
    if not under:
        out.print(listing, highlight=False)
    else:
        _print_with_details(out, listing, descriptions, DESCRIPTION_INDENT)
    _say_dropped(out, columns, shown, "--json gives every field")
