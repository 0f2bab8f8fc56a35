"""Interop with the real Qrisp (run by ``.ci/interop-qrisp.sh`` in ``.ci-venvs/qrisp``)."""
