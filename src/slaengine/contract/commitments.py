"""Commitments: a clock's start, stop and pause events, its target per severity (``TargetRow``)
and the shapes a rule library offers to write them (``Shape``, ``RuleLibrary``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from slaengine.contract.base import Model, Provenance, Text, empty_list
from slaengine.contract.conditions import AppliesTo, Condition, Conditions, _conditions
from slaengine.durations import Duration


def _no_calendar_target(value: Duration) -> Duration:
    """A clock's target is a fixed length (its deadline is counted on the commitment's calendar)."""
    if value.is_calendar:
        raise ValueError(f"a clock target is written in s, m, h or d, not {value}")
    return value


class TargetRow(Model):
    """One row of a target table: the target when the ticket's facts match ``when``
    (``{zone: suburb}``, ``{severity: major, zone: city}``; a list means any of them)."""

    when: dict[str, Annotated[list[str], BeforeValidator(_conditions)]]
    target: Duration

    _clock_target = field_validator("target")(_no_calendar_target)

    def matches(self, facts: Mapping[str, str | None]) -> bool:
        return all(facts.get(name) in values for name, values in self.when.items())


class Shape(Model):
    """A reusable commitment shape from the rule library (rules/*.yaml)."""

    name: Text | None = None
    description: Text | None = None
    start: Conditions = Field(default_factory=empty_list)
    stop: Conditions = Field(default_factory=empty_list)
    cancel: Conditions = Field(default_factory=empty_list)
    pause: Conditions = Field(default_factory=empty_list)
    resume: Conditions = Field(default_factory=empty_list)
    target: Duration | None = None
    calendar: str | None = None
    applies_to: AppliesTo | None = None


class RuleLibrary(Model):
    """A rules/*.yaml file: named commitment shapes a contract can ``use``."""

    library: str
    description: Text | None = None
    event_types: list[str] = Field(default_factory=empty_list)
    shapes: dict[str, Shape]


class Commitment(Model):
    """One SLA target: a clock per ticket (and cycle) from ``start`` to ``stop``."""

    id: str
    name: Text | None = None
    use: str | None = None
    start: Conditions
    stop: Conditions
    cancel: Conditions = Field(default_factory=empty_list)
    pause: Conditions = Field(default_factory=empty_list)
    resume: Conditions = Field(default_factory=empty_list)
    target: Duration
    #: Targets by where the asset is (and severity): the first row that matches the ticket's
    #: facts gives the target, ``target`` is for tickets no row matches (市区2小时, 郊县4小时 ...).
    targets: list[TargetRow] = Field(default_factory=empty_list)
    calendar: str
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    clauses: list[str] = Field(default_factory=empty_list)
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
    source: Provenance = Field(default_factory=empty_list, exclude=True)

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

    _clock_target = field_validator("target")(_no_calendar_target)

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) if self.name else self.id

    @property
    def pausable(self) -> bool:
        return bool(self.pause)
