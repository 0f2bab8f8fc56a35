"""Bad input gets a specific error naming the culprit, before anything is queued.

After each rejection the same backend still runs a good circuit, and no job was recorded or queued.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.providers import QiskitBackendNotFoundError

from qiskit_myprovider import MyBackend, MyProvider
from qiskit_myprovider import exceptions as exc
from qiskit_myprovider.execution import SimulationTask, TaskHandle, TaskListener, ThreadExecutor

from .conftest import bell_circuit


def _parametric() -> QuantumCircuit:
    theta = Parameter("theta")
    qc = QuantumCircuit(1)
    qc.rx(theta, 0)
    qc.measure_all()
    return qc


CASES: list[tuple[str, Callable[[MyProvider, MyBackend], Any], type[Exception], list[str]]] = [
    ("string instead of circuit", lambda p, b: b.run("OPENQASM 2.0;"), exc.InvalidInputTypeError,
     ["QuantumCircuit", "str"]),
    ("non-circuit in a list", lambda p, b: b.run([bell_circuit(), 5]), exc.InvalidInputTypeError,
     ["input 1", "int"]),
    ("empty list", lambda p, b: b.run([]), exc.InvalidInputError, ["at least one circuit"]),
    ("too many qubits", lambda p, b: b.run(QuantumCircuit(b.num_qubits + 1)),
     exc.InvalidInputError, ["31 qubits", "at most 30"]),
    ("shots 0", lambda p, b: b.run(bell_circuit(), shots=0), exc.InvalidInputError,
     ["shots", "0"]),
    ("shots -1", lambda p, b: b.run(bell_circuit(), shots=-1), exc.InvalidInputError,
     ["shots", "-1"]),
    ("shots 1.5", lambda p, b: b.run(bell_circuit(), shots=1.5), exc.InvalidInputTypeError,
     ["shots", "float", "1.5"]),
    ("shots True", lambda p, b: b.run(bell_circuit(), shots=True), exc.InvalidInputTypeError,
     ["shots", "bool"]),
    ("shots as text", lambda p, b: b.run(bell_circuit(), shots="100"), exc.InvalidInputTypeError,
     ["shots", "'100'"]),
    ("unknown option", lambda p, b: b.run(bell_circuit(), shot=100), exc.UnknownOptionError,
     ["'shot'", "Did you mean 'shots'", "Valid options:", "seed_simulator"]),
    ("Aer's ignored executor option", lambda p, b: b.run(bell_circuit(), executor=None),
     exc.UnknownOptionError, ["'executor'"]),
    ("unbound parameters", lambda p, b: b.run(_parametric()), exc.UnboundParametersError,
     ["theta", "parameter_binds"]),
    ("binds for the wrong number of circuits",
     lambda p, b: b.run([_parametric(), _parametric()], parameter_binds=[{}]),
     exc.InvalidInputError, ["one mapping per circuit", "2 circuits"]),
    ("negative seed", lambda p, b: b.run(bell_circuit(), seed_simulator=-3),
     exc.InvalidInputError, ["seed_simulator", "-3"]),
    ("memory not a bool", lambda p, b: b.run(bell_circuit(), memory="yes"),
     exc.InvalidInputTypeError, ["memory", "bool", "'yes'"]),
    ("unknown method", lambda p, b: b.run(bell_circuit(), method="quantum"),
     exc.InvalidInputError, ["method", "'quantum'", "statevector"]),
    ("noise model of the wrong type", lambda p, b: b.run(bell_circuit(), noise_model={}),
     exc.InvalidInputTypeError, ["noise_model", "NoiseModel"]),
    ("tags as a lone string", lambda p, b: b.run(bell_circuit(), job_tags="nightly"),
     exc.InvalidInputTypeError, ["tags", "'nightly'"]),
    ("job name not a string", lambda p, b: b.run(bell_circuit(), job_name=7),
     exc.InvalidInputTypeError, ["job_name", "int"]),
    ("unknown backend name", lambda p, b: p.get_backend("myprovider_quantum"),
     exc.BackendNotFoundError,
     ["myprovider_quantum", "Available backends", "myprovider_simulator"]),
    ("malformed job id", lambda p, b: p.job("not-a-job"), exc.InvalidInputError,
     ["'not-a-job'", "not a job id"]),
    ("unknown job id", lambda p, b: p.job("3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"),
     exc.JobNotFoundError, ["3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"]),
    ("job id not a string", lambda p, b: p.job(42), exc.InvalidInputTypeError, ["job id", "int"]),
    ("unknown backend filter", lambda p, b: p.backends(colour="red"), exc.InvalidInputError,
     ["colour", "Valid attributes", "min_num_qubits"]),
    ("unknown status filter", lambda p, b: p.jobs(status="FINISHED"), exc.InvalidInputError,
     ["FINISHED", "DONE"]),
    ("negative limit", lambda p, b: p.jobs(limit=-1), exc.InvalidInputError, ["limit", "-1"]),
    ("unknown executor", lambda p, b: MyProvider(executor="gpu-farm"), exc.InvalidInputError,
     ["gpu-farm", "Valid executors", "thread"]),
]  # fmt: skip


class CountingExecutor(ThreadExecutor):
    """A thread executor that counts the tasks it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.submitted = 0

    def submit(self, task: SimulationTask, listener: TaskListener) -> TaskHandle:
        self.submitted += 1
        return super().submit(task, listener)


