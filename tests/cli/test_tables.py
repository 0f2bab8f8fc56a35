"""Tables at 80 and 100 columns: nothing wider, ids short, dates and backend names whole."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console

from qiskit_myprovider import MyProvider
from qiskit_myprovider.cli.ids import MIN_PREFIX
from qiskit_myprovider.cli.render import local_time
from qiskit_myprovider.cli.tables import print_backends, print_jobs
from qiskit_myprovider.clock import now
from qiskit_myprovider.provider import DEFAULT_BACKEND

#: The terminal widths every table must fit.
WIDTHS = (80, 100)
#: Narrower than 80: columns may go, and a line says which.
NARROW = 70
#: Too narrow for the whole columns of the listing (ids, status, backend, date).
JOBS_NARROW = 60


def render(width: int, draw: Any, rows: list[dict[str, Any]]) -> list[str]:
    """Print a table as a terminal of ``width`` columns would show it; return its lines."""
    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, color_system=None, force_terminal=True), rows)
    return buffer.getvalue().splitlines()


#: The backends most jobs run on.
COMMON_BACKENDS = ("myprovider_simulator", "myprovider_statevector")
#: The longest names in the catalogue (31 characters).
LONGEST_BACKENDS = ("myprovider_noisy_density_matrix", "myprovider_matrix_product_state")


def job_rows(backends: tuple[str, ...] = COMMON_BACKENDS) -> list[dict[str, Any]]:
    """Jobs of every status, with long names and many tags."""
    statuses = ["DONE", "CANCELLED", "RUNNING", "ERROR", "QUEUED"]
    names = [None, "bell", "a rather long experiment name", "x" * 40, "ghz-16"]
    tags = [[], ["a"], ["night", "calibration", "team-b"], ["t" * 30], ["a", "b"]]
    start = now()
    return [
        {
            "job_id": str(uuid.uuid4()),
            "status": statuses[i % 5],
            "backend": backends[i % 2],
            "name": names[i % 5],
            "tags": tags[i % 5],
            "created": (start - timedelta(hours=i)).isoformat(),
            "error": None,
        }
        for i in range(10)
    ]


def backend_rows() -> list[dict[str, Any]]:
    with MyProvider(store=":memory:") as provider:
        return [
            {
                "name": b.name,
                "method": b.method,
                "num_qubits": b.num_qubits,
                "noisy": b.noisy,
                "device": b.device,
                "description": b.description,
                "default": b.name == DEFAULT_BACKEND,
            }
            for b in provider.backends()
        ]


def words_in_order(text: str, lines: list[str]) -> bool:
    """Whether ``text``'s words appear, each whole, in order, across the lines."""
    flat = " ".join(line.strip() for line in lines)
    return re.search(r"\s+".join(map(re.escape, text.split())), flat) is not None


def check_listing(lines: list[str], rows: list[dict[str, Any]], width: int) -> None:
    """No line wider than the terminal; each job on a line with its short id, whole status,
    whole backend name and whole date."""
    assert max(len(line) for line in lines) <= width
    body = lines[2:]
    for row in rows:
        line = next(line for line in body if line.startswith(row["job_id"][:MIN_PREFIX] + " "))
        assert row["job_id"] not in line  # the short id only
        assert f" {row['status']} " in line
        assert f" {row['backend']} " in line  # never split
        assert line.rstrip().endswith(local_time(row["created"]))  # the whole date, last


ALL_COLUMNS = ["Job", "id", "Status", "Backend", "Name", "Tags", "Created"]
#: The columns when names and tags go under each row.
WHOLE_COLUMNS = ["Job", "id", "Status", "Backend", "Created"]


def short_rows() -> list[dict[str, Any]]:
    """Jobs whose names and tags are short: they fit their columns even at 80."""
    rows = job_rows()
    for index, row in enumerate(rows):
        row["name"], row["tags"] = [None, "bell", "ghz-16"][index % 3], [[], ["a"]][index % 2]
    return rows


def detail(row: dict[str, Any]) -> str:
    """The line under a job's row, when names and tags go there."""
    tags = f"[{', '.join(row['tags'])}]" if row["tags"] else ""
    return "  ".join(part for part in (row["name"] or "", tags) if part)


@pytest.mark.parametrize("width", WIDTHS)
def test_short_names_and_tags_have_their_columns_at_80_and_100(width: int) -> None:
    rows = short_rows()
    lines = render(width, print_jobs, rows)
    check_listing(lines, rows, width)
    assert lines[0].split() == ALL_COLUMNS
    assert len(lines) == 2 + len(rows)  # one line per job
    assert "not shown" not in "\n".join(lines)


