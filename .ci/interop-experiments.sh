#!/usr/bin/env bash
# Interop suite against qiskit-experiments, in .ci-venvs/experiments.
#
# T1, StandardRB and StateTomography run by experiment.run(backend) (its default path) on
# mimics of fake IBM devices and on our plain backends. .ci/run calls this after the README's
# test command.
#   bash .ci/interop-experiments.sh [PYTEST_ARGS...]   (from anywhere; python3 >= 3.11 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib/interop-suite.sh

interop_suite experiments "qiskit-experiments qiskit-ibm-runtime qiskit qiskit-aer" \
    "qiskit-experiments>=0.12,<0.15" -- "$@"
