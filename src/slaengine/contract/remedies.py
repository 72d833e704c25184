"""Repeat-failure remedies (三包, judged in slaengine.remedies): the repair that obliges the
supplier to replace an asset, and the event that meets it."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from slaengine.contract.base import Model, Text, empty_list
from slaengine.contract.conditions import Condition, Conditions
from slaengine.contract.warranty import _repair_starts
from slaengine.durations import Duration


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
    clauses: list[str] = Field(default_factory=empty_list)

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
