"""The pennylane example of ``docs/libraries.rst`` runs as written and prints what it shows."""

from __future__ import annotations

from ..examples_page import run_example


def test_the_pages_example_runs_and_prints_what_the_page_shows() -> None:
    printed, expected = run_example("pennylane")
    assert printed == expected
