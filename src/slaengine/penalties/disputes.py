"""Disputed lines as a statement shows them: a stable reference to a line, the waiver that
lets a line go when its dispute is accepted, and the marks and footnotes of the statement.

A supplier contests a penalty or compensation line (slaengine.store.disputes keeps the
dispute). A line's id names its breach by the start's place in time order (``#2``) for a
commitment that runs per start; a late event can renumber the starts, so a dispute refers to
its line by ``line_reference``: the id with the start's own key (its start event's id) in place
of its number. Every other part of a line id (clause, ticket, commitment, cycle, obligation,
asset, period start, event) does not move when the contract's tickets are judged again.

Accepting a dispute waives the line through the ordinary waiver rules
(slaengine.penalties.waivers): ``waiver_attrs`` gives the ``attrs`` of a ``breach_waived``
event that covers exactly this line's clause and breach, so every total follows as for any
other waiver. This module is pure: it reads no store and no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaengine.penalties.lines import CLOCK, EVENT, OBLIGATION, PERIOD, Line

#: A dispute's states.
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
STATES = (OPEN, ACCEPTED, REJECTED)

#: The statement's words for disputes (English, Chinese).
WORDS: dict[str, tuple[str, str]] = {
    "dispute": ("Dispute", "异议"),
    "disputes": ("Disputes", "异议"),
    "disputed": ("disputed", "有异议"),
    "state_open": ("open", "待处理"),
    "state_accepted": ("accepted", "已接受"),
    "state_rejected": ("rejected", "已驳回"),
    "dispute_open": ("disputed, not decided yet", "供应商有异议，尚未裁定"),
    "dispute_accepted": ("dispute accepted: the line is waived", "异议成立：该明细已豁免"),
    "dispute_rejected": ("dispute rejected: the line stands", "异议被驳回：该明细维持"),
    "filed_by": ("filed by", "提出人"),
    "decided_by": ("decided by", "裁定人"),
    "footnote_title": ("Disputed lines", "有异议的明细"),
    "footnote_intro": (
        "Lines marked [n] are contested by the supplier; an open dispute's amount still counts "
        "until the contract manager decides it.",
        "标有 [n] 的明细供应商提出了异议；异议裁定前，其金额仍计入合计。",
    ),
}


def dispute_word(key: str, lang: str) -> str:
    english, chinese = WORDS[key]
    return chinese if lang == "zh" else english


def line_reference(line: Line) -> str:
    """The line's stable reference: its id, with a per-start clock's number (``#2``) replaced
    by its start's key (``@<start event id>``)."""
    if line.source != CLOCK or not line.occurrence or not line.start_key:
        return line.id
    numbered = f"{line.clause}/{line.ticket}/{line.commitment}/{line.cycle}#{line.occurrence}"
    if not line.id.startswith(numbered):
        return line.id
    keyed = f"{line.clause}/{line.ticket}/{line.commitment}/{line.cycle}@{line.start_key}"
    return keyed + line.id[len(numbered) :]


def waiver_attrs(line: Line) -> dict[str, Any]:
    """The ``attrs`` of a ``breach_waived`` event that waives ``line``'s clause for its breach
    (without ``reason`` and ``by``, which the caller adds). The event itself names the line's
    ticket (a clock's line) and asset (an obligation period's line); ``event_fields`` says so."""
    if line.clause is None:
        raise ValueError(f"line {line.id}: a cap adjustment cannot be disputed")
    if line.source == CLOCK:
        attrs: dict[str, Any] = {
            "commitment": line.commitment,
            "cycle": line.cycle,
            "clause": line.clause,
        }
        if line.occurrence:
            attrs["occurrence"] = line.occurrence
            if line.start_key:  # the start itself, which a late event cannot renumber
                attrs["start"] = line.start_key
        return attrs
    if line.source == OBLIGATION:
        return {
            "obligation": line.obligation,
            "period_start": _iso(line.period_start),
            "clause": line.clause,
        }
    if line.source == EVENT:
        return {"event": line.event, "clause": line.clause}
    if line.source == PERIOD:
        return {"clause": line.clause, "period_start": _iso(line.period_start)}
    raise ValueError(f"line {line.id}: unknown source {line.source!r}")


def event_fields(line: Line) -> dict[str, Any]:
    """The waiver event's ``ticket`` and ``asset`` (what the waiver rules read there)."""
    if line.source == CLOCK:
        return {"ticket": line.ticket}
    if line.source == OBLIGATION and line.asset:
        return {"asset": line.asset}
    return {}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class DisputeMark:
    """A dispute as a statement marks its line: its number, state and the words of it."""

    number: int
    state: str
    reason: str
    filed_by: str
    filed_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None

    def mark(self, lang: str) -> str:
        """The short mark of a line's status: ``disputed [3]`` / ``有异议 [3]``."""
        text = dispute_word("disputed", lang)
        if self.state != OPEN:
            text += f" ({dispute_word('state_' + self.state, lang)})"
        return f"{text} [{self.number}]"

    def note(self, lang: str) -> str:
        """The footnote: who contested it, why, and the decision."""
        sep = "：" if lang == "zh" else ": "
        text = (
            f"[{self.number}] {dispute_word('dispute_' + self.state, lang)} — "
            f"{dispute_word('filed_by', lang)} {self.filed_by}, {self.filed_at.date().isoformat()}"
            f"{sep}{self.reason}"
        )
        if self.state != OPEN:
            text += (
                f" — {dispute_word('decided_by', lang)} {self.decided_by or ''}"
                + (f", {self.decided_at.date().isoformat()}" if self.decided_at else "")
                + (f"{sep}{self.decision_reason}" if self.decision_reason else "")
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "dispute": self.number,
            "state": self.state,
            "reason": self.reason,
            "filed_by": self.filed_by,
            "filed_at": self.filed_at.isoformat(),
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "decision_reason": self.decision_reason,
        }
