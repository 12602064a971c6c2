"""Does early warning point at the merchants who go on to fail? Measured on past cut-offs.

At each cut-off the rules are asked what they would have said (`early_warning.findings`, which
only reads history before the cut-off), and each retail merchant trading then is followed for
the credit model's horizon with the same outcome the scorecard is trained on (no sales in the
horizon's last 60 days, or sales below 30% of the half-year before). The lift is the bad rate
among flagged merchants over the bad rate among all: above 1 means better than chance.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from financing.credit.features import compute_features
from financing.credit.training import HORIZON_DAYS, history_end, history_start, outcome, retail_shop_ids

from .early_warning import findings


def evaluation_cutoffs(step_days: int = 30) -> list[datetime]:
    end, start = history_end(), history_start()
    if end is None or start is None:
        return []
    cutoffs, c = [], end - timedelta(days=HORIZON_DAYS)
    while c - timedelta(days=42) >= start:
        cutoffs.append(c)
        c -= timedelta(days=step_days)
    return sorted(cutoffs)


def evaluate(cutoffs: list[datetime] | None = None) -> dict:
    cutoffs = cutoffs if cutoffs is not None else evaluation_cutoffs()
    shops = retail_shop_ids()
    rows = []  # (cutoff, shop, flagged, bad)
    for cutoff in cutoffs:
        flagged = {f.shop_id for f in findings(cutoff)}
        for shop_id in shops:
            if compute_features(shop_id, cutoff).sales_90 == 0:
                continue  # not trading then: nobody to warn about
            rows.append((cutoff, shop_id, shop_id in flagged, outcome(shop_id, cutoff)))
    total, bads = len(rows), sum(r[3] for r in rows)
    flagged = [r for r in rows if r[2]]
    flagged_bads = sum(r[3] for r in flagged)
    base_rate = bads / total if total else 0.0
    flagged_rate = flagged_bads / len(flagged) if flagged else 0.0
    return {
        "cutoffs": [c.date().isoformat() for c in cutoffs], "horizon_days": HORIZON_DAYS,
        "merchant_cutoffs": total, "bads": bads, "flagged": len(flagged), "flagged_bads": flagged_bads,
        "base_bad_rate": round(base_rate, 4), "flagged_bad_rate": round(flagged_rate, 4),
        "lift": round(flagged_rate / base_rate, 2) if base_rate else None,
        "recall": round(flagged_bads / bads, 4) if bads else None,
    }
