"""A parser's error as one line with its line and column, and nothing of ANTLR's on stderr."""

from __future__ import annotations

import threading

import openqasm3
import pytest

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.qasm import parse_qasm
from qiskit_myprovider.qasm.diagnostics import antlr_console_quiet

MISSING_SEMICOLON = "OPENQASM 3.0;\nqubit[2] q;\nh q[0]\ncx q[0], q[1];\n"
BAD_CHARACTER = "OPENQASM 3.0;\nqubit q;\n$$ q;\n"
CUT_SHORT = "OPENQASM 3.0;\nqubit q;\nif (\n"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (MISSING_SEMICOLON, "line 3, column 7: expected ';' before 'cx'"),
        (BAD_CHARACTER, "line 3, column 1: token recognition error at: '$$'"),
        (CUT_SHORT, "line 4, column 1: unexpected end of file"),
        ("OPENQASM 3.0;\nqubit q;\n  foo q;\n", "line 3, column 3: gate 'foo' is not defined."),
        (
            "OPENQASM 2.0;\nqreg q[1];\n  foo q[0];\n",
            "line 3, column 3: 'foo' is not defined in this scope",
        ),
        (
            'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0] measure q[0];',
            "line 4, column 8: needed ';', but instead saw measure",
        ),
    ],
    ids=["missing-semicolon", "bad-character", "cut-short", "qasm3-undefined", "qasm2-undefined",
         "qasm2-missing-semicolon"],
)  # fmt: skip
def test_an_invalid_program_says_where_with_columns_counted_from_1_and_prints_nothing(
    capfd: pytest.CaptureFixture[str], text: str, detail: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_qasm(text, "mine")
    message = str(caught.value)
    assert message.startswith("Circuit 'mine' is not valid OpenQASM ")
    assert message.endswith(f": {detail}")
    assert caught.value.__cause__ is not None  # the parser's own error, kept
    assert capfd.readouterr() == ("", "")


def test_antlr_still_prints_for_other_callers(capfd: pytest.CaptureFixture[str]) -> None:
    """Only our own parses are quiet: a program using openqasm3 directly sees ANTLR as before."""
    with pytest.raises(InvalidInputError):
        parse_qasm(BAD_CHARACTER, "ours")  # installs the quiet-able listener
    with pytest.raises(openqasm3.parser.QASM3ParsingError):
        openqasm3.parse(BAD_CHARACTER)
    assert "line 3:0 token recognition error" in capfd.readouterr().err


def test_quiet_is_per_thread(capfd: pytest.CaptureFixture[str]) -> None:
    """A parse quiet in one thread does not silence ANTLR in another one at the same time."""
    failures: list[BaseException] = []

    def parse_elsewhere() -> None:
        try:
            openqasm3.parse(BAD_CHARACTER)
        except openqasm3.parser.QASM3ParsingError as exc:
            failures.append(exc)

    with antlr_console_quiet():
        other = threading.Thread(target=parse_elsewhere)
        other.start()
        other.join()
    assert len(failures) == 1
    assert "line 3:0 token recognition error" in capfd.readouterr().err
