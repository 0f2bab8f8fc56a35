#!/usr/bin/env bash
# Interop suite against the real qoro-divi, in its own virtual environment.
#
# Divi pins versions of qiskit and sympy that other interop targets conflict with, so it gets
# .ci-venvs/divi (gitignored), built here with only python3 and pip: qoro-divi with its Aer
# extra, pytest, and this package. Then tests/interop/divi runs, with the main suite's
# settings except its addopts (which ignore tests/interop). Re-runs reuse the environment;
# delete .ci-venvs/divi to start afresh.
#   bash .ci/interop-divi.sh            build (or update) the environment and run the suite
#   bash .ci/interop-divi.sh -k qaoa    extra arguments go to pytest
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.ci-venvs/divi
python=${PYTHON:-python3}
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Tests never touch the user's real job store.
export QISKIT_MYPROVIDER_STORE="${QISKIT_MYPROVIDER_STORE:-:memory:}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "qoro-divi[aer]" "pytest>=8" "pytest-timeout>=2.3" -e .
"$venv/bin/python" -c 'import divi, qiskit, qiskit_aer, qiskit_myprovider; print(
    "divi", __import__("importlib.metadata").metadata.version("qoro-divi"),
    "| qiskit", qiskit.__version__, "| qiskit-aer", qiskit_aer.__version__)'

"$venv/bin/python" -m pytest tests/interop/divi -o addopts="" -p no:cacheprovider -q -ra "$@"
