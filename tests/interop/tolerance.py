"""Statistical tolerances shared by the interop suites: sampled answers against exact ones.

Every sampled quantity is allowed :data:`SIGMAS` standard deviations from what it is checked
against. Five sigma: a correct backend fails one comparison by chance with probability
5.7e-7 (the two-sided normal tail), so the few hundred comparisons of all suites together
fail by chance less than once in ten thousand runs, while a real error (a wrong gate, a lost
noise model, swapped bits) moves a probability by several percent, which at the thousands of
shots used here is far more than five sigma.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

#: Standard deviations a sampled value may lie from the value it is checked against.
SIGMAS: Final = 5.0


def binomial_sigma(probability: float, shots: int) -> float:
    """The standard deviation of an outcome's frequency over ``shots`` shots."""
    return math.sqrt(probability * (1 - probability) / shots)


def assert_frequency(count: int, shots: int, expected: float, what: str = "outcome") -> None:
    """Check that ``count`` of ``shots`` is within SIGMAS binomial sigmas of ``expected``."""
    frequency = count / shots
    allowed = SIGMAS * binomial_sigma(expected, shots)
    assert abs(frequency - expected) <= allowed, (
        f"{what}: frequency {frequency:.4f} ({count}/{shots}) is more than {SIGMAS} sigma "
        f"({allowed:.4f}) from {expected:.4f}"
    )


def assert_same_distribution(
    counts: Mapping[str, int], reference: Mapping[str, int], what: str = "counts"
) -> None:
    """Check two sampled distributions outcome by outcome (two-proportion test, pooled).

    For each outcome seen in either, the difference of frequencies must be within SIGMAS
    sigmas of the difference of two binomials with the pooled probability: the test for
    two samples of one distribution.
    """
    shots, ref_shots = sum(counts.values()), sum(reference.values())
    for outcome in sorted(set(counts) | set(reference)):
        mine, theirs = counts.get(outcome, 0), reference.get(outcome, 0)
        pooled = (mine + theirs) / (shots + ref_shots)
        sigma = math.sqrt(pooled * (1 - pooled) * (1 / shots + 1 / ref_shots))
        difference = mine / shots - theirs / ref_shots
        assert abs(difference) <= SIGMAS * sigma, (
            f"{what}: outcome {outcome!r} has frequency {mine / shots:.4f} here and "
            f"{theirs / ref_shots:.4f} in the reference, more than {SIGMAS} sigma "
            f"({SIGMAS * sigma:.4f}) apart"
        )


def assert_expectation(value: float, expected: float, sigma: float, what: str = "value") -> None:
    """Check an estimate with standard deviation ``sigma`` against ``expected``."""
    assert abs(value - expected) <= SIGMAS * sigma, (
        f"{what}: {value:.4f} is more than {SIGMAS} sigma ({SIGMAS * sigma:.4f}) "
        f"from {expected:.4f}"
    )
