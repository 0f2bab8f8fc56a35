"""Dask: a running job stops for real, and a Dask worker lost mid-job does not lose the job.

Real ``LocalCluster``s on loopback, worker processes, real simulations.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import dask
import distributed
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.execution import DaskExecutor
from tests.support import PATIENCE, PROMPT, wait_until

#: How soon a cancelled RUNNING job must be CANCELLED and its Dask worker free again.
STOPPED_WITHIN = 1.0


def cluster(n_workers: int, **config: Any) -> Any:
    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        **config,
    )


def long_circuit(backend: MyBackend, depth: int) -> QuantumCircuit:
    qc = quantum_volume(23, depth, seed=9)
    qc.measure_all()
    return transpile(qc, backend, optimization_level=0)


def small_circuit() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


@pytest.fixture(scope="module")
def one_worker() -> Iterator[Any]:
    with cluster(1) as local, distributed.Client(local) as client:
        yield client


@pytest.mark.slow
def test_cancelling_a_running_dask_job_stops_it_and_frees_the_worker(one_worker: Any) -> None:
    with MyProvider(store=":memory:", executor=DaskExecutor(one_worker)) as provider:
        backend = provider.get_backend("myprovider_statevector")
        job = backend.run(long_circuit(backend, depth=60), shots=10)  # a minute or more
        wait_until(job.running, what="the job to start on the Dask worker", timeout=PATIENCE)
        time.sleep(0.3)  # it is simulating now
        started = time.monotonic()
        assert job.cancel() is True
        assert job.status().name == "CANCELLED"
        # The one Dask thread is free again only if the simulation really stopped.
        follow_up = backend.run(small_circuit(), shots=10)
        assert follow_up.result(timeout=PATIENCE).get_counts().keys() <= {"00", "11"}
        # The follow-up's own start-up (a fresh simulating process) is not the cancel's.
        assert time.monotonic() - started < STOPPED_WITHIN + 2 * PROMPT
        stopped = follow_up.time_per_step()["RUNNING"] - job.time_per_step()["CANCELLED"]
        assert stopped.total_seconds() < STOPPED_WITHIN, stopped


@pytest.mark.slow
def test_a_dask_worker_lost_mid_job_is_resubmitted_and_the_job_ends_done() -> None:
    with (
        cluster(2) as local,
        distributed.Client(local) as client,
        MyProvider(store=":memory:", executor=DaskExecutor(client)) as provider,
    ):
        backend = provider.get_backend("myprovider_statevector")
        job = backend.run(long_circuit(backend, depth=12), shots=10, seed_simulator=5)
        wait_until(job.running, what="the job to start", timeout=PATIENCE)
        pids = client.run(os.getpid)
        busy = [address for address, keys in client.processing().items() if keys]
        assert len(busy) == 1, client.processing()
        os.kill(pids[busy[0]], signal.SIGKILL)
        result = job.result(timeout=PATIENCE * 2)
        assert sum(result.get_counts().values()) == 10
        assert job.status().name == "DONE"


@pytest.mark.slow
def test_a_job_whose_dask_workers_keep_dying_ends_in_error_saying_so() -> None:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        cluster(2) as local,
        distributed.Client(local) as client,
        MyProvider(store=":memory:", executor=DaskExecutor(client)) as provider,
    ):
        backend = provider.get_backend("myprovider_statevector")
        job = backend.run(long_circuit(backend, depth=12), shots=10)
        wait_until(job.running, what="the job to start", timeout=PATIENCE)
        pids = client.run(os.getpid)
        busy = [address for address, keys in client.processing().items() if keys]
        os.kill(pids[busy[0]], signal.SIGKILL)
        job.wait_for_final_state(timeout=PATIENCE)
        assert job.status().name == "ERROR"
        assert "Dask workers that ran this job died" in (job.error_message() or "")


@pytest.mark.slow
def test_primitive_jobs_run_on_dask_and_equal_aers(one_worker: Any) -> None:
    import numpy as np
    from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2
    from qiskit_aer.primitives import SamplerV2 as AerSamplerV2

    from qiskit_myprovider.primitives import EstimatorV2, SamplerV2

    with MyProvider(store=":memory:", executor=DaskExecutor(one_worker)) as provider:
        backend = provider.get_backend()
        sampled = SamplerV2(mode=backend, options={"seed": 3}).run([small_circuit()], shots=64)
        unmeasured = small_circuit().remove_final_measurements(inplace=False)
        estimated = EstimatorV2(mode=backend).run([(unmeasured, ["ZZ", "XX", "ZI"])])
        ours_bits = sampled.result(timeout=PATIENCE)[0].data.meas
        ours_evs = estimated.result(timeout=PATIENCE)[0].data.evs
    aer_bits = AerSamplerV2.from_backend(backend.simulator, seed=3).run(
        [small_circuit()], shots=64
    ).result()[0].data.meas
    aer_evs = AerEstimatorV2.from_backend(backend.simulator).run(
        [(unmeasured, ["ZZ", "XX", "ZI"])]
    ).result()[0].data.evs
    assert ours_bits == aer_bits
    np.testing.assert_allclose(ours_evs, aer_evs, atol=1e-10)
