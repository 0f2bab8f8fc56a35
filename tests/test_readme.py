"""The README's set-up commands, the CI script that runs them, and the README's examples."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = ROOT / ".ci" / "run"

MAIN_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && "
    ".venv/bin/qiskit-myprovider run examples/ghz.qasm"
)


def command_after(marker: str) -> list[str]:
    """The lines of the fenced block that follows ``<!-- marker -->`` in the README."""
    match = re.search(rf"^<!-- {marker} -->\s*\n```[a-z]*\n(.*?)^```", README, re.M | re.S)
    assert match, f"README.md has no fenced block after '<!-- {marker} -->'"
    return match[1].splitlines()


def test_the_main_command_is_one_line_that_runs_the_ghz_example_through_the_cli() -> None:
    assert command_after("main-command") == [MAIN_COMMAND]
    assert (ROOT / "examples" / "ghz.qasm").is_file()


def test_the_test_command_is_one_line_that_installs_lints_tests_and_builds_the_docs() -> None:
    (command,) = command_after("test-command")
    steps = command.split(" && ")
    assert steps[:2] == ["python3 -m venv .venv", '.venv/bin/pip install -e ".[dev]"']
    assert ".venv/bin/ruff check ." in steps
    assert ".venv/bin/mypy" in steps
    assert ".venv/bin/python -m pytest" in steps
    assert ".venv/bin/sphinx-build -W -b html docs docs/_build/html" in steps
    assert ".venv/bin/sphinx-build -W -b doctest docs docs/_build/doctest" in steps


def test_ci_run_is_an_executable_strict_bash_script() -> None:
    assert os.access(CI_RUN, os.X_OK)
    text = CI_RUN.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_run_runs_exactly_the_readme_test_command(tmp_path: Path) -> None:
    # Run from elsewhere: the script must find the README relative to itself.
    done = subprocess.run(
        ["bash", str(CI_RUN), "--print"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == command_after("test-command")


@pytest.mark.parametrize(
    "block",
    re.findall(r"^```python\n(.*?)^```", README, re.M | re.S),
    ids=lambda block: block.splitlines()[0][:40],
)
def test_the_readme_python_examples_run(block: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})
    assert capsys.readouterr().out
