"""qiskit-experiments on our backends, run as its users run it.

``experiment.run(backend).block_for_results()``: the library copies the experiment, sets the
backend, transpiles for it and (its default since 0.12) runs the circuits through
qiskit-ibm-runtime's ``SamplerV2`` in local mode, which deep-copies our backend; with
``backend_run=True`` it calls ``backend.run`` itself, sending ``meas_level=2``. The fitted
values are checked against the fake device's own calibration data (the mimic's noise model
is built from those numbers, so a correct simulation gives them back): T1 within
``tolerance.SIGMAS`` of the fit's standard error, RB's error per gate within a stated band.

The library's default path makes qiskit-ibm-runtime's deprecated ``SamplerV2`` itself; its
deprecation warning is allowed here (only that one: every other warning is an error).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus
from qiskit_experiments.framework import ExperimentData, ExperimentStatus
from qiskit_experiments.library import T1, StandardRB, StateTomography
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import InvalidInputError

from ..tolerance import assert_expectation

pytestmark = pytest.mark.filterwarnings(
    "ignore:The SamplerV2 class is deprecated:DeprecationWarning"
)

QUBIT = 0


def result(data: ExperimentData, name: str, *, fitted: bool = True) -> Any:
    """The analysis result ``name`` of a finished experiment.

    ``fitted``: also require the curve analysis's verdict "good" (reduced chi-square below
    3, sensible error bars). Meaningful for T1, whose points carry binomial errors only; not
    for RB, whose chi-square depends on the random sequences drawn.
    """
    assert data.status() is ExperimentStatus.DONE, data.errors()
    rows = data.analysis_results(name, dataframe=True)
    assert len(rows) == 1, rows
    if fitted:
        assert rows.iloc[0].quality == "good", rows
    return rows.iloc[0].value


def t1_experiment(device: FakeManilaV2) -> T1:
    t1 = device.target.qubit_properties[QUBIT].t1
    return T1(physical_qubits=(QUBIT,), delays=np.linspace(0, 5 * t1, 20))


@pytest.mark.parametrize("backend_run", [None, True], ids=["sampler", "backend_run"])
def test_t1_fits_the_devices_t1(
    mimic: MyBackend, device: FakeManilaV2, backend_run: bool | None
) -> None:
    data = t1_experiment(device).run(mimic, backend_run=backend_run).block_for_results()
    fitted = result(data, "T1")
    expected = device.target.qubit_properties[QUBIT].t1
    assert fitted.s < 0.1 * expected, "the fit is too loose to test anything"
    assert_expectation(fitted.n, expected, fitted.s, f"T1 of qubit {QUBIT}")


def test_the_experiments_jobs_are_ours(
    mimic: MyBackend, device: FakeManilaV2, provider: MyProvider
) -> None:
    before = {job.job_id() for job in provider.jobs(limit=None)}
    data = t1_experiment(device).run(mimic).block_for_results()
    # The ids qiskit-experiments records are the primitive's; under each is one job of ours,
    # on the deep copy local mode made, in the provider's store.
    new = [job for job in provider.jobs(limit=None) if job.job_id() not in before]
    assert len(new) == len(data.job_ids) == 1
    assert new[0].status() is JobStatus.DONE
    assert new[0].backend().name == mimic.name
    assert len(new[0].circuits()) == len(data.data())


def assert_plausible_gate_error(fitted: Any, expected: float, band: float, what: str) -> None:
    """An RB error per gate within a factor ``band`` of the device's gate error.

    Not a sigma test: the fit's standard error leaves out the spread between random Clifford
    sequences, which dominates at these sample counts. Measured over five sequence seeds on
    this mimic, EPG_sx / (device sx error) ranged over 0.55-1.21 (fit errors about 15%) and
    EPG_cx / (device cx error) over 1.02-1.18. A mimic without noise (EPG near 0) or with
    the wrong noise model falls outside the band.
    """
    assert expected / band <= fitted.n <= expected * band, (
        f"{what}: {fitted} is not within a factor {band} of the device's {expected:.3g}"
    )


#: How far from the device's gate error RB's error per gate may be (see the docstring above).
SINGLE_QUBIT_BAND = 2.0
TWO_QUBIT_BAND = 1.5


def test_single_qubit_rb_gives_the_devices_gate_error(
    mimic: MyBackend, device: FakeManilaV2
) -> None:
    rb = StandardRB(
        physical_qubits=(QUBIT,), lengths=[1, 500, 1000, 2000, 3000], num_samples=8, seed=1
    )
    data = rb.run(mimic).block_for_results()
    epc, epg_sx = result(data, "EPC", fitted=False), result(data, "EPG_sx", fitted=False)
    assert 0 < epc.n < 1e-2, f"EPC {epc} is no plausible single-qubit error"
    expected = device.target["sx"][(QUBIT,)].error
    assert_plausible_gate_error(epg_sx, expected, SINGLE_QUBIT_BAND, "EPG of sx")


def test_two_qubit_rb_gives_the_devices_cx_error(mimic: MyBackend, device: FakeManilaV2) -> None:
    rb = StandardRB(physical_qubits=(0, 1), lengths=[1, 20, 50, 100, 200], num_samples=5, seed=1)
    data = rb.run(mimic).block_for_results()
    epc, epg_cx = result(data, "EPC", fitted=False), result(data, "EPG_cx", fitted=False)
    assert 0 < epc.n < 0.1, f"EPC {epc} is no plausible two-qubit error"
    expected = device.target["cx"][(0, 1)].error
    assert_plausible_gate_error(epg_cx, expected, TWO_QUBIT_BAND, "EPG of cx")


def test_bell_state_tomography_on_the_ideal_backend(provider: MyProvider) -> None:
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    data = StateTomography(bell).run(provider.get_backend(), shots=4000).block_for_results()
    fidelity = result(data, "state_fidelity", fitted=False)
    # A wrong state (a flipped or dephased qubit) has fidelity 0.5 or less with the Bell state.
    assert fidelity > 0.9


def test_bell_state_tomography_on_the_mimic_sees_its_noise(mimic: MyBackend) -> None:
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    experiment = StateTomography(bell, physical_qubits=(0, 1))
    data = experiment.run(mimic, shots=4000).block_for_results()
    fidelity = result(data, "state_fidelity", fitted=False)
    # Readout and gate errors of a few percent, and nothing worse.
    assert 0.8 < fidelity < 0.99


def test_iq_data_is_refused_before_anything_runs(mimic: MyBackend, device: FakeManilaV2) -> None:
    """``meas_level=1`` (kerneled IQ data) asks for what a simulator cannot give."""
    with pytest.raises(InvalidInputError, match=r"meas_level'=1 asks for kerneled or raw"):
        t1_experiment(device).run(mimic, backend_run=True, meas_level=1, meas_return="avg")
