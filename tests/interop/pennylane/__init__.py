"""Interop with pennylane-qiskit's ``qiskit.remote`` device (``.ci/interop-pennylane.sh``)."""
