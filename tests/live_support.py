"""Helpers for the live-service tests: a contract with targets of seconds, and event builders."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

from slaengine.clock import Clock
from slaengine.service import LiveService
from slaengine.store import Store

CONTRACT_ID = "FAST-1"


def fast_contract(
    hook: str | None = None,
    *,
    mail_to: str | None = None,
    ack_target: str = "3s",
    onsite_target: str = "6s",
    escalate_after: str = "2s",
    ack_warn_at: float | None = None,
) -> str:
    """A 24x7 contract whose clocks run seconds, so real-time tests stay short.

    ``duty`` hears everything (webhook ``{hook}/duty``, and mail to ``mail_to``) and escalates to
    ``manager`` (webhook ``{hook}/manager``) after ``escalate_after``; the manager hears breaches
    and escalations only. Without ``hook`` the contacts log.
    """
    duty = [f"{{kind: webhook, url: '{hook}/duty'}}"] if hook else ["{kind: log}"]
    if mail_to:
        duty.append(f"{{kind: email, to: ['{mail_to}']}}")
    manager = [f"{{kind: webhook, url: '{hook}/manager'}}"] if hook else ["{kind: log}"]
    warn = f"\n    warn_at: {ack_warn_at}" if ack_warn_at is not None else ""
    return f"""\
id: {CONTRACT_ID}
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities:
  general: {{zh: 一般故障, en: General fault}}
  major: {{zh: 重大故障, en: Major fault}}
calendars:
  always: {{kind: 24x7}}
commitments:
  - id: ack
    name: {{zh: 及时答复, en: Answer the call}}
    start: reported
    stop: [acknowledged, arrived, resolved]
    target: {ack_target}
    calendar: always
    clauses: [P-ack]{warn}
  - id: onsite
    name: {{zh: 及时到场, en: Be on site}}
    start: reported
    stop: arrived
    cancel: resolved
    pause: paused
    resume: resumed
    target: {onsite_target}
    calendar: always
clauses:
  - {{id: P-ack, kind: fixed, amount: "500.00"}}
contacts:
  - id: duty
    name: {{zh: 值班主管, en: Duty supervisor}}
    lang: both
    channels: [{", ".join(duty)}]
    escalate_after: {escalate_after}
    next: manager
  - id: manager
    name: {{zh: 经理, en: Manager}}
    lang: en
    kinds: [breach, escalation]
    channels: [{", ".join(manager)}]
"""


_ids = itertools.count(1)


def event(
    kind: str, ticket: str, at: datetime, event_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """One event of the fast contract (``reported`` gets severity general unless told)."""
    data: dict[str, Any] = {
        "id": event_id or f"E{next(_ids)}",
        "contract": CONTRACT_ID,
        "ticket": ticket,
        "type": kind,
        "at": at.isoformat(),
    }
    if kind == "reported":
        data.setdefault("severity", "general")
    data.update(fields)
    return data


def open_service(
    url: str, clock: Clock, contract_text: str, tmp: Path, environ: dict[str, str] | None = None
) -> LiveService:
    """A store at ``url`` with the contract loaded, and the live service over it."""
    store = Store.open(url, clock)
    path = tmp / "fast.yaml"
    path.write_text(contract_text, encoding="utf-8")
    store.load_contract(contract_text, path)
    return LiveService(store, clock, environ=environ or {})
