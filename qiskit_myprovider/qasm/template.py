"""Parametric OpenQASM templates, whose gate arguments name their parameters verbatim.

A *template* names its parameters verbatim inside gate arguments, as Divi's payloads do
(``rz(1*β[0]) q[0];``), which neither parser accepts: each gate argument that mentions a
parameter is read into a ``ParameterExpression`` here and replaced by a unique number; the
native parser reads the rest, and the numbers are then swapped back for the expressions.
The result is one parametric circuit, to be bound by Aer.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Parameter
from qiskit.circuit.library import get_standard_gate_name_mapping

from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.qasm.parse import parameter_name, parse_qasm

__all__ = ["load_template"]

_SENTINEL_UNIT: Final = 1.0e-200
_STANDARD_GATES: Final = frozenset(get_standard_gate_name_mapping())
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENT: Final = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_DEFINITIONS: Final = frozenset({"gate", "opaque", "def", "defcal", "cal", "extern"})
_MODIFIERS: Final = frozenset({"ctrl", "negctrl", "inv", "pow"})


def _placeholder_regex(names: Sequence[str]) -> re.Pattern[str]:
    # Longest name first, and never inside a longer identifier: 'w_1' must not match in
    # 'w_10', nor 'x' in 'cx'.
    escaped = sorted((re.escape(name) for name in names), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(escaped) + r")(?![A-Za-z0-9_])")


def load_template(text: str, declared: Sequence[object], label: str) -> QuantumCircuit:
    """Parse a template whose gate arguments name ``declared`` parameters verbatim.

    Args:
        text: OpenQASM 2 or 3 text; placeholders are the parameters' names.
        declared: The parameters (``Parameter`` objects, used as they are, or names).
        label: The circuit's label, for messages.

    Returns:
        A circuit whose gates carry the parameters (text without placeholders, or valid
        OpenQASM 3 declaring them as inputs, is parsed as it is).

    Raises:
        InvalidInputError: the text is not valid OpenQASM, an argument cannot be read, or a
            placeholder sits where it cannot be bound.
    """
    names = [parameter_name(param) for param in declared]
    params = {
        name: param if isinstance(param, Parameter) else Parameter(name)
        for name, param in zip(names, declared, strict=True)
    }
    pattern = _placeholder_regex(names)
    source = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    if pattern.search(source) is None:
        return parse_qasm(text, label)
    arguments, definitions = _gate_arguments(source)
    replacements: list[tuple[int, int, str]] = []
    expressions: dict[float, Any] = {}
    for start, end in arguments:
        argument = source[start:end]
        if pattern.search(argument) is None:
            continue
        sentinel = _SENTINEL_UNIT * (len(expressions) + 1)
        expressions[sentinel] = _evaluate(argument, pattern, params, label)
        replacements.append((start, end, f"{sentinel:.17e}"))
    covered = [(s, e) for s, e, _ in replacements] + definitions
    for match in pattern.finditer(source):
        if not any(s <= match.start() < e for s, e in covered):
            # Not a template after all? OpenQASM 3 may declare the names as inputs itself.
            try:
                return parse_qasm(text, label)
            except InvalidInputError:
                pass
            raise InvalidInputError(
                f"Circuit '{label}' uses parameter '{match.group()}' outside a gate argument "
                "(only gate arguments can be bound)"
            )
    pieces, last = [], 0
    for start, end, literal in replacements:
        pieces += [source[last:start], literal]
        last = end
    pieces.append(source[last:])
    circuit = parse_qasm("".join(pieces), label)
    found: set[float] = set()
    bound = _swap_sentinels(circuit, expressions, found, label)
    missing = len(expressions) - len(found)
    if missing:
        raise InvalidInputError(
            f"Circuit '{label}': {missing} parameterised gate argument(s) could not be bound "
            "(only arguments of standard gates can carry parameters)"
        )
    return bound


def _gate_arguments(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return the spans of every top-level gate argument, and of every definition block."""
    arguments: list[tuple[int, int]] = []
    definitions: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace() or text[i] in ";{}":
            i += 1
            continue
        match = _IDENTIFIER.match(text, i)
        if match is None:
            i = _statement_end(text, i)
            continue
        word, j = match.group(), _skip_space(text, match.end())
        if word in _DEFINITIONS:
            end = _definition_end(text, j)
            definitions.append((i, end))
            i = end
            continue
        if word in _MODIFIERS:
            if j < n and text[j] == "(":
                j = _skip_space(text, _closing(text, j))
            if j < n and text[j] == "@":
                i = j + 1
                continue
        if j < n and text[j] == "(":
            close = _closing(text, j)
            if word in ("if", "while", "switch"):
                i = close  # the guarded statement or block follows
                continue
            arguments.extend(_split_arguments(text, j + 1, close - 1))
            i = close
        i = _statement_end(text, i)
    return arguments, definitions


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _closing(text: str, open_index: int) -> int:
    """Return the index just past the parenthesis that closes the one at ``open_index``."""
    return _matching(text, open_index, "(", ")")


