"""Tests of qiskit_myprovider.adapters, one module per module."""
