"""An OpenQASM file given on the command line, read into a circuit that ``run`` can run.

Parsing is :mod:`qiskit_myprovider.qasm`'s (the package's one OpenQASM loader and header
rule, and the one place that reads where a parser says the text went wrong); this module
adds what only a command line needs: reading a file or stdin, OpenQASM 2 includes next to
the file, messages that name the file, and the checks that a file must pass to be run as
given (every parameter bound, something measured).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qiskit_myprovider.cli.errors import CommandError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = ["display_name", "load_circuit", "load_circuits", "read_source"]


def display_name(file: str) -> str:
    """Return how messages name a file argument (``-`` is ``<stdin>``)."""
    return "<stdin>" if file == "-" else file


def read_source(file: str) -> str:
    """Read an OpenQASM file (``-``: stdin) as text.

    Raises:
        CommandError: the file is missing, a directory, not UTF-8 text, or unreadable.
    """
    name = display_name(file)
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise CommandError(f"{name} is a directory, not an OpenQASM file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not a text (UTF-8) file") from None
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from exc


def load_circuit(file: str, source: str | None = None) -> QuantumCircuit:
    """Parse an OpenQASM 2 or 3 file (``-``: stdin) into a circuit named after the file.

    Args:
        file: The file's path, or ``-`` for stdin.
        source: The file's text, if already read (else it is read here).

    Returns:
        The circuit, named after the file's stem (``stdin`` for ``-``).

    Raises:
        CommandError: the file cannot be read, is not OpenQASM 2 or 3, has parameters
            without values, or measures nothing.
    """
    from qiskit_myprovider.exceptions import InvalidInputError
    from qiskit_myprovider.qasm import DEFAULT_MAJOR, declared_version, parse_qasm, parser_message

    name = display_name(file)
    if source is None:
        source = read_source(file)
    directory, stem = (Path.cwd(), "stdin") if file == "-" else (Path(file).parent, Path(file).stem)
    source = source.removeprefix("\ufeff")  # editors on Windows like to start with a BOM
    version = declared_version(source)
    major = version[0] if version is not None else DEFAULT_MAJOR
    if major not in (2, 3):
        raise CommandError(
            f"{name} declares OpenQASM {major}.{version[1] if version else 0}; "
            "this command reads OpenQASM 2 and 3"
        )
    try:
        circuit = parse_qasm(source, name, include_path=(directory,))
    except InvalidInputError as exc:
        # The parser's own error says where the file went wrong; the leaf's message wraps it
        # for programs that are not files.
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        hint = (
            ""
            if version
            else f" (the file has no 'OPENQASM x;' header, so it was read as {DEFAULT_MAJOR})"
        )
        detail = parser_message(cause)
        raise CommandError(f"{name} is not valid OpenQASM {major}{hint}: {detail}") from exc
    if circuit.parameters:
        names = ", ".join(parameter.name for parameter in circuit.parameters)
        raise CommandError(
            f"{name} has parameters without values ({names}); the command line cannot bind "
            "them, so give them values in the file"
        )
    if not any(item.operation.name == "measure" for item in circuit.data):
        raise CommandError(
            f"{name} measures nothing, so it has no counts; add measurements "
            "(e.g. 'measure q -> c;' in OpenQASM 2, 'c = measure q;' in OpenQASM 3)"
        )
    circuit.name = stem
    return circuit


def load_circuits(files: Sequence[str]) -> list[QuantumCircuit]:
    """Load the circuit of each of ``files``, in order (see :func:`load_circuit`).

    Raises:
        CommandError: a file cannot be loaded (the first one that cannot), or ``-`` (stdin)
            is given more than once.
    """
    if list(files).count("-") > 1:
        raise CommandError("'-' (stdin) can be given once only")
    return [load_circuit(file) for file in files]
