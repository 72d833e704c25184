"""What the audit trail's readers share: filters from query or command-line text
(``filters_of``) and records as CSV (``to_csv``). The readers are ``GET /audit``
(api/routes/audit.py), the console's page (console/audit.py) and ``slaengine audit``
(cli/audit.py); each reads records through ``slaengine.audit.trail``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from slaengine.audit import trail
from slaengine.errors import EventError
from slaengine.events import parse_time
from slaengine.store.limits import EARLIEST, LATEST, time_problem


def time_filter(value: str | None, name: str, dates: bool = True) -> datetime | None:
    """A ``since``/``until`` filter: RFC 3339 with offset, or (``dates``) a date, midnight UTC."""
    if value is None:
        return None
    text = value.strip()
    if dates and len(text) == 10:
        text += "T00:00:00+00:00"
    try:
        when = parse_time(text, name)
    except EventError as exc:
        raise ValueError(str(exc)) from None
    if (
        time_problem(when, name) is not None
    ):  # no record lies out there: from the start / to the end
        return EARLIEST if when.year < EARLIEST.year + 1 else LATEST
    return when


def filters_of(
    contract: str | None,
    kind: str | None,
    who: str | None,
    since: str | None,
    until: str | None,
    dates: bool = True,
) -> trail.Filters:
    """Filters from query or command-line text; ValueError names the bad one. ``dates``: a
    plain date is midnight UTC (the CLI and the console's date fields; the API takes RFC 3339
    only, as its schema says)."""
    if kind is not None and kind and kind not in trail.KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(trail.KINDS)}")
    return trail.Filters(
        contract=contract or None,
        kind=kind or None,
        who=who or None,
        since=time_filter(since, "since", dates),
        until=time_filter(until, "until", dates),
    )


def to_csv(rows: list[Any]) -> bytes:
    """Records as CSV (UTF-8 with a byte-order mark, for Excel)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(trail.csv_rows(rows))
    return buffer.getvalue().encode("utf-8-sig")
