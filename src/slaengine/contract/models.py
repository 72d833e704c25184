"""The contract, as pydantic models: everything a tender commits the supplier to.

A contract file (YAML, see ``contracts/example-tender.yaml`` and docs/contracts.md) is validated
into a ``Contract``. Models forbid unknown keys, so a misspelt field is an error that names the
line, never a silently ignored term. Conditions, targets and money are parsed here once; the rest
of the engine works with these typed values.

The parts live by concept beside this module, each importable from here as before:
contract/base.py (``Model``, ``Money``, ``Text``, ``Provenance``, the event vocabulary),
conditions.py, commitments.py, clauses.py (penalty and compensation clauses, caps),
warranty.py (warranty terms, assets, parts), obligations.py, measures.py, remedies.py,
contacts.py; ``Contract`` itself, which holds and cross-checks them all, is here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from slaengine.calendars import CalendarSpec
from slaengine.contract.base import (
    ASSET_CLASSES,
    BUILTIN_EVENT_TYPES,
    CONDITION_FIELDS,
    TICKETLESS_EVENT_TYPES,
    Model,
    Money,
    Percent,
    Provenance,
    Source,
    Text,
    empty_list,
)
from slaengine.contract.clauses import (
    Cap,
    Caps,
    Clause,
    ClauseBase,
    CostsClause,
    FixedClause,
    LatenessUnit,
    MeasureCreditClause,
    MeasureTier,
    PercentOfPriceClause,
    PercentOfPricePerStartedClause,
    PerStartedClause,
    RollingCap,
    ServiceCreditClause,
    ServiceCreditTier,
    ShortfallStep,
    WarrantyExtensionClause,
)
from slaengine.contract.commitments import Commitment, RuleLibrary, Shape, TargetRow
from slaengine.contract.conditions import AppliesTo, Condition, Conditions
from slaengine.contract.contacts import AlertKind, Contact
from slaengine.contract.measures import (
    MEASURE_DIRECTIONS,
    MEASURE_KINDS,
    NAMED_PERIODS,
    Measure,
    measure_roles,
)
from slaengine.contract.obligations import Obligation, ScheduleStep
from slaengine.contract.remedies import Remedy
from slaengine.contract.warranty import Asset, Part, RepairTime, Term, Warranty
from slaengine.errors import SlaError

__all__ = [
    "ASSET_CLASSES",
    "BUILTIN_EVENT_TYPES",
    "CONDITION_FIELDS",
    "MEASURE_DIRECTIONS",
    "MEASURE_KINDS",
    "NAMED_PERIODS",
    "TICKETLESS_EVENT_TYPES",
    "AlertKind",
    "AppliesTo",
    "Asset",
    "Cap",
    "Caps",
    "Clause",
    "ClauseBase",
    "Commitment",
    "Condition",
    "Conditions",
    "Contact",
    "Contract",
    "CostsClause",
    "FixedClause",
    "LatenessUnit",
    "Measure",
    "MeasureCreditClause",
    "MeasureTier",
    "Model",
    "Money",
    "Obligation",
    "Part",
    "PerStartedClause",
    "Percent",
    "PercentOfPriceClause",
    "PercentOfPricePerStartedClause",
    "Provenance",
    "Remedy",
    "RepairTime",
    "RollingCap",
    "RuleLibrary",
    "ScheduleStep",
    "ServiceCreditClause",
    "ServiceCreditTier",
    "Shape",
    "ShortfallStep",
    "Source",
    "TargetRow",
    "Term",
    "Text",
    "Warranty",
    "WarrantyExtensionClause",
    "measure_roles",
]


class Contract(Model):
    #: Names pages, links and files (docs/security.md: which ids are refused and why).
    id: str = Field(min_length=1, max_length=200)
    version: int = Field(default=1, ge=1)
    effective_from: date | None = None
    name: Text | None = None

    @field_validator("id")
    @classmethod
    def _id_names_a_path(cls, value: str) -> str:
        if "/" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError(
                f"{value!r}: a contract id names the console's pages and the statement's files, "
                "so it cannot hold '/' or control characters (e.g. HT-2026-017)"
            )
        return value

    supplier: Text | None = None
    customer: Text | None = None
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    #: Needed only by terms that are a percentage of the price (checked in ``_references``).
    price: Money | None = None
    timezone: str
    #: Needed only by what runs from acceptance: warranty, obligations, money (contract years).
    accepted_on: date | None = None
    severities: dict[str, Text]
    event_types: list[str] = Field(default_factory=empty_list)
    calendars: dict[str, CalendarSpec]
    rules: list[str] = Field(default_factory=empty_list)
    commitments: list[Commitment]
    clauses: list[Clause] = Field(default_factory=empty_list)
    caps: Caps = Field(default_factory=Caps)
    warranty: Warranty | None = None
    assets: list[Asset] = Field(default_factory=empty_list)
    obligations: list[Obligation] = Field(default_factory=empty_list)
    measures: list[Measure] = Field(default_factory=empty_list)
    remedies: list[Remedy] = Field(default_factory=empty_list)
    contacts: list[Contact] = Field(default_factory=empty_list)
    warning_share: Annotated[float, Field(gt=0, lt=1)] = 0.8

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)"
            ) from None
        return value

    @model_validator(mode="after")
    def _references(self) -> Contract:
        """Every id a term refers to must exist: a typo is an error, never a silent no-op.

        Problems are reported as ``@path|message`` lines so the loader can name their lines.
        """
        problems: list[tuple[str, str]] = []
        clause_ids = {clause.id for clause in self.clauses}
        for what, ids in (
            ("commitments", [c.id for c in self.commitments]),
            ("clauses", [c.id for c in self.clauses]),
            ("obligations", [o.id for o in self.obligations]),
            ("measures", [m.id for m in self.measures]),
            ("remedies", [r.id for r in self.remedies]),
            ("contacts", [c.id for c in self.contacts]),
        ):
            seen: set[str] = set()
            for i, item in enumerate(ids):
                if item in seen:
                    problems.append((f"{what}.{i}.id", f"id {item!r} is used twice"))
                seen.add(item)
        asset_ids = [a.id for a in self.assets] + [p.id for a in self.assets for p in a.parts]
        if len(set(asset_ids)) != len(asset_ids):
            twice = sorted({a for a in asset_ids if asset_ids.count(a) > 1})
            problems.append(("assets", f"asset id(s) used twice: {', '.join(twice)}"))
        for i, commitment in enumerate(self.commitments):
            where = f"commitments.{i}"
            if commitment.calendar not in self.calendars:
                problems.append(
                    (
                        f"{where}.calendar",
                        f"calendar {commitment.calendar!r} is not defined "
                        f"(defined: {', '.join(sorted(self.calendars))})",
                    )
                )
            for j, row in enumerate(commitment.targets):
                for severity in row.when.get("severity", []):
                    if severity not in self.severities:
                        problems.append(
                            (
                                f"{where}.targets.{j}.when.severity",
                                f"severity {severity!r} is not one of the contract's severities "
                                f"({', '.join(self.severities)})",
                            )
                        )
            for severity in commitment.applies_to.severity:
                if severity not in self.severities:
                    problems.append(
                        (
                            f"{where}.applies_to.severity",
                            f"severity {severity!r} is not one of the contract's severities "
                            f"({', '.join(self.severities)})",
                        )
                    )
            problems.extend(_missing(f"{where}.clauses", commitment.clauses, clause_ids))
            for asset_class in commitment.applies_to.asset_class:
                if asset_class not in ASSET_CLASSES:
                    problems.append(
                        (
                            f"{where}.applies_to.asset_class",
                            f"asset class {asset_class!r} is not one of {', '.join(ASSET_CLASSES)}",
                        )
                    )
        for i, obligation in enumerate(self.obligations):
            problems.extend(_missing(f"obligations.{i}.clauses", obligation.clauses, clause_ids))
            runs_to_warranty_end = obligation.until == "warranty_end" or (
                obligation.per is not None and obligation.until is None
            )
            runs_to_warranty_end |= any(s.until == "warranty_end" for s in obligation.schedule)
            if runs_to_warranty_end and (self.warranty is None or not self.assets):
                problems.append(
                    (
                        f"obligations.{i}",
                        "runs until the warranty ends, but the contract has no warranty section "
                        "or no assets: add them, or give 'until' a date",
                    )
                )
            elif runs_to_warranty_end and self.warranty and self.warranty.replaced_parts_only:
                problems.append(
                    (
                        f"obligations.{i}",
                        "runs until the warranty ends, but the warranty gives the units no "
                        "term (only replaced parts are warranted), so they have no warranty "
                        "end: give 'until' a date",
                    )
                )
        commitment_ids = {c.id for c in self.commitments}
        for i, clause in enumerate(self.clauses):
            if clause.pays is not None and isinstance(
                clause, CostsClause | WarrantyExtensionClause
            ):
                problems.append(
                    (
                        f"clauses.{i}.pays",
                        f"a {clause.kind} clause's lines are always "
                        f"{'compensation' if isinstance(clause, CostsClause) else 'remedies'}"
                        ": leave 'pays' out",
                    )
                )
            if clause.minimum is not None:
                caps = [clause.cap] if clause.cap is not None else []
                if clause.cap_percent is not None and self.price is not None:
                    caps.append(self.price * clause.cap_percent / 100)
                if isinstance(clause, WarrantyExtensionClause):
                    problems.append(
                        (
                            f"clauses.{i}.minimum",
                            "a warranty_extension clause grants time, not money: leave "
                            "'minimum' out",
                        )
                    )
                elif caps and clause.minimum > min(caps):
                    problems.append(
                        (
                            f"clauses.{i}.minimum",
                            f"minimum {clause.minimum} is above the clause's per-breach cap "
                            f"({min(caps):.2f}), which would always win: lower the minimum "
                            "or raise the cap",
                        )
                    )
            if isinstance(clause, ServiceCreditClause):
                for cid in clause.commitments:
                    if cid not in commitment_ids:
                        problems.append(
                            (f"clauses.{i}.commitments", f"commitment {cid!r} is not defined")
                        )
        problems.extend(self._measure_problems(asset_ids))
        contact_ids = {c.id for c in self.contacts}
        for i, contact in enumerate(self.contacts):
            if contact.next is not None and contact.next not in contact_ids:
                problems.append(
                    (f"contacts.{i}.next", f"next contact {contact.next!r} is not defined")
                )
        # A condition on a type nobody sends, a severity or an asset that does not exist would
        # never match: a typo must be an error, not a term that silently never applies.
        known_types = self.known_event_types()
        known_assets = set(asset_ids)
        for path, condition in self.conditions():
            if condition.type not in known_types:
                problems.append(
                    (
                        f"{path}.type",
                        f"event type {condition.type!r} is neither built in nor declared under "
                        "event_types (misspelt?)",
                    )
                )
            if condition.severity is not None and condition.severity not in self.severities:
                problems.append(
                    (
                        f"{path}.severity",
                        f"severity {condition.severity!r} is not one of "
                        f"{', '.join(self.severities)}",
                    )
                )
            if condition.asset is not None and known_assets and condition.asset not in known_assets:
                problems.append(
                    (f"{path}.asset", f"asset {condition.asset!r} is not one of the contract's")
                )
        problems.extend(self._needs_price_and_acceptance())
        if problems:
            raise ValueError("\n".join(f"@{path}|{message}" for path, message in problems))
        return self

    def _needs_price_and_acceptance(self) -> list[tuple[str, str]]:
        """``price`` and ``accepted_on`` are optional, but not where a term depends on them:
        each term that does is named, so the fix is obvious."""
        problems: list[tuple[str, str]] = []
        if self.price is None:
            uses = []
            for i, clause in enumerate(self.clauses):
                if isinstance(clause, PercentOfPriceClause | PercentOfPricePerStartedClause):
                    uses.append(f"clauses.{i}.percent")
                if clause.cap_percent is not None:
                    uses.append(f"clauses.{i}.cap_percent")
            for name in ("per_contract_year", "contract_total"):
                cap = getattr(self.caps, name)
                if cap is not None and cap.percent_of_price is not None:
                    uses.append(f"caps.{name}.percent_of_price")
            problems += [
                (path, 'is a percentage of the contract price: give it as price: "1280000.00"')
                for path in uses
            ]
        if self.accepted_on is None:
            needs = []
            if self.clauses:
                needs.append("penalty lines belong to contract years, which run from acceptance")
            if self.warranty is not None and any(a.accepted_on is None for a in self.assets):
                needs.append("assets without their own accepted_on are under warranty from it")
            if self.obligations:
                needs.append("obligation periods run from acceptance")
            if self.measures:
                needs.append("measure periods run from acceptance")
            if needs:
                problems.append(
                    ("accepted_on", f"required here: {'; '.join(needs)} (write e.g. 2026-01-15)")
                )
        return problems

    @property
    def effective(self) -> date:
        """The day this version takes effect: ``effective_from``, else the acceptance date (a
        contract with neither is in effect from the beginning)."""
        return self.effective_from or self.accepted_on or date.min

    @property
    def acceptance(self) -> date:
        """``accepted_on``; only called by terms the validation made sure have it."""
        if self.accepted_on is None:
            raise SlaError(f"contract {self.id}: accepted_on is not given")
        return self.accepted_on

    @property
    def contract_price(self) -> Decimal:
        """``price``; only called by terms the validation made sure have it."""
        if self.price is None:
            raise SlaError(f"contract {self.id}: price is not given")
        return self.price

    def _measure_problems(self, asset_ids: list[str]) -> list[tuple[str, str]]:
        """Measures name assets, calendars and commitments; credit clauses name measures."""
        problems: list[tuple[str, str]] = []
        commitment_ids = {c.id for c in self.commitments}
        for i, measure in enumerate(self.measures):
            where = f"measures.{i}"
            for j, asset in enumerate(measure.assets):
                if asset not in asset_ids:
                    problems.append((f"{where}.assets.{j}", f"asset {asset!r} is not defined"))
            if measure.maintenance is not None and measure.maintenance not in self.calendars:
                problems.append(
                    (
                        f"{where}.maintenance",
                        f"calendar {measure.maintenance!r} is not defined "
                        f"(defined: {', '.join(sorted(self.calendars))})",
                    )
                )
            for j, cid in enumerate(measure.commitments):
                if cid not in commitment_ids:
                    problems.append(
                        (f"{where}.commitments.{j}", f"commitment {cid!r} is not defined")
                    )
        clause_ids = {clause.id for clause in self.clauses}
        for i, remedy in enumerate(self.remedies):
            if remedy.calendar is not None and remedy.calendar not in self.calendars:
                problems.append(
                    (
                        f"remedies.{i}.calendar",
                        f"calendar {remedy.calendar!r} is not defined "
                        f"(defined: {', '.join(sorted(self.calendars))})",
                    )
                )
            problems.extend(_missing(f"remedies.{i}.clauses", remedy.clauses, clause_ids))
        measures = {m.id: m for m in self.measures}
        for i, clause in enumerate(self.clauses):
            if not isinstance(clause, MeasureCreditClause):
                continue
            measured = measures.get(clause.measure)
            if measured is None:
                problems.append(
                    (
                        f"clauses.{i}.measure",
                        f"measure {clause.measure!r} is not defined "
                        f"(defined: {', '.join(sorted(measures)) or 'none'})",
                    )
                )
                continue
            for j, tier in enumerate(clause.tiers):
                if measured.at_most and tier.below is not None:
                    problems.append(
                        (
                            f"clauses.{i}.tiers.{j}.below",
                            f"measure {measured.id!r} ({measured.kind}) is held at most to its "
                            f"target: a tier is 'above' a figure, e.g. {{above: 5, percent: 2}}",
                        )
                    )
                elif not measured.at_most and tier.above is not None:
                    problems.append(
                        (
                            f"clauses.{i}.tiers.{j}.above",
                            f"measure {measured.id!r} ({measured.kind}) is held at least to its "
                            f"target: a tier is 'below' a figure, e.g. {{below: 99, percent: 2}}",
                        )
                    )
        return problems

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    @cached_property
    def asset_attrs(self) -> dict[str, dict[str, str]]:
        """Asset id -> its attributes (a part: its unit's, overridden by its own)."""
        found: dict[str, dict[str, str]] = {}
        for asset in self.assets:
            found[asset.id] = dict(asset.attrs)
            for part in asset.parts:
                found[part.id] = {**asset.attrs, **part.attrs}
        return found

    @cached_property
    def fact_names(self) -> tuple[str, ...]:
        """Ticket facts besides severity that some target table or ``applies_to`` tests."""
        names: set[str] = set()
        for commitment in self.commitments:
            names.update(commitment.applies_to.attrs)
            for row in commitment.targets:
                names.update(row.when)
        names.discard("severity")
        return tuple(sorted(names))

    @cached_property
    def event_type_set(self) -> frozenset[str]:
        return self.known_event_types()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy without the cached lookups (they would answer for the original)."""
        copy = super().model_copy(update=update, deep=deep)
        for name in ("event_type_set", "_commitments_by_id", "asset_attrs", "fact_names"):
            copy.__dict__.pop(name, None)
        return copy

    def known_event_types(self) -> frozenset[str]:
        """Built-in types and the types the contract (or its rule libraries) declares."""
        return BUILTIN_EVENT_TYPES | frozenset(self.event_types)

    def conditions(self) -> Iterator[tuple[str, Condition]]:
        """Every condition of the contract, with its path in the file (for error messages)."""
        for i, commitment in enumerate(self.commitments):
            for role in ("start", "stop", "cancel", "pause", "resume"):
                for j, condition in enumerate(getattr(commitment, role)):
                    yield f"commitments.{i}.{role}.{j}", condition
        for i, clause in enumerate(self.clauses):
            for j, condition in enumerate(clause.on_event):
                yield f"clauses.{i}.on_event.{j}", condition
            if isinstance(clause, CostsClause):
                for j, condition in enumerate(clause.claim):
                    yield f"clauses.{i}.claim.{j}", condition
        for i, obligation in enumerate(self.obligations):
            for j, condition in enumerate(obligation.met_by):
                yield f"obligations.{i}.met_by.{j}", condition
        for i, measure in enumerate(self.measures):
            for role in measure_roles(measure):
                for j, condition in enumerate(getattr(measure, role)):
                    yield f"measures.{i}.{role}.{j}", condition
        for i, remedy in enumerate(self.remedies):
            for role in ("repairs", "done_by", "repair_from"):
                if role == "repair_from" and remedy.repair_time is None:
                    continue
                for j, condition in enumerate(getattr(remedy, role)):
                    yield f"remedies.{i}.{role}.{j}", condition
        repairs = self.warranty.extend_by_repairs if self.warranty is not None else None
        if repairs is not None:
            for role, conditions in (("from", repairs.from_), ("until", repairs.until)):
                for j, condition in enumerate(conditions):
                    yield f"warranty.extend_by_repairs.{role}.{j}", condition

    @cached_property
    def _commitments_by_id(self) -> dict[str, Commitment]:
        return {commitment.id: commitment for commitment in self.commitments}

    def commitment(self, commitment_id: str) -> Commitment:
        return self._commitments_by_id[commitment_id]

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    def asset_classes(self) -> dict[str, str]:
        """Asset id -> class (``unit``, ``key_part``, ``part``)."""
        classes: dict[str, str] = {}
        for asset in self.assets:
            classes[asset.id] = asset.kind
            for part in asset.parts:
                classes[part.id] = part.kind
        return classes


def _missing(where: str, refs: list[str], known: set[str]) -> list[tuple[str, str]]:
    return [
        (
            f"{where}.{i}",
            f"clause {ref!r} is not defined (defined: {', '.join(sorted(known)) or 'none'})",
        )
        for i, ref in enumerate(refs)
        if ref not in known
    ]
