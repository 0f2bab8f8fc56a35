"""Sphinx configuration: furo theme, autodoc with Google-style docstrings, executed examples."""

from __future__ import annotations

import os
from pathlib import Path

# Building the docs (and running their examples) must never touch the user's job store.
os.environ.setdefault("QISKIT_MYPROVIDER_STORE", ":memory:")

from qiskit_myprovider import __version__

project = "qiskit-myprovider"
author = "qiskit_myprovider developers"
copyright = "qiskit_myprovider developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build"]
html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["console.css"]  # long console lines wrap instead of being cut
html_title = f"qiskit-myprovider {release}"

# -- autodoc / napoleon ------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# -- doctest -----------------------------------------------------------------------------
# Examples run from any working directory; they find the example circuits through EXAMPLES.
_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
doctest_global_setup = f"""
import os
os.environ["QISKIT_MYPROVIDER_STORE"] = ":memory:"
EXAMPLES = {str(_EXAMPLES)!r}
"""
