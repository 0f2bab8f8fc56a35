"""``EstimatorV2`` on the engine: Aer's exact estimator, with a real job."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers.estimator_pub import EstimatorPub, EstimatorPubLike
from typing_extensions import override

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.primitive_job import MyPrimitiveJob
from qiskit_myprovider.primitives.assemble import assemble_estimator
from qiskit_myprovider.primitives.base import backend_for_mode
from qiskit_myprovider.primitives.options import (
    EstimatorOptions,
    check_options,
    check_precision,
    coerce_options,
    simulator_overrides,
)
from qiskit_myprovider.primitives.pubs import coerce_pubs, estimator_segments
from qiskit_myprovider.primitives.submit import run_options_for, submit_primitive_job

__all__ = ["EstimatorV2"]


class EstimatorV2(BaseEstimatorV2):
    """Qiskit's ``EstimatorV2`` on a :class:`MyBackend`: Aer's expectation values in a real job.

    Each PUB ``(circuit, observables, parameter_values, precision)`` gives a ``PubResult``
    whose ``data`` holds ``evs`` and ``stds`` over the broadcast shape of its observables and
    parameter values. At precision 0 the values are exact (Aer's
    ``save_expectation_value``, one Aer call per PUB with the parameters bound inside Aer;
    a noisy backend averages its trajectories as Aer's estimator does); at a positive
    precision each value is drawn from ``N(value, precision)``. Shapes, values and metadata
    are those of Aer's own ``EstimatorV2`` on the backend's simulator.

    ``run()`` returns a :class:`~qiskit_myprovider.primitives.MyPrimitiveJob` at once; the
    simulation runs on the backend's executor, can be cancelled while it runs, and the job is
    stored (``provider.job(job_id)`` from any process).

    Args:
        mode: The backend to run on (a :class:`MyBackend`; an ``AerSimulator`` is wrapped in
            one); None: the default backend, ``myprovider_simulator``.
        options: A dict or :class:`EstimatorOptions`: ``default_precision`` (0.0: exact),
            ``backend_options``, ``run_options``.

    Raises:
        InvalidInputTypeError: ``mode`` is not a backend this estimator can run on, or an
            option has the wrong type.
        UnknownOptionError: an option name the estimator (or the simulator) does not know.
        InvalidInputError: an option out of range (a negative precision).
    """

    def __init__(self, mode: Any = None, options: Any = None) -> None:
        self._backend = backend_for_mode(mode, "EstimatorV2")
        self._options = coerce_options(EstimatorOptions, options)

    @property
    def backend(self) -> MyBackend:
        """The backend the estimator runs on."""
        return self._backend

    @property
    def options(self) -> EstimatorOptions:
        """The estimator's options (checked again on every run)."""
        return self._options

    @override
    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> MyPrimitiveJob:
        """Estimate the PUBs' expectation values; return the job at once.

        Args:
            pubs: PUBs: tuples ``(circuit, observables[, parameter_values[, precision]])``.
            precision: Precision of every PUB that names none (default:
                ``options.default_precision``); 0 gives exact values.

        Returns:
            The job, already QUEUED (or further along); ``job.result()`` is a
            ``PrimitiveResult`` of ``PubResult``.

        Raises:
            InvalidInputTypeError: ``pubs`` is not a list of PUBs, or a PUB is of the wrong
                type.
            InvalidInputError: a negative precision, shapes that do not broadcast,
                parameter counts that do not match, observables of the wrong width, NaN
                parameter values, a circuit wider than the backend.
            UnknownOptionError: ``options`` names an unknown simulator option.
            StoreError: the job store could not record the job (nothing was queued).
        """
        options = self._options
        check_options(options)
        if precision is None:
            precision = options.default_precision
        precision = check_precision(precision)
        backend = self._backend
        coerced = coerce_pubs(
            pubs,
            functools.partial(EstimatorPub.coerce, precision=precision),
            width=backend.num_qubits,
            backend=backend.name,
        )
        for index, pub in enumerate(coerced):
            check_precision(pub.precision, name=f"the precision of PUB {index}")
        run_options = run_options_for(backend, simulator_overrides(options))
        segments = estimator_segments(coerced, run_options.get("seed_simulator"))
        return submit_primitive_job(
            backend,
            "estimator",
            [pub.circuit for pub in coerced],
            segments,
            run_options,
            functools.partial(
                assemble_estimator, coerced, seed=options.run_options.get("seed_simulator")
            ),
        )

    def __repr__(self) -> str:
        return f"<EstimatorV2 on {self._backend.name!r}, options={self._options}>"
