# ruff: noqa: RUF001, RUF002  (ratios are printed with the multiplication sign)
"""AsyncJobBackendAdapter against Divi's own runner (QiskitSimulator), in the same run.

Needs the Divi environment (``qoro-divi[aer]``); ``bash .ci/interop-divi.sh`` builds it:

    .ci-venvs/divi/bin/python benchmarks/bench_divi.py [--rounds 7] [--circuits 100]

The circuits are Divi's own: a p=1 QAOA program for MaxCut on an 8-node 3-regular graph is
started on a capturing backend that declares ``resolves_parameters``, so Divi hands over its
parametric payload (OpenQASM 2 with named placeholders, exactly what a backend receives);
the 100 parameter sets are random angles. Two figures, both wall time from submission to
results in hand, at 1000 shots:

1. ``bound``: 100 bound circuits, rendered with Divi's own template renderer (what Divi's
   pipeline sends a backend that cannot resolve parameters). Divi: ``QiskitSimulator``'s
   ``submit_circuits``. Adapter: ``submit_circuits`` → ``poll_job_status(loop)`` →
   ``get_job_results``. Target: the adapter at least 3× faster.
2. ``parametric``: the one payload with 100 parameter sets. Divi's runner cannot take it, so
   Divi binds it (the same renderer) and runs the 100 circuits; the adapter takes the payload
   as it is and binds inside Aer. Target: at least 5× faster.

Both sides use their defaults (Divi: ``QiskitSimulator(shots=1000)``; adapter: a provider
with the default executor and an SQLite job store in a temporary directory). One untimed
warm-up round each, then the sides alternate (A B A B ...) and the medians are compared. The
machine's load average is printed with the figures, because a busy machine skews them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from divi.backends import QiskitSimulator
from divi.circuits import CircuitPayload, build_template, render_template
from divi.qprog import QAOA, ScipyMethod, ScipyOptimizer
from divi.qprog.problems import MaxCutProblem

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter

SHOTS = 1000
TARGETS = {"bound": 3.0, "parametric": 5.0}

try:  # the formatter Divi's binding stage uses; fall back to its documented precision
    from divi.circuits._conversions import _format_bound_param
except ImportError:  # pragma: no cover - a newer Divi moved it

    def _format_bound_param(value: float, precision: int) -> str:
        return f"{value:.{precision}f}"


class _CapturedError(Exception):
    """Raised by the capturing backend to stop the program once it has its payload."""


class _CapturingBackend(QiskitSimulator):
    """Takes parametric payloads (``resolves_parameters``) and keeps the first one."""

    payloads: list[Any]

    @property
    def resolves_parameters(self) -> bool:
        return True

    def submit_circuits(self, payloads: Any, **kwargs: Any) -> Any:
        self.payloads = list(payloads)
        raise _CapturedError


def divi_qaoa_payload() -> CircuitPayload:
    """Return the parametric payload Divi builds for p=1 QAOA on an 8-node MaxCut graph."""
    graph = nx.random_regular_graph(3, 8, seed=1)
    backend = _CapturingBackend(shots=SHOTS, force_sampling=True, n_processes=1)
    program = QAOA(
        MaxCutProblem(graph),
        n_layers=1,
        max_iterations=1,
        optimizer=ScipyOptimizer(ScipyMethod.COBYLA),
        backend=backend,
        seed=7,
    )
    with contextlib.suppress(_CapturedError):
        program.run()
    (payload,) = backend.payloads
    assert payload.parameters, "expected a parametric payload"
    return payload


def bind_like_divi(payload: CircuitPayload, rows: np.ndarray) -> dict[str, str]:
    """Render one bound OpenQASM text per row, as Divi's parameter-binding stage does."""
    template = build_template(payload.circuit, payload.parameter_names)
    return {
        f"param_set:{i}": render_template(
            template, tuple(_format_bound_param(float(v), 8) for v in row)
        )
        for i, row in enumerate(rows)
    }


def run_adapter(adapter: AsyncJobBackendAdapter, circuits: Any) -> list[dict[str, Any]]:
    handle = adapter.submit_circuits(circuits)
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    results = adapter.get_job_results(handle).results
    assert results is not None
    return results


