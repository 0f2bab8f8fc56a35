"""The OpenQASM file that ``run`` is given: reading it, its includes, and its mistakes."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qiskit_myprovider.cli.errors import CommandError
from qiskit_myprovider.cli.source import load_circuit
from tests.cli.conftest import BAD_QASM2, BELL, Run, write
from tests.support import BELL_QASM2, BELL_QASM3

BAD_QASM3 = "OPENQASM 3.0;\nqubit q;\nfoo q;\n"
NO_MEASURE = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n'
PARAMETRIC = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\n'
    "qubit q;\nbit c;\nrx(theta) q;\nc = measure q;\n"
)


@pytest.mark.parametrize(
    ("make_args", "expected"),
    [
        (lambda tmp: ["run", tmp / "missing.qasm"], "no such file"),
        (lambda tmp: ["run", tmp], "is a directory"),
        (lambda tmp: ["run", write(tmp, BAD_QASM2)], r"not valid OpenQASM 2: line 3.*'foo'"),
        (lambda tmp: ["run", write(tmp, BAD_QASM3)], r"not valid OpenQASM 3: line 3.*'foo'"),
        (lambda tmp: ["run", write(tmp, "OPENQASM 4.0;\n")], "reads OpenQASM 2 and 3"),
        (lambda tmp: ["run", write(tmp, NO_MEASURE)], "measures nothing"),
        (lambda tmp: ["run", write(tmp, PARAMETRIC)], r"parameters without values \(theta\)"),
    ],
    ids=[
        "missing-file", "directory", "bad-qasm2", "bad-qasm3", "qasm4", "no-measure", "unbound",
    ],
)  # fmt: skip
def test_a_mistake_in_the_file_is_one_error_line_and_exit_status_2(
    mistake: Callable[..., str],
    tmp_path: Path,
    make_args: Callable[[Path], list[object]],
    expected: str,
) -> None:
    assert re.search(expected, mistake(*make_args(tmp_path)))


def test_a_file_without_header_is_read_as_openqasm3_and_the_error_says_so(
    mistake: Callable[..., str], tmp_path: Path
) -> None:
    err = mistake("run", write(tmp_path, "qubit q;\nfoo q;\n"))
    assert re.search(
        r"is not valid OpenQASM 3 \(the file has no 'OPENQASM x;' header, so it was read as 3\): "
        r"line 2, column \d+: ",
        err,
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("OPENQASM 3.0;\nqubit[2] q;\nh q[0]\ncx q[0], q[1];\n", "line 3, column 7: expected ';'"),
        ("OPENQASM 3.0;\nqubit q;\n$$ q;\n", "line 3, column 1: token recognition error"),
    ],
    ids=["missing-semicolon", "bad-character"],
)
def test_an_openqasm3_syntax_error_is_our_one_line_with_line_and_column(
    mistake: Callable[..., str], tmp_path: Path, text: str, where: str
) -> None:
    """ANTLR's own "line 1:0 ..." would come first on stderr; ``mistake`` sees one line only."""
    err = mistake("run", write(tmp_path, text))
    assert f"is not valid OpenQASM 3: {where}" in err
    assert "QASM3ParsingError" not in err


def test_a_file_that_is_not_utf8_text_is_one_error_line(
    mistake: Callable[..., str], tmp_path: Path
) -> None:
    path = tmp_path / "binary.qasm"
    path.write_bytes(b"\xff\xfe\x00OPENQASM")
    assert mistake("run", path) == f"error: {path} is not a text (UTF-8) file\n"


def test_a_header_without_its_semicolon_is_still_the_header(
    mistake: Callable[..., str], tmp_path: Path
) -> None:
    """The package's one header rule (qiskit_myprovider.qasm) needs no ';' to tell the version."""
    err = mistake("run", write(tmp_path, BELL_QASM2.replace("2.0;", "2.0", 1)))
    assert re.search(r"is not valid OpenQASM 2: line 2, column \d+: needed ;", err)


def test_the_unsupported_version_is_named_with_its_minor(
    mistake: Callable[..., str], tmp_path: Path
) -> None:
    path = write(tmp_path, "// a comment first\nOPENQASM 4;\n")
    assert mistake("run", path) == (
        f"error: {path} declares OpenQASM 4.0; this command reads OpenQASM 2 and 3\n"
    )


def test_qasm2_includes_resolve_next_to_the_file(run: Run, tmp_path: Path) -> None:
    write(tmp_path, "gate bell a, b { h a; cx a, b; }\n", "mygates.inc")
    path = write(
        tmp_path,
        'OPENQASM 2.0;\ninclude "qelib1.inc";\ninclude "mygates.inc";\n'
        "qreg q[2];\ncreg c[2];\nbell q[0], q[1];\nmeasure q -> c;\n",
    )
    code, out, _ = run("run", path, "--json")
    assert code == 0
    assert set(json.loads(out)["counts"]) <= {"00", "11"}


def test_run_reads_stdin_for_dash(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(BELL.read_text()))
    code, out, _ = run("run", "-", "--json")
    assert code == 0
    assert set(json.loads(out)["counts"]) <= {"00", "11"}


@pytest.mark.parametrize("text", [BELL_QASM2, BELL_QASM3], ids=["qasm2", "qasm3"])
def test_a_circuit_is_named_after_its_file_and_a_bom_is_ignored(tmp_path: Path, text: str) -> None:
    circuit = load_circuit(str(write(tmp_path, "\ufeff" + text, "my_bell.qasm")))
    assert circuit.name == "my_bell"
    assert (circuit.num_qubits, circuit.num_clbits) == (2, 2)


def test_the_source_given_is_parsed_instead_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "not OpenQASM at all")
    assert load_circuit(str(path), BELL_QASM3).num_qubits == 2


def test_a_bad_file_raises_a_command_error_chained_to_the_parsers_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not valid OpenQASM 2: line 3") as caught:
        load_circuit(str(write(tmp_path, BAD_QASM2)))
    assert caught.value.exit_code == 2
    assert caught.value.__cause__ is not None
    assert caught.value.__cause__.__cause__ is not None  # the parser's own error
