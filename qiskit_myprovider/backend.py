"""The simulator backend: a :class:`~qiskit.providers.BackendV2` over a configured Aer simulator.

``run()`` validates everything before anything is queued, then builds the job's record and
simulation task and submits the job; the simulation never runs in the caller's thread. A
backend submits to the :class:`~qiskit_myprovider.engine.Engine` it was given (its provider's,
or the process-wide default one), on its own executor or on the engine's.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from qiskit import QuantumCircuit
from qiskit.providers import BackendV2, JobStatus, Options
from qiskit.transpiler import Target
from qiskit_aer import AerSimulator
from typing_extensions import override

from qiskit_myprovider.clock import now
from qiskit_myprovider.engine import Engine, default_engine
from qiskit_myprovider.exceptions import (
    InvalidInputTypeError,
    JobNotFoundError,
    MyJobError,
)
from qiskit_myprovider.execution.base import SimulationTask
from qiskit_myprovider.execution.simulate import estimate_cost
from qiskit_myprovider.job import MyJob
from qiskit_myprovider.notebook import JobList
from qiskit_myprovider.options import (
    METHODS,
    simulator_options,
    validate_option,
)
from qiskit_myprovider.primitive_job import job_from_record
from qiskit_myprovider.run_input import check_run
from qiskit_myprovider.store import JobRecord
from qiskit_myprovider.validation import validate_job_id, validate_tags, validate_text

if TYPE_CHECKING:
    from qiskit_myprovider.execution import ExecutorSpec
    from qiskit_myprovider.execution.base import JobExecutor

__all__ = ["MyBackend", "ProviderLike"]

#: Options every backend exposes with our defaults; every other Aer option is also accepted.
_DEFAULTS: dict[str, Any] = {
    "shots": 1024,
    "seed_simulator": None,
    "memory": False,
    "method": "automatic",
    "device": "CPU",
    "precision": "double",
    "noise_model": None,
    "max_parallel_threads": None,
    "max_parallel_experiments": None,
    "max_parallel_shots": None,
    "max_memory_mb": None,
    "fusion_enable": True,
    "matrix_product_state_max_bond_dimension": None,
    "matrix_product_state_truncation_threshold": 1e-16,
}


class ProviderLike(Protocol):
    """What a backend needs of the provider that made it: the engine they share."""

    @property
    def engine(self) -> Engine:
        """The engine the provider's backends submit to."""


