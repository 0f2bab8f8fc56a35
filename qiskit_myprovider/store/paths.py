"""Where the job store lives: the default file, the variable that moves it, the hint to move it."""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["ELSEWHERE", "STORE_ENV_VAR", "default_store_path"]

#: The environment variable that names the default job store (a path, or ``:memory:``).
STORE_ENV_VAR: Final = "QISKIT_MYPROVIDER_STORE"

#: The end of every message about a store file that cannot be used: how to use another one.
ELSEWHERE: Final = (
    f"or point {STORE_ENV_VAR} (or MyProvider(store=...)) at another file, "
    "or use store=':memory:' for no persistence"
)


def default_store_path() -> Path:
    """Return where jobs are kept by default: ``jobs.sqlite3`` in the user's data directory.

    Returns:
        The path (e.g. ``~/.local/share/qiskit-myprovider/jobs.sqlite3`` on Linux); the file
        and its folders are created on first use.
    """
    import platformdirs  # only a store at its default place needs it

    return Path(platformdirs.user_data_dir("qiskit-myprovider", appauthor=False)) / "jobs.sqlite3"