@pytest.mark.parametrize(
    "backends", [COMMON_BACKENDS, LONGEST_BACKENDS], ids=["common", "longest-backends"]
)
@pytest.mark.parametrize("width", WIDTHS)
def test_long_names_and_tags_wrap_in_their_columns_or_go_under_their_row(
    width: int, backends: tuple[str, ...]
) -> None:
    """At 100 they have columns; at 80 there is no room for columns they could wrap in."""
    rows = job_rows(backends)
    lines = render(width, print_jobs, rows)
    check_listing(lines, rows, width)
    assert "not shown" not in "\n".join(lines)
    if width >= 100:
        assert lines[0].split() == ALL_COLUMNS
        return
    assert lines[0].split() == WHOLE_COLUMNS
    for row in rows:
        index = next(i for i, line in enumerate(lines) if line.startswith(row["job_id"][:8]))
        below = []
        for line in lines[index + 1 :]:
            if not line.startswith(" " * 10):
                break
            below.append(line.strip())
        # Under the status, wrapped between words if it must be.
        assert " ".join(" ".join(below).split()) == " ".join(detail(row).split())


def test_names_and_tags_wrap_between_words_in_their_columns() -> None:
    rows = job_rows()
    lines = render(100, print_jobs, rows)
    name_column = lines[0].index("Name")
    tags_column = lines[0].index("Tags")
    cells = {
        "Name": [line[name_column:tags_column] for line in lines[2:]],
        "Tags": [line[tags_column : lines[0].index("Created")] for line in lines[2:]],
    }
    words = {
        "Name": {w for row in rows for w in (row["name"] or "").split()},
        "Tags": {w for row in rows for w in ", ".join(row["tags"]).split()},
    }
    for column, shown in cells.items():
        for word in " ".join(shown).split():
            # Whole, or a word too long for the column: its start and "…"; never a piece
            # of a word carried over to the next line.
            whole = word in words[column]
            cut = word.endswith("…") and any(w.startswith(word[:-1]) for w in words[column])
            assert whole or cut, (column, word)
    assert any("…" in name for name in cells["Name"])  # the 40 x's: one word, shortened
    assert words_in_order("a rather long experiment name", cells["Name"])


def test_below_80_columns_the_least_important_columns_go_and_a_line_says_so() -> None:
    lines = render(JOBS_NARROW, print_jobs, job_rows())
    assert max(len(line) for line in lines) <= JOBS_NARROW
    assert lines[0].split() == ["Job", "id", "Status", "Backend"]
    assert words_in_order("(Created not shown at this width;", lines[-3:])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_kind_column_names_primitive_jobs_and_is_the_first_to_go(width: int) -> None:
    rows = short_rows()
    for index, row in enumerate(rows):
        row["primitive_id"] = ["sampler", "estimator", None][index % 3]
    lines = render(width, print_jobs, rows)
    check_listing(lines, rows, width)
    assert lines[0].split()[:5] == ["Job", "id", "Status", "Kind", "Backend"]
    for row in rows:
        line = next(line for line in lines if line.startswith(row["job_id"][:MIN_PREFIX]))
        assert f" {row['primitive_id'] or 'run'} " in line
    narrow = render(JOBS_NARROW, print_jobs, rows)
    assert "Kind" not in narrow[0]
    assert words_in_order("(Kind, Created not shown at this width;", narrow[-3:])


def test_without_primitive_jobs_there_is_no_kind_column() -> None:
    rows = short_rows()
    for row in rows:
        row["primitive_id"] = None
    assert "Kind" not in render(100, print_jobs, rows)[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_catalogue_keeps_its_description_and_every_column(width: int) -> None:
    rows = backend_rows()
    lines = render(width, print_backends, rows)
    assert max(len(line) for line in lines) <= width
    assert lines[0].split()[:5] == ["Name", "Method", "Qubits", "Noisy", "Device"]
    for row in rows:
        name = row["name"] + (" *" if row["default"] else "")
        line = next(line for line in lines if line.startswith(name + " "))
        assert f" {row['method']} " in line + " "
    text = "\n".join(lines)
    assert "not shown" not in text
    for row in rows:
        assert words_in_order(row["description"], lines)


def test_at_100_columns_the_description_is_a_column_at_80_a_line_under_its_row() -> None:
    rows = backend_rows()
    wide = render(100, print_backends, rows)
    assert wide[0].split()[-1] == "Description"
    narrow = render(80, print_backends, rows)
    assert "Description" not in narrow[0]
    for row in rows:
        name = row["name"] + (" *" if row["default"] else "")
        index = next(i for i, line in enumerate(narrow) if line.startswith(name + " "))
        assert narrow[index + 1].strip() == row["description"]


def test_below_80_columns_the_catalogue_drops_columns_and_says_which() -> None:
    lines = render(NARROW, print_backends, backend_rows())
    assert max(len(line) for line in lines) <= NARROW
    assert lines[0].split() == ["Name", "Method", "Qubits", "Noisy"]
    assert words_in_order("(Device not shown at this width;", lines[-3:])