def _matching(text: str, open_index: int, opening: str, closing: str) -> int:
    """Return the index just past the ``closing`` that balances ``opening`` at ``open_index``."""
    depth = 0
    for k in range(open_index, len(text)):
        if text[k] == opening:
            depth += 1
        elif text[k] == closing:
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def _statement_end(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth <= 0 and char == ";":
            return i + 1
        elif depth <= 0 and char in "{}":
            return i
        i += 1
    return i


def _definition_end(text: str, i: int) -> int:
    while i < len(text) and text[i] not in "{;":
        i += 1
    if i >= len(text) or text[i] == ";":
        return i + 1
    return _matching(text, i, "{", "}")


def _split_arguments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, depth, begin = [], 0, start
    for k in range(start, end + 1):
        char = text[k] if k < end else ","
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            left, right = begin, k
            while left < right and text[left].isspace():
                left += 1
            while right > left and text[right - 1].isspace():
                right -= 1
            if left < right:
                spans.append((left, right))
            begin = k + 1
    return spans


_CONSTANTS: Final = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}
_BINARY: Final[dict[type[ast.operator], Callable[[Any, Any], Any]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_FUNCTIONS: Final[dict[str, tuple[Callable[[float], float], str]]] = {
    "sin": (math.sin, "sin"),
    "cos": (math.cos, "cos"),
    "tan": (math.tan, "tan"),
    "exp": (math.exp, "exp"),
    "ln": (math.log, "log"),
    "log": (math.log, "log"),
    "arcsin": (math.asin, "arcsin"),
    "arccos": (math.acos, "arccos"),
    "arctan": (math.atan, "arctan"),
    "asin": (math.asin, "arcsin"),
    "acos": (math.acos, "arccos"),
    "atan": (math.atan, "arctan"),
}


def _evaluate(
    argument: str, pattern: re.Pattern[str], params: Mapping[str, Parameter], label: str
) -> Any:
    """Read one OpenQASM gate argument that mentions parameters into a ParameterExpression."""
    symbols: dict[str, Parameter] = {}

    def to_identifier(match: re.Match[str]) -> str:
        identifier = f"_p{len(symbols)}_"
        symbols[identifier] = params[match.group()]
        return identifier

    python = pattern.sub(to_identifier, argument).replace("^", "**")
    try:
        return _evaluate_node(ast.parse(python, mode="eval").body, symbols)
    except (SyntaxError, ValueError, TypeError, KeyError, ZeroDivisionError) as exc:
        raise InvalidInputError(
            f"Circuit '{label}': cannot read the gate argument '{argument}': {exc}"
        ) from exc


def _evaluate_node(node: ast.expr, symbols: Mapping[str, Parameter]) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        raise ValueError(f"unsupported constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in symbols:
            return symbols[node.id]
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise ValueError(f"unknown name '{node.id}'")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate_node(node.operand, symbols)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _evaluate_node(node.left, symbols)
        right = _evaluate_node(node.right, symbols)
        return _BINARY[type(node.op)](left, right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and len(node.args) == 1
        and not node.keywords
    ):
        name = node.func.id
        value = _evaluate_node(node.args[0], symbols)
        if name == "sqrt":
            return math.sqrt(value) if isinstance(value, float) else value**0.5
        if name in _FUNCTIONS:
            numeric, method = _FUNCTIONS[name]
            return numeric(value) if isinstance(value, float) else getattr(value, method)()
        raise ValueError(f"unknown function '{name}'")
    raise ValueError(f"unsupported expression '{ast.unparse(node)}'")


def _swap_sentinels(
    circuit: QuantumCircuit, expressions: Mapping[float, Any], found: set[float], label: str
) -> QuantumCircuit:
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, ControlFlowOp):
            operation = operation.replace_blocks(
                [_swap_sentinels(block, expressions, found, label) for block in operation.blocks]
            )
        elif any(isinstance(p, float) and p in expressions for p in operation.params):
            if operation.name not in _STANDARD_GATES:
                raise InvalidInputError(
                    f"Circuit '{label}': gate '{operation.name}' is defined in the circuit "
                    "itself; only arguments of standard gates can carry parameters"
                )
            operation = operation.copy()
            new_params = []
            for param in operation.params:
                if isinstance(param, float) and param in expressions:
                    found.add(param)
                    param = expressions[param]
                new_params.append(param)
            operation.params = new_params
        out.append(instruction.replace(operation=operation))
    return out
