"""Amendments (补充协议): what a new version of a contract changes — its terms
(``diff_terms``) and the tickets open now (``open_ticket_changes``) — for
``slaengine contract diff OLD NEW``. Which version governs what is slaengine.contract.versions'.

Terms are compared as the validated models (so ``30m`` and ``"30m"`` are the same term, and a
reordered list of commitments is no change): items of a list that carry an ``id``
(commitments, clauses, measures, assets, ...) are matched by id, other values compared whole.
Each change is named by its path with the item's bilingual name, so a contract manager reads
"承诺 30分钟内到达现场 / Be on site ... · target: 30m → 20m".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.clocks import Clock
from slaengine.contract.models import Contract
from slaengine.evaluate import evaluate
from slaengine.events import Event
from slaengine.identity import clock_identity
from slaengine.report import Report

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

#: Chinese names of the terms a diff shows most (others are shown as written in the file).
_ZH = {
    "commitments": "承诺",
    "clauses": "条款",
    "measures": "考核指标",
    "obligations": "定期义务",
    "assets": "设备",
    "calendars": "日历",
    "contacts": "联系人",
    "caps": "上限",
    "warranty": "质保",
    "target": "目标",
    "targets": "分区目标",
    "amount": "金额",
    "percent": "比例",
    "price": "合同价",
    "applies_to": "适用范围",
    "version": "版本",
    "effective_from": "生效日期",
    "tiers": "档次",
    "fee": "服务费",
    "attrs": "属性",
}


@dataclass(frozen=True, slots=True)
class Change:
    path: tuple[str, ...]
    kind: str  # ADDED, REMOVED or CHANGED
    old: Any
    new: Any
    #: Bilingual names of the path's parts (an item's ``name`` where it has one).
    names: tuple[tuple[str, str], ...]

    def where(self, lang: str) -> str:
        index = 0 if lang == "en" else 1
        return " · ".join(name[index] for name in self.names)

    def describe(self, lang: str) -> str:
        zh = lang == "zh"
        if self.kind == ADDED:
            return f"{self.where(lang)}: {'新增' if zh else 'added'} {_text(self.new)}"
        if self.kind == REMOVED:
            return f"{self.where(lang)}: {'删除' if zh else 'removed'} {_text(self.old)}"
        return f"{self.where(lang)}: {_text(self.old)} → {_text(self.new)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": ".".join(self.path),
            "change": self.kind,
            "old": self.old,
            "new": self.new,
            "en": self.describe("en"),
            "zh": self.describe("zh"),
        }


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _dump(contract: Contract) -> dict[str, Any]:
    data: dict[str, Any] = contract.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _item_name(item: dict[str, Any], fallback: str) -> tuple[str, str]:
    name = item.get("name")
    if isinstance(name, dict):
        en, zh = name.get("en") or name.get("zh"), name.get("zh") or name.get("en")
        return (f"{fallback} ({en})", f"{fallback}（{zh}）")
    return (fallback, fallback)


def diff_terms(old: Contract, new: Contract) -> list[Change]:
    """Every term that differs between two versions of a contract."""
    changes: list[Change] = []
    _walk(_dump(old), _dump(new), (), (), changes)
    return changes


def _walk(
    a: Any,
    b: Any,
    path: tuple[str, ...],
    names: tuple[tuple[str, str], ...],
    out: list[Change],
) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            step = (key, _ZH.get(key, key))
            if key not in b:
                out.append(Change((*path, key), REMOVED, a[key], None, (*names, step)))
            elif key not in a:
                out.append(Change((*path, key), ADDED, None, b[key], (*names, step)))
            else:
                _walk(a[key], b[key], (*path, key), (*names, step), out)
        return
    if _keyed(a) and _keyed(b):
        old_items = {item["id"]: item for item in a}
        new_items = {item["id"]: item for item in b}
        for key in [*old_items, *(k for k in new_items if k not in old_items)]:
            item = new_items.get(key) or old_items[key]
            step = _item_name(item, key)
            where = (*path, key)
            if key not in new_items:
                out.append(Change(where, REMOVED, old_items[key], None, (*names, step)))
            elif key not in old_items:
                out.append(Change(where, ADDED, None, new_items[key], (*names, step)))
            else:
                _walk(old_items[key], new_items[key], where, (*names, step), out)
        return
    out.append(Change(path, CHANGED, a, b, names))


def _keyed(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and "id" in i for i in value)


@dataclass(frozen=True, slots=True)
class TicketChange:
    """What the amendment changes for one ticket open at ``as_of``."""

    ticket: str
    reported_at: datetime | None
    #: The version whose terms govern the ticket's clocks (the one in force when it began).
    version: int
    #: Clocks whose target, deadline or status differs: commitment, cycle, occurrence (only for
    #: the n-th start of a commitment that runs per start: slaengine.identity), old, new.
    clocks: list[dict[str, Any]]
    penalties_old: Decimal
    penalties_new: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
            "version": self.version,
            "clocks": self.clocks,
            "penalties_old": f"{self.penalties_old:.2f}",
            "penalties_new": f"{self.penalties_new:.2f}",
        }


def open_ticket_changes(
    old: Contract, new: Contract, events: Sequence[Event], as_of: datetime
) -> list[TicketChange]:
    """For each ticket open at ``as_of``: its clocks and penalties under the old terms alone
    and under the old terms amended by ``new`` (slaengine.contract.versions)."""
    before = evaluate(old, events, as_of)
    after = evaluate(old, events, as_of, amendments=[new])
    # Keyed by the clock's identity within its ticket: the starts of a commitment that runs
    # per start are compared one by one.
    old_clocks = {(c.ticket, clock_identity(c)): c for c in before.clocks}
    new_clocks = {(c.ticket, clock_identity(c)): c for c in after.clocks}
    found: list[TicketChange] = []
    for summary in after.tickets:
        if summary.status in ("resolved", "cancelled"):
            continue
        ticket = summary.ticket
        keys = sorted(k for k in {*old_clocks, *new_clocks} if k[0] == ticket)
        clocks: list[dict[str, Any]] = []
        for key in keys:
            a, b = old_clocks.get(key), new_clocks.get(key)
            seen_a = _clock_view(a)
            seen_b = _clock_view(b)
            if seen_a != seen_b:
                commitment, cycle, occurrence = key[1]
                view: dict[str, Any] = {"commitment": commitment, "cycle": cycle}
                if occurrence:
                    view["occurrence"] = occurrence
                clocks.append({**view, "old": seen_a, "new": seen_b})
        reported = summary.reported_at
        day = (reported or as_of).astimezone(ZoneInfo(old.timezone)).date()
        version = new.version if day >= new.effective else old.version
        found.append(
            TicketChange(
                ticket,
                reported,
                version,
                clocks,
                _penalties(before, ticket),
                _penalties(after, ticket),
            )
        )
    return found


def _clock_view(clock: Clock | None) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {
        "target": clock.target,
        "deadline": clock.deadline.isoformat(),
        "status": clock.status,
        "late_by_seconds": clock.late_by_seconds,
    }


def _penalties(report: Report, ticket: str) -> Decimal:
    return sum(
        (line.amount or Decimal(0) for line in report.charges.penalties if line.ticket == ticket),
        Decimal(0),
    )
