"""How a span of days is written for people, the same in reports, statements and alerts.

Periods (obligations, fee periods), contract years and statement windows are half-open
intervals of instants, ``[start, end)``; JSON carries them so (``period_start``, ``period_end``:
the end is the first instant *not* in the period). A person reads them as the local dates of
their first and last day, both included: ``2026-01-15 – 2026-04-14`` in English,
``2026-01-15至2026-04-14`` in Chinese. Every human-facing text goes through this module, so a
period never reads "to 2026-04-15 00:00" in one place and "– 2026-04-14" in another.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo


def span_dates(start: datetime, end: datetime, zone: tzinfo) -> tuple[date, date]:
    """The first and the last day (local to ``zone``) of the period ``[start, end)``."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return first, last


def days_text(first: date, last: date, lang: str = "en") -> str:
    """``2026-01-15 – 2026-04-14`` (``2026-01-15至2026-04-14`` in Chinese): both days included."""
    return f"{first}至{last}" if lang == "zh" else f"{first} – {last}"


def span_text(start: datetime, end: datetime, zone: tzinfo, lang: str = "en") -> str:
    """The period ``[start, end)`` as its first and last local day, both included."""
    return days_text(*span_dates(start, end, zone), lang)
