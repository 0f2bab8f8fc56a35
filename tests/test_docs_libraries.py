"""Every example of ``docs/libraries.rst`` is run by the interop suite of its library.

The main environment has none of those libraries, so the page's examples are plain
``.. code-block:: python`` blocks that the docs build does not run. Here, with no library
needed, we check that none escapes: each is named ``libraries-NAME``, has the output it
promises, and is run by ``tests/interop/NAME`` (a suite that a ``.ci/interop-*.sh`` script
builds and runs, which ``.ci/run`` calls).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.interop.examples_page import PAGE, named_blocks

ROOT = Path(__file__).resolve().parent.parent
TEXT = PAGE.read_text(encoding="utf-8")
EXAMPLES = sorted(
    name.removeprefix("libraries-")
    for name in named_blocks(TEXT)
    if name.startswith("libraries-") and not name.endswith("-output")
)


def test_every_python_block_on_the_page_is_a_named_example() -> None:
    python_blocks = re.findall(r"^\.\. code-block:: python\s*$", TEXT, flags=re.MULTILINE)
    assert len(python_blocks) == len(EXAMPLES) == 5


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_shows_its_output(name: str) -> None:
    assert named_blocks(TEXT)[f"libraries-{name}-output"].strip()


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_is_run_by_its_interop_suite(name: str) -> None:
    test = ROOT / "tests" / "interop" / name / "test_docs_example.py"
    assert f'run_example("{name}")' in test.read_text(encoding="utf-8")
    scripts = [
        script
        for script in (ROOT / ".ci").glob("interop-*.sh")
        if re.search(rf"^interop_suite {name} ", script.read_text(), flags=re.MULTILINE)
    ]
    assert len(scripts) == 1, f"no .ci/interop-*.sh runs the {name} suite"


def test_the_page_is_in_the_guides() -> None:
    index = (ROOT / "docs" / "index.rst").read_text(encoding="utf-8")
    assert re.search(r":caption: Guides\n\n(   \S+\n)*   libraries\n", index)
