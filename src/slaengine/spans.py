"""How a span of days is written for people, the same in reports, statements and alerts.

Periods (obligations, fee periods), contract years and statement windows are half-open
intervals of instants, ``[start, end)``; JSON carries them so (``period_start``, ``period_end``:
the end is the first instant *not* in the period). A person reads them as the local dates of
their first and last day, both included: ``2026-01-15 – 2026-04-14`` in English,
``2026-01-15至2026-04-14`` in Chinese. Every human-facing text goes through this module, so a
period never reads "to 2026-04-15 00:00" in one place and "– 2026-04-14" in another.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

#: Where a day begins: a period from midnight to midnight is shown as its days.
midnight = time(0)


def span_dates(start: datetime, end: datetime, zone: tzinfo) -> tuple[date, date]:
    """The first and the last day (local to ``zone``) of the period ``[start, end)``."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return first, last


def days_text(first: date, last: date, lang: str = "en") -> str:
    """``2026-01-15 – 2026-04-14`` (``2026-01-15至2026-04-14`` in Chinese): both days included."""
    return f"{first}至{last}" if lang == "zh" else f"{first} – {last}"


def span_text(start: datetime, end: datetime, zone: tzinfo, lang: str = "en") -> str:
    """The period ``[start, end)`` as its first and last local day, both included; a period
    that does not run midnight to midnight (a measure's fixed length such as 5 minutes) as its
    local start and end times (``2026-03-02 09:00 – 09:05``, the end not included)."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.time() != midnight or last.time() != midnight:
        shown = f"{last:%H:%M}" if first.date() == last.date() else f"{last:%Y-%m-%d %H:%M}"
        return (
            f"{first:%Y-%m-%d %H:%M}至{shown}"
            if lang == "zh"
            else f"{first:%Y-%m-%d %H:%M} – {shown}"
        )
    return days_text(*span_dates(start, end, zone), lang)


def period_bounds(start: datetime, end: datetime, zone: tzinfo) -> tuple[date | str, date | str]:
    """The first and last day of ``[start, end)`` as text, or for a period that does not run
    midnight to midnight its local start and (exclusive) end times."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.time() != midnight or last.time() != midnight:
        return f"{first:%Y-%m-%d %H:%M}", f"{last:%Y-%m-%d %H:%M}"
    return span_dates(start, end, zone)
