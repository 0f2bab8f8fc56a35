"""The simulator backend: a :class:`~qiskit.providers.BackendV2` over a configured Aer simulator.

``run()`` validates everything before anything is queued, records the job in the store and
hands it to the provider's executor; the simulation never runs in the caller's thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, ParameterExpression
from qiskit.providers import BackendV2, JobStatus, Options
from qiskit.transpiler import Target
from qiskit_aer import AerSimulator
from typing_extensions import override

from qiskit_myprovider.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    JobNotFoundError,
    UnboundParametersError,
)
from qiskit_myprovider.execution.base import SimulationTask
from qiskit_myprovider.execution.simulate import estimate_cost
from qiskit_myprovider.job import MyJob, now, validate_tags
from qiskit_myprovider.options import METHODS, validate_option, validate_run_options
from qiskit_myprovider.store import JobRecord

if TYPE_CHECKING:
    from qiskit_myprovider.execution import ExecutorSpec
    from qiskit_myprovider.execution.base import JobExecutor
    from qiskit_myprovider.provider import MyProvider

__all__ = ["AER_BINDABLE_GATES", "MyBackend", "aer_binds_correctly"]

#: Gates whose parameters Aer's ``parameter_binds`` sets correctly. Aer 0.18 silently binds
#: controlled rotations and phases (cp, crx, cry, crz, cu, cu1, cu3) wrong (qiskit-aer #2323,
#: #2391, #2403): a job with those returns one experiment with wrong counts.
AER_BINDABLE_GATES: Final = frozenset(
    {"p", "r", "rx", "rxx", "ry", "ryy", "rz", "rzx", "rzz", "u", "u1", "u2", "u3"}
)


def aer_binds_correctly(circuit: QuantumCircuit) -> bool:
    """Return whether Aer's ``parameter_binds`` binds every parametric gate of ``circuit`` right.

    Args:
        circuit: A circuit that may hold parameters.

    Returns:
        False if a parametric gate is one Aer binds wrongly, or sits inside control flow.
    """
    if not circuit.num_parameters:
        return True
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, ControlFlowOp):
            if any(block.num_parameters for block in operation.blocks):
                return False
        elif operation.name not in AER_BINDABLE_GATES and any(
            isinstance(param, ParameterExpression) for param in operation.params
        ):
            return False
    return True


def _rows(bind: Mapping[Any, Sequence[float]]) -> int:
    """How many parameter sets (experiments) one circuit's binding holds."""
    return len(next(iter(bind.values()))) if bind else 1

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


