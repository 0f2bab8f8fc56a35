"""Parsing OpenQASM 2 or 3 text into a circuit; the one rule for the ``OPENQASM x;`` header."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any, Final

import qiskit.qasm2
import qiskit.qasm3
from qiskit import QuantumCircuit

from qiskit_myprovider.exceptions import InvalidInputError, InvalidInputTypeError
from qiskit_myprovider.qasm.diagnostics import antlr_console_quiet, parser_message

__all__ = ["DEFAULT_MAJOR", "declared_version", "parameter_name", "parse_qasm"]

#: The header rule, the one place it is written: whitespace and comments, then
#: ``OPENQASM major[.minor]``. Everything that needs the version asks :func:`declared_version`.
_HEADER: Final = re.compile(
    r"\A(?:\s|//[^\n]*(?:\n|\Z)|/\*.*?\*/)*OPENQASM\s+(?P<major>\d+)(?:\.(?P<minor>\d+))?",
    re.DOTALL,
)
#: The OpenQASM version of a program without a header (as Qiskit's ``qasm3`` reads it).
DEFAULT_MAJOR: Final = 3


def declared_version(text: str) -> tuple[int, int] | None:
    """Return the OpenQASM version that the program's header declares.

    Args:
        text: The program.

    Returns:
        ``(major, minor)`` (minor 0 when the header gives none, as in ``OPENQASM 3;``), or
        None when the program has no ``OPENQASM`` header (it is then read as OpenQASM 3).
    """
    header = _HEADER.match(text)
    if header is None:
        return None
    return int(header["major"]), int(header["minor"] or 0)


def parse_qasm(
    text: str, label: str, *, include_path: Iterable[str | os.PathLike[str]] | None = None
) -> QuantumCircuit:
    """Parse OpenQASM 2 or 3 text (3 when it has no header).

    Args:
        text: The program.
        label: The circuit's label, for messages.
        include_path: Directories searched for the files an OpenQASM 2 program includes
            (None: Qiskit's default, the working directory). Qiskit's OpenQASM 3 importer
            takes none: it knows ``stdgates.inc`` by itself.

    Returns:
        The circuit.

    Raises:
        InvalidInputError: the text is not valid OpenQASM, or declares a version other than
            2 or 3; the message names ``label``. For invalid text, ``__cause__`` is the
            parser's own error (whose message says where the text went wrong).
    """
    version = declared_version(text)
    major = version[0] if version is not None else DEFAULT_MAJOR
    try:
        if major == 2:
            options: dict[str, Any] = {}
            if include_path is not None:
                options["include_path"] = tuple(include_path)
            circuit: QuantumCircuit = qiskit.qasm2.loads(
                text, custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS, **options
            )
        elif major == 3:
            with antlr_console_quiet():
                circuit = qiskit.qasm3.loads(text)
        else:
            raise InvalidInputError(
                f"Circuit '{label}' declares OpenQASM {major}; OpenQASM 2 and 3 are supported"
            )
    except InvalidInputError:
        raise
    except Exception as exc:
        # Both parsers raise many kinds of error; all mean "this text is not a circuit".
        raise InvalidInputError(
            f"Circuit '{label}' is not valid OpenQASM {major}: {parser_message(exc)}"
        ) from exc
    return circuit


def parameter_name(parameter: object) -> str:
    """Return the name of a ``Parameter``, or the name itself.

    Raises:
        InvalidInputTypeError: ``parameter`` is neither.
    """
    name = getattr(parameter, "name", parameter)
    if not isinstance(name, str):
        raise InvalidInputTypeError(
            f"payload parameters must be qiskit Parameters or names, not {parameter!r}"
        )
    return name
