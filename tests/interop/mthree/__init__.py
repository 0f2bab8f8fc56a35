"""Interop with mthree, matrix-free measurement mitigation (``.ci/interop-mthree.sh``)."""
