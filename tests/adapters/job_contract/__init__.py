"""Tests of qiskit_myprovider.adapters.job_contract, one module per module."""
