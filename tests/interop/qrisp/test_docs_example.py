"""The worked example of ``docs/qrisp.rst`` runs as written and prints what the page shows.

The docs build cannot run it (the main environment has no Qrisp), so this test does: it
takes every ``.. code-block:: python`` of the page, runs them in order in one namespace,
and compares what they print with the page's ``.. code-block:: text`` blocks.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

PAGE = Path(__file__).resolve().parents[3] / "docs" / "qrisp.rst"


def code_blocks(text: str, language: str) -> list[str]:
    """Return the bodies of the page's ``.. code-block:: <language>`` directives, in order."""
    blocks: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != f".. code-block:: {language}":
            index += 1
            continue
        index += 1
        while index < len(lines) and lines[index].strip().startswith(":"):
            index += 1  # directive options
        body: list[str] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
            body.append(lines[index])
            index += 1
        blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
    return blocks


def test_the_page_has_one_example_and_its_output() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert len(code_blocks(text, "python")) == 1
    assert len(code_blocks(text, "text")) == 1


def test_the_worked_example_runs_and_prints_what_the_page_shows() -> None:
    text = PAGE.read_text(encoding="utf-8")
    (example,) = code_blocks(text, "python")
    (expected,) = code_blocks(text, "text")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, str(PAGE), "exec"), {"__name__": "docs_qrisp_example"})
    assert printed.getvalue() == expected
