"""``python -m qiskit_myprovider``: the ``qiskit-myprovider`` command line."""

from qiskit_myprovider.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
