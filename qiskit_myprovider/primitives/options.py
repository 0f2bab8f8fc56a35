"""The options of our primitives: Aer's own option sets, checked before anything is queued.

``SamplerV2(options=...)`` and ``EstimatorV2(options=...)`` take what Aer's primitives take
(a dict, or the options object), so code written for Aer's primitives moves over unchanged:

- sampler: ``default_shots`` (1024), ``seed`` (None), ``backend_options``, ``run_options``;
- estimator: ``default_precision`` (0.0: exact), ``backend_options``, ``run_options``.

``backend_options`` and ``run_options`` are Aer simulator options applied to this primitive's
runs on top of the backend's own (``run_options`` win); every name is checked like a
``backend.run`` option, so a misspelt one is refused with the valid choices.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UnknownOptionError,
)
from qiskit_myprovider.options import validate_run_options
from qiskit_myprovider.validation import validate_seed, validate_shots

__all__ = ["EstimatorOptions", "SamplerOptions", "coerce_options", "simulator_overrides"]

#: Options each primitive sets itself on every run; a user's value would be silently replaced.
_SAMPLER_OWNED = frozenset({"shots", "memory", "parameter_binds"})
#: The estimator passes ``shots`` on (a noisy simulation averages that many trajectories).
_ESTIMATOR_OWNED = frozenset({"parameter_binds"})


@dataclass
class SamplerOptions:
    """Options of :class:`~qiskit_myprovider.primitives.SamplerV2` (Aer's set).

    Attributes:
        default_shots: Shots of a PUB that names none, when ``run`` is given none.
        seed: Seeds the simulation (a job's results are then reproducible); None: random.
        backend_options: Aer simulator options for this sampler's runs.
        run_options: Aer run options for this sampler's runs (``seed_simulator`` is used
            when ``seed`` is None, as Aer's sampler does).
    """

    default_shots: int = 1024
    seed: int | None = None
    backend_options: dict[str, Any] = field(default_factory=dict)
    run_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class EstimatorOptions:
    """Options of :class:`~qiskit_myprovider.primitives.EstimatorV2` (Aer's set).

    Attributes:
        default_precision: Precision of a PUB that names none, when ``run`` is given none:
            0.0 gives exact expectation values, a positive value ``N(value, precision)``.
        backend_options: Aer simulator options for this estimator's runs.
        run_options: Aer run options for this estimator's runs (``seed_simulator`` also
            seeds the sampling at a positive precision, as in Aer's estimator).
    """

    default_precision: float = 0.0
    backend_options: dict[str, Any] = field(default_factory=dict)
    run_options: dict[str, Any] = field(default_factory=dict)


OptionsT = TypeVar("OptionsT", SamplerOptions, EstimatorOptions)


def coerce_options(kind: type[OptionsT], options: object) -> OptionsT:
    """Return ``options`` (None, a mapping or a ``kind``) as a checked ``kind``.

    Raises:
        UnknownOptionError: a name ``kind`` does not have (the message lists the valid ones),
            or an unknown simulator option in ``backend_options``/``run_options``.
        InvalidInputTypeError: a value of the wrong type.
        InvalidInputError: a value out of range.
    """
    names = [f.name for f in dataclasses.fields(kind)]
    if options is None:
        checked = kind()
    elif isinstance(options, kind):
        checked = dataclasses.replace(options)
    elif isinstance(options, Mapping):
        unknown = [key for key in options if key not in names]
        if unknown:
            raise UnknownOptionError(
                f"Unknown {_label(kind)} option {unknown[0]!r}. Valid options: {', '.join(names)}"
            )
        checked = kind(**dict(options))
    else:
        raise InvalidInputTypeError(
            f"options must be a dict or {kind.__name__}, not {type(options).__name__}"
        )
    check_options(checked)
    return checked


def check_options(options: SamplerOptions | EstimatorOptions) -> None:
    """Check every field of ``options`` (they are mutable: checked again on each run).

    Raises:
        UnknownOptionError, InvalidInputTypeError, InvalidInputError: as
            :func:`coerce_options`.
    """
    if isinstance(options, SamplerOptions):
        validate_shots(options.default_shots, name="default_shots")
        validate_seed(options.seed, name="seed")
    else:
        check_precision(options.default_precision, name="default_precision")
    simulator_overrides(options)


def check_precision(value: object, *, name: str = "precision") -> float:
    """Return ``value`` as a precision: a finite number, 0 or more.

    Raises:
        InvalidInputTypeError: not a real number.
        InvalidInputError: negative, NaN or infinite.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            import numpy as np

            if not isinstance(value, np.integer | np.floating):
                raise TypeError
        except TypeError:
            raise InvalidInputTypeError(
                f"{name} must be a number (0 for exact values), not {type(value).__name__}"
            ) from None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError(f"{name} must be a finite number >= 0, not {value!r}")
    return number


def simulator_overrides(options: SamplerOptions | EstimatorOptions) -> dict[str, Any]:
    """The simulator options a primitive's runs add to the backend's, checked.

    Raises:
        InvalidInputTypeError: ``backend_options``/``run_options`` is not a dict, or holds
            a value of the wrong type.
        UnknownOptionError: a name no simulator option has.
        InvalidInputError: a value out of range, or an option the primitive sets itself.
    """
    merged: dict[str, Any] = {}
    owns = _SAMPLER_OWNED if isinstance(options, SamplerOptions) else _ESTIMATOR_OWNED
    for label in ("backend_options", "run_options"):
        value = getattr(options, label)
        if not isinstance(value, Mapping):
            raise InvalidInputTypeError(f"{label} must be a dict, not {type(value).__name__}")
        owned = sorted(owns & set(value))
        if owned:
            raise InvalidInputError(
                f"{label} must not set {owned[0]!r}: the primitive sets it from the PUBs "
                "(give shots to run() or in the PUB)"
            )
        merged.update(value)
    return validate_run_options(merged)


def _label(kind: type) -> str:
    return "sampler" if kind is SamplerOptions else "estimator"
