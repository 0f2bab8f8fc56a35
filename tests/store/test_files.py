"""The store's files are private whatever the umask; a shared existing file is warned about."""

from __future__ import annotations

import json
import logging
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qiskit_myprovider.store import SQLiteJobStore
from qiskit_myprovider.store.files import DIRECTORY_MODE, FILE_MODE
from tests.support import PATIENCE, child_env

from .conftest import record

#: Seconds a child Python may take to import the store and write a record.
CHILD_TIMEOUT = 3 * PATIENCE

MODES_UNDER_UMASK = textwrap.dedent(
    """
    import json, os, stat, sys
    from pathlib import Path
    os.umask(int(sys.argv[1], 8))
    from qiskit_myprovider.store import SQLiteJobStore
    from tests.store.conftest import record
    root = Path(sys.argv[2])
    path = root / "made" / "by" / "us" / "jobs.sqlite3"
    store = SQLiteJobStore(path)
    store.add(record())  # the -wal and -shm files exist while the store is open
    modes = {}
    for name in ("made", "made/by", "made/by/us", "made/by/us/jobs.sqlite3",
                 "made/by/us/jobs.sqlite3-wal", "made/by/us/jobs.sqlite3-shm"):
        modes[name] = stat.S_IMODE((root / name).stat().st_mode)
    store.close()
    print(json.dumps(modes))
    """
)


@pytest.mark.parametrize("umask", ["000", "002", "022"])
def test_files_are_0600_and_folders_0700_whatever_the_umask(tmp_path: Path, umask: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", MODES_UNDER_UMASK, umask, str(tmp_path)],
        env=child_env(), capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    modes = json.loads(child.stdout)
    for name, mode in modes.items():
        want = FILE_MODE if "jobs.sqlite3" in name else DIRECTORY_MODE
        assert mode == want, f"{name} is {oct(mode)} under umask {umask}"


def test_an_existing_folder_is_left_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    SQLiteJobStore(folder / "jobs.sqlite3").close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "jobs.sqlite3").stat().st_mode) == FILE_MODE


def test_an_existing_store_others_can_read_is_warned_about_naming_the_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "jobs.sqlite3"
    store = SQLiteJobStore(path)
    store.add(record())
    store.close()
    path.chmod(0o664)
    with caplog.at_level(logging.WARNING, logger="qiskit_myprovider.store.files"):
        SQLiteJobStore(path).close()
    [warning] = [r for r in caplog.records if r.name == "qiskit_myprovider.store.files"]
    message = warning.getMessage()
    assert str(path) in message
    assert "0o664" in message
    assert "change your job records" in message  # group-writable: others could plant records
    assert f"chmod 600 {path}*" in message


def test_a_private_store_is_not_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "jobs.sqlite3"
    SQLiteJobStore(path).close()
    with caplog.at_level(logging.WARNING, logger="qiskit_myprovider.store.files"):
        SQLiteJobStore(path).close()
    assert not [r for r in caplog.records if r.name == "qiskit_myprovider.store.files"]
