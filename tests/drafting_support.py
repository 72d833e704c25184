"""What the drafting tests share: the options a sentence is drafted with, drafting a text of our
own into a validated contract, and a contract's commitments as (action, level, target, calendar)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from slaengine.contract import Contract, parse_contract
from slaengine.drafting import DraftOptions, draft_tender, to_yaml

OPTIONS = DraftOptions(
    id="T-1", price=Decimal("1000000"), currency="CNY", accepted_on=date(2026, 1, 15),
    timezone="Asia/Shanghai",
)  # fmt: skip


def drafted(tmp_path: Path, text: str, options: DraftOptions = OPTIONS) -> tuple[Contract, Any]:
    """The text drafted (as a .txt tender) and its draft validated: the contract and the draft."""
    tender = tmp_path / "tender.txt"
    tender.write_text(text, encoding="utf-8")
    draft = draft_tender(tender, options)
    return parse_contract(to_yaml(draft), tmp_path / "draft.yaml"), draft


def targets(contract: Contract) -> set[tuple[str, str | None, str, str]]:
    return {
        (c.use or "", (c.applies_to.severity or [None])[0], str(c.target), c.calendar)
        for c in contract.commitments
    }


def options(**changes: Any) -> DraftOptions:
    """OPTIONS with some fields changed (a tender priced in euros, in Dublin)."""
    return replace(OPTIONS, **changes)


def zones(contract: Contract) -> dict[tuple[str, str | None], dict[str, str]]:
    """Each commitment's targets by zone ("" the base target)."""
    return {
        (c.use or "", (c.applies_to.severity or [None])[0]): {
            **{"": str(c.target)},
            **{row.when["zone"][0]: str(row.target) for row in c.targets},
        }
        for c in contract.commitments
    }


def zoned(contract: Contract) -> set[tuple[str, str | None, str, str]]:
    """Each zone row as (action, level, zone, target)."""
    return {
        (c.use or "", (c.applies_to.severity or [None])[0], zone, str(row.target))
        for c in contract.commitments
        for row in c.targets
        for zone in row.when.get("zone", [])
    }


def linked(contract: Contract, clause_id: str) -> set[tuple[str, str | None, str]]:
    """The commitments a clause is attached to."""
    return {
        (c.use or "", (c.applies_to.severity or [None])[0], str(c.target))
        for c in contract.commitments
        if clause_id in c.clauses
    }
