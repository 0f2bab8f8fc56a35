"""The ``backends`` command: the provider's catalogue as a table (or JSON)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.markup import escape

from qiskit_myprovider.cli.context import open_provider
from qiskit_myprovider.cli.render import print_json, table

if TYPE_CHECKING:
    from qiskit_myprovider.cli.context import Context

__all__ = ["cmd_backends"]


def cmd_backends(args: argparse.Namespace, ctx: Context) -> int:
    """List the backends: name, method, width, noise, device, description; mark the default.

    Returns:
        0.
    """
    from qiskit_myprovider.provider import DEFAULT_BACKEND

    with open_provider() as provider:
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
    listing = table()
    listing.add_column("Name", style="cyan", no_wrap=True)
    listing.add_column("Method", no_wrap=True)
    listing.add_column("Qubits", justify="right", no_wrap=True)
    listing.add_column("Noisy", no_wrap=True)
    listing.add_column("Device", no_wrap=True)
    listing.add_column("Description", min_width=16)
    for row in rows:
        name = escape(str(row["name"])) + (" *" if row["default"] else "")
        listing.add_row(
            name,
            escape(str(row["method"])),
            str(row["num_qubits"]),
            "yes" if row["noisy"] else "no",
            escape(str(row["device"])),
            escape(str(row["description"] or "")),
        )
    ctx.out.print(listing, highlight=False)
    ctx.out.print("* the default backend (used when --backend is not given)", highlight=False)
    return 0