@pytest.fixture
def counting() -> Iterator[tuple[MyProvider, CountingExecutor]]:
    executor = CountingExecutor()
    with MyProvider(store=":memory:", executor=executor) as provider:
        yield provider, executor
    executor.shutdown()


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_rejected_clearly_and_leaves_backend_usable(
    counting: tuple[MyProvider, CountingExecutor],
    call: Callable[[MyProvider, MyBackend], Any],
    error: type[Exception],
    fragments: list[str],
) -> None:
    provider, executor = counting
    backend = provider.get_backend()
    with pytest.raises(error) as info:
        call(provider, backend)
    assert type(info.value) is error  # the case's own class, not merely one of its bases
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from {message!r}"
    assert isinstance(info.value, exc.MyProviderError)
    assert isinstance(info.value, ValueError | TypeError | LookupError)
    assert provider.jobs(limit=None) == []  # nothing recorded
    assert executor.submitted == 0  # nothing queued
    counts = backend.run(bell_circuit(), shots=32, seed_simulator=1).result().get_counts()
    assert set(counts) <= {"00", "11"}
    assert sum(counts.values()) == 32
    assert (len(provider.jobs(limit=None)), executor.submitted) == (1, 1)


def test_the_table_names_each_case_once_and_covers_every_bad_input_error() -> None:
    """Every error class the tree has for bad input (a ValueError, TypeError or LookupError)."""
    names = [case[0] for case in CASES]
    assert len(names) == len(set(names))
    bad_input_errors = {
        cls
        for cls in map(vars(exc).__getitem__, exc.__all__)
        if issubclass(cls, ValueError | TypeError | LookupError)
    }
    assert bad_input_errors == {
        exc.InvalidInputError,
        exc.InvalidInputTypeError,
        exc.UnknownOptionError,
        exc.UnboundParametersError,
        exc.BackendNotFoundError,
        exc.JobNotFoundError,
    }
    assert {case[2] for case in CASES} == bad_input_errors


def test_unknown_backend_is_also_qiskits_not_found_error(provider: MyProvider) -> None:
    with pytest.raises(QiskitBackendNotFoundError):
        provider.get_backend("nope")


def test_parameter_binds_run_inside_aer(backend: MyBackend) -> None:
    qc = _parametric()
    theta = next(iter(qc.parameters))
    job = backend.run(qc, parameter_binds=[{theta: [0.0, 3.141592653589793]}], shots=100)
    result = job.result()
    assert result.get_counts(0) == {"0": 100}
    assert result.get_counts(1) == {"1": 100}


def test_job_ids_are_uuid_strings(backend: MyBackend) -> None:
    job = backend.run(bell_circuit(), shots=10)
    assert str(uuid.UUID(job.job_id())) == job.job_id()


def test_parameter_binds_of_gates_aer_binds_wrongly_still_give_the_right_counts(
    backend: MyBackend,
) -> None:
    """Aer 0.18 binds cp/crx silently wrong (one experiment, wrong counts); we do not."""
    from qiskit.quantum_info import Statevector

    theta = Parameter("theta")
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.cp(theta, 0, 1)
    qc.crx(theta, 0, 1)
    qc.h([0, 1])
    qc.measure_all()
    values = [0.3, 1.7, 2.9]
    shots = 4000
    result = backend.run(qc, parameter_binds=[{theta: values}], shots=shots).result()
    assert len(result.results) == 3
    for index, value in enumerate(values):
        exact = Statevector(
            qc.remove_final_measurements(inplace=False).assign_parameters({theta: value})
        ).probabilities_dict()
        counts = result.get_counts(index)
        keys = set(exact) | set(counts)
        distance = sum(abs(counts.get(k, 0) / shots - exact.get(k, 0.0)) for k in keys) / 2
        assert distance < 0.05, (value, counts, exact)
