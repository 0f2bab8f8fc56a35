"""The ``backends`` command: the provider's catalogue as a table (or JSON)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from qiskit_myprovider.cli.context import MEMORY_STORE, open_provider
from qiskit_myprovider.cli.render import print_json
from qiskit_myprovider.cli.tables import print_backends

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context

__all__ = ["cmd_backends"]


def cmd_backends(args: argparse.Namespace, ctx: Context) -> int:
    """List the backends: name, method, width, noise, device, description; mark the default.

    Returns:
        0.
    """
    from qiskit_myprovider.provider import DEFAULT_BACKEND

    # The catalogue needs no job: no store file is opened (or created) for it.
    with open_provider(MEMORY_STORE) as provider:
        rows = [
            {
                "name": backend.name,
                "method": backend.method,
                "num_qubits": backend.num_qubits,
                "noisy": backend.noisy,
                "device": backend.device,
                "description": backend.description,
                "default": backend.name == DEFAULT_BACKEND,
            }
            for backend in provider.backends()
        ]
    if args.json:
        print_json(rows)
        return 0
    print_backends(ctx.out, rows)
    ctx.out.print("* the default backend (used when --backend is not given)", highlight=False)
    return 0
