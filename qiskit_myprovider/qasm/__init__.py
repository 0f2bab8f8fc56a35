"""OpenQASM text to circuits, fast, including parametric templates with named placeholders.

Plain OpenQASM 2 goes through Qiskit's native (Rust) parser, OpenQASM 3 through
``qiskit.qasm3``; the ``OPENQASM x;`` header says which (:func:`declared_version`, the
package's one header rule; no header means OpenQASM 3). The command line and the Divi
adapter both read OpenQASM through this package.

- :mod:`~qiskit_myprovider.qasm.parse`: the header rule, :func:`parse_qasm`.
- :mod:`~qiskit_myprovider.qasm.template`: :func:`load_template`, parametric templates as
  Divi writes them.
- :mod:`~qiskit_myprovider.qasm.diagnostics`: a parser's error as one line with its line and
  column (:func:`parser_message`); ANTLR's own console output kept quiet.
"""

from qiskit_myprovider.qasm.diagnostics import parser_message
from qiskit_myprovider.qasm.parse import DEFAULT_MAJOR, declared_version, parameter_name, parse_qasm
from qiskit_myprovider.qasm.template import load_template

__all__ = [
    "DEFAULT_MAJOR",
    "declared_version",
    "load_template",
    "parameter_name",
    "parse_qasm",
    "parser_message",
]
