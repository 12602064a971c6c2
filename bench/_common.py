"""What the benchmarks share."""
from __future__ import annotations


def percentile(samples: list[float], q: float) -> float:
    """The sample at quantile q (0 to 1) by the nearest-rank rule."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
