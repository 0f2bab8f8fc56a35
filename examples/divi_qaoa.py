"""Divi's QAOA for max-cut on a 6-node graph, run on qiskit-myprovider's asynchronous engine.

Needs qoro-divi (``pip install "qoro-divi[aer]"``; it pins its own qiskit, so give it a
virtual environment of its own). Divi submits its circuit batches to the adapter, polls them
and fetches exact expectation values; every batch is a job in the provider's job store.

    python examples/divi_qaoa.py
"""

from __future__ import annotations

import networkx as nx
from divi.backends import AsyncJobBackend
from divi.qprog import QAOA, ScipyMethod, ScipyOptimizer
from divi.qprog.problems import MaxCutProblem

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter


def main() -> None:
    graph = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (0, 3)])
    best_cut = max(
        sum((u >> i & 1) != (u >> j & 1) for i, j in graph.edges) for u in range(2**6)
    )
    with MyProvider(store=":memory:") as provider:
        backend = AsyncJobBackendAdapter(provider.get_backend(), shots=2000)
        assert isinstance(backend, AsyncJobBackend)  # Divi's own protocol check
        backend.set_seed(11)
        qaoa = QAOA(
            MaxCutProblem(graph),
            n_layers=2,
            max_iterations=30,
            optimizer=ScipyOptimizer(ScipyMethod.COBYLA),
            backend=backend,
            seed=3,
        )
        qaoa.run()
        jobs = provider.jobs(limit=None)
    side = set(qaoa.solution)
    cut = sum((u in side) != (v in side) for u, v in graph.edges)
    print(f"QAOA p=2 on a {graph.number_of_nodes()}-node graph: loss {qaoa.best_loss:.3f}")
    print(f"one side: {sorted(side)}; cut {cut} of {graph.number_of_edges()} edges "
          f"(the best cut is {best_cut})")
    print(f"{len(jobs)} jobs, all {', '.join(sorted({j.status().name for j in jobs}))}")


if __name__ == "__main__":
    main()
