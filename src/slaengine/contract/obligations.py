"""Obligations: duties on a schedule (inspections, reports), judged period by period in
slaengine.obligations."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from slaengine.contract.base import Model, Provenance, Text, empty_list
from slaengine.contract.conditions import Conditions
from slaengine.durations import Duration


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
    schedule: list[ScheduleStep] = Field(default_factory=empty_list)
    #: Or: ``count`` matching events per ``per`` (N visits a year).
    per: Duration | None = None
    count: int | None = Field(default=None, ge=1)
    until: Literal["warranty_end"] | date | None = None
    clauses: list[str] = Field(default_factory=empty_list)
    #: ``contract``: one series of periods for the whole contract, met by any matching event
    #: (the tender's "inspection every 3 months"); ``unit``: a series per unit, each met only
    #: by events on that unit or its parts.
    for_each: Literal["contract", "unit"] = "contract"
    source: Provenance = Field(default_factory=empty_list, exclude=True)

    @model_validator(mode="after")
    def _one_form(self) -> Obligation:
        if bool(self.schedule) == (self.per is not None):
            raise ValueError("give either 'schedule' (periods) or 'per' with 'count'")
        if self.per is not None and self.count is None:
            raise ValueError("'per' needs 'count' (how many events per period)")
        return self
