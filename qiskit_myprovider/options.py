"""Run options: which names exist, what types they take, and the checks done before queueing.

Aer accepts any keyword in ``run()`` without a word and fails late (or never) on bad values.
Here every option ``AerSimulator`` knows passes through, type-checked where Aer documents a
type, and any other name is rejected up front with the list of valid names.

The run options that IBM-targeting clients (qiskit-ibm-runtime's local mode,
qiskit-experiments, mthree) send with every job are accepted where they ask for what a
simulator does anyway (classified counts, qubits reset between shots, any repetition delay)
and refused, naming what the simulator cannot give, where they ask for more (IQ data).
They never reach Aer: :func:`simulator_options` drops them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, Final

from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel

from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UnknownOptionError,
)
from qiskit_myprovider.validation import validate_seed, validate_shots

__all__ = [
    "AER_OPTION_NAMES",
    "DEVICE_OPTION_NAMES",
    "JOB_KEYWORDS",
    "METHODS",
    "simulator_options",
    "validate_option",
    "validate_run_options",
    "validate_shots",
]

#: Simulation methods a backend may be configured with (Aer's, minus the exotic ones).
METHODS: Final[tuple[str, ...]] = tuple(AerSimulator().available_methods())

#: Options Aer knows, minus ``executor`` (ignored by Aer since 0.15; executors are ours).
AER_OPTION_NAMES: Final[frozenset[str]] = frozenset(
    name for name in AerSimulator._default_options()._fields if name != "executor"
) | {"parameter_binds"}

#: Keywords of ``run()`` that describe the job rather than the simulation.
JOB_KEYWORDS: Final[frozenset[str]] = frozenset({"job_name", "job_tags", "header"})


def _int_like(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_type(kind: type | tuple[type, ...], label: str) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value is None:
            return value
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise InvalidInputTypeError(f"Option '{name}' must be {label}, not bool {value!r}")
        if not isinstance(value, kind):
            raise InvalidInputTypeError(
                f"Option '{name}' must be {label}, not {type(value).__name__} {value!r}"
            )
        return value

    return check


#: The largest int any Aer option takes (its C++ side holds them in 32-bit ints at least).
_MAX_INT: Final = 2**31 - 1


def _int_check(minimum: int) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value is None:
            return value
        if not _int_like(value):
            raise InvalidInputTypeError(
                f"Option '{name}' must be an int >= {minimum} or None, not {value!r}"
            )
        number: int = int(value)  # type: ignore[call-overload]
        if not minimum <= number <= _MAX_INT:
            raise InvalidInputError(
                f"Option '{name}' must be between {minimum} and {_MAX_INT}, not {number}"
            )
        return number

    return check


_check_nonnegative_int = _int_check(0)
_check_positive_int = _int_check(1)


def _check_finite_number(name: str, value: object) -> object:
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputTypeError(
            f"Option '{name}' must be a number, not {type(value).__name__} {value!r}"
        )
    if not math.isfinite(float(value)):
        raise InvalidInputError(f"Option '{name}' must be a finite number, not {value}")
    return float(value)


def _check_choice(choices: tuple[str, ...]) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value not in choices:
            raise InvalidInputError(
                f"Option '{name}' must be one of {', '.join(choices)}; got {value!r}"
            )
        return value

    return check


def _check_seed(name: str, value: object) -> object:
    return validate_seed(value, name=f"Option '{name}'")


def _check_shots(name: str, value: object) -> object:
    return validate_shots(value, name=name)


def _check_noise_model(name: str, value: object) -> object:
    if value is not None and not isinstance(value, NoiseModel):
        raise InvalidInputTypeError(
            f"Option '{name}' must be a qiskit_aer.noise.NoiseModel or None, "
            f"not {type(value).__name__}"
        )
    return value


_BOOL = _check_type(bool, "a bool")
_NUMBER = _check_finite_number
_STRING = _check_type(str, "a str")

_VALIDATORS: Final[dict[str, Callable[[str, object], object]]] = {
    "shots": _check_shots,
    "seed_simulator": _check_seed,
    "memory": _BOOL,
    "method": _check_choice(METHODS),
    "device": _check_choice(("CPU", "GPU", "Thrust")),
    "precision": _check_choice(("single", "double")),
    "noise_model": _check_noise_model,
    "max_parallel_threads": _check_nonnegative_int,
    "max_parallel_experiments": _check_nonnegative_int,
    "max_parallel_shots": _check_nonnegative_int,
    "max_memory_mb": _check_nonnegative_int,
    "max_job_size": _check_nonnegative_int,
    "max_shot_size": _check_nonnegative_int,
    "fusion_enable": _BOOL,
    "fusion_verbose": _BOOL,
    "fusion_max_qubit": _check_nonnegative_int,
    "fusion_threshold": _check_nonnegative_int,
    "enable_truncation": _BOOL,
    "zero_threshold": _NUMBER,
    "validation_threshold": _NUMBER,
    "statevector_parallel_threshold": _check_nonnegative_int,
    "statevector_sample_measure_opt": _check_nonnegative_int,
    "matrix_product_state_truncation_threshold": _NUMBER,
    # 0 makes Aer loop forever holding the GIL (or crash): a bond dimension is at least 1.
    "matrix_product_state_max_bond_dimension": _check_positive_int,
    "mps_parallel_threshold": _check_nonnegative_int,
    "mps_omp_threads": _check_nonnegative_int,
    "shot_branching_enable": _BOOL,
    "shot_branching_sampling_enable": _BOOL,
    "cuStateVec_enable": _BOOL,
    "blocking_enable": _BOOL,
    "batched_shots_gpu": _BOOL,
    "runtime_parameter_bind_enable": _BOOL,
}


def _by_default_type(default: object) -> Callable[[str, object], object] | None:
    """The check for an Aer option that has none of its own, from the type of its default."""
    if isinstance(default, bool):
        return _BOOL
    if isinstance(default, int):
        return _check_nonnegative_int
    if isinstance(default, float):
        return _NUMBER
    if isinstance(default, str):
        return _STRING
    return None


for _name, _default in AerSimulator._default_options()._fields.items():
    _check = _by_default_type(_default)
    if _name in AER_OPTION_NAMES and _name not in _VALIDATORS and _check is not None:
        _VALIDATORS[_name] = _check
del _name, _default, _check


def _check_meas_level(name: str, value: object) -> object:
    # MeasLevel is an IntEnum: CLASSIFIED == 2.
    if not _int_like(value):
        raise InvalidInputTypeError(f"Option '{name}' must be an int (2), not {value!r}")
    if int(value) != 2:  # type: ignore[call-overload]
        raise InvalidInputError(
            f"Option '{name}'={int(value)} asks for kerneled or raw (IQ) measurement data; "  # type: ignore[call-overload]
            "a simulator returns classified counts only: use meas_level=2 (or leave it out)"
        )
    return 2


def _check_meas_return(name: str, value: object) -> object:
    choices = ("single", "avg")
    # MeasReturnType is a str Enum; its value is the string.
    text = getattr(value, "value", value)
    if text not in choices:
        raise InvalidInputError(
            f"Option '{name}' must be one of {', '.join(choices)}, not {value!r}"
        )
    return text


def _check_optional_seconds(name: str, value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputTypeError(
            f"Option '{name}' must be a number of seconds or None, not {value!r}"
        )
    if not float(value) >= 0:
        raise InvalidInputError(f"Option '{name}' must be >= 0 seconds, not {value}")
    return float(value)


def _check_init_qubits(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise InvalidInputTypeError(f"Option '{name}' must be a bool, not {value!r}")
    if not value:
        raise InvalidInputError(
            f"Option '{name}'=False asks to keep each shot's final state for the next; a "
            "simulator starts every shot from |0...0>: use init_qubits=True (or leave it out)"
        )
    return True


#: Run options of IBM devices that clients send routinely; checked, then never given to Aer.
_DEVICE_VALIDATORS: Final[dict[str, Callable[[str, object], object]]] = {
    "meas_level": _check_meas_level,
    "meas_return": _check_meas_return,
    "rep_delay": _check_optional_seconds,
    "rep_time": _check_optional_seconds,
    "init_qubits": _check_init_qubits,
    "use_measure_esp": _check_type((bool, type(None)), "a bool or None"),
}

#: The device run options accepted (see the module docstring).
DEVICE_OPTION_NAMES: Final[frozenset[str]] = frozenset(_DEVICE_VALIDATORS)

_OPTION_NAMES: Final = AER_OPTION_NAMES | DEVICE_OPTION_NAMES


def simulator_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options to hand Aer: device options dropped, and None meaning Aer's default.

    Args:
        options: Validated options (a backend's defaults merged with a run's).
    """
    return {
        name: value
        for name, value in options.items()
        if value is not None and name not in DEVICE_OPTION_NAMES
    }


