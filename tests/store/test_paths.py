"""Where the store lives: the default file, the environment variable, the store= argument."""

from __future__ import annotations

from pathlib import Path

import pytest

import qiskit_myprovider.store as store_package
from qiskit_myprovider import MyProvider
from qiskit_myprovider.exceptions import InvalidInputError
from qiskit_myprovider.store import (
    STORE_ENV_VAR,
    MemoryJobStore,
    SQLiteJobStore,
    WriteBehindStore,
    default_store_path,
)
from qiskit_myprovider.store.paths import ELSEWHERE


def test_default_path_is_under_the_user_data_directory() -> None:
    import platformdirs

    path = default_store_path()
    assert path.name == "jobs.sqlite3"
    assert path.parent == Path(platformdirs.user_data_dir("qiskit-myprovider", appauthor=False))


def test_the_hint_to_use_another_store_names_every_way() -> None:
    assert STORE_ENV_VAR == "QISKIT_MYPROVIDER_STORE"
    assert STORE_ENV_VAR in ELSEWHERE
    assert "MyProvider(store=...)" in ELSEWHERE
    assert "':memory:'" in ELSEWHERE


def test_store_argument_environment_variable_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MyProvider(store=str(tmp_path / "a.db")) as provider:
        assert isinstance(provider.store, WriteBehindStore)
        assert isinstance(provider.store.inner, SQLiteJobStore)
        assert provider.store.location == str(tmp_path / "a.db")
    with MyProvider(store=":memory:") as provider:
        assert isinstance(provider.store, MemoryJobStore)
    monkeypatch.setenv("QISKIT_MYPROVIDER_STORE", str(tmp_path / "env.db"))
    with MyProvider() as provider:
        assert provider.store.location == str(tmp_path / "env.db")
    monkeypatch.delenv("QISKIT_MYPROVIDER_STORE")
    monkeypatch.setattr(store_package, "default_store_path", lambda: tmp_path / "data" / "j.db")
    import qiskit_myprovider.engine as engine_module

    monkeypatch.setattr(engine_module, "default_store_path", lambda: tmp_path / "data" / "j.db")
    with MyProvider() as provider:
        assert provider.store.location == str(tmp_path / "data" / "j.db")
    assert (tmp_path / "data" / "j.db").is_file()
    with pytest.raises(InvalidInputError, match="file path"):
        MyProvider(store="")
