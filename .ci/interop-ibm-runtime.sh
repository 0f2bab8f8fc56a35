#!/usr/bin/env bash
# Interop suite against qiskit-ibm-runtime's local testing mode, in .ci-venvs/ibm_runtime.
#
# SamplerV2/EstimatorV2(mode=backend), Session and Batch on our backends, as IBM's docs tell
# users to test locally. .ci/run calls this after the README's test command.
#   bash .ci/interop-ibm-runtime.sh [PYTEST_ARGS...]   (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib/interop-suite.sh

interop_suite ibm_runtime "qiskit-ibm-runtime qiskit qiskit-aer" \
    "qiskit-ibm-runtime>=0.40,<1" -- "$@"
