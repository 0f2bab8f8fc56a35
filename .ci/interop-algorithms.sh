#!/usr/bin/env bash
# Interop suite against qiskit-algorithms, in .ci-venvs/algorithms.
#
# Grover on BackendSamplerV2 and VQE/QAOA on BackendEstimatorV2/BackendSamplerV2, the V2
# primitives built on our backends. .ci/run calls this after the README's test command.
#   bash .ci/interop-algorithms.sh [PYTEST_ARGS...]   (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib/interop-suite.sh

interop_suite algorithms "qiskit-algorithms qiskit qiskit-aer" \
    "qiskit-algorithms>=0.4,<0.5" -- "$@"
