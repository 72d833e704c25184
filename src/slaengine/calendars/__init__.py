"""Calendars of a contract, registered by the ``kind`` a contract file names.

A contract file says ``kind: 24x7`` or ``kind: working_hours``; ``build_calendar`` finds the
factory registered for that kind. A new kind is a new module with its spec model and calendar
class, one ``register`` call and one member of ``CalendarSpec``; no other kind changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeAlias

from pydantic import Field

from slaengine.calendars.always import AlwaysCalendar, AlwaysSpec
from slaengine.calendars.base import Calendar, Interval
from slaengine.calendars.working_hours import (
    HolidaySource,
    WorkingHoursCalendar,
    WorkingHoursSpec,
)

__all__ = [
    "AlwaysCalendar",
    "AlwaysSpec",
    "Calendar",
    "CalendarSpec",
    "HolidaySource",
    "Interval",
    "WorkingHoursCalendar",
    "WorkingHoursSpec",
    "build_calendar",
    "register",
]

CalendarSpec: TypeAlias = Annotated[AlwaysSpec | WorkingHoursSpec, Field(discriminator="kind")]

CalendarFactory: TypeAlias = Callable[[str, Any], Calendar]
"""Builds a calendar from its name and its validated spec."""

_FACTORIES: dict[str, CalendarFactory] = {}


def register(kind: str, factory: CalendarFactory) -> None:
    """Make ``kind`` (as written in a contract file) build calendars with ``factory``."""
    if kind in _FACTORIES:
        raise ValueError(f"calendar kind {kind!r} is already registered")
    _FACTORIES[kind] = factory


def build_calendar(name: str, spec: CalendarSpec) -> Calendar:
    """The calendar called ``name`` in a contract, from its spec."""
    factory = _FACTORIES.get(spec.kind)
    if factory is None:
        raise ValueError(
            f"calendar {name!r}: no calendar kind {spec.kind!r}; known kinds: "
            f"{', '.join(sorted(_FACTORIES))}"
        )
    return factory(name, spec)


register("24x7", AlwaysCalendar.from_spec)
register("working_hours", WorkingHoursCalendar.from_spec)
