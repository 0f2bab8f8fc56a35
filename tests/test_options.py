"""Run options: device options that IBM-targeting clients send, accepted or refused clearly."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.result.models import MeasLevel, MeasReturnType

from qiskit_myprovider import MyBackend
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    UnknownOptionError,
)
from qiskit_myprovider.options import DEVICE_OPTION_NAMES, simulator_options, validate_option


def one() -> QuantumCircuit:
    qc = QuantumCircuit(1)
    qc.x(0)
    qc.measure_all()
    return qc


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("meas_level", 2),
        ("meas_return", "single"),
        ("meas_return", "avg"),
        ("rep_delay", None),
        ("rep_delay", 0.00025),
        ("rep_time", 1e-3),
        ("init_qubits", True),
        ("use_measure_esp", None),
    ],
)
def test_a_device_option_asking_for_what_a_simulator_does_runs_the_job(
    backend: MyBackend, name: str, value: object
) -> None:
    job = backend.run(one(), shots=10, **{name: value})
    assert job.result().get_counts() == {"1": 10}
    # Aer never sees them: the job's simulator options hold none.
    assert not set(job.backend_options()) & DEVICE_OPTION_NAMES


def test_ibm_enums_are_accepted_for_meas_level_and_meas_return(backend: MyBackend) -> None:
    job = backend.run(
        one(), shots=5, meas_level=MeasLevel.CLASSIFIED, meas_return=MeasReturnType.SINGLE
    )
    assert job.result().get_counts() == {"1": 5}


@pytest.mark.parametrize(
    ("name", "value", "error", "fragment"),
    [
        ("meas_level", 1, InvalidInputError, "IQ"),
        ("meas_level", 0, InvalidInputError, "use meas_level=2"),
        ("meas_level", "2", InvalidInputTypeError, "must be an int"),
        ("meas_return", "average", InvalidInputError, "single, avg"),
        ("rep_delay", -1.0, InvalidInputError, ">= 0 seconds"),
        ("rep_delay", "fast", InvalidInputTypeError, "number of seconds"),
        ("init_qubits", False, InvalidInputError, "starts every shot from |0...0>"),
        ("init_qubits", 1, InvalidInputTypeError, "must be a bool"),
    ],
)
def test_a_device_option_asking_for_more_than_a_simulator_gives_is_refused_up_front(
    backend: MyBackend, name: str, value: object, error: type[Exception], fragment: str
) -> None:
    before = len(backend.jobs(limit=None))
    with pytest.raises(error, match=r"Option '" + name + r"'") as info:
        backend.run(one(), **{name: value})
    assert fragment in str(info.value)
    assert len(backend.jobs(limit=None)) == before, "a refused run left a record"
    assert backend.run(one(), shots=3).result().get_counts() == {"1": 3}


def test_unknown_names_are_still_refused_with_a_suggestion(backend: MyBackend) -> None:
    with pytest.raises(UnknownOptionError, match="Did you mean 'meas_level'"):
        backend.run(one(), meas_levl=2)


def test_backend_defaults_may_hold_device_options_and_aer_never_gets_them(
    backend: MyBackend,
) -> None:
    backend.set_options(meas_level=2, rep_delay=None)
    assert backend.options.meas_level == 2
    assert backend.run(one(), shots=4).result().get_counts() == {"1": 4}


def test_simulator_options_drop_device_options_and_nones() -> None:
    options = {"shots": 5, "meas_level": 2, "seed_simulator": None, "rep_delay": 0.1}
    assert simulator_options(options) == {"shots": 5}
    assert validate_option("meas_return", "avg") == "avg"
