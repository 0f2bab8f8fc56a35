"""``SamplerV2`` on the engine: Aer's sampler, with a real job."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from qiskit.primitives import BaseSamplerV2
from qiskit.primitives.containers.sampler_pub import SamplerPub, SamplerPubLike
from typing_extensions import override

from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.primitive_job import MyPrimitiveJob
from qiskit_myprovider.primitives.assemble import assemble_sampler
from qiskit_myprovider.primitives.base import backend_for_mode
from qiskit_myprovider.primitives.options import (
    SamplerOptions,
    check_options,
    coerce_options,
    simulator_overrides,
)
from qiskit_myprovider.primitives.pubs import coerce_pubs, sampler_segments
from qiskit_myprovider.primitives.submit import run_options_for, submit_primitive_job
from qiskit_myprovider.validation import validate_shots

__all__ = ["SamplerV2"]


class SamplerV2(BaseSamplerV2):
    """Qiskit's ``SamplerV2`` on a :class:`MyBackend`: Aer's results in a real job.

    Each PUB ``(circuit, parameter_values, shots)`` gives a ``SamplerPubResult`` whose
    ``data`` holds one ``BitArray`` per classical register, shaped like the PUB's parameter
    values: the same fields, shapes, values (for a given seed) and metadata as Aer's own
    ``SamplerV2`` on the backend's simulator. Parameters are bound inside Aer.

    ``run()`` returns a :class:`~qiskit_myprovider.primitives.MyPrimitiveJob` at once; the
    simulation runs on the backend's executor (worker processes for all but tiny jobs), so
    it can be cancelled while it runs, and the job is stored: ``provider.job(job_id)``
    returns it, with its ``PrimitiveResult``, from any process.

    Args:
        mode: The backend to run on (a :class:`MyBackend`; an ``AerSimulator`` is wrapped in
            one); None: the default backend, ``myprovider_simulator``.
        options: A dict or :class:`SamplerOptions`: ``default_shots`` (1024), ``seed``,
            ``backend_options``, ``run_options``.

    Raises:
        InvalidInputTypeError: ``mode`` is not a backend this sampler can run on, or an
            option has the wrong type.
        UnknownOptionError: an option name the sampler (or the simulator) does not know.
        InvalidInputError: an option out of range.
    """

    def __init__(self, mode: Any = None, options: Any = None) -> None:
        self._backend = backend_for_mode(mode, "SamplerV2")
        self._options = coerce_options(SamplerOptions, options)

    @property
    def backend(self) -> MyBackend:
        """The backend the sampler runs on."""
        return self._backend

    @property
    def options(self) -> SamplerOptions:
        """The sampler's options (checked again on every run)."""
        return self._options

    @property
    def default_shots(self) -> int:
        """The shots of a PUB that names none, when ``run`` is given none."""
        return self._options.default_shots

    @property
    def seed(self) -> int | None:
        """The sampler's seed (None: random)."""
        return self._options.seed

    @override
    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> MyPrimitiveJob:
        """Sample the PUBs; return the job at once.

        Args:
            pubs: PUBs: circuits, or tuples ``(circuit, parameter_values[, shots])``.
            shots: Shots of every PUB that names none (default: ``options.default_shots``).

        Returns:
            The job, already QUEUED (or further along); ``job.result()`` is a
            ``PrimitiveResult`` of ``SamplerPubResult``.

        Raises:
            InvalidInputTypeError: ``pubs`` is not a list of PUBs, or a PUB is of the wrong
                type.
            InvalidInputError: a PUB Qiskit refuses (parameter counts, shapes, shots), NaN
                parameter values, a circuit wider than the backend, bad ``shots``.
            UnknownOptionError: ``options`` names an unknown simulator option.
            StoreError: the job store could not record the job (nothing was queued).
        """
        options = self._options
        check_options(options)
        shots = validate_shots(options.default_shots if shots is None else shots)
        backend = self._backend
        coerced = coerce_pubs(
            pubs,
            functools.partial(SamplerPub.coerce, shots=shots),
            width=backend.num_qubits,
            backend=backend.name,
        )
        run_options = run_options_for(backend, simulator_overrides(options))
        seed = options.seed if options.seed is not None else run_options.get("seed_simulator")
        segments = sampler_segments(coerced, seed)
        return submit_primitive_job(
            backend,
            "sampler",
            [pub.circuit for pub in coerced],
            segments,
            run_options,
            functools.partial(assemble_sampler, coerced),
        )

    def __repr__(self) -> str:
        return f"<SamplerV2 on {self._backend.name!r}, options={self._options}>"
