#!/usr/bin/env bash
# Interop suite against mthree (matrix-free measurement mitigation), in .ci-venvs/mthree.
#
# M3Mitigation(backend) calibrated on a noisy mimic of a fake IBM device, then correcting
# Bell and GHZ counts. .ci/run calls this after the README's test command.
#   bash .ci/interop-mthree.sh [PYTEST_ARGS...]   (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib/interop-suite.sh

# qiskit-ibm-runtime only for its fake devices (the noisy mimics' source).
interop_suite mthree "mthree qiskit qiskit-aer qiskit-ibm-runtime" \
    "mthree>=3.0,<4" "qiskit-ibm-runtime>=0.40,<1" -- "$@"
