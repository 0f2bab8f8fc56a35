"""The examples of ``docs/libraries.rst``: each is run by the interop suite of its library.

The main environment, where the docs build runs, has none of these libraries, so the page's
examples are ``.. code-block:: python`` blocks, each named ``libraries-NAME`` (``:name:``),
with what it prints in a ``.. code-block:: text`` named ``libraries-NAME-output``. The suite
in ``tests/interop/NAME`` runs its example with :func:`run_example` and compares what it
prints; a test of the main suite checks that every example is claimed by a suite.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path
from typing import Final

PAGE: Final = Path(__file__).resolve().parents[2] / "docs" / "libraries.rst"


def named_blocks(text: str) -> dict[str, str]:
    """Return the page's named code blocks (python and text) by name, bodies dedented."""
    blocks: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].strip().startswith(".. code-block::"):
            index += 1
            continue
        index += 1
        name = None
        while index < len(lines) and lines[index].strip().startswith(":"):
            option, _, value = lines[index].strip()[1:].partition(":")
            if option == "name":
                name = value.strip()
            index += 1
        body: list[str] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
            body.append(lines[index])
            index += 1
        if name is not None:
            blocks[name] = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
    return blocks


def run_example(name: str) -> tuple[str, str]:
    """Run the example ``libraries-NAME``; return what it printed and what the page shows."""
    blocks = named_blocks(PAGE.read_text(encoding="utf-8"))
    code, expected = blocks[f"libraries-{name}"], blocks[f"libraries-{name}-output"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{PAGE}:libraries-{name}", "exec"), {"__name__": f"docs_{name}"})
    return printed.getvalue(), expected
