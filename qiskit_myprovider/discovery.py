"""Finding Qiskit providers through the ``qiskit.providers`` entry-point group.

Any installed distribution can register a provider class under :data:`ENTRY_POINT_GROUP`;
this package registers ``myprovider = "qiskit_myprovider:MyProvider"``. Listing the
providers imports nothing, so one broken plugin never hides the others: it fails only
when it is loaded, with an error that names it.

Example:
    >>> from qiskit_myprovider.discovery import available_providers, load_provider
    >>> "myprovider" in available_providers()
    True
    >>> with load_provider("myprovider", store=":memory:") as provider:
    ...     provider.get_backend().name
    'myprovider_simulator'
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final

from qiskit_myprovider.exceptions import InvalidInputTypeError, MyProviderError

__all__ = [
    "DEFAULT_PROVIDER_NAME",
    "ENTRY_POINT_GROUP",
    "ProviderLoadError",
    "ProviderNotFoundError",
    "available_providers",
    "load_provider",
]

#: The entry-point group Qiskit provider plugins register their provider class in.
ENTRY_POINT_GROUP: Final = "qiskit.providers"

#: The name this package registers in :data:`ENTRY_POINT_GROUP`.
DEFAULT_PROVIDER_NAME: Final = "myprovider"


class ProviderNotFoundError(MyProviderError, LookupError):
    """No installed distribution registers a provider under the requested name."""


class ProviderLoadError(MyProviderError, ImportError):
    """A provider plugin is registered but cannot be loaded.

    Raised when importing the plugin fails (``__cause__`` is the original error) or when the
    entry point does not name something callable.
    """


def available_providers() -> dict[str, EntryPoint]:
    """Return the installed provider plugins, without importing any of them.

    Returns:
        A mapping from each registered name to its entry point, sorted by name. When two
        distributions register the same name, the one found first on ``sys.path`` wins,
        as it would for an import.

    Example:
        >>> from qiskit_myprovider.discovery import available_providers
        >>> available_providers()["myprovider"].value
        'qiskit_myprovider:MyProvider'
    """
    found: dict[str, EntryPoint] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    return dict(sorted(found.items()))


def load_provider(name: str = DEFAULT_PROVIDER_NAME, **kwargs: Any) -> Any:
    """Load the provider plugin registered as ``name`` and return an instance of it.

    Args:
        name: The plugin's entry-point name (default: this package's ``"myprovider"``).
        **kwargs: Passed to the provider's constructor (e.g. ``store=":memory:"`` for
            :class:`~qiskit_myprovider.MyProvider`).

    Returns:
        A new provider instance: whatever calling the registered class with ``kwargs``
        returns.

    Raises:
        InvalidInputTypeError: ``name`` is not a string.
        ProviderNotFoundError: no plugin has this name; the message lists the installed ones.
        ProviderLoadError: the plugin is registered but importing it failed (the message
            names the plugin and the import error, which is chained as ``__cause__``), or
            it does not name a callable.

    Any error the provider's own constructor raises (such as a bad keyword argument)
    propagates unchanged.
    """
    if not isinstance(name, str):
        raise InvalidInputTypeError(f"A provider name must be a str, not {type(name).__name__}")
    providers = available_providers()
    entry_point = providers.get(name)
    if entry_point is None:
        installed = ", ".join(f"{ep.name} ({ep.value})" for ep in providers.values())
        raise ProviderNotFoundError(
            f"No Qiskit provider named '{name}' is installed (entry-point group "
            f"'{ENTRY_POINT_GROUP}'). Installed providers: {installed or 'none'}"
        )
    try:
        factory = entry_point.load()
    except Exception as exc:
        raise ProviderLoadError(
            f"Provider plugin '{name}' ({entry_point.value}) could not be imported: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not callable(factory):
        raise ProviderLoadError(
            f"Provider plugin '{name}' ({entry_point.value}) names a "
            f"{type(factory).__name__}, not a provider class"
        )
    return factory(**kwargs)