class MyBackend(BackendV2):
    """An Aer simulator whose ``run()`` returns a real asynchronous :class:`MyJob`.

    Backends are normally obtained from :meth:`MyProvider.get_backend`; build one directly to
    wrap a custom :class:`~qiskit_aer.AerSimulator`.

    Args:
        simulator: The configured Aer simulator (method, device, noise model, target); None
            builds a default ``AerSimulator`` when it is first needed.
        name: The backend's name.
        provider: The provider that lists this backend; its engine (job store, executors)
            is the backend's. None: the backend has no provider and uses ``engine``.
        engine: The engine to submit to when there is no provider; None (and no provider)
            uses the process-wide default engine (default job store, ``"auto"`` executor).
        description: A one-line description.
        noisy: Whether the simulator carries a noise model (for filtering).
    """

    def __init__(
        self,
        simulator: AerSimulator | None = None,
        *,
        name: str = "myprovider_simulator",
        provider: ProviderLike | None = None,
        engine: Engine | None = None,
        description: str | None = None,
        noisy: bool | None = None,
    ) -> None:
        from qiskit_myprovider.version import __version__

        self._simulator = simulator
        # Workers keep simulators between jobs under this key (one per backend object).
        self._simulator_key = f"{name}-{uuid.uuid4().hex[:12]}"
        self._owner = provider
        if engine is None:
            engine = provider.engine if provider is not None else default_engine()
        self._engine = engine
        self._executor: JobExecutor | None = None
        self._target: Target | None = None
        sim_options = simulator.options if simulator is not None else None
        self._method: str = str(getattr(sim_options, "method", "automatic"))
        self._device: str = str(getattr(sim_options, "device", "CPU"))
        noise = getattr(sim_options, "noise_model", None)
        self._noisy = bool(noisy) if noisy is not None else noise is not None
        super().__init__(
            provider=None,
            name=name,
            description=description or f"Aer {self._method} simulator",
            backend_version=__version__,
        )
        overrides = {"method": self._method, "device": self._device, "noise_model": noise}
        self._options.update_options(**overrides)

    # -- BackendV2 -----------------------------------------------------------------------

    @classmethod
    @override
    def _default_options(cls) -> Options:
        options = Options(**_DEFAULTS)
        options.set_validator("shots", (1, 10**9))
        options.set_validator("method", list(METHODS))
        options.set_validator("precision", ["single", "double"])
        options.set_validator("memory", bool)
        return options

    @property
    @override
    def target(self) -> Target:
        """The simulator's target: its gates, width and (for device copies) couplings."""
        # AerSimulator builds a new Target on every access (about a millisecond); ours never
        # changes once the backend exists, so build it once.
        if self._target is None:
            self._target = self.simulator.target
        return self._target

    @property
    @override
    def max_circuits(self) -> int | None:
        """No limit: Aer takes any number of circuits in one job."""
        return None

    @property
    def provider(self) -> ProviderLike | None:
        """The provider that lists this backend (None for a backend built without one)."""
        return self._owner

    @property
    def engine(self) -> Engine:
        """The engine this backend submits to: its job store, executors and live jobs."""
        return self._engine

    @property
    def executor(self) -> JobExecutor:
        """The executor this backend's jobs run on (its own, or its engine's default)."""
        return self._executor or self._engine.executor

    def set_executor(self, executor: ExecutorSpec | None) -> None:
        """Run this backend's jobs on their own executor instead of the provider's.

        Args:
            executor: Anything ``MyProvider(executor=...)`` accepts (``"process"``,
                ``"thread"``, ``"auto"``, ``"dask"``, an executor or a Dask client), or None to
                go back to the provider's executor. An executor built here from a name is
                shut down with the provider; one passed in stays the caller's.

        Raises:
            InvalidInputError: an unknown executor name.
            InvalidInputTypeError: not an executor.
        """
        new = None if executor is None else self._engine.build_executor(executor)
        old, self._executor = self._executor, new
        if old is not None:
            self._engine.release_executor(old)

    @property
    def simulator_key(self) -> str:
        """Identifies this backend's simulator to the workers that keep it between jobs."""
        return self._simulator_key

    @property
    def method(self) -> str:
        """The Aer simulation method (``automatic``, ``statevector``, ...)."""
        return self._method

    @property
    def device(self) -> str:
        """Where Aer simulates (``CPU`` or ``GPU``)."""
        return self._device

    @property
    def noisy(self) -> bool:
        """Whether the backend simulates with a noise model."""
        return self._noisy

    @property
    def simulator(self) -> AerSimulator:
        """The underlying Aer simulator (do not run it directly: use :meth:`run`)."""
        if self._simulator is None:
            self._simulator = AerSimulator()
        return self._simulator

    @override
    def set_options(self, **fields: Any) -> None:
        """Change default run options.

        Raises:
            UnknownOptionError: a name Aer does not know (the message lists valid ones).
            InvalidInputTypeError: a value of the wrong type.
            InvalidInputError: a value out of range.
        """
        checked = {name: validate_option(name, value) for name, value in fields.items()}
        # Options.update_options refuses names not declared up front; every Aer option is ours.
        self._options._fields.update(checked)

    @classmethod
    def from_backend(
        cls,
        backend: BackendV2,
        *,
        provider: ProviderLike | None = None,
        name: str | None = None,
        **options: Any,
    ) -> MyBackend:
        """Build a simulator that mimics ``backend``: its target, couplings and noise.

        Args:
            backend: Any :class:`~qiskit.providers.BackendV2` (a fake or a real device).
            provider: The provider whose engine to use (None: the default engine).
            name: The new backend's name (default ``myprovider_<backend name>``).
            **options: Aer options for the simulator (``method=...``, ...).

        Returns:
            A backend with ``backend``'s target and a noise model from its properties.

        Raises:
            InvalidInputTypeError: ``backend`` is not a BackendV2.
        """
        if not isinstance(backend, BackendV2):
            raise InvalidInputTypeError(
                f"from_backend needs a qiskit BackendV2, not {type(backend).__name__}"
            )
        checked = {key: validate_option(key, value) for key, value in options.items()}
        simulator = AerSimulator.from_backend(backend, **checked)
        return cls(
            simulator,
            name=name or f"myprovider_{backend.name}",
            provider=provider,
            description=f"Aer simulator mimicking {backend.name}",
            noisy=getattr(simulator.options, "noise_model", None) is not None,
        )

    @override
    def run(
        self,
        run_input: QuantumCircuit | Sequence[QuantumCircuit],
        **options: Any,
    ) -> MyJob:
        """Run circuits asynchronously; return at once with a :class:`MyJob`.

        Args:
            run_input: One circuit or a sequence of circuits (with measurements to get counts).
            **options: ``shots``, ``seed_simulator``, ``memory``, ``parameter_binds`` and any
                other Aer option; ``job_name``, ``job_tags`` and ``header`` describe the job.

        Returns:
            The job, already QUEUED (or further along).

        Raises:
            InvalidInputTypeError: ``run_input`` is not circuits, or an option has the wrong type.
            InvalidInputError: a circuit is wider than the backend, an option is out of range.
            UnknownOptionError: an option no simulator knows (the message lists valid ones).
            UnboundParametersError: a circuit has parameters and no ``parameter_binds``.
        """
        job_name = options.pop("job_name", None)
        job_tags = options.pop("job_tags", None)
        header = options.pop("header", None)
        return self._submit(run_input, options, job_name, job_tags, header, recorded=None)

    def run_recorded(
        self,
        job_id: str,
        run_input: QuantumCircuit | Sequence[QuantumCircuit] | None = None,
        **options: Any,
    ) -> MyJob:
        """Run the job another process recorded (INITIALIZING) under its record; return at once.

        ``run --no-wait`` parses the file and records the job without loading the simulator,
        then hands the id to a runner process, which calls this. The job is checked as
        :meth:`run` checks one and runs ``run_input`` (default: the record's circuits) with
        the record's options, updated by ``options``, name, tags and header. The record then
        names this process as its owner, holds the circuits and simulator options the job
        runs with (as a ``run`` job's does), and moves on as any job's does.

        Raises:
            MyJobError: the record is not INITIALIZING (submitted, cancelled or lost already)
                or has no circuits.
            JobNotFoundError: no job of this backend has this id.
            InvalidInputError: (or any error of :meth:`run`) the job was refused; the record
                then reads ERROR with the message.
        """
        store = self._engine.store
        recorded = store.get(validate_job_id(job_id))
        self._check_owns(job_id, recorded.backend_name)
        if recorded.status is not JobStatus.INITIALIZING:
            raise MyJobError(
                f"Job {job_id} is {recorded.status.name}, not INITIALIZING: it cannot be "
                "submitted again"
            )
        circuits = run_input if run_input is not None else recorded.circuits
        try:
            if circuits is None:
                raise MyJobError(f"Job {job_id} has no recorded circuits to run")
            return self._submit(
                circuits,
                {**recorded.options, **options},
                recorded.name,
                recorded.tags,
                recorded.header,
                recorded=recorded,
            )
        except Exception as exc:
            with contextlib.suppress(JobNotFoundError):  # deleted meanwhile: nothing to mark
                store.update(
                    job_id,
                    status=JobStatus.ERROR,
                    time_per_step={**recorded.time_per_step, JobStatus.ERROR.name: now()},
                    error_message=str(exc),
                )
            raise

    def _submit(
        self,
        run_input: QuantumCircuit | Sequence[QuantumCircuit],
        options: dict[str, Any],
        job_name: Any,
        job_tags: Any,
        header: Any,
        *,
        recorded: JobRecord | None,
    ) -> MyJob:
        """Check a job, build its record and task and submit it (under ``recorded``'s id)."""
        checked_input = check_run(run_input, options, width=self.num_qubits, backend=self.name)
        circuits, checked = checked_input.circuits, checked_input.options
        binds, rows = checked_input.binds, checked_input.rows
        if job_name is not None:
            validate_text(job_name, name="job_name")
        tags = validate_tags(job_tags) if job_tags is not None else []
        if header is not None and not isinstance(header, Mapping):
            raise InvalidInputTypeError(f"header must be a dict, not {type(header).__name__}")

        # None means "Aer's default": passing it would override the simulator's own settings.
        run_options = simulator_options({**self._options._fields, **checked})
        record = JobRecord.new(
            self.name, circuits, run_options, owner=self._engine.owner_token,
            name=job_name, tags=tags, header=header,
        )  # fmt: skip
        if recorded is not None:  # the job another process recorded, as it now runs
            record = dataclasses.replace(
                record,
                job_id=recorded.job_id,
                creation_date=recorded.creation_date,
                time_per_step=dict(recorded.time_per_step),
            )
        job_id = record.job_id
        task = SimulationTask(
            job_id=job_id,
            backend_name=self.name,
            simulator=self.simulator,
            circuits=tuple(circuits),
            run_options=run_options,
            parameter_binds=binds,
            cost=estimate_cost(
                circuits, str(run_options.get("method", self._method)), run_options, rows=rows
            ),
            simulator_key=self._simulator_key,
        )
        job = MyJob(
            self,
            record,
            self._engine,
            task=task,
            executor=self.executor,
            recorded=recorded is not None,
        )
        job.submit()
        return job

    def retrieve_job(self, job_id: str) -> MyJob:
        """Return the job with this id from the job store (any process may have made it).

        Raises:
            InvalidInputTypeError: ``job_id`` is not a string.
            InvalidInputError: ``job_id`` is not a job id.
            JobNotFoundError: no job of this backend has this id.
        """
        job_id = validate_job_id(job_id)
        live: MyJob | None = self._engine.live_job(job_id)
        if live is not None:
            self._check_owns(job_id, live.backend().name)
            return live
        record = self._engine.store.get(job_id)
        self._check_owns(job_id, record.backend_name)
        return job_from_record(self, record, self._engine)

    def _check_owns(self, job_id: str, backend_name: str) -> None:
        if backend_name != self.name:
            raise JobNotFoundError(
                f"Job {job_id} ran on backend '{backend_name}', not '{self.name}'"
            )

    def jobs(
        self,
        limit: int | None = 10,
        skip: int = 0,
        status: JobStatus | str | None = None,
        job_tags: list[str] | None = None,
        name: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[MyJob]:
        """Return this backend's stored jobs, newest first (filters as ``provider.jobs``).

        Raises:
            InvalidInputError: a negative limit or skip, or an unknown status name.
            InvalidInputTypeError: an argument of the wrong type.
        """
        records = self._engine.query(
            limit=limit,
            skip=skip,
            backend_name=self.name,
            status=status,
            job_tags=job_tags,
            name=name,
            created_after=created_after,
            created_before=created_before,
        )
        return JobList(
            self._engine.live_job(r.job_id) or job_from_record(self, r, self._engine)
            for r in records
        )

    # -- copies ------------------------------------------------------------------------

    #: What a copy shares with its original instead of copying: the engine (job store,
    #: executors, live jobs), the provider, and the backend's own executor.
    _SHARED_BY_COPIES: Final = frozenset({"_engine", "_owner", "_executor"})

    def __copy__(self) -> MyBackend:
        """Return a copy with its own options that shares the engine of this backend."""
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone._options = copy.copy(self._options)
        return clone

    def __deepcopy__(self, memo: dict[int, Any]) -> MyBackend:
        """Return a deep copy (simulator, target, options) that shares this backend's engine.

        Clients such as qiskit-ibm-runtime's local mode, qiskit-experiments and
        pennylane-qiskit deep-copy the backend they are given; the copy's jobs go to the same
        job store and executors, so they are stored and retrievable like any other.
        """
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            shared = key in self._SHARED_BY_COPIES
            clone.__dict__[key] = value if shared else copy.deepcopy(value, memo)
        # The copy's simulator is a new object: workers must not mistake it for the original's.
        clone._simulator_key = f"{self.name}-{uuid.uuid4().hex[:12]}"
        return clone

    @override
    def __repr__(self) -> str:
        return f"<MyBackend('{self.name}', method={self._method}, num_qubits={self.num_qubits})>"

    # -- validation ----------------------------------------------------------------------
