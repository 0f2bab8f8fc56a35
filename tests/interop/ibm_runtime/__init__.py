"""Interop with qiskit-ibm-runtime's local testing mode (``.ci/interop-ibm-runtime.sh``)."""
