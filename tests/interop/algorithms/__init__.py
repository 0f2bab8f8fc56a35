"""Interop with qiskit-algorithms on the V2 primitives (``.ci/interop-algorithms.sh``)."""
