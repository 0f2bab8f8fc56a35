"""MemoryJobStore: the contract (``test_contract.py``) plus what only a store in memory does."""

from __future__ import annotations

from qiskit_myprovider import MyProvider
from qiskit_myprovider.store import JobQuery, MemoryJobStore

from .conftest import record


def test_a_memory_store_is_per_instance_and_says_how_many_jobs_it_holds() -> None:
    first, second = MemoryJobStore(), MemoryJobStore()
    rec = record()
    first.add(rec)
    assert repr(first) == "<MemoryJobStore jobs=1>"
    assert second.list(JobQuery(limit=None)) == []  # nothing is shared between instances
    assert first.location == second.location == ":memory:"


def test_closing_a_memory_store_keeps_its_records() -> None:
    store = MemoryJobStore()
    rec = record()
    store.add(rec)
    store.close()
    assert store.get(rec.job_id).job_id == rec.job_id


def test_a_memory_provider_stores_in_memory_without_writing_behind() -> None:
    with MyProvider(store=":memory:", executor="thread") as provider:
        assert type(provider.store) is MemoryJobStore
