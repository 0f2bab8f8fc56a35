"""The contract's backend: :class:`JobContractBackend`, ``run_async`` over a MyBackend.

The circuits of one ``run_async`` call are grouped by shot count and each group becomes one
``MyJob`` (:func:`~qiskit_myprovider.adapters.job_group.group_by_shots`), submitted all or
nothing. The first part's id is the contract job's id; the other parts carry it in a tag,
and every part records its place in its header, which is how :meth:`retrieve_job` finds
them again from any process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, overload

from qiskit import QuantumCircuit

from qiskit_myprovider.adapters.job_contract.inputs import (
    CountsDict,
    SupportsToQiskit,
    check_shots,
    is_circuit,
    normalise,
    shots_per_circuit,
    to_qiskit,
)
from qiskit_myprovider.adapters.job_contract.job import ContractJob, ContractPart
from qiskit_myprovider.adapters.job_contract.metadata import BackendMetadata
from qiskit_myprovider.adapters.job_group import (
    default_backend,
    find_job,
    find_jobs,
    group_by_shots,
    submit_all,
)
from qiskit_myprovider.backend import MyBackend
from qiskit_myprovider.circuits import TargetSupport, prepare
from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    JobNotFoundError,
)
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.validation import validate_seed

__all__ = ["CONTRACT_TAG", "HEADER_KEY", "PART_TAG_PREFIX", "JobContractBackend"]

#: The tag every ``MyJob`` submitted through the contract carries.
CONTRACT_TAG: Final = "job-contract"
#: Parts after the first carry ``PART_TAG_PREFIX + <the contract job's id>``.
PART_TAG_PREFIX: Final = "job-contract-part-of:"
#: The key of the contract's bookkeeping in each part's header.
HEADER_KEY: Final = "job_contract"

_OPTION_DEFAULTS: Final[Mapping[str, Any]] = MappingProxyType(
    {"shots": 1024, "seed_simulator": None}
)


class JobContractBackend(BackendMetadata):
    """A backend that speaks the abstract Job contract (Qrisp's ``Backend``) over our engine.

    Jobs run on a :class:`~qiskit_myprovider.MyBackend`: the same executor and the same job
    store as that backend's own ``run()``. Pass it to Qrisp wherever a backend is expected,
    e.g. ``qv.get_measurement(backend=JobContractBackend())``.

    Args:
        backend: The backend to run on; None uses the default backend of the process-wide
            provider (``myprovider_simulator``).
        shots: The default shot count (``options["shots"]``).
        name: The name to report; None uses the backend's name.

    Raises:
        InvalidInputTypeError: ``backend`` is not a ``MyBackend``, ``name`` not a string, or
            ``shots`` not an int.
        InvalidInputError: ``shots`` is not positive, or ``name`` is empty.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit_myprovider import MyProvider
        >>> from qiskit_myprovider.adapters import JobContractBackend
        >>> qc = QuantumCircuit(1, 1)
        >>> _ = qc.x(0); _ = qc.measure(0, 0)
        >>> with MyProvider(store=":memory:") as provider:
        ...     backend = JobContractBackend(provider.get_backend(), shots=100)
        ...     backend.run(qc)
        {'1': 100}
    """

    def __init__(
        self, backend: MyBackend | None = None, *, shots: int = 1024, name: str | None = None
    ) -> None:
        if backend is None:
            backend = default_backend()
        if not isinstance(backend, MyBackend):
            raise InvalidInputTypeError(
                "JobContractBackend runs on a qiskit_myprovider MyBackend (e.g. "
                f"MyProvider().get_backend()), not {type(backend).__name__}"
            )
        if name is not None and not isinstance(name, str):
            raise InvalidInputTypeError(f"name must be a str, not {type(name).__name__}")
        if name == "":
            raise InvalidInputError("name must not be empty")
        self._backend = backend
        self.name: str = name if name is not None else backend.name
        self._options: dict[str, Any] = dict(_OPTION_DEFAULTS)
        self._options["shots"] = check_shots(shots)

    def __repr__(self) -> str:
        return f"JobContractBackend(name={self.name!r}, options={self._options!r})"

    # -- options ---------------------------------------------------------------------------

    @property
    def options(self) -> Mapping[str, Any]:
        """The run options (read-only): ``shots`` and ``seed_simulator``.

        Change them with :meth:`update_options`; assigning to the mapping is a ``TypeError``.
        """
        return MappingProxyType(self._options)

    def update_options(self, **options: Any) -> None:
        """Change run options; all of them or, if any is refused, none.

        Args:
            **options: ``shots`` (a positive int) and/or ``seed_simulator`` (an int, or None
                for a fresh seed per job).

        Raises:
            AttributeError: a key that is not an option (the message lists the valid ones).
            InvalidInputTypeError: a value of the wrong type (a ``TypeError``).
            InvalidInputError: a value out of range (a ``ValueError``).
        """
        unknown = [key for key in options if key not in self._options]
        if unknown:
            raise AttributeError(
                f"'{unknown[0]}' is not a valid backend option for {type(self).__name__}. "
                f"Valid options: {list(self._options)}"
            )
        checked = dict(options)
        if "shots" in checked:
            checked["shots"] = check_shots(checked["shots"])
        if "seed_simulator" in checked:
            checked["seed_simulator"] = validate_seed(checked["seed_simulator"])
        self._options.update(checked)

    # -- running ---------------------------------------------------------------------------

    def run_async(
        self,
        circuits: QuantumCircuit | SupportsToQiskit | Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | Sequence[int] | None = None,
    ) -> ContractJob:
        """Submit circuits and return their job at once (already ``QUEUED`` or further).

        Everything is checked before anything is queued; the circuits are then submitted as
        one ``MyJob`` per distinct shot count, all or nothing (if one part cannot be
        submitted, those already submitted are cancelled).

        Args:
            circuits: One circuit or a sequence of them: Qiskit circuits, or objects with a
                ``to_qiskit()`` method (Qrisp's circuits). Circuits with gates the backend's
                target lacks are transpiled for it.
            shots: Shots for every circuit, or one count per circuit; None uses
                ``options["shots"]``.

        Returns:
            The job. Its counts come in the order of ``circuits``.

        Raises:
            InvalidInputTypeError: a bool or non-int shot count, or something that is not a
                circuit (a ``TypeError``).
            InvalidInputError: a shot count <= 0, a shots list whose length is not the number
                of circuits, no circuits, more than :attr:`max_circuits`, a circuit wider than
                the backend, unbound parameters, or a circuit that cannot be converted or
                translated for the backend (a ``ValueError``).
        """
        batch = normalise(circuits)
        self._check_circuit_limit(len(batch))
        per_circuit = shots_per_circuit(shots, len(batch), int(self._options["shots"]))
        qiskit_circuits = [self._prepare(circuit, index) for index, circuit in enumerate(batch)]
        groups = list(group_by_shots(per_circuit).items())
        run_options: dict[str, Any] = {}
        if self._options["seed_simulator"] is not None:
            run_options["seed_simulator"] = self._options["seed_simulator"]

        def submit(group: tuple[int, list[int]], submitted: Sequence[MyJob]) -> MyJob:
            count, indices = group
            primary = submitted[0].job_id() if submitted else None
            tags = [CONTRACT_TAG]
            if primary is not None:
                tags.append(PART_TAG_PREFIX + primary)
            header = {
                HEADER_KEY: {
                    "part": len(submitted),
                    "num_parts": len(groups),
                    "num_circuits": len(batch),
                    "circuit_indices": list(indices),
                    "primary": primary,
                }
            }
            return self._backend.run(
                [qiskit_circuits[index] for index in indices],
                shots=count,
                job_tags=tags,
                header=header,
                **run_options,
            )

        jobs = submit_all(groups, submit)
        parts = [
            ContractPart(job, tuple(indices))
            for job, (_, indices) in zip(jobs, groups, strict=True)
        ]
        contract_job = ContractJob(self, parts, len(batch))
        contract_job.status()  # caches QUEUED or later: run_async never hands out INITIALIZING
        return contract_job

    @overload
    def run(
        self, circuits: QuantumCircuit | SupportsToQiskit, shots: int | None = None
    ) -> CountsDict: ...

    @overload
    def run(
        self,
        circuits: Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | None = None,
    ) -> list[CountsDict]: ...

    def run(
        self,
        circuits: QuantumCircuit | SupportsToQiskit | Iterable[QuantumCircuit | SupportsToQiskit],
        shots: int | None = None,
    ) -> CountsDict | list[CountsDict]:
        """Run circuits, wait for them and return their counts.

        This is what Qrisp's ``get_measurement`` and ``multi_measurement`` call.

        Args:
            circuits: One circuit or a sequence (as for :meth:`run_async`).
            shots: Shots for every circuit; None uses ``options["shots"]``. (For one count
                per circuit, use :meth:`run_async`.)

        Returns:
            One counts dict (a :class:`CountsDict`) for one circuit, a list of them (in
            order) for a sequence.

        Raises:
            InvalidInputTypeError: ``shots`` is not an int or None, or bad circuits.
            InvalidInputError: as for :meth:`run_async`.
            JobFailureError: the job ended in ``ERROR``.
            JobCancelledError: the job was cancelled meanwhile.
        """
        if shots is not None:
            check_shots(shots)
        single = is_circuit(circuits)
        result = self.run_async(circuits, shots).result()
        counts = [CountsDict(item) for item in result.all_counts]
        return counts[0] if single else counts

    def retrieve_job(self, job_id: str) -> ContractJob:
        """Return a job from the job store, whichever process submitted it.

        Any job of the wrapped backend can be retrieved, also one made by its ``run()``.

        Args:
            job_id: The job's id (``job.job_id``).

        Returns:
            The job, in whatever state it is now.

        Raises:
            JobNotFoundError: no job of this backend has that id, or ``job_id`` is not a job id
                (a ``LookupError``).
            InvalidInputTypeError: ``job_id`` is not a string.
        """
        try:
            job = find_job(self._backend, job_id)
        except InvalidInputTypeError:
            raise
        except InvalidInputError as exc:
            raise JobNotFoundError(str(exc)) from None
        info = job.header().get(HEADER_KEY)
        if not isinstance(info, Mapping):
            return ContractJob(self, [ContractPart(job, None)], None)
        if info.get("primary") is not None:
            raise JobNotFoundError(
                f"Job {job_id} is part {info.get('part')} of job {info['primary']}; "
                f"retrieve that one: retrieve_job('{info['primary']}')"
            )
        parts = [ContractPart(job, tuple(info["circuit_indices"]))]
        num_parts = int(info["num_parts"])
        if num_parts > 1:
            others = find_jobs(self._backend, tag=PART_TAG_PREFIX + job_id)
            others.sort(key=lambda other: int(other.header()[HEADER_KEY]["part"]))
            if len(others) != num_parts - 1:
                raise JobNotFoundError(
                    f"Job {job_id} ran in {num_parts} parts, but the job store holds "
                    f"{len(others) + 1} of them (deleted or pruned?)"
                )
            parts += [
                ContractPart(other, tuple(other.header()[HEADER_KEY]["circuit_indices"]))
                for other in others
            ]
        return ContractJob(self, parts, int(info["num_circuits"]))

    # -- internals -----------------------------------------------------------------------

    @functools.cached_property
    def _support(self) -> TargetSupport:
        # The target never changes once the backend exists: read what it runs once.
        return TargetSupport.of(self._target)

    def _check_circuit_limit(self, count: int) -> None:
        limit = self.max_circuits
        if limit is not None and count > limit:
            raise InvalidInputError(
                f"{type(self).__name__} accepts at most {limit} circuit(s) per job, but "
                f"{count} were submitted. Split the batch into smaller chunks and submit "
                "separately."
            )

    def _prepare(self, circuit: object, index: int) -> QuantumCircuit:
        return prepare(
            to_qiskit(circuit, index),
            self._target,
            key=index,
            backend=self.name,
            support=self._support,
        )