def _unknown(name: str, valid: frozenset[str]) -> UnknownOptionError:
    import difflib

    hint = difflib.get_close_matches(name, sorted(valid), n=1)
    suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
    return UnknownOptionError(
        f"Unknown option '{name}'.{suggestion} Valid options: {', '.join(sorted(valid))}"
    )


def validate_option(name: str, value: object) -> object:
    """Check one simulator option and return its normalised value.

    Args:
        name: The option's name.
        value: The proposed value.

    Returns:
        The value to use (ints normalised to ``int``).

    Raises:
        UnknownOptionError: ``name`` is neither an option Aer knows nor a device option.
        InvalidInputTypeError: the value has the wrong type.
        InvalidInputError: the value is out of range or not one of the choices.
    """
    if name not in _OPTION_NAMES:
        raise _unknown(name, _OPTION_NAMES)
    check = _VALIDATORS.get(name) or _DEVICE_VALIDATORS.get(name)
    return check(name, value) if check is not None else value


def validate_run_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check every simulator option of a ``run()`` call.

    Args:
        options: The keyword arguments meant for the simulator.

    Returns:
        The normalised options.

    Raises:
        UnknownOptionError: a name no simulator option has; the message lists the valid ones.
        InvalidInputTypeError: a value of the wrong type.
        InvalidInputError: a value out of range.
    """
    valid = _OPTION_NAMES | JOB_KEYWORDS
    for name in options:
        if name not in valid:
            raise _unknown(name, valid)
    return {name: validate_option(name, value) for name, value in options.items()}
