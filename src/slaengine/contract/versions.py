"""A contract and its amendments (补充协议): versions, each in force from its effective date.

Theory of operation
-------------------
An amendment is a whole contract file with the same ``id``, a higher ``version`` and an
``effective_from`` date (docs/contracts.md, "Amendments"). Two rules decide which version
governs what, the same in replay, statements and the live service:

- a ticket's clocks (which commitments apply, their targets and calendars) follow the version in
  force on the day the ticket began (its first event, in the contract's time zone): tickets
  reported before the amendment keep the old terms, later ones get the new;
- a penalty line follows the version in force when its breach began (a clock's deadline, a
  period's end, an event's time): slaengine.penalties prices each version's clauses on the
  breaches that began while it was in force.

Contract-wide terms read at one time (caps, warranty, obligations, measures, contacts) are the
latest version's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

from slaengine.contract.models import Contract
from slaengine.errors import SlaError


class Versions:
    """The versions of one contract, oldest first by effective date."""

    def __init__(self, contracts: Sequence[Contract]) -> None:
        if not contracts:
            raise SlaError("no contract version given")
        ordered = sorted(contracts, key=lambda c: (c.effective, c.version))
        first = ordered[0]
        for contract in ordered[1:]:
            if contract.id != first.id:
                raise SlaError(
                    f"an amendment must amend the same contract: {contract.id} v"
                    f"{contract.version} is not {first.id}"
                )
        for before, after in pairwise(ordered):
            if before.effective == after.effective:
                raise SlaError(
                    f"{first.id} v{before.version} and v{after.version} are both effective from "
                    f"{after.effective}: give the amendment its own effective_from date"
                )
            if after.version <= before.version:
                raise SlaError(
                    f"{first.id} v{after.version} is effective from {after.effective}, after "
                    f"v{before.version}: a later version needs a higher version number"
                )
        self.all: list[Contract] = ordered
        self.zone = ZoneInfo(first.timezone)

    @property
    def latest(self) -> Contract:
        return self.all[-1]

    def on(self, day: date) -> Contract:
        """The version in force on ``day`` (before the first's effective date: the first)."""
        found = self.all[0]
        for contract in self.all[1:]:
            if contract.effective <= day:
                found = contract
        return found

    def index_at(self, when: datetime) -> int:
        return self.all.index(self.on(when.astimezone(self.zone).date()))

    def span(self, index: int) -> tuple[datetime | None, datetime | None]:
        """When version ``index`` is in force: from its effective date (None for the first:
        from the beginning) to the next one's (None for the latest)."""
        start = None if index == 0 else self._midnight(self.all[index].effective)
        end = None if index + 1 == len(self.all) else self._midnight(self.all[index + 1].effective)
        return start, end

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)


def default_effective(contract: Contract, *, first: bool, today: date) -> date:
    """The day a version stored by ``contract load`` (or ``serve --contract``) takes effect
    when no ``--effective`` is given — one rule, in the help, docs/contracts.md and
    docs/reference.md alike: the file's ``effective_from``; else, for the first version of a
    contract, its ``accepted_on`` (a contract is loaded to judge its history from acceptance);
    else — a later version with no date of its own — today in the contract's time zone."""
    if contract.effective_from is not None:
        return contract.effective_from
    if first and contract.accepted_on is not None:
        return contract.accepted_on
    return today
