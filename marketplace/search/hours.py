"""Opening hours as minute-of-week ranges, so "open now" is one range test in SQL and in Elasticsearch."""
from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _minutes(hhmm: str) -> int:
    hours, _, minutes = str(hhmm).partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {hhmm!r}")
    return value


def week_ranges(opening_hours: dict | None) -> list[tuple[int, int]]:
    """Half-open [opens, closes) ranges of minutes since Monday 00:00, merged and sorted.

    A range that closes at or before it opens runs past midnight ("22:00"-"02:00"); one past
    Sunday night wraps to Monday morning. Unreadable entries are skipped, never fatal: a shop
    with broken hours shows as closed rather than breaking search.
    """
    ranges: list[tuple[int, int]] = []
    for day_index, day in enumerate(DAYS):
        for entry in (opening_hours or {}).get(day) or ():
            try:
                opens, closes = (_minutes(v) for v in entry)
            except (TypeError, ValueError):
                continue
            start = day_index * MINUTES_PER_DAY + opens
            end = day_index * MINUTES_PER_DAY + closes
            if closes <= opens:
                end += MINUTES_PER_DAY
            if end > MINUTES_PER_WEEK:
                ranges.append((start, MINUTES_PER_WEEK))
                ranges.append((0, end - MINUTES_PER_WEEK))
            elif end > start:
                ranges.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def minute_of_week(moment: datetime, tz: tzinfo | str) -> int:
    local = moment.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def is_open_at(opening_hours: dict | None, minute: int) -> bool:
    return any(start <= minute < end for start, end in week_ranges(opening_hours))
