"""The ibm_runtime example of ``docs/libraries.rst`` runs as written and prints what it shows."""

from __future__ import annotations

import pytest

from ..examples_page import run_example


@pytest.mark.filterwarnings("ignore:The SamplerV2 class is deprecated:DeprecationWarning")
def test_the_pages_example_runs_and_prints_what_the_page_shows() -> None:
    printed, expected = run_example("ibm_runtime")
    assert printed == expected
