"""The mthree example of ``docs/libraries.rst`` runs as written and prints what it shows."""

from __future__ import annotations

import pytest

from ..examples_page import run_example


@pytest.mark.filterwarnings(
    "ignore:Treating CircuitInstruction as an iterable:DeprecationWarning:mthree"
)
def test_the_pages_example_runs_and_prints_what_the_page_shows() -> None:
    printed, expected = run_example("mthree")
    assert printed == expected
