"""Alerts as people read them, in Chinese and in English.

Each alert kind has one template: a headline (the mail subject, the first line of a chat message)
in each language, and the facts listed under it. The templates are data in ``_TEMPLATES`` so the
wording of every kind can be read, and corrected, in one place; the code below only fills them.

Durations are written the way a supervisor says them (``1小时5分钟``, ``1 h 5 min``), timestamps in
the offset the alert carries (the contract's time zone when the core used it), and a commitment
or obligation by its name in the reader's language when the contract gave one, its id otherwise.
``both`` is Chinese first, then English, for channels whose readers do not share one language.

When the service knows its public address (``SLAENGINE_PUBLIC_URL``, e.g.
``https://sla.example.com``), every message ends with links into the web console: the ticket's
page, and the page that acknowledges this very alert (found by its key and contact), so a
supervisor goes from the chat message to the ticket in one tap.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote, urlencode

from slaengine.alerts.model import Alert, AlertKind
from slaengine.contract.channels import Lang as Lang  # the contract language names them
from slaengine.identity import occurrence_text
from slaengine.spans import days_text, span_text

_LANGS: dict[str, Lang] = {"zh": "zh", "en": "en", "both": "both"}

_UNITS: dict[str, tuple[tuple[int, str], ...]] = {
    "zh": ((86400, "天"), (3600, "小时"), (60, "分钟"), (1, "秒")),
    "en": ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")),
}

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "contract": "合同",
        "ticket": "工单",
        "asset": "资产",
        "severity": "故障级别",
        "cycle": "处理轮次",
        "commitment": "承诺",
        "obligation": "义务",
        "period": "考核周期",
        "deadline": "截止时间",
        "late": "超时",
        "left": "剩余时间",
        "expires": "质保到期日（当日起不再保修）",
        "level": "升级级别",
        "reason": "原因",
        "at": "告警时间",
        "open": "打开工单",
        "acknowledge": "确认告警",
    },
    "en": {
        "contract": "Contract",
        "ticket": "Ticket",
        "asset": "Asset",
        "severity": "Severity",
        "cycle": "Cycle",
        "commitment": "Commitment",
        "obligation": "Obligation",
        "period": "Period",
        "deadline": "Deadline",
        "late": "Late by",
        "left": "Time left",
        "expires": "Warranty expires (first day without cover)",
        "level": "Escalation level",
        "reason": "Reason",
        "at": "Raised at",
        "open": "Open the ticket",
        "acknowledge": "Acknowledge",
    },
}

# Facts every kind lists when the alert has them, before and after the kind's own.
_FIRST_FACTS = ("contract", "ticket", "asset", "severity", "cycle", "commitment", "obligation")
_LAST_FACTS = ("reason", "at")


@dataclass(frozen=True, slots=True)
class _Template:
    zh: str
    en: str
    facts: tuple[str, ...]


# Headlines use the placeholders filled in by ``_fields``.
_TEMPLATES: dict[AlertKind, _Template] = {
    "warning": _Template(
        zh="【SLA预警】{contract}{scope}：{item} 将在{left}后到期",
        en="[SLA warning] {contract}{scope}: {item} is due in {left}",
        facts=("deadline", "left"),
    ),
    "breach": _Template(
        zh="【SLA违约】{contract}{scope}：{item} 已超时 {late}",
        en="[SLA breach] {contract}{scope}: {item} is {late} late",
        facts=("deadline", "late"),
    ),
    "withdrawn": _Template(
        zh="【SLA违约撤销】{contract}{scope}：{item} 的违约已撤销",
        en="[SLA breach withdrawn] {contract}{scope}: the breach of {item} is withdrawn",
        facts=("deadline",),
    ),
    "escalation": _Template(
        zh="【SLA升级】{contract}{scope}：{item} 已超时 {late}，升级至第{level}级",
        en="[SLA escalation] {contract}{scope}: {item} is {late} late, escalated to level {level}",
        facts=("deadline", "late", "level"),
    ),
    "obligation_missed": _Template(
        zh="【义务未履行】{contract}{scope}：{item} 在考核周期 {period} 内未完成",
        en="[Obligation missed] {contract}{scope}: {item} was not done in the period {period}",
        facts=("period",),
    ),
    "warranty_expiring": _Template(
        zh="【质保到期提醒】{contract}{scope}：质保将于 {expires} 到期（剩余{left}）",
        en="[Warranty expiring] {contract}{scope}: warranty expires on {expires} ({left} left)",
        facts=("expires", "left"),
    ),
}

_MISSING = "—"


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str


def language(value: str) -> Lang:
    """``value`` as a language a message can be rendered in."""
    try:
        return _LANGS[value]
    except KeyError:
        raise ValueError(f"unknown alert language {value!r}: use zh, en or both") from None


def human_duration(seconds: int, lang: Literal["zh", "en"]) -> str:
    """``125`` -> ``2分钟5秒`` / ``2 min 5 s``; seconds are left out from an hour on."""
    rest = max(seconds, 0)
    if rest >= 3600:
        rest -= rest % 60
    parts = []
    for size, word in _UNITS[lang]:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{word}" if lang == "zh" else f"{count} {word}")
    if not parts:
        return "0秒" if lang == "zh" else "0 s"
    return ("" if lang == "zh" else " ").join(parts)


def render(alert: Alert, lang: Lang, public_url: str | None = None) -> Message:
    """The alert as a subject line and a text body in ``lang``; with links into the console
    when ``public_url`` (default: ``SLAENGINE_PUBLIC_URL``) is set."""
    base = (public_url or os.environ.get("SLAENGINE_PUBLIC_URL") or "").strip().rstrip("/")
    if lang == "both":
        zh, en = _render_one(alert, "zh", base), _render_one(alert, "en", base)
        return Message(subject=f"{zh.subject} / {en.subject}", text=f"{zh.text}\n\n{en.text}")
    return _render_one(alert, lang, base)


def console_links(alert: Alert, base: str) -> dict[str, str]:
    """The console pages of an alert under ``base``: its ticket's and its acknowledgement's."""
    if not base:
        return {}
    found: dict[str, str] = {}
    if alert.ticket is not None:
        found["open"] = (
            f"{base}/console/tickets/{quote(alert.contract, safe='')}/"
            f"{quote(alert.ticket, safe='')}"
        )
    key = alert.details.get("alert_key")
    if key:
        contact = alert.contact if alert.contact is not None else "*"
        found["acknowledge"] = f"{base}/console/ack?" + urlencode(
            {"key": str(key), "contact": contact}
        )
    return found


def _render_one(alert: Alert, lang: Literal["zh", "en"], base: str = "") -> Message:
    template = _TEMPLATES[alert.kind]
    fields = _fields(alert, lang)
    subject = (template.zh if lang == "zh" else template.en).format_map(fields)
    labels = _LABELS[lang]
    colon = "：" if lang == "zh" else ": "
    lines = [
        f"{labels[fact]}{colon}{fields[fact]}"
        for fact in (*_FIRST_FACTS, *template.facts, *_LAST_FACTS)
        if fields[fact] != _MISSING
    ]
    links = [f"{labels[name]}{colon}{url}" for name, url in console_links(alert, base).items()]
    if links:
        lines += ["", *links]
    return Message(subject=subject, text=subject + "\n\n" + "\n".join(lines))


def _fields(alert: Alert, lang: Literal["zh", "en"]) -> dict[str, str]:
    """Every placeholder and fact of the templates, as text; ``_MISSING`` when not known."""
    details = alert.details
    if alert.ticket is not None:
        scope = f" 工单 {alert.ticket}" if lang == "zh" else f" ticket {alert.ticket}"
    elif alert.asset is not None:
        scope = f" 资产 {alert.asset}" if lang == "zh" else f" asset {alert.asset}"
    else:
        scope = ""
    commitment = _name(alert.commitment, details.get("commitment_name"), lang)
    obligation = _name(alert.obligation, details.get("obligation_name"), lang)
    item = commitment or obligation or _MISSING
    if commitment is not None:  # a commitment that runs per start: which start
        item += occurrence_text(details.get("occurrence"), lang)
    left = details.get("time_left_seconds")
    if left is None and alert.deadline is not None:
        left = int((alert.deadline - alert.at).total_seconds())
    start, end = details.get("period_start"), details.get("period_end")
    return {
        "contract": alert.contract,
        "scope": scope,
        "item": item,
        "ticket": alert.ticket or _MISSING,
        "asset": alert.asset or _MISSING,
        "severity": alert.severity or _MISSING,
        "cycle": _MISSING if alert.cycle is None else str(alert.cycle),
        "commitment": _with_id(alert.commitment, commitment, lang),
        "obligation": _with_id(alert.obligation, obligation, lang),
        "period": _period(start, end, lang),
        "deadline": _time(alert.deadline),
        "late": human_duration(alert.late_by_seconds, lang),
        "left": _MISSING if left is None else human_duration(int(left), lang),
        "expires": _time(details.get("expires")),
        "level": str(alert.level),
        "reason": str(details["reason"]) if details.get("reason") else _MISSING,
        "at": _time(alert.at),
    }


def _name(ident: str | None, names: Any, lang: Literal["zh", "en"]) -> str | None:
    """The contract's name for ``ident`` in ``lang`` (or the other language), else the id."""
    if ident is None:
        return None
    if isinstance(names, dict):
        other = "en" if lang == "zh" else "zh"
        return str(names.get(lang) or names.get(other) or ident)
    return ident


