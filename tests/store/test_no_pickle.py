"""The store holds no pickles, and reading one (API or CLI) never runs what a writer planted."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import JobFailedError
from tests.conftest import bell_circuit
from tests.support import PATIENCE, child_env

#: Seconds a child Python may take to import Qiskit and read the store.
CHILD_TIMEOUT = 3 * PATIENCE
#: How close statevectors, density matrices and expectation values must come back.
TOLERANCE = 1e-12
#: The blob columns of a job row.
BLOBS = ("circuits", "options", "header", "result")


def noise_model() -> NoiseModel:
    noise = NoiseModel()
    noise.add_all_qubit_quantum_error(depolarizing_error(0.05, 1), ["h"])
    noise.add_all_qubit_quantum_error(depolarizing_error(0.1, 2), ["cx"])
    noise.add_readout_error(ReadoutError([[0.9, 0.1], [0.2, 0.8]]), [0])
    return noise


def saving_circuit() -> QuantumCircuit:
    circuit = QuantumCircuit(2, name="saves")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.save_statevector()
    circuit.save_density_matrix(label="rho")
    circuit.save_probabilities(label="probs")
    circuit.save_expectation_value(SparsePauliOp("ZZ"), [0, 1], label="zz")
    return circuit


def unitary_circuit() -> QuantumCircuit:
    circuit = QuantumCircuit(2, name="unitary")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.save_unitary()
    return circuit


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "jobs.sqlite3"


@pytest.fixture
def every_kind(store_path: Path) -> Iterator[dict[str, Any]]:
    """A store holding a job of every result kind; what each job returned, by kind."""
    with MyProvider(store=store_path, executor="thread") as provider:
        backend = provider.get_backend()
        jobs = {
            "counts": backend.run(bell_circuit(), shots=200, seed_simulator=5, memory=True,
                                  header={"note": "every kind", "values": [1, 2.5, None]}),
            "noisy": backend.run(bell_circuit(), shots=400, seed_simulator=6,
                                 noise_model=noise_model()),
            "saves": backend.run(saving_circuit(), seed_simulator=7),
            "unitary": backend.run(unitary_circuit(), method="unitary"),
        }  # fmt: skip
        yield {kind: (job.job_id(), job.result()) for kind, job in jobs.items()}


def test_no_column_of_a_store_holding_every_result_kind_is_a_pickle(
    every_kind: dict[str, Any], store_path: Path
) -> None:
    conn = sqlite3.connect(store_path)
    rows = conn.execute(f"SELECT job_id, {', '.join(BLOBS)} FROM jobs").fetchall()
    conn.close()
    assert len(rows) == len(every_kind)
    for job_id, *blobs in rows:
        for column, blob in zip(BLOBS, blobs, strict=True):
            if blob is None:
                assert column in ("circuits", "result"), (job_id, column)
                continue
            codec, payload = blob[:1], blob[1:]
            if payload[:1] == b"\x78":
                payload = zlib.decompress(payload)
            assert payload[:1] != b"\x80", (job_id, column)  # no pickle protocol 2+ header
            if codec == b"Q":
                assert column == "circuits"
                assert payload.startswith(b"QISKIT")  # QPY's magic
            else:
                assert codec == b"J", (job_id, column)
                document = json.loads(payload)  # plain JSON: no code can be in it
                assert document["__format__"] == 1


READ_BACK = textwrap.dedent(
    """
    import json, sys
    from qiskit_aer import AerSimulator
    from qiskit_myprovider import MyProvider
    from tests.conftest import bell_circuit

    ids = json.loads(sys.argv[1])
    out = {}
    with MyProvider(store=sys.argv[2], executor="thread") as provider:
        counts = provider.job(ids["counts"]).result()
        out["counts"] = counts.get_counts()
        out["memory"] = counts.get_memory()
        out["header"] = provider.job(ids["counts"]).header()
        saves = provider.job(ids["saves"]).result()
        state = saves.get_statevector()
        out["state_type"] = type(state).__name__
        out["state"] = [[z.real, z.imag] for z in state.data]
        out["rho"] = [[z.real, z.imag] for z in saves.data(0)["rho"].data.ravel()]
        out["probs"] = list(saves.data(0)["probs"])
        out["zz"] = saves.data(0)["zz"]
        unitary = provider.job(ids["unitary"]).result().get_unitary()
        out["unitary"] = [[z.real, z.imag] for z in unitary.data.ravel()]
        noisy = provider.job(ids["noisy"])
        out["noisy_counts"] = noisy.result().get_counts()
        noise = noisy.backend_options()["noise_model"]
        out["noise_type"] = type(noise).__name__
        rerun = AerSimulator(noise_model=noise).run(bell_circuit(), shots=400, seed_simulator=6)
        out["rerun_counts"] = rerun.result().get_counts()
    print(json.dumps(out))
    """
)


def _complex(pairs: list[list[float]]) -> np.ndarray[Any, Any]:
    return np.array([re + 1j * im for re, im in pairs])


def test_every_result_kind_reads_back_equal_in_a_fresh_process(
    every_kind: dict[str, Any], store_path: Path
) -> None:
    ids = {kind: job_id for kind, (job_id, _) in every_kind.items()}
    child = subprocess.run(
        [sys.executable, "-c", READ_BACK, json.dumps(ids), str(store_path)],
        env=child_env(), capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    back = json.loads(child.stdout)
    counts = every_kind["counts"][1]
    assert back["counts"] == counts.get_counts()
    assert back["memory"] == counts.get_memory()
    assert back["header"] == {"note": "every kind", "values": [1, 2.5, None]}
    saves = every_kind["saves"][1]
    assert back["state_type"] == "Statevector"
    np.testing.assert_allclose(_complex(back["state"]), saves.get_statevector().data,
                               atol=TOLERANCE, rtol=0)  # fmt: skip
    np.testing.assert_allclose(_complex(back["rho"]), saves.data(0)["rho"].data.ravel(),
                               atol=TOLERANCE, rtol=0)  # fmt: skip
    np.testing.assert_allclose(back["probs"], saves.data(0)["probs"], atol=TOLERANCE, rtol=0)
    assert back["zz"] == pytest.approx(saves.data(0)["zz"], abs=TOLERANCE)
    np.testing.assert_allclose(_complex(back["unitary"]),
                               every_kind["unitary"][1].get_unitary().data.ravel(),
                               atol=TOLERANCE, rtol=0)  # fmt: skip
    noisy = every_kind["noisy"][1].get_counts()
    assert back["noisy_counts"] == noisy
    assert back["noise_type"] == "NoiseModel"
    # The stored noise model is the same noise: the same seed gives the same noisy counts.
    original = AerSimulator(noise_model=noise_model()).run(bell_circuit(), shots=400,
                                                           seed_simulator=6)  # fmt: skip
    assert back["rerun_counts"] == original.result().get_counts()
    assert set(noisy) == {"00", "01", "10", "11"}  # the noise really was applied


# -- a planted payload -----------------------------------------------------------------------


class _Planted:
    """Unpickling this creates the marker file (what an attacker would do, harmlessly)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def _plants(marker: Path) -> list[bytes]:
    payload = pickle.dumps(_Planted(marker), protocol=pickle.HIGHEST_PROTOCOL)
    compressed = zlib.compress(payload + b"\x00" * 2000)  # still a valid pickle once inflated
    return [b"P" + payload, b"P" + compressed, payload, b"J" + payload, b"Q" + payload]


