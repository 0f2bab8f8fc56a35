"""What an OpenQASM parser's error says, as one line that starts with its line and column.

The OpenQASM 3 parser (openqasm3, on ANTLR) raises syntax errors without a message, and
ANTLR first prints its own ``line 1:0 token recognition error`` on stderr:
:func:`parser_message` makes the message from ANTLR's error, and inside
:func:`antlr_console_quiet` ANTLR's console stays quiet.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from typing import Any, Final

from qiskit.exceptions import QiskitError

__all__ = ["antlr_console_quiet", "parser_message"]

_WHITESPACE: Final = re.compile(r"\s+")
#: Where the parsers say the text went wrong: "<input>:3,0: " or "3,0: " (Qiskit's), or
#: "L3:C0: " (openqasm3's, from ANTLR). Lines count from 1, columns from 0.
_LOCATION: Final = re.compile(r"^(?:<input>:)?L?(?P<line>\d+)(?:,|:C)(?P<column>\d+):\s*")
#: ANTLR's token type of the end of the input.
_EOF: Final = -1


def parser_message(error: BaseException) -> str:
    """Return an OpenQASM parser's error as one line that starts with where the text went wrong.

    Args:
        error: What ``qiskit.qasm2`` or ``qiskit.qasm3`` raised.

    Returns:
        ``line L, column C: what`` (columns counted from 1, as editors count them) when the
        parser says where; else its message, or its type's name if it has none. The OpenQASM
        3 parser's syntax errors carry no message: it is made here from ANTLR's error.
    """
    text = error.message if isinstance(error, QiskitError) else str(error)
    text = _WHITESPACE.sub(" ", str(text)).strip() or _syntax_error(error) or ""
    place = _LOCATION.match(text)
    if place is None:
        return text or type(error).__name__
    line, column = int(place["line"]), int(place["column"]) + 1
    return f"line {line}, column {column}: {text[place.end() :]}"


def _syntax_error(error: BaseException) -> str | None:
    """Describe the ANTLR error under openqasm3's message-less ``QASM3ParsingError``."""
    cause = error.__cause__
    # openqasm3 raises from ANTLR's ParseCancellationException, which wraps the real error.
    recognition = cause.args[0] if cause is not None and cause.args else cause
    token = getattr(recognition, "offendingToken", None)
    if token is None:
        return None
    at_end = token.type == _EOF
    expected = _expected_tokens(recognition)
    if not expected or len(expected) > 3:  # a long list of choices helps nobody
        found = "end of file" if at_end else f"'{token.text}'"
        return f"L{token.line}:C{token.column}: unexpected {found}"
    # A missing ';' is best pointed at where it belongs: right after the token before.
    before = getattr(getattr(recognition, "input", None), "LT", lambda _: None)(-1)
    line, column = token.line, token.column
    if before is not None and before.text and "\n" not in before.text:
        line, column = before.line, before.column + len(before.text)
    found = "the end of the file" if at_end else f"'{token.text}'"
    return f"L{line}:C{column}: expected {' or '.join(expected)} before {found}"


def _expected_tokens(recognition: Any) -> list[str]:
    """The names of the tokens that ANTLR expected, as the grammar spells them."""
    try:
        expected = recognition.getExpectedTokens()
        grammar = recognition.recognizer
        literals, symbols = grammar.literalNames, grammar.symbolicNames
    except Exception:  # no parser state to ask (a lexer's error): say nothing more
        return []
    names = []
    for interval in getattr(expected, "intervals", None) or ():
        for kind in interval:
            if kind == _EOF:
                names.append("the end of the file")
            elif 0 < kind < len(literals) and literals[kind] != "<INVALID>":
                names.append(literals[kind])
            elif 0 < kind < len(symbols):
                names.append(symbols[kind])
    return names


_QUIET: Final = threading.local()


@functools.cache
def _quietable_console() -> bool:
    """Make ANTLR's console error listener quiet in threads inside :func:`antlr_console_quiet`.

    ANTLR gives every lexer and parser its one console listener, which prints each syntax
    error on stderr before openqasm3's own listener raises it. The listener put in its place
    prints as before everywhere else. Returns whether ANTLR is installed.
    """
    try:
        from antlr4.error.ErrorListener import ConsoleErrorListener
    except ImportError:  # no OpenQASM 3 parser installed: qiskit.qasm3 says what to install
        return False
    console = ConsoleErrorListener.INSTANCE

    class QuietableConsole(ConsoleErrorListener):
        def syntaxError(self, *args: Any) -> None:  # noqa: N802 (ANTLR's name)
            if not getattr(_QUIET, "active", False):
                console.syntaxError(*args)

    ConsoleErrorListener.INSTANCE = QuietableConsole()
    return True


@contextlib.contextmanager
def antlr_console_quiet() -> Iterator[None]:
    """Keep ANTLR's console listener quiet in this thread: our error says it all, once."""
    _quietable_console()
    previous = getattr(_QUIET, "active", False)
    _QUIET.active = True
    try:
        yield
    finally:
        _QUIET.active = previous
