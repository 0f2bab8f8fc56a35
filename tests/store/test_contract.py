"""The JobStore contract: what every store must do, run on every store the package has.

The ``store`` fixture gives a :class:`MemoryJobStore`, a :class:`SQLiteJobStore`, and a
:class:`WriteBehindStore` over a :class:`SQLiteJobStore` (what every file-backed provider
uses), so each clause here holds for all three.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus
from qiskit.result import Result
from qiskit_aer import AerSimulator

from qiskit_myprovider.exceptions import InvalidInputError, JobNotFoundError
from qiskit_myprovider.provider import default_noise_model
from qiskit_myprovider.store import (
    JobQuery,
    JobStore,
    MemoryJobStore,
    SQLiteJobStore,
    WriteBehindStore,
    make_owner_token,
)

from .conftest import IST, T0, ids, record

STORES = ["memory", "sqlite", "write_behind"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    opened: JobStore
    if request.param == "memory":
        opened = MemoryJobStore()
    elif request.param == "sqlite":
        opened = SQLiteJobStore(tmp_path / "jobs.db")
    else:
        opened = WriteBehindStore(SQLiteJobStore(tmp_path / "jobs.db"))
    yield opened
    opened.close()


def test_a_record_round_trips_with_every_field(store: JobStore, bell_result: Result) -> None:
    noise = default_noise_model()
    original = record(name="bell", tags=["a", "b"], result=bell_result, owner=make_owner_token())
    original.options = {"shots": 100, "seed_simulator": 7, "noise_model": noise}
    original.error_message = None
    store.add(original)
    back = store.get(original.job_id)
    assert back is not original
    assert back.job_id == original.job_id
    assert back.backend_name == original.backend_name
    assert back.status is JobStatus.DONE
    assert back.creation_date == T0
    assert back.creation_date.utcoffset() == timedelta(hours=5, minutes=30)
    assert back.time_per_step == original.time_per_step
    assert all(v.utcoffset() == IST.utcoffset(None) for v in back.time_per_step.values())
    assert back.name == "bell"
    assert back.tags == ["a", "b"]
    assert back.circuits is not None
    assert back.circuits == original.circuits
    assert back.options["shots"] == 100
    assert back.options["seed_simulator"] == 7
    assert isinstance(back.options["noise_model"], type(noise))
    assert back.options["noise_model"].to_dict() == noise.to_dict()
    assert back.header == {"note": "hi"}
    assert back.result is not None
    assert back.result.get_counts() == bell_result.get_counts()
    assert back.owner == original.owner


def test_unknown_id_is_a_lookup_error_naming_id_and_store(store: JobStore) -> None:
    missing = str(uuid.uuid4())
    for call in (store.get, store.delete, lambda i: store.update(i, name="x")):
        with pytest.raises(JobNotFoundError, match=missing) as info:
            call(missing)
        assert isinstance(info.value, LookupError)
        assert store.location in str(info.value)


def test_adding_the_same_id_twice_is_refused(store: JobStore) -> None:
    first = record()
    store.add(first)
    with pytest.raises(InvalidInputError, match=first.job_id):
        store.add(first)


def test_update_changes_only_the_given_fields(store: JobStore, bell_result: Result) -> None:
    rec = record(status=JobStatus.QUEUED, tags=["old"])
    store.add(rec)
    done_at = T0 + timedelta(minutes=5)
    steps = {**rec.time_per_step, "RUNNING": done_at, "DONE": done_at}
    store.update(rec.job_id, status=JobStatus.DONE, time_per_step=steps, result=bell_result)
    store.update(rec.job_id, name="renamed", tags=["new", "newer"], error_message=None)
    back = store.get(rec.job_id)
    assert back.status is JobStatus.DONE
    assert back.time_per_step == steps
    assert back.result is not None
    assert back.result.get_counts() == bell_result.get_counts()
    assert back.name == "renamed"
    assert back.tags == ["new", "newer"]
    assert back.circuits == rec.circuits
    assert back.options == rec.options
    with pytest.raises(ValueError, match="backend_name"):
        store.update(rec.job_id, backend_name="other")


def test_list_is_newest_first_and_loads_no_circuits_or_results(
    store: JobStore, bell_result: Result
) -> None:
    records = [record(minutes=m, result=bell_result) for m in (3, 1, 2)]
    for rec in records:
        store.add(rec)
    listed = store.list(JobQuery(limit=None))
    assert [r.creation_date for r in listed] == [T0 + timedelta(minutes=m) for m in (3, 2, 1)]
    assert all(r.circuits is None and r.result is None for r in listed)
    assert all(r.options == {"shots": 100} and r.header == {"note": "hi"} for r in listed)


def test_list_filters_each_alone_and_together(store: JobStore) -> None:
    a = record(minutes=1, name="a", tags=["x", "y"])
    b = record(minutes=2, name="b", tags=["x"], status=JobStatus.ERROR)
    c = record(minutes=3, backend_name="myprovider_statevector", tags=["y", "z"])
    d = record(minutes=4, name="a", status=JobStatus.RUNNING, owner=make_owner_token())
    for rec in (a, b, c, d):
        store.add(rec)

    def listed(**kwargs: Any) -> list[str]:
        return ids(list(store.list(JobQuery(limit=None, **kwargs))))

    assert listed() == ids([d, c, b, a])
    assert listed(backend_name="myprovider_statevector") == ids([c])
    assert listed(backend_name="nope") == []
    assert listed(status=JobStatus.ERROR) == ids([b])
    assert listed(status=JobStatus.RUNNING) == ids([d])
    assert listed(job_tags=("x",)) == ids([b, a])
    assert listed(job_tags=("x", "y")) == ids([a])  # all of the tags, not any
    assert listed(job_tags=("y",)) == ids([c, a])
    assert listed(job_tags=("x", "z")) == []
    assert listed(name="a") == ids([d, a])
    assert listed(created_after=T0 + timedelta(minutes=2)) == ids([d, c, b])  # inclusive
    assert listed(created_before=T0 + timedelta(minutes=2)) == ids([b, a])  # inclusive
    window = {"created_after": b.creation_date, "created_before": c.creation_date}
    assert listed(**window) == ids([c, b])
    # The same instant in another offset is the same instant.
    assert listed(created_after=(T0 + timedelta(minutes=3)).astimezone(UTC)) == ids([d, c])
    assert listed(name="a", job_tags=("x",), status=JobStatus.DONE) == ids([a])
    assert listed(job_tags=("y",), created_after=T0 + timedelta(minutes=2)) == ids([c])
    assert listed(job_tags=("x",), created_before=T0 + timedelta(minutes=1)) == ids([a])
    assert listed(job_tags=("y", "x"), backend_name="myprovider_simulator") == ids([a])
    assert ids(list(store.list(JobQuery(job_tags=("x",), limit=1, skip=1)))) == ids([a])


def test_list_pages_with_limit_and_skip(store: JobStore) -> None:
    records = [record(minutes=m) for m in range(25)]
    for rec in records:
        store.add(rec)
    newest_first = ids(records[::-1])
    assert ids(list(store.list(JobQuery()))) == newest_first[:10]  # default limit 10
    pages = [ids(list(store.list(JobQuery(limit=10, skip=s)))) for s in (0, 10, 20)]
    assert pages == [newest_first[:10], newest_first[10:20], newest_first[20:]]
    assert ids(list(store.list(JobQuery(limit=None, skip=5)))) == newest_first[5:]
    assert list(store.list(JobQuery(limit=0))) == []
    assert list(store.list(JobQuery(skip=100))) == []


def test_tag_filter_follows_updated_tags(store: JobStore) -> None:
    rec = record(tags=["before"])
    store.add(rec)
    store.update(rec.job_id, tags=["after"])
    assert list(store.list(JobQuery(job_tags=("before",)))) == []
    assert ids(list(store.list(JobQuery(job_tags=("after",))))) == [rec.job_id]


def test_delete_removes_the_record_and_its_tags(store: JobStore) -> None:
    rec = record(tags=["t"])
    keep = record(tags=["t"])
    store.add(rec)
    store.add(keep)
    store.delete(rec.job_id)
    with pytest.raises(JobNotFoundError):
        store.get(rec.job_id)
    assert ids(list(store.list(JobQuery(job_tags=("t",))))) == [keep.job_id]


def test_prune_deletes_only_old_final_records(store: JobStore) -> None:
    old_done = record(minutes=0)
    old_error = record(minutes=1, status=JobStatus.ERROR)
    old_cancelled = record(minutes=2, status=JobStatus.CANCELLED)
    old_running = record(minutes=3, status=JobStatus.RUNNING, owner=make_owner_token())
    new_done = record(minutes=10)
    for rec in (old_done, old_error, old_cancelled, old_running, new_done):
        store.add(rec)
    assert store.prune(T0 + timedelta(minutes=10)) == 3  # strictly older than the cutoff
    assert ids(list(store.list(JobQuery(limit=None)))) == ids([new_done, old_running])
    assert store.prune(T0 + timedelta(minutes=10)) == 0


def test_circuits_with_aers_own_instructions_come_back_runnable_or_not_at_all(
    store: JobStore,
) -> None:
    """QPY reads Aer's save instructions back as bare instructions; the store must not.

    A file store keeps no pickles, so it keeps no such circuits: it says why instead
    (circuits are informational; the job ran from the circuits in memory).
    """
    circuit = QuantumCircuit(2, name="saves")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.save_statevector()
    rec = record()
    rec.circuits = [circuit]
    store.add(rec)
    stored = store.get(rec.job_id)
    back = stored.circuits
    if not isinstance(store, MemoryJobStore):
        assert back is None
        assert stored.circuits_note is not None
        assert "QPY cannot carry them" in stored.circuits_note
        assert stored.status is JobStatus.DONE
        return
    assert back is not None
    assert back == [circuit]
    assert type(back[0].data[-1].operation) is type(circuit.data[-1].operation)
    state = AerSimulator().run(back[0]).result().get_statevector()
    assert abs(state[0]) ** 2 == pytest.approx(0.5)


def test_later_changes_to_what_a_caller_passed_or_got_do_not_reach_the_store(
    store: JobStore,
) -> None:
    rec = record(status=JobStatus.QUEUED, tags=["kept"])
    store.add(rec)
    rec.tags.append("added after add")
    rec.options["shots"] = 1
    steps = {**rec.time_per_step, "RUNNING": T0 + timedelta(minutes=1)}
    store.update(rec.job_id, status=JobStatus.RUNNING, time_per_step=steps)
    steps["DONE"] = T0 + timedelta(minutes=2)  # before any flush: a write behind must copy
    steps["RUNNING"] = T0 + timedelta(minutes=9)
    got = store.get(rec.job_id)
    assert got.tags == ["kept"]
    assert got.options == {"shots": 100}
    assert list(got.time_per_step) == ["CREATED", "QUEUED", "RUNNING"]
    assert got.time_per_step["RUNNING"] == T0 + timedelta(minutes=1)
    got.tags.append("added after get")
    got.time_per_step["DONE"] = T0
    again = store.get(rec.job_id)
    assert again.tags == ["kept"]
    assert "DONE" not in again.time_per_step


def test_a_store_reports_where_it_lives(store: JobStore, tmp_path: Path) -> None:
    expected = ":memory:" if isinstance(store, MemoryJobStore) else str(tmp_path / "jobs.db")
    assert store.location == expected


def test_flush_and_close_leave_every_write_readable(store: JobStore, tmp_path: Path) -> None:
    rec = record(status=JobStatus.RUNNING, owner=make_owner_token())
    store.add(rec)
    store.update(rec.job_id, status=JobStatus.DONE, error_message="none")
    store.flush()
    assert store.get(rec.job_id).status is JobStatus.DONE
    store.close()
    # A job that ends after its provider was closed still records its final state.
    store.update(rec.job_id, error_message="late")
    store.flush()
    assert store.get(rec.job_id).error_message == "late"


def _primitive_result() -> Any:
    import numpy as np
    from qiskit.primitives.containers import (
        BitArray,
        DataBin,
        PrimitiveResult,
        PubResult,
        SamplerPubResult,
    )

    bits = BitArray(np.arange(2 * 3 * 5 * 2, dtype=np.uint8).reshape(2, 3, 5, 2), 11)
    return PrimitiveResult(
        [
            SamplerPubResult(DataBin(meas=bits, shape=(2, 3)), metadata={"shots": 5}),
            PubResult(
                DataBin(evs=np.linspace(-1, 1, 260).reshape(13, 20), stds=np.zeros((13, 20)),
                        shape=(13, 20)),
                metadata={"target_precision": 0.0, "circuit_metadata": {"k": [1, 2]}},
            ),
        ],
        metadata={"version": 2},
    )  # fmt: skip


def test_primitive_jobs_keep_their_kind_and_result_and_filter_on_it(store: JobStore) -> None:
    sampler = record(minutes=1)
    sampler.primitive_id = "sampler"
    sampler.result = _primitive_result()
    estimator = record(minutes=2, status=JobStatus.RUNNING)
    estimator.primitive_id = "estimator"
    plain = record(minutes=3)
    for rec in (sampler, estimator, plain):
        store.add(rec)
    store.update(estimator.job_id, status=JobStatus.DONE, result=_primitive_result())
    store.flush()

    def listed(**kwargs: Any) -> list[str]:
        return ids(list(store.list(JobQuery(limit=None, **kwargs))))

    assert listed(primitive_id="sampler") == ids([sampler])
    assert listed(primitive_id="estimator", status=JobStatus.DONE) == ids([estimator])
    assert listed() == ids([plain, estimator, sampler])
    assert [r.primitive_id for r in store.list(JobQuery(limit=None))] == [
        None, "estimator", "sampler"
    ]
    for rec in (sampler, estimator):
        back = store.get(rec.job_id).result
        expected = _primitive_result()
        assert back is not None
        assert back.metadata == expected.metadata
        assert back[0].data.meas == expected[0].data.meas
        assert back[0].data.meas.num_bits == 11
        assert (back[1].data.evs == expected[1].data.evs).all()
        assert back[1].metadata == expected[1].metadata