class MyBackend(BackendV2):
    """An Aer simulator whose ``run()`` returns a real asynchronous :class:`MyJob`.

    Backends are normally obtained from :meth:`MyProvider.get_backend`; build one directly to
    wrap a custom :class:`~qiskit_aer.AerSimulator`.

    Args:
        simulator: The configured Aer simulator (method, device, noise model, target).
        name: The backend's name.
        provider: The provider whose executor and job store the backend uses; None uses the
            process-wide default provider.
        description: A one-line description.
        noisy: Whether the simulator carries a noise model (for filtering).
    """

    def __init__(
        self,
        simulator: AerSimulator | None = None,
        *,
        name: str = "myprovider_simulator",
        provider: MyProvider | None = None,
        description: str | None = None,
        noisy: bool | None = None,
    ) -> None:
        from qiskit_myprovider.version import __version__

        self._simulator = simulator if simulator is not None else AerSimulator()
        # Workers keep simulators between jobs under this key (one per backend object).
        self._simulator_key = f"{name}-{uuid.uuid4().hex[:12]}"
        self._owner = provider
        self._target: Target | None = None
        sim_options = self._simulator.options
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
            self._target = self._simulator.target
        return self._target

    @property
    @override
    def max_circuits(self) -> int | None:
        """No limit: Aer takes any number of circuits in one job."""
        return None

    @property
    def provider(self) -> MyProvider:
        """The provider whose executor and job store this backend uses."""
        if self._owner is None:
            from qiskit_myprovider.provider import default_provider

            self._owner = default_provider()
        return self._owner

    @property
    def executor(self) -> JobExecutor:
        """The executor this backend's jobs run on (its own, or its provider's)."""
        return self.provider._executor_for(self)

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
        self.provider._set_backend_executor(self, executor)

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
        provider: MyProvider | None = None,
        name: str | None = None,
        **options: Any,
    ) -> MyBackend:
        """Build a simulator that mimics ``backend``: its target, couplings and noise.

        Args:
            backend: Any :class:`~qiskit.providers.BackendV2` (a fake or a real device).
            provider: The provider to use (None: the default provider).
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
        circuits = self._check_circuits(run_input)
        checked = validate_run_options(options)
        binds = checked.pop("parameter_binds", None)
        binds = self._check_binds(circuits, binds)
        rows = None if binds is None else [_rows(bind) for bind in binds]
        if binds is not None and not all(aer_binds_correctly(c) for c in circuits):
            # Aer would bind these gates wrongly, without a word: bind in Qiskit instead,
            # one circuit per row, in the order Aer would have returned the experiments.
            circuits = [
                circuit.assign_parameters({p: values[row] for p, values in bind.items()})
                for circuit, bind, count in zip(circuits, binds, rows or [], strict=True)
                for row in range(count)
            ]
            binds, rows = None, None
        if job_name is not None and not isinstance(job_name, str):
            raise InvalidInputTypeError(
                f"job_name must be a str, not {type(job_name).__name__} {job_name!r}"
            )
        tags = validate_tags(job_tags) if job_tags is not None else []
        if header is not None and not isinstance(header, Mapping):
            raise InvalidInputTypeError(f"header must be a dict, not {type(header).__name__}")

        effective = {**self._options._fields, **checked}
        # None means "Aer's default": passing it would override the simulator's own settings.
        run_options = {k: v for k, v in effective.items() if v is not None}
        job_id = str(uuid.uuid4())
        created = now()
        provider = self.provider
        record = JobRecord(
            job_id=job_id,
            backend_name=self.name,
            status=JobStatus.INITIALIZING,
            creation_date=created,
            time_per_step={"CREATED": created},
            name=job_name,
            tags=tags,
            circuits=circuits,
            options=run_options,
            header=dict(header or {}),
            owner=provider.owner_token,
        )
        task = SimulationTask(
            job_id=job_id,
            backend_name=self.name,
            simulator=self._simulator,
            circuits=tuple(circuits),
            run_options=run_options,
            parameter_binds=binds,
            cost=estimate_cost(
                circuits, str(run_options.get("method", self._method)), run_options, rows=rows
            ),
            simulator_key=self._simulator_key,
        )
        return provider._submit(self, record, task)

    def retrieve_job(self, job_id: str) -> MyJob:
        """Return the job with this id from the job store (any process may have made it).

        Raises:
            InvalidInputError: ``job_id`` is not a job id.
            JobNotFoundError: no such job.
        """
        job = self.provider.job(job_id)
        if job.backend().name != self.name:
            raise JobNotFoundError(
                f"Job {job_id} ran on backend '{job.backend().name}', not '{self.name}'"
            )
        return job

    @override
    def __repr__(self) -> str:
        return f"<MyBackend('{self.name}', method={self._method}, num_qubits={self.num_qubits})>"

    # -- validation ----------------------------------------------------------------------

    def _check_circuits(self, run_input: object) -> list[QuantumCircuit]:
        if isinstance(run_input, QuantumCircuit):
            circuits = [run_input]
        elif isinstance(run_input, Sequence) and not isinstance(run_input, str | bytes):
            circuits = list(run_input)
            if not circuits:
                raise InvalidInputError("run() needs at least one circuit; got an empty sequence")
        else:
            raise InvalidInputTypeError(
                "run() takes a QuantumCircuit or a sequence of them, "
                f"not {type(run_input).__name__}"
            )
        width = self.num_qubits
        for index, circuit in enumerate(circuits):
            if not isinstance(circuit, QuantumCircuit):
                raise InvalidInputTypeError(
                    f"run() input {index} is a {type(circuit).__name__}, not a QuantumCircuit"
                )
            if circuit.num_qubits > width:
                raise InvalidInputError(
                    f"Circuit {index} ('{circuit.name}') has {circuit.num_qubits} qubits; "
                    f"backend '{self.name}' simulates at most {width}"
                )
        return circuits

    @staticmethod
    def _check_binds(
        circuits: list[QuantumCircuit], binds: object
    ) -> list[dict[Any, list[float]]] | None:
        if binds is None:
            for index, circuit in enumerate(circuits):
                if circuit.num_parameters:
                    names = ", ".join(sorted(p.name for p in circuit.parameters))
                    raise UnboundParametersError(
                        f"Circuit {index} ('{circuit.name}') has unbound parameters ({names}); "
                        "bind them with circuit.assign_parameters(...) or pass parameter_binds"
                    )
            return None
        if isinstance(binds, Mapping):
            binds = [binds]
        if not isinstance(binds, Sequence) or len(binds) != len(circuits):
            raise InvalidInputError(
                "parameter_binds must be a list with one mapping per circuit "
                f"({len(circuits)} circuits)"
            )
        checked: list[dict[Any, list[float]]] = []
        for index, (circuit, bind) in enumerate(zip(circuits, binds, strict=True)):
            if not isinstance(bind, Mapping):
                raise InvalidInputTypeError(
                    f"parameter_binds[{index}] must be a mapping parameter -> values"
                )
            missing = set(circuit.parameters) - set(bind)
            if missing:
                names = ", ".join(sorted(p.name for p in missing))
                raise UnboundParametersError(
                    f"parameter_binds[{index}] leaves parameters of circuit {index} "
                    f"unbound: {names}"
                )
            values = {param: list(vals) for param, vals in bind.items()}
            lengths = {len(v) for v in values.values()}
            if len(lengths) > 1:
                raise InvalidInputError(
                    f"parameter_binds[{index}] has value lists of different lengths "
                    f"{sorted(lengths)}"
                )
            checked.append(values)
        return checked
