"""Imports go one way: no cycles, no private names across modules, down the layers only.

The rules (what counts as an import of what) are in :mod:`tests.architecture`'s docstring.
The first three tests hold the package to them; the rest show on small packages written to
``tmp_path`` that the checker finds what it should, and nothing else.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Final

import pytest

from tests.architecture import check, cycles, layer_problems, private_imports, scan
from tests.support import ROOT

PACKAGE: Final = ROOT / "qiskit_myprovider"

#: The layers, top first: a module may import its own layer and the ones below it. Modules
#: still to come (engine, circuits, circuit_codec) have their place already.
ORDER: Final = (
    # the ways in: CLI, other libraries' contracts, Qiskit's primitives
    ("__init__", "__main__", "cli", "adapters", "primitives"),
    ("provider", "catalogue"),
    ("backend",),
    ("job", "job_state", "completion", "primitive_job"),
    ("engine",),
    # Services below the job; progress works with any Qiskit JobV1, none of ours.
    ("store", "execution", "options", "progress", "run_input"),
    # The leaves: they import nothing of the package but each other.
    ("exceptions", "validation", "clock", "qasm", "circuits", "circuit_codec", "version",
     "discovery", "notebook", "job_progress"),
)  # fmt: skip
#: Module prefix -> rank (the higher, the nearer the top).
LAYERS: Final = {prefix: len(ORDER) - rank for rank, group in enumerate(ORDER) for prefix in group}


def _report(problems: list[str]) -> str:
    return "\n".join(["", *problems])


def test_the_package_has_no_import_cycle() -> None:
    problems = cycles(scan(PACKAGE))
    assert not problems, _report(problems)


def test_no_module_imports_another_modules_private_names() -> None:
    problems = private_imports(scan(PACKAGE))
    assert not problems, _report(problems)


def test_imports_go_down_the_layers() -> None:
    problems = layer_problems(scan(PACKAGE), LAYERS)
    assert not problems, _report(problems)


# -- the checker itself, on synthetic packages -------------------------------------------------

SMALL_LAYERS: Final = {"__init__": 3, "top": 3, "middle": 2, "low": 1, "sub": 1, "version": 1}


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path under ``pkg/`` -> source) and return the package folder."""
    for name, source in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return tmp_path / "pkg"


def test_a_cycle_through_type_checking_is_a_cycle(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "__init__.py": "",
            "top.py": "from pkg.middle import M\n",
            "middle.py": """\
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from pkg.top import T
                """,
        },
    )
    assert cycles(scan(package)) == [
        "import cycle: pkg.middle -> pkg.top -> pkg.middle; imports at "
        "pkg/middle.py:3 (under TYPE_CHECKING); pkg/top.py:1"
    ]


def test_a_cycle_through_a_function_level_import_is_a_cycle(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "__init__.py": "",
            "low.py": """\
                def helper():
                    from pkg import middle
                    return middle
                """,
            "middle.py": "from . import top\n",
            "top.py": "import pkg.low\n",
        },
    )
    assert cycles(scan(package)) == [
        "import cycle: pkg.low -> pkg.middle -> pkg.top -> pkg.low; imports at "
        "pkg/low.py:2 (in function helper); pkg/middle.py:1; pkg/top.py:1"
    ]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("from pkg.low import _helper\n", "imports the private name _helper from pkg.low"),
        ("from .low import _helper\n", "imports the private name _helper from pkg.low"),
        ("import pkg.low as low\nlow._helper()\n", "reaches the private name pkg.low._helper"),
        ("from pkg import low\nx = low._TABLE[0]\n", "reaches the private name pkg.low._TABLE"),
        ("import pkg.low\npkg.low._helper()\n", "reaches the private name pkg.low._helper"),
        (
            "from pkg.sub import _impl\n",
            "imports the private module pkg.sub._impl from outside pkg.sub",
        ),
        (
            "from pkg.sub._impl import thing\n",
            "imports the private module pkg.sub._impl from outside pkg.sub",
        ),
    ],
)
def test_importing_a_private_name_is_a_problem(tmp_path: Path, source: str, problem: str) -> None:
    package = write(
        tmp_path,
        {
            "__init__.py": "",
            "low.py": "_TABLE = [1]\n\ndef _helper():\n    pass\n",
            "sub/__init__.py": "from pkg.sub._impl import thing\n",  # its own package: fine
            "sub/_impl.py": "def thing():\n    pass\n",
            "top.py": source,
        },
    )
    [found] = private_imports(scan(package))
    assert found.startswith(f"pkg.top {problem} at pkg/top.py:")


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "__init__.py": "",
            "top.py": "from pkg.low import L\n",
            "low.py": "def f():\n    from pkg.middle import M\n",
            "middle.py": "",
            "stray.py": "",
        },
    )
    assert layer_problems(scan(package), SMALL_LAYERS) == [
        "pkg.stray has no layer: add its prefix to the layer map",
        "pkg.low (layer 1) imports pkg.middle (layer 2) at pkg/low.py:2 (in function f): "
        "imports go down the layers only",
    ]


def test_a_child_importing_through_its_package_init_is_a_cycle_only_if_the_init_imports_it(
    tmp_path: Path,
) -> None:
    files = {
        "__init__.py": "",
        "sub/__init__.py": "from pkg.sub.base import Base\n",
        "sub/base.py": "class Base:\n    pass\n",
        "sub/child.py": "from pkg.sub import Base\n",
    }
    assert cycles(scan(write(tmp_path / "apart", files))) == []
    files["sub/__init__.py"] += "from pkg.sub.child import Child\n"
    assert cycles(scan(write(tmp_path / "reexported", files))) == [
        "import cycle: pkg.sub -> pkg.sub.child -> pkg.sub; imports at "
        "pkg/sub/__init__.py:2; pkg/sub/child.py:1"
    ]


def test_a_clean_package_passes(tmp_path: Path) -> None:
    """Re-exports, submodule imports, dunder names, relative imports, private modules inside
    their own package, and other distributions' names: nothing to report."""
    package = write(
        tmp_path,
        {
            "__init__.py": """\
                from pkg.top import run
                from pkg.version import __version__

                __all__ = ["__version__", "run"]
                """,
            "version.py": "__version__ = '1.0'\n",
            "top.py": """\
                import os
                from typing import TYPE_CHECKING

                from pkg import middle
                from pkg.version import __version__

                if TYPE_CHECKING:
                    from pkg.low import L

                def run():
                    import pkg.sub
                    return middle.work(), pkg.sub.thing(), os._exit
                """,
            "middle.py": "from .low import L\nfrom . import sub\n\ndef work():\n    pass\n",
            "low.py": "class L:\n    pass\n",
            "sub/__init__.py": "from ._impl import thing\n\n__all__ = ['thing']\n",
            "sub/_impl.py": "from pkg.low import L\n\ndef thing():\n    pass\n",
        },
    )
    assert check(package, SMALL_LAYERS) == []
