"""Interop suites: this package against real third-party packages, each in its own environment.

The main test run ignores this folder (``--ignore=tests/interop`` in pyproject's addopts):
its packages are not installed there. Each ``.ci/interop-NAME.sh`` builds the environment
for ``tests/interop/NAME`` and runs it.
"""
