"""Tests of qiskit_myprovider.adapters.async_job, one module per module."""
