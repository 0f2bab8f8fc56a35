"""``qiskit-myprovider backends``: the catalogue as a table and as JSON."""

from __future__ import annotations

import json
import re

from qiskit_myprovider import MyProvider
from tests.cli.conftest import Run


def test_backends_lists_every_backend_with_its_properties(run: Run) -> None:
    code, out, err = run("backends")
    assert (code, err) == (0, "")
    header = out.splitlines()[0].split()
    assert header == ["Name", "Method", "Qubits", "Noisy", "Device", "Description"]
    with MyProvider(store=":memory:") as provider:
        for backend in provider.backends():
            line = next(line for line in out.splitlines() if line.startswith(backend.name + " "))
            assert backend.method in line
            assert str(backend.num_qubits) in line
            assert backend.description in line
    assert re.search(r"^myprovider_simulator \*", out, re.M)
    assert out.rstrip().endswith("* the default backend (used when --backend is not given)")


def test_backends_json_lists_the_same_backends(run: Run) -> None:
    code, out, _ = run("backends", "--json")
    rows = json.loads(out)
    assert code == 0
    with MyProvider(store=":memory:") as provider:
        assert [row["name"] for row in rows] == [b.name for b in provider.backends()]
    assert {"name", "method", "num_qubits", "noisy", "device", "description"} <= set(rows[0])
    assert [row["name"] for row in rows if row["default"]] == ["myprovider_simulator"]
