"""Period measures (judged in slaengine.measures): availability, satisfaction, on-time rate and
the others, each over named or fixed-length periods, held to its target from one side."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from slaengine.contract.base import Model, Percent, Provenance, Text, _money, empty_list
from slaengine.contract.conditions import Condition, Conditions
from slaengine.durations import Duration

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
    assets: list[str] = Field(default_factory=empty_list)
    down: Conditions = Field(default_factory=lambda: [Condition(type="reported")])
    restored: Conditions = Field(default_factory=lambda: [Condition(type="resolved")])
    #: availability: a calendar whose working time is the agreed maintenance windows.
    maintenance: str | None = None
    #: satisfaction: the events that carry a score, the attribute and the best score.
    scored_by: Conditions = Field(default_factory=lambda: [Condition(type="callback_done")])
    score_attr: str = "score"
    scale: Annotated[Decimal, BeforeValidator(_money), Field(gt=0)] = Decimal(100)
    #: on_time_rate: the commitments whose clocks count.
    commitments: list[str] = Field(default_factory=empty_list)
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
    source: Provenance = Field(default_factory=empty_list, exclude=True)

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