def run_divi(simulator: QiskitSimulator, circuits: dict[str, str]) -> list[dict[str, Any]]:
    results = simulator.submit_circuits(circuits).results
    assert results is not None
    return list(results)


def total_variation(a: dict[str, int], b: dict[str, int]) -> float:
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0) - b.get(k, 0)) for k in keys) / SHOTS


def max_tvd(one: list[dict[str, Any]], other: list[dict[str, Any]]) -> float:
    """Check both answered every label with SHOTS counts; return the largest distance."""
    ours = {r["label"]: r["results"] for r in one}
    theirs = {r["label"]: r["results"] for r in other}
    assert set(ours) == set(theirs), "the two sides returned different labels"
    for counts in (*ours.values(), *theirs.values()):
        assert sum(counts.values()) == SHOTS
    return max(total_variation(ours[label], theirs[label]) for label in ours)


def measure(
    rounds: int, sides: dict[str, Callable[[], list[dict[str, Any]]]]
) -> tuple[dict[str, list[float]], dict[str, list[list[dict[str, Any]]]]]:
    times: dict[str, list[float]] = {name: [] for name in sides}
    answers: dict[str, list[list[dict[str, Any]]]] = {name: [] for name in sides}
    for name, side in sides.items():  # warm-up: worker processes, imports, caches
        answers[name].append(side())
    for _ in range(rounds):
        for name, side in sides.items():
            start = time.perf_counter()
            answers[name].append(side())
            times[name].append(time.perf_counter() - start)
    return times, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--circuits", type=int, default=100)
    args = parser.parse_args(argv)

    payload = divi_qaoa_payload()
    rows = np.random.default_rng(0).uniform(0, 2 * np.pi, size=(args.circuits, 2))
    parametric = CircuitPayload(
        circuit=payload.circuit,
        parameters=payload.parameters,
        parameter_sets=tuple((f"param_set:{i}", tuple(row)) for i, row in enumerate(rows)),
    )
    bound = bind_like_divi(payload, rows)
    simulator = QiskitSimulator(shots=SHOTS)
    print(
        f"python {sys.version.split()[0]}, cores {os.cpu_count()}, "
        f"divi QiskitSimulator n_processes={simulator.n_processes}; "
        f"{args.circuits} circuits of {len(payload.parameters)} parameters, "
        f"8 qubits, {SHOTS} shots, {args.rounds} rounds (+1 warm-up), medians"
    )
    print(f"load before: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp, MyProvider(store=Path(tmp) / "jobs.sqlite") as prov:
        adapter = AsyncJobBackendAdapter(prov.get_backend(), shots=SHOTS)
        figures = {
            "bound": {
                "adapter": lambda: run_adapter(adapter, bound),
                "divi": lambda: run_divi(simulator, bound),
            },
            "parametric": {
                "adapter": lambda: run_adapter(adapter, [parametric]),
                "divi": lambda: run_divi(simulator, bind_like_divi(parametric, rows)),
            },
        }
        for figure, sides in figures.items():
            times, answers = measure(args.rounds, sides)
            # Sampling noise alone puts two runs of the same circuits this far apart:
            tvd = max_tvd(answers["adapter"][-1], answers["divi"][-1])
            noise = max_tvd(answers["divi"][-1], answers["divi"][-2])
            ours, theirs = statistics.median(times["adapter"]), statistics.median(times["divi"])
            ratio = theirs / ours
            target = TARGETS[figure]
            verdict = "OK" if ratio >= target else "MISS"
            failures += verdict == "MISS"
            load = "/".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"{figure}: adapter {ours:.3f} s, divi {theirs:.3f} s, ratio {ratio:.1f}× "
                f"(target ≥ {target:g}×) {verdict}  "
                f"[adapter min {min(times['adapter']):.3f} s, divi min {min(times['divi']):.3f} s; "
                f"largest TVD adapter-divi {tvd:.3f}, divi-divi {noise:.3f}; load {load}]"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
