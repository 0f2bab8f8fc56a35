"""Provider discovery through the ``qiskit.providers`` entry-point group."""

from __future__ import annotations

import pickle
import sys
import uuid
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, transpile

from qiskit_myprovider import MyProvider
from qiskit_myprovider.discovery import (
    DEFAULT_PROVIDER_NAME,
    ENTRY_POINT_GROUP,
    ProviderLoadError,
    ProviderNotFoundError,
    available_providers,
    load_provider,
)
from qiskit_myprovider.exceptions import InvalidInputTypeError, MyProviderError


def ghz(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    qc.measure_all()
    return qc


class Plugins:
    """Installs fake provider distributions (a dist-info and modules) on a temporary sys.path."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self._monkeypatch = monkeypatch
        self.modules: list[str] = []
        monkeypatch.syspath_prepend(str(root))

    def distribution(self, entries: dict[str, str]) -> None:
        dist = f"fake_plugin_{uuid.uuid4().hex[:8]}"
        info = self.root / f"{dist}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")

    def module(self, source: str) -> str:
        name = f"fake_plugin_module_{uuid.uuid4().hex[:8]}"
        (self.root / f"{name}.py").write_text(source)
        self.modules.append(name)
        return name

    def forget_modules(self) -> None:
        for name in self.modules:
            sys.modules.pop(name, None)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plugins]:
    installed = Plugins(tmp_path, monkeypatch)
    yield installed
    installed.forget_modules()


def test_this_package_registers_myprovider_in_the_qiskit_providers_group() -> None:
    assert ENTRY_POINT_GROUP == "qiskit.providers"
    registered = {ep.name: ep.value for ep in entry_points(group="qiskit.providers")}
    assert registered["myprovider"] == "qiskit_myprovider:MyProvider"


def test_available_providers_maps_names_to_entry_points_without_importing() -> None:
    providers = available_providers()
    assert DEFAULT_PROVIDER_NAME in providers
    assert providers["myprovider"].value == "qiskit_myprovider:MyProvider"
    assert list(providers) == sorted(providers)


def test_load_provider_returns_an_instance_that_runs_a_transpiled_ghz() -> None:
    provider = load_provider("myprovider", store=":memory:", executor="thread")
    with provider:
        assert isinstance(provider, MyProvider)
        backend = provider.get_backend()
        circuit = transpile(ghz(4), backend, seed_transpiler=1)
        counts = backend.run(circuit, shots=200, seed_simulator=5).result(timeout=60).get_counts()
    assert set(counts) <= {"0000", "1111"}
    assert sum(counts.values()) == 200


def test_load_provider_defaults_to_this_package_and_returns_a_new_instance_each_time() -> None:
    with load_provider() as first, load_provider() as second:
        assert isinstance(first, MyProvider)
        assert first is not second


def test_load_provider_passes_constructor_errors_through() -> None:
    with pytest.raises(InvalidInputTypeError, match="store"):
        load_provider(store=42)


def test_an_unknown_name_is_a_lookup_error_that_lists_the_installed_providers() -> None:
    with pytest.raises(ProviderNotFoundError) as info:
        load_provider("no_such_provider")
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, MyProviderError)
    message = str(info.value)
    assert "'no_such_provider'" in message
    assert "myprovider (qiskit_myprovider:MyProvider)" in message


def test_a_provider_name_must_be_a_string() -> None:
    with pytest.raises(InvalidInputTypeError, match="str"):
        load_provider(42)  # type: ignore[arg-type]


def test_a_plugin_whose_module_is_missing_is_reported_by_name(plugins: Plugins) -> None:
    plugins.distribution({"broken": "no_such_module_for_this_test:Provider"})

    providers = available_providers()
    assert {"broken", "myprovider"} <= set(providers)

    with pytest.raises(ProviderLoadError) as info:
        load_provider("broken")
    assert isinstance(info.value, MyProviderError)
    assert isinstance(info.value, ImportError)
    assert "'broken'" in str(info.value)
    assert "no_such_module_for_this_test" in str(info.value)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)

    # The broken plugin hides nothing: the others still list and load.
    with load_provider("myprovider", store=":memory:") as provider:
        assert provider.get_backend().name == "myprovider_simulator"


def test_a_plugin_that_raises_on_import_is_reported_with_its_error(plugins: Plugins) -> None:
    module = plugins.module("raise RuntimeError('plugin exploded')\n")
    plugins.distribution({"explodes": f"{module}:Provider"})

    expected = r"'explodes'.*RuntimeError: plugin exploded"
    with pytest.raises(ProviderLoadError, match=expected) as info:
        load_provider("explodes")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "myprovider" in available_providers()


def test_a_plugin_that_names_no_callable_is_refused(plugins: Plugins) -> None:
    module = plugins.module("PROVIDER = 42\n")
    plugins.distribution({"notcallable": f"{module}:PROVIDER"})

    with pytest.raises(ProviderLoadError, match=r"'notcallable'.*int, not a provider class"):
        load_provider("notcallable")


def test_a_working_third_party_plugin_is_loaded_with_its_kwargs(plugins: Plugins) -> None:
    module = plugins.module(
        "class Provider:\n    def __init__(self, **kwargs):\n        self.kwargs = kwargs\n"
    )
    plugins.distribution({"other": f"{module}:Provider"})

    provider = load_provider("other", token="abc")
    assert provider.kwargs == {"token": "abc"}


@pytest.mark.parametrize("cls", [ProviderNotFoundError, ProviderLoadError])
def test_discovery_errors_pickle_with_their_message(cls: type[MyProviderError]) -> None:
    error = cls("Provider plugin 'x' could not be imported")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error)
