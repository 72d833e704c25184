"""Warranty terms and the assets they cover: ``Warranty`` (terms, repair time), ``Asset`` and
its ``Part`` s (reference.md §5); judged in slaengine.warranty."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from slaengine.contract.base import Model, Provenance, Text, empty_list
from slaengine.contract.conditions import Condition, Conditions
from slaengine.durations import Duration


class Term(Model):
    """A warranty term: a duration, optionally with a usage limit, whichever comes first.

    Written ``3y``, ``3y or 100000 km``, or ``unit`` (a part follows its unit).
    """

    duration: Duration | None = None
    follows: str | None = None
    usage_limit: Decimal | None = None
    usage_unit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text == "unit":
            return {"follows": "unit"}
        duration, sep, usage = text.partition(" or ")
        parsed: dict[str, Any] = {"duration": duration.strip()}
        if sep:
            amount, _, unit = usage.strip().partition(" ")
            try:
                parsed["usage_limit"] = Decimal(amount)
            except ArithmeticError:
                raise ValueError(f"{value!r}: write a usage limit like '3y or 100000 km'") from None
            parsed["usage_unit"] = unit.strip() or None
        return parsed

    def __str__(self) -> str:
        if self.follows:
            return f"follows its {self.follows}"
        text = str(self.duration)
        if self.usage_limit is not None:
            text += f" or {self.usage_limit} {self.usage_unit or ''}".rstrip()
        return text


def _repair_starts() -> list[Condition]:
    """Where a repair's time begins by default: the report, and a reopen (the fault is back
    and repaired again: the repair after it takes time too)."""
    return [Condition(type="reported"), Condition(type="reopened")]


class RepairTime(Model):
    """What a repair is: from a ticket's first ``from`` event to its next ``until`` event (a
    reopen after the ``until`` begins the ticket's next repair)."""

    from_: Conditions = Field(default_factory=_repair_starts, alias="from")
    until: Conditions = Field(default_factory=lambda: [Condition(type="resolved")])


class Warranty(Model):
    terms: dict[Literal["unit", "key_part", "part"], Term]
    #: ``fresh_term`` (一包), ``remaining``, or ``max(remaining, 1y)``.
    rewarranty: str = "fresh_term"
    #: How long before expiry the live service reminds the contacts.
    remind_before: Duration = Duration(30, "d")
    #: 修理占用时间不计入有效期: each repair of a covered asset moves its cover's end by the
    #: repair's duration (in days, a started day counting whole). ``true`` for the defaults.
    extend_by_repairs: RepairTime | None = Field(
        default=None, exclude_if=lambda value: value is None
    )
    #: The built-in ``final-inspection`` obligation (last month of each warranty); ``false``
    #: removes it.
    final_inspection: bool = Field(default=True, exclude_if=lambda value: value is True)
    source: Provenance = Field(default_factory=empty_list, exclude=True)

    @field_validator("terms")
    @classmethod
    def _unit_term(cls, value: dict[str, Term]) -> dict[str, Term]:
        """The unit has a term (parts may follow it), or, for a warranty of the parts the
        supplier replaces only (维保期内更换的配件保修1年), no unit term and at least one class
        with its own duration; a class then cannot follow the unit."""
        unit = value.get("unit")
        if unit is None or unit.duration is None:
            if unit is not None or not any(t.duration is not None for t in value.values()):
                raise ValueError("give the unit a term such as 'unit: 3y' (parts may follow it)")
            for kind, term in value.items():
                if term.duration is None and term.follows:
                    raise ValueError(
                        f"{kind}: 'unit' makes the {kind} follow the unit's term, but the unit "
                        f"has none (only replaced parts are warranted): give the {kind} its "
                        f"own term such as '{kind}: 6mo', or the unit one such as 'unit: 3y'"
                    )
        for kind, term in value.items():
            if term.duration is not None and term.duration.unit not in ("d", "mo", "y"):
                raise ValueError(f"{kind}: a warranty term is in days, months or years, e.g. 3y")
        return value

    @property
    def replaced_parts_only(self) -> bool:
        """No unit term: only the parts the supplier replaces are warranted, each class with a
        term from its replacement (nothing has cover from acceptance)."""
        unit = self.terms.get("unit")
        return unit is None or unit.duration is None

    def own_term(self, kind: str) -> Term | None:
        """The term of a class: its own, else (absent or written ``unit``) the unit's; None
        when neither gives a duration (a warranty of replaced parts only)."""
        own: Term | None = self.terms.get(kind)  # type: ignore[call-overload]
        if own is not None and own.duration is not None:
            return own
        unit = self.terms.get("unit")
        return unit if unit is not None and unit.duration is not None else None

    @field_validator("extend_by_repairs", mode="before")
    @classmethod
    def _repairs_switch(cls, value: Any) -> Any:
        """``true``: the default repair (reported to resolved); ``false``: none."""
        if value is True:
            return {}
        if value is False:
            return None
        if value is not None and not isinstance(value, dict):
            raise ValueError(
                f"{value!r} is not a repair: write true, false, or the repair's events "
                "{from: reported, until: resolved}"
            )
        return value

    @field_validator("rewarranty")
    @classmethod
    def _policy(cls, value: str) -> str:
        text = value.replace(" ", "")
        if text in ("fresh_term", "remaining"):
            return text
        if text.startswith("max(remaining,") and text.endswith(")"):
            Duration.parse(text[len("max(remaining,") : -1])
            return text
        raise ValueError(
            f"{value!r} is not a re-warranty policy: use fresh_term, remaining or "
            "max(remaining, 1y)"
        )


class Part(Model):
    id: str
    name: Text | None = None
    kind: Literal["key_part", "part"] = Field(alias="class")
    #: Attributes (site, zone, region, line, ...); a part has its unit's unless it says otherwise.
    attrs: dict[str, str] = Field(default_factory=dict)
    source: Provenance = Field(default_factory=empty_list, exclude=True)


class Asset(Model):
    id: str
    name: Text | None = None
    kind: Literal["unit"] = Field(default="unit", alias="class")
    accepted_on: date | None = None
    #: Attributes (site, zone, region, line, ...) that targets and ``applies_to`` may test.
    attrs: dict[str, str] = Field(default_factory=dict)
    parts: list[Part] = Field(default_factory=empty_list)
    source: Provenance = Field(default_factory=empty_list, exclude=True)
