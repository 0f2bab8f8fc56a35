"""One short line per PUB of a ``PrimitiveResult``, for ``jobs show`` and notebooks.

A sampler PUB reads ``PUB 0: shape (50,), 1000 shots, meas 12 bits; most common 0…01 (7)``;
an estimator PUB ``PUB 0: evs (13, 20), precision 0; mean 0.0312, min -0.98, max 1``.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

__all__ = ["pub_summaries"]

#: Values shown in full when a PUB has at most this many.
_SHOWN: Final = 6


def pub_summaries(result: Any) -> list[str]:
    """One line per PUB of ``result`` (a ``PrimitiveResult``); a failing PUB says so."""
    lines = []
    for index, pub in enumerate(result):
        try:
            lines.append(f"PUB {index}: {_describe(pub)}")
        except Exception as exc:  # a summary must never break the command that shows it
            lines.append(f"PUB {index}: (no summary: {type(exc).__name__})")
    return lines


def _describe(pub: Any) -> str:
    data = pub.data
    if "evs" in data:
        return _estimator(pub)
    return _sampler(pub)


def _estimator(pub: Any) -> str:
    evs = np.asarray(pub.data.evs, dtype=float)
    precision = pub.metadata.get("target_precision", 0.0)
    head = f"evs {_shape(evs.shape)}, precision {precision:g}"
    if evs.size <= _SHOWN:
        values = ", ".join(f"{v:.6g}" for v in evs.ravel())
        return f"{head}; [{values}]"
    return f"{head}; mean {evs.mean():.6g}, min {evs.min():.6g}, max {evs.max():.6g}"


def _sampler(pub: Any) -> str:
    shots = pub.metadata.get("shots")
    fields = []
    top = ""
    for name, bits in pub.data.items():
        fields.append(f"{name} {bits.num_bits} bits")
        if not top and bits.num_bits:
            counts = bits.get_counts()
            if counts:
                outcome, count = max(counts.items(), key=lambda item: item[1])
                top = f"; most common {name}={outcome} ({count})"
    shape = _shape(pub.data.shape)
    return f"shape {shape}, {shots} shots, {', '.join(fields) or 'no registers'}{top}"


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(int(n) for n in shape))