@pytest.fixture
def planted(store_path: Path, tmp_path: Path) -> tuple[list[str], Path]:
    """A store whose every job has a payload in every blob column; the payload's marker."""
    marker = tmp_path / "payload-ran"
    with MyProvider(store=store_path, executor="thread") as provider:
        backend = provider.get_backend()
        job_ids = [
            backend.run(bell_circuit(), shots=10, seed_simulator=1).job_id()
            for _ in _plants(marker)
        ]
        for job_id in job_ids:
            provider.job(job_id).wait_for_final_state(timeout=PATIENCE)
    conn = sqlite3.connect(store_path)
    with conn:
        for job_id, plant in zip(job_ids, _plants(marker), strict=True):
            conn.execute(
                "UPDATE jobs SET circuits = ?, options = ?, header = ?, result = ? "
                "WHERE job_id = ?",
                (plant, plant, plant, plant, job_id),
            )
    conn.close()
    return job_ids, marker


def test_a_planted_payload_never_runs_on_any_api_read_path(
    planted: tuple[list[str], Path], store_path: Path
) -> None:
    job_ids, marker = planted
    with MyProvider(store=store_path, executor="thread") as provider:
        listed = provider.jobs(limit=None)
        assert sorted(job.job_id() for job in listed) == sorted(job_ids)
        for job in listed:
            assert (job.error_message() or "").startswith("damaged record: ")
        for job_id in job_ids:
            job = provider.job(job_id)
            assert job.status().name == "ERROR"
            assert job.circuits() == []
            assert job.backend_options() == {}
            assert job.header() == {}
            with pytest.raises(JobFailedError, match="damaged record: cannot decode"):
                job.result()
        provider.delete_job(job_ids[0])  # the remedy the message names works
        assert len(provider.jobs(limit=None)) == len(job_ids) - 1
    assert not marker.exists()


@pytest.mark.parametrize("command", ["list", "show", "result"])
def test_a_planted_payload_never_runs_on_any_cli_read_path(
    planted: tuple[list[str], Path], store_path: Path, command: str
) -> None:
    job_ids, marker = planted
    argv = ["jobs", "list", "--limit", "100"] if command == "list" else ["jobs", command]
    runs = [argv] if command == "list" else [[*argv, job_id] for job_id in job_ids[:2]]
    for args in runs:
        child = subprocess.run(
            [sys.executable, "-m", "qiskit_myprovider", *args],
            env=child_env(store=store_path), capture_output=True, text=True,
            timeout=CHILD_TIMEOUT, check=False,
        )  # fmt: skip
        output = child.stdout + child.stderr
        assert "Traceback" not in output
        if command == "list":
            assert child.returncode == 0, output
            assert all(job_id[:8] in output for job_id in job_ids)
        else:
            assert "damaged record" in output, output
    assert not marker.exists()


def test_the_planted_payload_is_live(tmp_path: Path) -> None:
    """Guards the tests above: unpickling the plant does run it (so "never ran" means it)."""
    marker = tmp_path / "payload-ran"
    for plant in _plants(marker)[:3]:
        marker.unlink(missing_ok=True)
        body = plant[1:] if plant[:1] == b"P" else plant
        pickle.loads(zlib.decompress(body) if body[:1] == b"\x78" else body)
        assert marker.exists()
