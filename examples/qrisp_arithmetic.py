"""Quantum arithmetic in Qrisp, run on this package's simulator through both of Qrisp's routes.

- ``JobContractBackend``: our backend speaking Qrisp's own backend contract
  (``Backend.run_async`` returning a ``Job``);
- ``qrisp.interface.QiskitBackend(backend=...)``: Qrisp's wrapper around any Qiskit backend,
  here one of ours.

Both run on the same engine and job store. The products are exact (each has probability 1);
the sum of a superposition is sampled, so only its outcomes are printed, with how often
each came up.

Needs Qrisp (``pip install qrisp``; it lives in its own environment in CI). Run it with::

    python examples/qrisp_arithmetic.py
"""

from __future__ import annotations

from qrisp import QuantumFloat, h, multi_measurement
from qrisp.interface import QiskitBackend

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import JobContractBackend


def product(a: int, b: int) -> QuantumFloat:
    """``a * b`` on two 3-bit quantum integers."""
    x = QuantumFloat(3)
    x[:] = a
    y = QuantumFloat(3)
    y[:] = b
    return x * y


def main() -> None:
    with MyProvider() as provider:
        routes = {
            "JobContractBackend": JobContractBackend(provider.get_backend()),
            "QiskitBackend(MyBackend)": QiskitBackend(backend=provider.get_backend()),
        }
        for route, backend in routes.items():
            for a, b in [(3, 3), (5, 6), (7, 7)]:
                print(f"{route}: {a} * {b} = {product(a, b).get_measurement(backend=backend)}")

        # A superposition: x is 0, 1, 2 or 3 at once, so x + 5 is 5, 6, 7 or 8.
        x = QuantumFloat(2)
        h(x)
        five = QuantumFloat(3)
        five[:] = 5
        total = x + five
        outcomes = multi_measurement([x, total], backend=routes["JobContractBackend"])
        for (value, sum_value), probability in sorted(outcomes.items()):
            print(f"x = {value}: x + 5 = {sum_value} (probability {probability:.2f})")

        print(f"{len(provider.jobs(limit=None))} jobs recorded in the job store")


if __name__ == "__main__":
    main()
