"""The store's files are private: created 0600 (folders 0700) whatever the umask, checked on open.

Whoever can write the store decides what every reader of it sees, and circuits and results
may be confidential: only their owner may read or write them. SQLite creates the ``-wal``
and ``-shm`` files with the database file's mode, so a private database keeps them private.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path
from typing import Final

__all__ = [
    "DIRECTORY_MODE",
    "FILE_MODE",
    "create_private_file",
    "make_private_folders",
    "warn_if_shared",
]

logger = logging.getLogger(__name__)

#: The mode of the store file the store creates: its owner's only.
FILE_MODE: Final = 0o600
#: The mode of each folder the store creates.
DIRECTORY_MODE: Final = 0o700


def make_private_folders(folder: Path) -> None:
    """Create the missing folders of ``folder``, each 0700 (existing ones are left alone)."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            path.mkdir(mode=DIRECTORY_MODE)
            path.chmod(DIRECTORY_MODE)  # the umask may have taken bits from the mode


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 unless it exists; return whether it was created.

    SQLite then creates the ``-wal`` and ``-shm`` files with the database file's mode.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)  # the umask may have taken bits from the mode
    finally:
        os.close(fd)
    return True


def warn_if_shared(path: Path) -> None:
    """Log a warning naming the fix if other users may read or write the store's files."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            logger.warning(
                "The job store file %s has mode %s: other users can read your circuits and "
                "results%s. Make it private: chmod 600 %s*",
                file,
                oct(mode),
                " and change your job records" if mode & 0o022 else "",
                path,
            )
            return
