"""``examples/qrisp_arithmetic.py`` runs as a script with real Qrisp and prints exact products.

The main test suite cannot run it (its environment has no Qrisp); ``tests/test_examples.py``
checks that this file does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "qrisp_arithmetic.py"


def test_qrisp_arithmetic_example_prints_exact_products_on_both_routes(tmp_path: Path) -> None:
    env = {**os.environ, "QISKIT_MYPROVIDER_STORE": str(tmp_path / "jobs.sqlite3")}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for route in ("JobContractBackend", "QiskitBackend(MyBackend)"):
        assert f"{route}: 3 * 3 = {{9: 1.0}}" in lines
        assert f"{route}: 5 * 6 = {{30: 1.0}}" in lines
        assert f"{route}: 7 * 7 = {{49: 1.0}}" in lines
    sums = [line for line in lines if line.startswith("x = ")]
    assert sums, done.stdout
    for line in sums:
        match = re.fullmatch(r"x = (\d): x \+ 5 = (\d+) \(probability 0\.\d\d\)", line)
        assert match, line
        assert int(match[2]) == int(match[1]) + 5
    assert re.fullmatch(r"\d+ jobs recorded in the job store", lines[-1])
