"""Penalty and compensation clauses (computed in slaengine.penalties): one model per ``kind``,
the ``Clause`` union of them, and the caps over what they charge (``Caps``).

A new clause kind is a ``ClauseBase`` subclass here, a member of ``Clause``, and its pricing in
``penalties/kinds/<kind>.py`` (docs/architecture.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from slaengine.contract.base import Model, Money, Percent, Provenance, Text, _money, empty_list
from slaengine.contract.conditions import Condition, Conditions
from slaengine.durations import Duration


class ClauseBase(Model):
    id: str
    name: Text | None = None
    #: Events that trigger this clause directly (``site_violation``), besides breaches.
    on_event: Conditions = Field(default_factory=empty_list)
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
    source: Provenance = Field(default_factory=empty_list, exclude=True)


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
    tiers: list[MeasureTier] = Field(default_factory=empty_list)
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
    source: Provenance = Field(default_factory=empty_list, exclude=True)

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
    source: Provenance = Field(default_factory=empty_list, exclude=True)

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
