"""The store package: its public names, and imports light enough for a quick ``jobs list``."""

from __future__ import annotations

import ast
from pathlib import Path

import qiskit_myprovider.store as store_package
from tests.support import ROOT

PUBLIC = {
    "SCHEMA_VERSION",
    "STORE_ENV_VAR",
    "UPDATABLE_FIELDS",
    "JobQuery",
    "JobRecord",
    "JobStore",
    "MemoryJobStore",
    "Owner",
    "SQLiteJobStore",
    "WriteBehindStore",
    "default_store_path",
    "make_owner_token",
    "migrate_pickles",
    "owner_is_gone",
    "owner_token_for",
    "parse_owner",
}

#: What a store module may import when it is imported: the standard library, the two Qiskit
#: modules JobStatus needs, the package's leaves and the store's own modules. Anything else
#: (numpy, qiskit.qpy, the transpiler, Aer) must be imported inside the function that needs it.
ALLOWED_AT_IMPORT = {
    "qiskit.providers",
    "qiskit.providers.jobstatus",
    "qiskit_myprovider.circuit_codec",
    "qiskit_myprovider.clock",
    "qiskit_myprovider.exceptions",
}
STORE_MODULES = sorted((ROOT / "qiskit_myprovider" / "store").glob("*.py"))


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_exact() -> None:
    assert store_package.__all__ == sorted(store_package.__all__, key=_isort_key)
    assert set(store_package.__all__) == PUBLIC


def test_every_public_name_is_the_object_its_module_defines() -> None:
    for name in store_package.__all__:
        value = getattr(store_package, name)
        if isinstance(value, type) or callable(value):
            module = __import__(value.__module__, fromlist=["_"])
            assert getattr(module, name) is value
            assert value.__module__.startswith("qiskit_myprovider.store.")


def test_every_submodule_declares_a_sorted_all() -> None:
    for path in STORE_MODULES:
        module = __import__(f"qiskit_myprovider.store.{path.stem}", fromlist=["_"])
        names = module.__all__
        assert names == sorted(names, key=_isort_key), path.name
        assert all(hasattr(module, name) for name in names), path.name


def _imported_at_module_level(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in tree.body:  # module level only; TYPE_CHECKING blocks are skipped below
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_importing_the_store_imports_no_qpy_numpy_or_aer() -> None:
    codec = ROOT / "qiskit_myprovider" / "circuit_codec.py"
    for path in [*STORE_MODULES, codec]:
        for module in _imported_at_module_level(path):
            top = module.split(".")[0]
            if top in ("qiskit", "qiskit_myprovider", "numpy", "qiskit_aer", "platformdirs"):
                assert module in ALLOWED_AT_IMPORT or module.startswith(
                    "qiskit_myprovider.store."
                ), f"{path.name} imports {module} at import time"
