"""The OpenQASM leaf: the one header rule, and what ``parse_qasm`` adds for files."""

from __future__ import annotations

from pathlib import Path

import pytest

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.qasm import DEFAULT_MAJOR, declared_version, parse_qasm
from tests.support import BELL_QASM2, BELL_QASM3


@pytest.mark.parametrize(
    ("text", "version"),
    [
        (BELL_QASM2, (2, 0)),
        (BELL_QASM3, (3, 0)),
        ("OPENQASM 3;\nqubit q;", (3, 0)),
        ("OPENQASM 3.1;", (3, 1)),
        ("  // a comment\n/* a block\n comment */\nOPENQASM 2.0;", (2, 0)),
        ("OPENQASM 4.0;", (4, 0)),
        ("qubit q;", None),
        ("// OPENQASM 2.0;\nqubit q;", None),
        ("qubit q; // OPENQASM 2.0;", None),
    ],
)
def test_declared_version_reads_the_header_after_comments(
    text: str, version: tuple[int, int] | None
) -> None:
    assert declared_version(text) == version


def test_a_program_without_header_is_parsed_as_the_default_version() -> None:
    assert DEFAULT_MAJOR == 3
    body = BELL_QASM3.split("\n", 1)[1]  # without its 'OPENQASM 3.0;' line
    assert declared_version(body) is None
    assert parse_qasm(body, "bell").num_qubits == 2


def test_includes_are_found_on_the_include_path(tmp_path: Path) -> None:
    (tmp_path / "mygates.inc").write_text("gate bell a, b { h a; cx a, b; }\n")
    text = (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\ninclude "mygates.inc";\n'
        "qreg q[2];\ncreg c[2];\nbell q[0], q[1];\nmeasure q -> c;\n"
    )
    with pytest.raises(InvalidInputError, match="Circuit 'mine' is not valid OpenQASM 2"):
        parse_qasm(text, "mine", include_path=(tmp_path / "elsewhere",))
    circuit = parse_qasm(text, "mine", include_path=(tmp_path,))
    assert circuit.count_ops()["bell"] == 1


def test_invalid_text_is_chained_to_the_parsers_error() -> None:
    with pytest.raises(InvalidInputError, match="Circuit 'x' is not valid OpenQASM 3") as caught:
        parse_qasm("OPENQASM 3.0;\nqubit q;\nfoo q;\n", "x")
    assert caught.value.__cause__ is not None
    assert "foo" in str(caught.value.__cause__)


def test_an_unsupported_version_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="Circuit 'v4' declares OpenQASM 4; OpenQASM 2"):
        parse_qasm("OPENQASM 4.0;\nqubit q;", "v4")
