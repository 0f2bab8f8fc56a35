"""MyProvider: the catalogue, real filtering, one backend object per name, jobs by id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from qiskit.providers import JobStatus

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider.exceptions import BackendNotFoundError

from .conftest import bell_circuit

CATALOGUE = {
    "myprovider_simulator",
    "myprovider_statevector",
    "myprovider_density_matrix",
    "myprovider_matrix_product_state",
    "myprovider_stabilizer",
    "myprovider_noisy_simulator",
    "myprovider_noisy_density_matrix",
}


def test_catalogue_has_every_method_and_noisy_variants(provider: MyProvider) -> None:
    names = {b.name for b in provider.backends()}
    assert names >= CATALOGUE
    gpu = {n for n in names if n.endswith("_gpu")}
    assert names - gpu == CATALOGUE  # GPU variants only appear where Aer reports a GPU
    from qiskit_aer import AerSimulator

    assert bool(gpu) == ("GPU" in AerSimulator().available_devices())


def test_default_backend_and_same_object_each_call(provider: MyProvider) -> None:
    backend = provider.get_backend()
    assert backend.name == "myprovider_simulator"
    assert provider.get_backend("myprovider_simulator") is backend
    assert provider.backends(name="myprovider_simulator") == [backend]


def test_backends_filters_really_filter(provider: MyProvider) -> None:
    statevector = provider.backends(method="statevector")
    assert [b.name for b in statevector] == ["myprovider_statevector"]
    wide = provider.backends(min_num_qubits=60)
    assert {b.name for b in wide} == {"myprovider_matrix_product_state", "myprovider_stabilizer"}
    assert all(b.num_qubits >= 60 for b in wide)
    noisy = provider.backends(noisy=True)
    assert {b.name for b in noisy} == {
        "myprovider_noisy_simulator",
        "myprovider_noisy_density_matrix",
    }
    assert provider.backends(device="GPU", noisy=False) == [
        b for b in provider.backends() if b.device == "GPU" and not b.noisy
    ]
    assert provider.backends(simulator=False) == []
    exact = provider.backends(num_qubits=15)
    assert exact
    assert all(b.num_qubits == 15 for b in exact)
    assert provider.backends(filters=lambda b: b.method == "stabilizer") == [
        provider.get_backend("myprovider_stabilizer")
    ]
    assert provider.backends(method="density_matrix", noisy=True) == [
        provider.get_backend("myprovider_noisy_density_matrix")
    ]


def test_get_backend_by_attributes(provider: MyProvider) -> None:
    assert provider.get_backend(method="stabilizer").name == "myprovider_stabilizer"
    with pytest.raises(BackendNotFoundError, match="backends match"):
        provider.get_backend(noisy=True)
    with pytest.raises(BackendNotFoundError, match="Available backends"):
        provider.get_backend(method="unitary")


def test_job_by_id_returns_the_live_job(provider: MyProvider, backend: MyBackend) -> None:
    job = backend.run(bell_circuit(), shots=10)
    assert provider.job(job.job_id()) is job
    assert backend.retrieve_job(job.job_id()) is job
    job.result()
    assert provider.job(job.job_id()).status() is JobStatus.DONE


def test_jobs_lists_newest_first_and_filters(provider: MyProvider, backend: MyBackend) -> None:
    first = backend.run(bell_circuit(), shots=5, job_name="a", job_tags=["x", "y"])
    second = backend.run(bell_circuit(), shots=5, job_name="b", job_tags=["x"])
    third = provider.get_backend("myprovider_statevector").run(bell_circuit(), shots=5)
    for job in (first, second, third):
        job.result()
    ids = [j.job_id() for j in provider.jobs()]
    assert ids == [third.job_id(), second.job_id(), first.job_id()]
    assert [j.job_id() for j in provider.jobs(job_tags=["x"])] == [second.job_id(), first.job_id()]
    assert [j.job_id() for j in provider.jobs(job_tags=["x", "y"])] == [first.job_id()]
    assert [j.job_id() for j in provider.jobs(name="b")] == [second.job_id()]
    assert [j.job_id() for j in provider.jobs(backend_name="myprovider_statevector")] == [
        third.job_id()
    ]
    assert len(provider.jobs(status="DONE")) == 3
    assert provider.jobs(status=JobStatus.ERROR) == []
    assert [j.job_id() for j in provider.jobs(limit=1, skip=1)] == [second.job_id()]
    created = second.creation_date()
    assert [j.job_id() for j in provider.jobs(created_after=created, created_before=created)] == [
        second.job_id()
    ]
    assert provider.jobs(created_after=datetime.now().astimezone() + timedelta(hours=1)) == []


def test_closed_provider_refuses_new_jobs() -> None:
    provider = MyProvider(store=":memory:", executor="thread")
    backend = provider.get_backend()
    backend.run(bell_circuit(), shots=5).result()
    provider.close()
    provider.close()  # idempotent
    with pytest.raises(Exception, match="closed"):
        backend.run(bell_circuit(), shots=5)


def test_repr_names_store_and_executor(provider: MyProvider) -> None:
    assert ":memory:" in repr(provider)
    assert "thread" in repr(provider)
    assert "myprovider_simulator" in repr(provider.get_backend())