def _with_id(ident: str | None, name: str | None, lang: Literal["zh", "en"]) -> str:
    if ident is None:
        return _MISSING
    if name is None or name == ident:
        return ident
    return f"{ident}（{name}）" if lang == "zh" else f"{ident} ({name})"


def _period(start: Any, end: Any, lang: Literal["zh", "en"]) -> str:
    """A period as its first and last day, both included (slaengine.spans: as in reports)."""
    if start is None or end is None:
        return _MISSING if start is None and end is None else f"{_time(start)} – {_time(end)}"
    first, after = _instant_or_day(start), _instant_or_day(end)
    if isinstance(first, datetime) and isinstance(after, datetime):
        return span_text(first, after, first.tzinfo or UTC, lang)
    # Days: the end is the first day after the period, as an instant's end is.
    last = after.date() if isinstance(after, datetime) else after
    return days_text(first if not isinstance(first, datetime) else first.date(),
                     last - timedelta(days=1), lang)  # fmt: skip


def _instant_or_day(value: Any) -> datetime | date:
    if isinstance(value, date):
        return value
    text = str(value)
    return (
        date.fromisoformat(text) if len(text) == len("2026-01-15") else datetime.fromisoformat(text)
    )


def _time(value: Any) -> str:
    """A timestamp in its own offset, to the second; a date (or other text) as it is."""
    if value is None:
        return _MISSING
    # A bare date (``2029-01-15``) must stay a date, not become its midnight.
    if isinstance(value, str) and len(value) > len("2029-01-15"):
        with suppress(ValueError):
            value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)
