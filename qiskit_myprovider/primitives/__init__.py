"""Qiskit's V2 primitives on the engine: ``SamplerV2`` and ``EstimatorV2`` with real jobs.

::

    from qiskit_myprovider.primitives import SamplerV2, EstimatorV2

    sampler = SamplerV2(mode=backend)                 # a MyBackend; None = the default one
    job = sampler.run([(circuit, values)], shots=1000)  # returns at once
    estimator = EstimatorV2(mode=backend, options={"default_precision": 0.0})
    job = estimator.run([(circuit, observables, values)])
    job.result()                                      # a qiskit.primitives.PrimitiveResult

Results have the shapes, fields and metadata of Aer's own ``SamplerV2``/``EstimatorV2`` on
the same PUBs. The job (:class:`MyPrimitiveJob`) is a ``BasePrimitiveJob`` with the whole
handle of :class:`~qiskit_myprovider.MyJob`: it never holds the caller's thread, a running
one can be cancelled, and it is stored (``provider.job(job_id)``,
``provider.jobs(primitive_id="estimator")``).

Layout: ``sampler``/``estimator`` (the classes), ``options`` (their option sets), ``pubs``
(checking PUBs and laying them out as segments), ``submit`` (record and parts),
``assemble`` (raw arrays back into a ``PrimitiveResult``), ``base`` (the ``mode``).
"""

from qiskit_myprovider.primitive_job import MyPrimitiveJob
from qiskit_myprovider.primitives.estimator import EstimatorV2
from qiskit_myprovider.primitives.options import EstimatorOptions, SamplerOptions
from qiskit_myprovider.primitives.sampler import SamplerV2

__all__ = ["EstimatorOptions", "EstimatorV2", "MyPrimitiveJob", "SamplerOptions", "SamplerV2"]
