"""Bad input to the primitives is refused before anything is queued, in the exception tree."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import efficient_su2

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MyProviderError,
    UnknownOptionError,
)
from qiskit_myprovider.primitives import EstimatorV2, SamplerV2
from tests.conftest import bell_circuit


def parametric() -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.rx(Parameter("a"), 0)
    circuit.ry(Parameter("b"), 1)
    return circuit


def wide() -> QuantumCircuit:
    circuit = QuantumCircuit(40)
    circuit.h(0)
    circuit.measure_all()
    return circuit


ESTIMATOR_CASES: list[tuple[str, Any, dict[str, Any], type[Exception], str]] = [
    ("negative precision", [(bell_circuit(False), "ZZ")], {"precision": -0.1},
     InvalidInputError, "precision"),
    ("NaN precision", [(bell_circuit(False), "ZZ")], {"precision": float("nan")},
     InvalidInputError, "precision"),
    ("negative PUB precision", [(bell_circuit(False), "ZZ", None, -1.0)], {},
     InvalidInputError, "PUB 0"),
    ("precision of the wrong type", [(bell_circuit(False), "ZZ")], {"precision": "high"},
     InvalidInputTypeError, "precision"),
    ("shapes that do not broadcast", [(parametric(), ["ZZ", "XX", "YY"], np.zeros((2, 2)))], {},
     InvalidInputError, "PUB 0"),
    ("too few parameter values", [(parametric(), "ZZ", [0.1])], {},
     InvalidInputError, "PUB 0"),
    ("too many parameter values", [(parametric(), "ZZ", [[0.1, 0.2, 0.3]])], {},
     InvalidInputError, "PUB 0"),
    ("unbound parameters", [(parametric(), "ZZ")], {}, InvalidInputError, "PUB 0"),
    ("NaN parameter values", [(parametric(), "ZZ", [[0.1, np.nan]])], {},
     InvalidInputError, "finite"),
    ("observable of the wrong width", [(bell_circuit(False), "ZZZ")], {},
     InvalidInputError, "PUB 0"),
    ("observable with a bad letter", [(bell_circuit(False), "ZQ")], {},
     InvalidInputError, "PUB 0"),
    ("a circuit wider than the backend", [(wide(), "Z" * 40)], {},
     InvalidInputError, "PUB 0"),
    ("a bare circuit instead of a list", bell_circuit(False), {},
     InvalidInputTypeError, "list of PUBs"),
    ("not a PUB", [42], {}, InvalidInputTypeError, "PUB 0"),
    ("None as pubs", None, {}, InvalidInputTypeError, "list of PUBs"),
    ("a string as pubs", "ZZ", {}, InvalidInputTypeError, "list of PUBs"),
]

SAMPLER_CASES: list[tuple[str, Any, dict[str, Any], type[Exception], str]] = [
    ("zero shots", [bell_circuit()], {"shots": 0}, InvalidInputError, "shots"),
    ("negative PUB shots", [(bell_circuit(), None, -5)], {}, InvalidInputError, "PUB 0"),
    ("float shots", [bell_circuit()], {"shots": 1.5}, InvalidInputTypeError, "shots"),
    ("too many parameter values", [(parametric(), [[1, 2, 3]])], {}, InvalidInputError, "PUB 0"),
    ("unbound parameters", [parametric()], {}, InvalidInputError, "PUB 0"),
    ("infinite values", [(parametric(), [np.inf, 0.0])], {}, InvalidInputError, "finite"),
    ("a circuit wider than the backend", [wide()], {}, InvalidInputError, "40"),
    ("a bare circuit instead of a list", bell_circuit(), {}, InvalidInputTypeError, "list"),
    ("not a PUB", [object()], {}, InvalidInputTypeError, "PUB 0"),
]


def _nan_angle() -> QuantumCircuit:
    circuit = QuantumCircuit(1)
    circuit.rx(float("nan"), 0)
    circuit.measure_all()
    return circuit


SAMPLER_CASES.append(("a NaN angle", [_nan_angle()], {}, InvalidInputError, "finite"))


def assert_untouched(backend: MyBackend, provider: MyProvider) -> None:
    assert provider.jobs(limit=None) == []
    counts = SamplerV2(mode=backend).run([bell_circuit()], shots=20).result()[0].data.meas
    assert counts.num_shots == 20


@pytest.mark.parametrize(("what", "pubs", "kwargs", "error", "match"), ESTIMATOR_CASES,
                         ids=[case[0] for case in ESTIMATOR_CASES])  # fmt: skip
def test_estimator_refuses(
    provider: MyProvider, what: str, pubs: Any, kwargs: dict[str, Any],
    error: type[Exception], match: str,
) -> None:  # fmt: skip
    backend = provider.get_backend()
    with pytest.raises(error, match=match) as caught:
        EstimatorV2(mode=backend).run(pubs, **kwargs)
    assert isinstance(caught.value, MyProviderError)
    assert_untouched(backend, provider)


@pytest.mark.parametrize(("what", "pubs", "kwargs", "error", "match"), SAMPLER_CASES,
                         ids=[case[0] for case in SAMPLER_CASES])  # fmt: skip
def test_sampler_refuses(
    provider: MyProvider, what: str, pubs: Any, kwargs: dict[str, Any],
    error: type[Exception], match: str,
) -> None:  # fmt: skip
    backend = provider.get_backend()
    with pytest.raises(error, match=match) as caught:
        SamplerV2(mode=backend).run(pubs, **kwargs)
    assert isinstance(caught.value, MyProviderError)
    assert_untouched(backend, provider)


@pytest.mark.parametrize(
    ("primitive", "options", "error", "match"),
    [
        (SamplerV2, {"shots": 10}, UnknownOptionError, "default_shots"),
        (SamplerV2, {"default_shots": 0}, InvalidInputError, "default_shots"),
        (SamplerV2, {"seed": "x"}, InvalidInputTypeError, "seed"),
        (SamplerV2, {"run_options": {"shot": 5}}, UnknownOptionError, "shots"),
        (SamplerV2, {"run_options": {"shots": 5}}, InvalidInputError, "run\\(\\)"),
        (SamplerV2, {"backend_options": {"method": "nope"}}, InvalidInputError, "method"),
        (SamplerV2, {"run_options": [1]}, InvalidInputTypeError, "run_options"),
        (SamplerV2, 5, InvalidInputTypeError, "options"),
        (EstimatorV2, {"default_precision": -1}, InvalidInputError, "default_precision"),
        (EstimatorV2, {"precision": 0.1}, UnknownOptionError, "default_precision"),
        (EstimatorV2, {"run_options": {"parameter_binds": []}}, InvalidInputError, "binds"),
        (EstimatorV2, {"backend_options": {"shots": -1}}, InvalidInputError, "shots"),
    ],
)
def test_bad_options_are_refused(
    backend: MyBackend, primitive: Any, options: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        primitive(mode=backend, options=options)


def test_bad_options_set_after_construction_are_refused_at_run(backend: MyBackend) -> None:
    sampler = SamplerV2(mode=backend)
    sampler.options.default_shots = -3
    with pytest.raises(InvalidInputError, match="default_shots"):
        sampler.run([bell_circuit()])


@pytest.mark.parametrize("mode", ["ibm_brisbane", 3, object()])
def test_a_mode_that_is_no_backend_is_refused(mode: Any) -> None:
    with pytest.raises(InvalidInputTypeError, match="MyBackend"):
        SamplerV2(mode=mode)
    with pytest.raises(InvalidInputTypeError, match="MyBackend"):
        EstimatorV2(mode=mode)


_SCALARS = st.one_of(st.integers(), st.floats(), st.text(max_size=4), st.none())
HOSTILE = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
    st.binary(max_size=8), st.lists(_SCALARS, max_size=4),
    st.tuples(st.just(bell_circuit(False)), _SCALARS),
    st.tuples(st.just(parametric()), st.just("ZZ"),
              st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4)),
    st.tuples(st.just(parametric()), st.lists(st.floats(allow_nan=True), max_size=3),
              st.integers()),
)  # fmt: skip
_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(pub=HOSTILE, precision=st.one_of(st.none(), st.floats(), st.integers(-2, 2)))
def test_hostile_estimator_input_is_refused_or_runs(
    provider: MyProvider, pub: Any, precision: Any
) -> None:
    """Whatever is passed, run() either refuses it with one of our errors or returns a job."""
    backend = provider.get_backend()
    try:
        job = EstimatorV2(mode=backend).run([pub], precision=precision)
    except MyProviderError:
        return
    job.result(timeout=60)


@_FUZZ
@given(pub=HOSTILE, shots=st.one_of(st.none(), st.integers(-3, 50), st.floats()))
def test_hostile_sampler_input_is_refused_or_runs(
    provider: MyProvider, pub: Any, shots: Any
) -> None:
    backend = provider.get_backend()
    try:
        with warnings.catch_warnings():  # a circuit without registers is warned about: fine
            warnings.filterwarnings("ignore", "The 0-th pub's circuit has no output")
            job = SamplerV2(mode=backend).run([pub], shots=shots)
    except MyProviderError:
        return
    job.result(timeout=60)


def test_many_parameter_sets_are_bound_inside_aer(provider: MyProvider) -> None:
    """One circuit goes to Aer, with its parameter rows (not one bound circuit per row)."""
    ansatz = efficient_su2(3, reps=1)
    ansatz.measure_all()
    job = SamplerV2(mode=provider.get_backend()).run(
        [(ansatz, np.zeros((30, ansatz.num_parameters)))], shots=5
    )
    assert len(job.circuits()) == 1
    assert job.result()[0].data.meas.shape == (30,)


def test_pubs_of_no_parameter_sets_give_empty_results_without_running_aer(
    backend: MyBackend,
) -> None:
    """Aer's own primitives crash the process (a segfault) on these; ours return shapes."""
    sampler_circuit = parametric()
    sampler_circuit.measure_all()
    sampled = SamplerV2(mode=backend).run(
        [(sampler_circuit, np.zeros((0, 2))), bell_circuit()], shots=7
    ).result()
    assert sampled[0].data.meas.shape == (0,)
    assert sampled[0].data.meas.num_shots == 7
    assert sampled[1].data.meas.num_shots == 7
    estimated = EstimatorV2(mode=backend).run([(parametric(), ["ZZ", "XX"], np.zeros((0, 1, 2)))])
    assert estimated.result()[0].data.evs.shape == (0, 2)
