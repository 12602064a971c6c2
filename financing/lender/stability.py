"""Population stability index: how far a score's or a feature's distribution has moved since training."""
from __future__ import annotations

import math
from collections.abc import Mapping

# The usual reading of a PSI: below 0.1 nothing to see, up to 0.25 watch it, above that the
# population has shifted enough that the model's figures no longer describe it.
WATCH_THRESHOLD = 0.1
DRIFT_THRESHOLD = 0.25
# An empty bin would make the logarithm infinite; a share this small stands in for it.
_FLOOR = 1e-4


def shares(counts: Mapping[str, int | float]) -> dict[str, float]:
    total = float(sum(counts.values()))
    if total <= 0:
        return {k: 0.0 for k in counts}
    return {k: v / total for k, v in counts.items()}


def population_stability_index(expected: Mapping[str, int | float], actual: Mapping[str, int | float]) -> float:
    """PSI between two binned distributions (counts or shares per bin label).

    Bins present in only one side count as empty on the other.
    """
    e, a = shares(expected), shares(actual)
    psi = 0.0
    for label in set(e) | set(a):
        pe = max(e.get(label, 0.0), _FLOOR)
        pa = max(a.get(label, 0.0), _FLOOR)
        psi += (pa - pe) * math.log(pa / pe)
    return round(psi, 4)


def stability_reading(psi: float | None) -> str:
    """'stable', 'watch' or 'drift' (or 'unknown' when there is nothing to compare)."""
    if psi is None:
        return "unknown"
    if psi >= DRIFT_THRESHOLD:
        return "drift"
    if psi >= WATCH_THRESHOLD:
        return "watch"
    return "stable"
