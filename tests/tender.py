"""Helpers for tests on the example tender: build event streams, evaluate, look up clocks."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.bundled import example_contract
from slaengine.clocks import Clock
from slaengine.contract import Contract, load_contract
from slaengine.evaluate import Report, evaluate
from slaengine.events import Event, Intake

CST = ZoneInfo("Asia/Shanghai")
TENDER: Contract = load_contract(example_contract())


def t(text: str) -> datetime:
    """A time in the tender's zone: t("2026-03-02 09:00") or with seconds."""
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, fmt).replace(tzinfo=CST)


class Stream:
    """Builds events for one contract; ids are unique and stable within the stream."""

    _ids = itertools.count(1)

    def __init__(self, contract: Contract = TENDER) -> None:
        self.contract = contract
        self.raw: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        at: datetime,
        ticket: str | None = "T-1",
        severity: str | None = None,
        asset: str | None = None,
        **attrs: Any,
    ) -> Stream:
        data: dict[str, Any] = {
            "id": f"E{next(self._ids)}",
            "contract": self.contract.id,
            "type": kind,
            "at": at.isoformat(),
        }
        if ticket is not None:
            data["ticket"] = ticket
        if severity is not None:
            data["severity"] = severity
        if asset is not None:
            data["asset"] = asset
        if attrs:
            data["attrs"] = attrs
        self.raw.append(data)
        return self

    def events(self) -> list[Event]:
        intake = Intake(self.contract)
        for data in self.raw:
            intake.offer(data)
        assert not intake.rejected, intake.rejected
        return intake.events

    def report(self, as_of: datetime) -> Report:
        return evaluate(self.contract, self.events(), as_of)


def clock(report: Report, commitment: str, ticket: str = "T-1", cycle: int = 1) -> Clock:
    found = [
        c
        for c in report.clocks
        if c.commitment == commitment and c.ticket == ticket and c.cycle == cycle
    ]
    assert len(found) == 1, f"{len(found)} clocks for {ticket}/{commitment}/{cycle}"
    return found[0]


def commitments(report: Report, ticket: str = "T-1") -> set[str]:
    return {c.commitment for c in report.clocks if c.ticket == ticket}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
