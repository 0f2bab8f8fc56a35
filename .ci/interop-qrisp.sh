#!/usr/bin/env bash
# Interop suite against the real Qrisp (`qrisp` from PyPI), in its own virtual environment.
#
# Qrisp pins qiskit<2.6 and sympy<=1.13, which neither the main environment nor qoro-divi's
# allow, so it gets .ci-venvs/qrisp (created on first run, refreshed on later ones). The
# tests in tests/interop/qrisp run Qrisp programs on our backends and the Job contract suite
# on Qrisp's own reference backend. .ci/run calls this after the README's test command.
#   bash .ci/interop-qrisp.sh [PYTEST_ARGS...]      (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.ci-venvs/qrisp
python=${PYTHON:-python3}
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export QISKIT_MYPROVIDER_STORE="${QISKIT_MYPROVIDER_STORE:-:memory:}"

if [[ ! -x "$venv/bin/python" ]]; then
    printf '+ %s -m venv %s\n' "$python" "$venv" >&2
    "$python" -m venv "$venv"
fi

# One resolver run, so qrisp's pins and ours (qiskit>=2.0,<3) are satisfied together.
printf '+ pip install qrisp qiskit-aer pytest pytest-timeout -e .\n' >&2
"$venv/bin/python" -m pip install --quiet \
    "qrisp>=0.9.10,<0.10" "qiskit-aer>=0.17" "pytest>=8" "pytest-timeout>=2.3" -e .

# addopts is cleared because the main configuration ignores tests/interop (the main
# environment has no qrisp); everything else (warnings are errors, timeouts) still applies.
printf '+ pytest tests/interop/qrisp\n' >&2
"$venv/bin/python" -m pytest tests/interop/qrisp -o addopts="" -p no:cacheprovider \
    -ra --strict-markers -q "$@"
