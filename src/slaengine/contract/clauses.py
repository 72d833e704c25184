"""The contract, as pydantic models: everything a tender commits the supplier to.

A contract file (YAML, see ``contracts/example-tender.yaml`` and docs/contracts.md) is validated
into a ``Contract``. Models forbid unknown keys, so a misspelt field is an error that names the
line, never a silently ignored term. Conditions, targets and money are parsed here once; the rest
of the engine works with these typed values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from slaengine.calendars import CalendarSpec
from slaengine.contract.channels import ChannelSpec
from slaengine.durations import Duration
from slaengine.errors import SlaError

#: Event types every contract understands (reference.md §2). A contract may add its own.
BUILTIN_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "reported",
        "acknowledged",
        "dispatched",
        "arrived",
        "plan_provided",
        "resolved",
        "report_submitted",
        "callback_done",
        "paused",
        "resumed",
        "reclassified",
        "reopened",
        "cancelled",
        "part_replaced",
        "inspection_done",
        "final_inspection",
        "cost_claimed",
        "site_violation",
        "force_majeure",
        "breach_waived",
        "sent_to_factory",
        "returned_from_factory",
    }
)

#: Event types that concern the contract or an asset rather than one ticket.
TICKETLESS_EVENT_TYPES: frozenset[str] = frozenset(
    {"force_majeure", "part_replaced", "inspection_done", "final_inspection", "site_violation"}
)

#: Fields a condition may test besides ``type`` (``id`` is excluded on purpose: durable_rules
#: crashes on conditions over its reserved field ``id``, see docs/design.md).
CONDITION_FIELDS = ("severity", "asset", "ticket")

#: The classes of assets (reference.md §5).
ASSET_CLASSES = ("unit", "key_part", "part")


class Model(BaseModel):
    # defer_build: a model's validator is built when it is first used, not when the class is
    # made; validating a Contract builds one schema holding the nested models, so the ~30
    # nested classes never build validators of their own (start-up of every command).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _money(value: Any) -> Decimal:
    """Money is written as a string ("1280000.00"); a YAML number is taken by its text."""
    if isinstance(value, bool):
        raise ValueError('an amount is a number such as "500.00", not true/false')
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValueError(f'{value!r} is not an amount: write it like "500.00"') from None
    else:
        raise ValueError(f'{value!r} is not an amount: write it like "500.00"')
    if not result.is_finite():
        raise ValueError(f'{value!r} is not an amount: write it like "500.00"')
    if result < 0:
        raise ValueError(f"{value!r}: amounts cannot be negative")
    return result


Money = Annotated[Decimal, BeforeValidator(_money)]
Percent = Annotated[Decimal, BeforeValidator(_money)]


class Text(Model):
    """A name in Chinese and English; either may be missing, the other is then shown."""

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value, "zh": value}
        return value

    def get(self, lang: str) -> str:
        if lang == "zh":
            return self.zh or self.en or ""
        return self.en or self.zh or ""

    def both(self) -> str:
        if self.zh and self.en and self.zh != self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or ""


class Source(Model):
    """Where a term was read from: a line of the tender text and the exact sentence there.

    Written by ``slaengine contract draft`` so a reviewer can check each term against the tender;
    the engine itself never reads it.
    """

    line: int = Field(ge=1)
    text: str


def _listed(*single: type) -> Callable[[Any], Any]:
    """A field that takes one item or a list of them: nothing is an empty list, one item (an
    instance of ``single``) a list of one."""

    def listed(value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, single):
            return [value]
        return value

    return listed


#: ``source: {line, text}``, or a list of them when a term was stated in several sentences.
#: Excluded from dumps: provenance is not part of a contract's meaning (nor of its fingerprint).
Provenance = Annotated[list[Source], BeforeValidator(_listed(dict, Source))]


class Condition(Model):
    """Matches events by ``type`` and, optionally, by field and ``attrs`` values.

    Written as just the type (``arrived``) or as a mapping
    (``{type: resolved, attrs: {remote: true}}``). A list of conditions means any of them.
    """

    type: str
    severity: str | None = None
    asset: str | None = None
    ticket: str | None = None
    attrs: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        return value

    @field_validator("attrs")
    @classmethod
    def _attr_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not name or "." in name or name in ("id", "sid"):
                raise ValueError(
                    f"attrs key {name!r} cannot be matched: use a plain name without dots "
                    "(and not 'id' or 'sid')"
                )
        return value

    def fields(self) -> dict[str, Any]:
        """The tested values by dotted path (``type``, ``severity``, ``attrs.remote``, ...)."""
        tested: dict[str, Any] = {"type": self.type}
        for name in CONDITION_FIELDS:
            if getattr(self, name) is not None:
                tested[name] = getattr(self, name)
        for name, value in self.attrs.items():
            tested[f"attrs.{name}"] = value
        return tested


#: one condition (a type name or a mapping) or a list of them; also lists of names
_conditions = _listed(str, dict)
Conditions = Annotated[list[Condition], BeforeValidator(_conditions)]


class AppliesTo(Model):
    """Which tickets a commitment applies to; an empty filter means all tickets."""

    severity: Annotated[list[str], BeforeValidator(_conditions)] = Field(default_factory=list)
    asset_class: Annotated[list[str], BeforeValidator(_conditions)] = Field(default_factory=list)
    #: Asset attributes (``zone: [suburb, remote]``), from the asset registry or, where it
    #: lacks them, from the ticket's events (``attrs.zone``).
    attrs: dict[str, Annotated[list[str], BeforeValidator(_conditions)]] = Field(
        default_factory=dict
    )


class TargetRow(Model):
    """One row of a target table: the target when the ticket's facts match ``when``
    (``{zone: suburb}``, ``{severity: major, zone: city}``; a list means any of them)."""

    when: dict[str, Annotated[list[str], BeforeValidator(_conditions)]]
    target: Duration

    @field_validator("target")
    @classmethod
    def _clock_target(cls, value: Duration) -> Duration:
        if value.is_calendar:
            raise ValueError(f"a clock target is written in s, m, h or d, not {value}")
        return value

    def matches(self, facts: Mapping[str, str | None]) -> bool:
        return all(facts.get(name) in values for name, values in self.when.items())


class Shape(Model):
    """A reusable commitment shape from the rule library (rules/*.yaml)."""

    name: Text | None = None
    description: Text | None = None
    start: Conditions = Field(default_factory=list)
    stop: Conditions = Field(default_factory=list)
    cancel: Conditions = Field(default_factory=list)
    pause: Conditions = Field(default_factory=list)
    resume: Conditions = Field(default_factory=list)
    target: Duration | None = None
    calendar: str | None = None
    applies_to: AppliesTo | None = None


class RuleLibrary(Model):
    """A rules/*.yaml file: named commitment shapes a contract can ``use``."""

    library: str
    description: Text | None = None
    event_types: list[str] = Field(default_factory=list)
    shapes: dict[str, Shape]


class Commitment(Model):
    """One SLA target: a clock per ticket (and cycle) from ``start`` to ``stop``."""

    id: str
    name: Text | None = None
    use: str | None = None
    start: Conditions
    stop: Conditions
    cancel: Conditions = Field(default_factory=list)
    pause: Conditions = Field(default_factory=list)
    resume: Conditions = Field(default_factory=list)
    target: Duration
    #: Targets by where the asset is (and severity): the first row that matches the ticket's
    #: facts gives the target, ``target`` is for tickets no row matches (市区2小时, 郊县4小时 ...).
    targets: list[TargetRow] = Field(default_factory=list)
    calendar: str
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    clauses: list[str] = Field(default_factory=list)
    warn_at: Annotated[float, Field(gt=0, lt=1)] | None = None
    #: ``once``: one clock per ticket and cycle (from the first start); ``per_start``: a clock
    #: for every start event (每次来电须在2小时内回复), each stopped by the next stop;
    #: ``per_window``: a start while a clock of the commitment is open on the ticket opens
    #: nothing, the next start after a stop opens a new clock (an unanswered thread is one clock).
    runs: Literal["once", "per_start", "per_window"] = "once"
    #: How a breached clock's lateness is counted: ``wall_clock`` (every second from the
    #: deadline to the stop, the default) or ``calendar`` (working time of the commitment's
    #: calendar only: a weekend inside the lateness does not count).
    lateness: Literal["wall_clock", "calendar"] = Field(
        default="wall_clock", exclude_if=lambda value: value == "wall_clock"
    )
    source: Provenance = Field(default_factory=list, exclude=True)

    def target_for(self, facts: Mapping[str, str | None]) -> Duration:
        """The target for a ticket with these facts (severity and asset attributes)."""
        for row in self.targets:
            if row.matches(facts):
                return row.target
        return self.target

    @field_validator("start", "stop")
    @classmethod
    def _not_empty(cls, value: list[Condition]) -> list[Condition]:
        if not value:
            raise ValueError("needs at least one condition (an event type such as 'reported')")
        return value

    @field_validator("target")
    @classmethod
    def _clock_target(cls, value: Duration) -> Duration:
        if value.is_calendar:
            raise ValueError(f"a clock target is written in s, m, h or d, not {value}")
        return value

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) if self.name else self.id

    @property
    def pausable(self) -> bool:
        return bool(self.pause)


# --- penalty and compensation clauses (computed in slaengine.penalties) ----------------------


class ClauseBase(Model):
    id: str
    name: Text | None = None
    #: Events that trigger this clause directly (``site_violation``), besides breaches.
    on_event: Conditions = Field(default_factory=list)
    #: Cap per breach (or per event), as an amount or as a percentage of the contract price.
    cap: Money | None = None
    cap_percent: Percent | None = None
    #: The least one line of the clause charges ("at least 1.00"): a smaller amount is raised
    #: to it (before the per-breach cap; a cap below the minimum is refused).
    minimum: Money | None = Field(default=None, exclude_if=lambda value: value is None)
    #: ``compensation``: the clause's lines are compensation to the customer (never capped with
    #: penalties) rather than penalties; default: the kind's own section.
    pays: Literal["penalty", "compensation"] | None = Field(
        default=None, exclude_if=lambda value: value is None
    )
    source: Provenance = Field(default_factory=list, exclude=True)


def _lateness_unit(value: Duration) -> Duration:
    if value.is_calendar:
        raise ValueError(
            f"a unit of lateness is written in s, m, h or d (a day of 24 hours), not {value}"
        )
    return value


#: The unit of a per-started clause: a fixed length, so "per started unit" is plain arithmetic.
LatenessUnit = Annotated[Duration, AfterValidator(_lateness_unit)]


class FixedClause(ClauseBase):
    kind: Literal["fixed"]
    amount: Money


class PerStartedClause(ClauseBase):
    kind: Literal["per_started"]
    amount: Money
    unit: LatenessUnit


class PercentOfPriceClause(ClauseBase):
    kind: Literal["percent_of_price"]
    percent: Percent


class PercentOfPricePerStartedClause(ClauseBase):
    kind: Literal["percent_of_price_per_started"]
    percent: Percent
    unit: LatenessUnit


class CostsClause(ClauseBase):
    """Compensation: the supplier pays the costs claimed on a ticket whose commitments it broke."""

    kind: Literal["costs"]
    claim: Conditions = Field(default_factory=lambda: [Condition(type="cost_claimed")])
    amount_attr: str = "amount"


class WarrantyExtensionClause(ClauseBase):
    """A remedy, not money: extends the warranty of the asset the triggering event names."""

    kind: Literal["warranty_extension"]
    extend_by: Duration


class ServiceCreditTier(Model):
    below: Percent  # compliance rate (percent on time) below which the tier applies
    percent: Percent  # percentage of the periodic fee credited


class ServiceCreditClause(ClauseBase):
    """A percentage of a periodic fee by tier of a commitment's on-time rate over the period."""

    kind: Literal["service_credit"]
    commitments: list[str]
    period: Duration = Duration(1, "mo")
    fee: Money
    tiers: list[ServiceCreditTier]
    #: Cap per fee period as a percentage of the fee ("credits never exceed 10% of the monthly
    #: fee"); ``cap`` (an amount) and ``cap_percent`` (of the contract price) work as well.
    cap_percent_of_fee: Percent | None = None

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: list[ServiceCreditTier]) -> list[ServiceCreditTier]:
        if not value:
            raise ValueError("needs at least one tier, e.g. {below: 95, percent: 5}")
        return sorted(value, key=lambda tier: tier.below)


class ShortfallStep(Model):
    """ "Per started ``step`` percentage points below target, ``percent`` of the fee"."""

    step: Annotated[Decimal, BeforeValidator(_money), Field(gt=0)]
    percent: Percent


class MeasureTier(Model):
    """A tier of a measure credit: the figure ``below`` a floor (a measure held at least to its
    target) or ``above`` a ceiling (held at most), and the percentage of the fee."""

    below: Percent | None = None
    above: Percent | None = None
    percent: Percent

    @model_validator(mode="after")
    def _one_bound(self) -> MeasureTier:
        if (self.below is None) == (self.above is None):
            raise ValueError(
                "a tier gives either 'below' ({below: 99, percent: 2}) or 'above' "
                "({above: 5, percent: 2}), not both or neither"
            )
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.above is None:  # as tiers were stored before 'above' existed
            data.pop("above", None)
        return data

    @property
    def bound(self) -> Decimal:
        found = self.below if self.below is not None else self.above
        assert found is not None
        return found

    def applies(self, figure: Decimal) -> bool:
        """Whether a figure falls in this tier (strictly past its bound)."""
        return figure < self.below if self.below is not None else figure > self.bound


class MeasureCreditClause(ClauseBase):
    """A share of a periodic fee when a period measure (slaengine.measures) falls short:
    by tier of the figure, or per started step below the measure's target; at most
    ``max_percent`` of the fee per period."""

    kind: Literal["measure_credit"]
    measure: str
    fee: Money
    #: The most severe tier the figure falls in applies (the lowest ``below``, the highest
    #: ``above``); the tiers are kept in that order.
    tiers: list[MeasureTier] = Field(default_factory=list)
    per_started: ShortfallStep | None = None
    max_percent: Percent | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> MeasureCreditClause:
        if bool(self.tiers) == (self.per_started is not None):
            raise ValueError(
                "give either 'tiers' ([{below: 99.5, percent: 2}]) or 'per_started' "
                "({step: 0.1, percent: 1}), not both or neither"
            )
        if self.tiers:
            if len({tier.below is None for tier in self.tiers}) > 1:
                raise ValueError(
                    "tiers: give every tier 'below' (a floor) or every tier 'above' (a ceiling)"
                )
            ceiling = self.tiers[0].above is not None
            ordered = sorted(self.tiers, key=lambda tier: tier.bound, reverse=ceiling)
            object.__setattr__(self, "tiers", ordered)
        return self


Clause = Annotated[
    FixedClause
    | PerStartedClause
    | PercentOfPriceClause
    | PercentOfPricePerStartedClause
    | CostsClause
    | WarrantyExtensionClause
    | ServiceCreditClause
    | MeasureCreditClause,
    Field(discriminator="kind"),
]


class Cap(Model):
    amount: Money | None = None
    percent_of_price: Percent | None = None
    source: Provenance = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _one(self) -> Cap:
        if (self.amount is None) == (self.percent_of_price is None):
            raise ValueError("give exactly one of amount or percent_of_price")
        return self


class RollingCap(Model):
    """Penalties over any ``months`` consecutive months at most ``percent_of_fees`` of those
    months' fees (``monthly_fee`` for each month of the window the contract ran), or at most
    ``amount``: less what was already charged in the window."""

    months: int = Field(default=12, ge=1)
    percent_of_fees: Percent | None = None
    monthly_fee: Money | None = None
    amount: Money | None = None
    source: Provenance = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _one(self) -> RollingCap:
        if (self.amount is None) == (self.percent_of_fees is None):
            raise ValueError(
                "give exactly one of amount or percent_of_fees (with monthly_fee), e.g. "
                '{months: 12, percent_of_fees: "10", monthly_fee: "8000.00"}'
            )
        if self.percent_of_fees is not None and self.monthly_fee is None:
            raise ValueError('percent_of_fees needs monthly_fee: the fee of one month ("8000.00")')
        if self.amount is not None and self.monthly_fee is not None:
            raise ValueError("monthly_fee belongs with percent_of_fees, not with amount")
        return self


class Caps(Model):
    per_contract_year: Cap | None = None
    contract_total: Cap | None = None
    #: Over any rolling window of months (任意连续12个月).
    rolling: RollingCap | None = Field(default=None, exclude_if=lambda value: value is None)


# --- warranty, assets, obligations -----------------------------------------------------------


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
    source: Provenance = Field(default_factory=list, exclude=True)

    @field_validator("terms")
    @classmethod
    def _unit_term(cls, value: dict[str, Term]) -> dict[str, Term]:
        unit = value.get("unit")
        if unit is None or unit.duration is None:
            raise ValueError("give the unit a term such as 'unit: 3y' (parts may follow it)")
        for kind, term in value.items():
            if term.duration is not None and term.duration.unit not in ("d", "mo", "y"):
                raise ValueError(f"{kind}: a warranty term is in days, months or years, e.g. 3y")
        return value

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
    source: Provenance = Field(default_factory=list, exclude=True)


class Asset(Model):
    id: str
    name: Text | None = None
    kind: Literal["unit"] = Field(default="unit", alias="class")
    accepted_on: date | None = None
    #: Attributes (site, zone, region, line, ...) that targets and ``applies_to`` may test.
    attrs: dict[str, str] = Field(default_factory=dict)
    parts: list[Part] = Field(default_factory=list)
    source: Provenance = Field(default_factory=list, exclude=True)


class ScheduleStep(Model):
    """Periods of ``every`` from the end of the previous step, for ``for`` or ``until``."""

    every: Duration
    for_: Duration | None = Field(default=None, alias="for")
    until: Literal["warranty_end"] | date | None = None

    @model_validator(mode="after")
    def _span(self) -> ScheduleStep:
        if self.for_ is None and self.until is None:
            raise ValueError("say how long the step lasts: 'for: 1y' or 'until: warranty_end'")
        return self


class Obligation(Model):
    """A recurring duty (inspections), met by a matching event inside each period."""

    id: str
    name: Text | None = None
    met_by: Conditions
    #: Periods, as consecutive steps from acceptance (every 3mo for 1y, then every 6mo ...).
    schedule: list[ScheduleStep] = Field(default_factory=list)
    #: Or: ``count`` matching events per ``per`` (N visits a year).
    per: Duration | None = None
    count: int | None = Field(default=None, ge=1)
    until: Literal["warranty_end"] | date | None = None
    clauses: list[str] = Field(default_factory=list)
    #: ``contract``: one series of periods for the whole contract, met by any matching event
    #: (the tender's "inspection every 3 months"); ``unit``: a series per unit, each met only
    #: by events on that unit or its parts.
    for_each: Literal["contract", "unit"] = "contract"
    source: Provenance = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _one_form(self) -> Obligation:
        if bool(self.schedule) == (self.per is not None):
            raise ValueError("give either 'schedule' (periods) or 'per' with 'count'")
        if self.per is not None and self.count is None:
            raise ValueError("'per' needs 'count' (how many events per period)")
        return self


# --- period measures (judged in slaengine.measures) -----------------------------------------

#: Measure periods with a name; any other period is a fixed length (``5m``, ``1h``).
NAMED_PERIODS = ("month", "quarter", "contract_year", "week", "day")


def _measure_period(value: str) -> str:
    if value in NAMED_PERIODS:
        return value
    try:
        length = Duration.parse(value)
    except ValueError:
        length = None
    if length is None or length.is_calendar or length.seconds <= 0:
        raise ValueError(
            f"{value!r} is not a measure period: write month, quarter, contract_year, week, day, "
            "or a fixed length in s, m, h or d (d = 24 hours) such as 5m or 8h"
        )
    return value


MEASURE_KINDS = ("availability", "satisfaction", "on_time_rate")


class Measure(Model):
    """A figure over each period (month, quarter, contract year) held to a target percentage:
    availability of assets (可用率), average satisfaction score (满意度), on-time rate (按时率),
    first-time-fix rate (一次修复率) — held *at least* to the target — and the share of assets
    with repeat faults (重复故障), held *at most* to it."""

    id: str
    name: Text | None = None
    kind: Literal["availability", "satisfaction", "on_time_rate", "first_time_fix", "repeat_faults"]
    #: ``month``, ``quarter``, ``contract_year``, ``week`` (Monday to Sunday), ``day``, or a
    #: fixed length from acceptance in s, m, h or d (``5m``, ``8h``; d = 24 hours).
    period: Annotated[str, AfterValidator(_measure_period)] = "month"
    #: The promised figure in percent ("99.5"); a period whose figure is on the wrong side of it
    #: (see ``direction``) falls short.
    target: Percent
    #: ``at_least`` (a figure below the target falls short) or ``at_most`` (above it does); each
    #: kind has one (MEASURE_DIRECTIONS), which a contract may write out but not contradict.
    direction: Literal["at_least", "at_most"] | None = None
    #: availability, repeat_faults: the assets counted (a part's faults count for its unit
    #: unless the part is listed); empty means every unit of the contract.
    assets: list[str] = Field(default_factory=list)
    down: Conditions = Field(default_factory=lambda: [Condition(type="reported")])
    restored: Conditions = Field(default_factory=lambda: [Condition(type="resolved")])
    #: availability: a calendar whose working time is the agreed maintenance windows.
    maintenance: str | None = None
    #: satisfaction: the events that carry a score, the attribute and the best score.
    scored_by: Conditions = Field(default_factory=lambda: [Condition(type="callback_done")])
    score_attr: str = "score"
    scale: Annotated[Decimal, BeforeValidator(_money), Field(gt=0)] = Decimal(100)
    #: on_time_rate: the commitments whose clocks count.
    commitments: list[str] = Field(default_factory=list)
    #: first_time_fix, repeat_faults: the events that make a ticket a fault (by default
    #: ``reported``; a severity narrows it: ``{type: reported, severity: major}``).
    faults: Conditions = Field(default_factory=lambda: [Condition(type="reported")])
    #: first_time_fix: the fix (its first match on the ticket puts the ticket in a period),
    #: what reopens it and what is a visit (more than one visit is not a first-time fix).
    fixed_by: Conditions = Field(default_factory=lambda: [Condition(type="resolved")])
    reopened_by: Conditions = Field(default_factory=lambda: [Condition(type="reopened")])
    visits: Conditions = Field(default_factory=lambda: [Condition(type="arrived")])
    #: first_time_fix: a new fault on the same asset this soon after the fix means it did not
    #: hold ("7d"); none: only reopening and a second visit count against the fix.
    within: Duration | None = None
    #: repeat_faults: an asset with more faults than this in a period has repeat faults
    #: ("同一设备一个月内故障不超过2次": 2).
    max_faults: int | None = Field(default=None, ge=1)
    source: Provenance = Field(default_factory=list, exclude=True)

    @field_validator("target")
    @classmethod
    def _percent(cls, value: Decimal) -> Decimal:
        if value > 100:
            raise ValueError(f"a target is a percentage up to 100, not {value}")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Measure:
        kind = self.kind
        if kind == "on_time_rate" and not self.commitments:
            raise ValueError("an on_time_rate measure names its commitments: [onsite-30min]")
        if kind != "on_time_rate" and self.commitments:
            raise ValueError(f"'commitments' belongs to on_time_rate measures, not {kind}")
        if kind != "availability" and self.maintenance:
            raise ValueError(f"'maintenance' belongs to availability, not {kind}")
        if kind not in ("availability", "repeat_faults") and self.assets:
            raise ValueError(f"'assets' belongs to availability and repeat_faults, not {kind}")
        if kind == "repeat_faults" and self.max_faults is None:
            raise ValueError(
                "a repeat_faults measure says how many faults of one asset a period allows: "
                "max_faults: 2 (同一设备一个月内故障不超过2次)"
            )
        if kind != "repeat_faults" and self.max_faults is not None:
            raise ValueError(f"'max_faults' belongs to repeat_faults measures, not {kind}")
        if kind != "first_time_fix" and self.within is not None:
            raise ValueError(f"'within' belongs to first_time_fix measures, not {kind}")
        return self

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        natural = MEASURE_DIRECTIONS.get(kind) if isinstance(kind, str) else None
        if value is not None and natural is not None and value != natural:
            raise ValueError(
                f"a {kind} measure is held {natural} its target "
                f"({'the more the better' if natural == 'at_least' else 'the fewer the better'}),"
                f" not {value}"
            )
        return value

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields added after measures were first stored are left out at their defaults, so a
        stored contract's fingerprint (its meaning) does not change with this version."""
        data: dict[str, Any] = handler(self)
        for name in _LATER_MEASURE_FIELDS:
            default = Measure.model_fields[name].get_default(call_default_factory=True)
            if name in data and getattr(self, name) == default:
                del data[name]
        return data

    @property
    def at_most(self) -> bool:
        """Whether a figure above the target falls short (a ceiling, not a floor)."""
        return MEASURE_DIRECTIONS[self.kind] == "at_most"

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) if self.name else self.id


_LATER_MEASURE_FIELDS = (
    "direction", "faults", "fixed_by", "reopened_by", "visits", "within", "max_faults",
)  # fmt: skip

#: Which side of its target each kind of measure is held to.
MEASURE_DIRECTIONS: dict[str, str] = {
    "availability": "at_least",
    "satisfaction": "at_least",
    "on_time_rate": "at_least",
    "first_time_fix": "at_least",
    "repeat_faults": "at_most",
}


# --- repeat-failure remedies (judged in slaengine.remedies) -----------------------------------


class Remedy(Model):
    """三包: the ``count``-th repair of one asset (within its warranty), or the repair that takes
    its total repair time past ``repair_time``, obliges the supplier to a remedy — replace it
    within ``target``, or with no deadline — met by a ``done_by`` event on that asset."""

    id: str
    name: Text | None = None
    #: The events that count as a repair of the ticket's asset.
    repairs: Conditions = Field(default_factory=lambda: [Condition(type="resolved")])
    #: Which repair triggers the remedy (3: the third repair, i.e. it failed after two).
    count: int = Field(default=3, ge=2)
    #: Or: the repair that takes the asset's total repair time past this (累计修理时间超过30日:
    #: ``30d``, 24-hour days); a repair runs from its ticket's first ``repair_from`` event to the
    #: ``repairs`` event.
    repair_time: Duration | None = Field(default=None, exclude_if=lambda value: value is None)
    repair_from: Conditions = Field(
        default_factory=_repair_starts, exclude_if=lambda value: value == _repair_starts()
    )
    #: Count only repairs while the asset is under warranty.
    within_warranty: bool = True
    #: The deadline, from the triggering repair, in ``calendar``; none: the remedy is owed
    #: without a deadline (it is met when done, never breached).
    target: Duration | None = None
    calendar: str | None = None
    done_by: Conditions = Field(default_factory=lambda: [Condition(type="part_replaced")])
    clauses: list[str] = Field(default_factory=list)

    @field_validator("target")
    @classmethod
    def _clock_target(cls, value: Duration | None) -> Duration | None:
        if value is not None and value.is_calendar:
            raise ValueError(f"a remedy's target is written in s, m, h or d, not {value}")
        return value

    @field_validator("repair_time")
    @classmethod
    def _repair_time(cls, value: Duration | None) -> Duration | None:
        if value is not None and value.is_calendar:
            raise ValueError(
                f"a total repair time is written in s, m, h or d (d = 24 hours), not {value}"
            )
        return value

    @model_validator(mode="after")
    def _deadline(self) -> Remedy:
        # each problem names its own field ("@field|message", as Contract._references does)
        problems: list[tuple[str, str]] = []
        if self.target is not None and self.calendar is None:
            problems.append(
                ("target", "a remedy with a 'target' names the 'calendar' it is counted in")
            )
        if self.target is None and self.calendar is not None:
            problems.append(
                (
                    "calendar",
                    "a remedy's 'calendar' counts its 'target', and there is none: give a "
                    "target (e.g. 5d) or leave the calendar out (owed without a deadline)",
                )
            )
        if self.target is None and self.clauses:
            problems.append(
                (
                    "clauses",
                    "a remedy without a 'target' has no deadline to miss, so its 'clauses' "
                    "could never be charged: give a target (e.g. 5d) or leave the clauses out",
                )
            )
        if self.repair_time is not None and "count" in self.model_fields_set:
            problems.append(
                (
                    "count",
                    "give 'count' (the n-th repair owes the remedy) or 'repair_time' (the "
                    "repair that takes the total past it), not both",
                )
            )
        if self.repair_time is None and "repair_from" in self.model_fields_set:
            problems.append(
                (
                    "repair_from",
                    "'repair_from' says where a repair's time begins, which only 'repair_time' "
                    "counts: add repair_time (e.g. 30d) or leave repair_from out",
                )
            )
        if problems:
            raise ValueError("\n".join(f"@{field}|{message}" for field, message in problems))
        return self


# --- contacts --------------------------------------------------------------------------------

AlertKind = Literal[
    "warning", "breach", "withdrawn", "escalation", "obligation_missed", "warranty_expiring"
]


class Contact(Model):
    """Who hears what, through which channels, and who is next when nobody acknowledges."""

    id: str
    name: Text | None = None
    lang: Literal["zh", "en", "both"] = "both"
    channels: list[ChannelSpec] = Field(default_factory=list)
    kinds: list[AlertKind] = Field(default_factory=list)
    commitments: list[str] = Field(default_factory=list)
    severities: list[str] = Field(default_factory=list)
    escalate_after: Duration | None = None
    next: str | None = None
    source: Provenance = Field(default_factory=list, exclude=True)

    def wants(self, kind: str, commitment: str | None, severity: str | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.commitments and commitment is not None and commitment not in self.commitments:
            return False
        return not (self.severities and severity is not None and severity not in self.severities)


# --- the contract ----------------------------------------------------------------------------


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
    event_types: list[str] = Field(default_factory=list)
    calendars: dict[str, CalendarSpec]
    rules: list[str] = Field(default_factory=list)
    commitments: list[Commitment]
    clauses: list[Clause] = Field(default_factory=list)
    caps: Caps = Field(default_factory=Caps)
    warranty: Warranty | None = None
    assets: list[Asset] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    remedies: list[Remedy] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
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


def measure_roles(measure: Measure) -> tuple[str, ...]:
    """The condition lists a measure of its kind reads (the others keep their defaults)."""
    if measure.kind == "availability":
        return ("down", "restored")
    if measure.kind == "satisfaction":
        return ("scored_by",)
    if measure.kind == "first_time_fix":
        return ("faults", "fixed_by", "reopened_by", "visits")
    if measure.kind == "repeat_faults":
        return ("faults",)
    return ()
