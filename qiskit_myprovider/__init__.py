"""qiskit_myprovider: Aer simulators behind a Qiskit provider that returns real asynchronous jobs.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit_myprovider import MyProvider
    >>> qc = QuantumCircuit(2)
    >>> _ = qc.h(0); _ = qc.cx(0, 1); qc.measure_all()
    >>> with MyProvider(store=":memory:") as provider:
    ...     job = provider.get_backend().run(qc, shots=100, seed_simulator=1)
    ...     counts = job.result().get_counts()
    >>> sorted(counts)
    ['00', '11']
"""

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.provider import MyProvider
from qiskit_myprovider.version import __version__

__all__ = ["MyBackend", "MyJob", "MyProvider", "__version__"]
