"""Conditions: which events a term reacts to (a type, or a type with ``severity``, ``asset``,
``ticket`` tests), and ``AppliesTo``, which tickets a term covers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from slaengine.contract.base import CONDITION_FIELDS, Model, _listed, empty_list


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

    severity: Annotated[list[str], BeforeValidator(_conditions)] = Field(default_factory=empty_list)
    asset_class: Annotated[list[str], BeforeValidator(_conditions)] = Field(
        default_factory=empty_list
    )
    #: Asset attributes (``zone: [suburb, remote]``), from the asset registry or, where it
    #: lacks them, from the ticket's events (``attrs.zone``).
    attrs: dict[str, Annotated[list[str], BeforeValidator(_conditions)]] = Field(
        default_factory=dict
    )
