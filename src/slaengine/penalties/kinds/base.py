"""The clause-kind interface and its registry.

A kind has one method that matters, ``price``: what one trigger of a clause costs, with the
formula in English and Chinese. A kind whose triggers are not the usual ones (each breach of a
commitment or obligation listing the clause, each event matching its ``on_event``) also says
what triggers it: ``costs`` pays once per ticket, ``service_credit`` once per fee period.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from slaengine.durations import Duration
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.lines import EVENT, OBLIGATION, PENALTY, Priced, Trigger
from slaengine.penalties.words import amount_text, span_words, unit_words
from slaengine.spans import span_dates, span_text


class ClauseKind:
    #: The ``kind`` a contract file writes.
    name: ClassVar[str]
    #: Where its lines go: penalties (capped), compensation (never capped with penalties), or
    #: remedies (no amount).
    section: ClassVar[str] = PENALTY
    #: Whether its lines can name a ticket. A kind priced per period of the whole contract (a
    #: fee period, a measure's period) cannot: the live service, pricing one ticket's findings
    #: on their own, leaves its clauses out (``charge(findings, tickets_only=True)``).
    ticket_lines: ClassVar[bool] = True

    def triggers(self, clause: Any, evidence: Evidence) -> list[Trigger]:
        return evidence.triggers(clause)

    def price(self, clause: Any, trigger: Trigger, evidence: Evidence) -> list[Priced]:
        raise NotImplementedError

    def measures(self, clause: Any) -> tuple[str, ...]:
        """Commitments whose every clock (met ones too) the clause reads; most kinds read only
        breaches. A streamed report keeps these clocks for pricing and lets the others go."""
        return ()


KINDS: dict[str, ClauseKind] = {}


def register(cls: type[ClauseKind]) -> type[ClauseKind]:
    """Class decorator: make a kind known by its name."""
    KINDS[cls.name] = cls()
    return cls


def kind_for(name: str) -> ClauseKind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(
            f"clause kind {name!r} has no implementation (known: {', '.join(sorted(KINDS))})"
        ) from None


def occasion(trigger: Trigger, lang: str, zone: ZoneInfo) -> str:
    """What the amount is for, in words: ``24 min late``, ``missed period ...``, ``event ...``."""
    zh = lang == "zh"
    if trigger.late_by_seconds is not None:
        late = span_words(trigger.late_by_seconds, lang)
        if trigger.late_on is not None:  # lateness in working time of the calendar
            if zh:
                return f"超时{late}（按{trigger.late_on}日历的工作时间计）"
            return f"{late} late (working time of calendar {trigger.late_on})"
        return f"超时{late}" if zh else f"{late} late"
    if trigger.source == OBLIGATION and trigger.period_start and trigger.period_end:
        days = span_text(trigger.period_start, trigger.period_end, zone, "zh" if zh else "en")
        return f"未履行{days}期间" if zh else f"missed period {days}"
    if trigger.source == EVENT:
        what = f"{trigger.event_type} {trigger.event}"
        return f"事件{what}" if zh else f"event {what}"
    return ""


def started_units(trigger: Trigger, unit: Duration) -> int:
    """ceil(lateness / unit); a trigger without lateness (a missed period, an event) counts
    as one started unit."""
    if trigger.late_by_seconds is None:
        return 1
    return max(1, math.ceil(trigger.late_by_seconds / unit.seconds))


def per_started_words(
    units: int,
    unit_amount: Decimal,
    unit: Duration,
    trigger: Trigger,
    lang: str,
    zone: ZoneInfo,
    of: str = "",
) -> str:
    """``3 × 200.00 per started 10 min, 24 min late`` and its Chinese twin. Lateness on a
    calendar shows its started units worked out beside the unit (``(⌈15 min / 10 min⌉ = 2)``),
    where a cap or a minimum appended after the formula (``= 80.00, ...``) cannot be misread."""
    amount = amount_text(unit_amount)
    per = unit_words(unit, lang)
    why = occasion(trigger, lang, zone)
    worked = ""
    if trigger.late_on is not None and trigger.late_by_seconds:
        worked = f"⌈{span_words(trigger.late_by_seconds, lang)} / {per}⌉ = {units}"
    if lang == "zh":
        rule = f"不足按{per}计；{worked}" if worked else f"不足按{per}计"
        return f"{units} × {amount}{of} 每超时{per}（{rule}），{why}"
    return f"{units} × {amount}{of} per started {per}{f' ({worked})' if worked else ''}, {why}"


def period_dates(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day (in the contract's time zone) of a period whose end is exclusive."""
    return span_dates(start, end, zone)
