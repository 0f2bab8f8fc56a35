"""Interop with qiskit-experiments (``.ci/interop-experiments.sh``)."""
