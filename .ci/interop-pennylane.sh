#!/usr/bin/env bash
# Interop suite against pennylane-qiskit's "qiskit.remote" device, in .ci-venvs/pennylane.
#
# pennylane-qiskit pins qiskit<=2.3, qiskit-aer~=0.17.2 and qiskit-ibm-runtime~=0.45, which
# the other suites' libraries do not allow, so it gets its own environment. .ci/run calls
# this after the README's test command.
#   bash .ci/interop-pennylane.sh [PYTEST_ARGS...]   (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib/interop-suite.sh

interop_suite pennylane "pennylane-qiskit pennylane qiskit qiskit-aer qiskit-ibm-runtime" \
    "pennylane-qiskit>=0.44,<0.46" "pennylane>=0.44,<0.46" -- "$@"
