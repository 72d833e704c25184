"""What the API's bodies are, for the OpenAPI document (``/openapi.json``, ``/docs``).

The events are *read* by the store (slaengine.store: one parser for every intake path, with
the reasons it gives); these models only *describe* them, with the limits the store enforces
(slaengine.store.limits), so a client generator or a fuzzer knows what an event is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from slaengine.store.limits import LENGTHS

_TEXT = r"^[^\x00]*$"


class EventIn(BaseModel):
    """One ticket event (docs/reference.md §2). ``ticket`` is required except for contract-wide
    events (force majeure, an inspection); ``severity`` for ``reported``; the contract names
    the event types it knows."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=LENGTHS["id"], pattern=_TEXT)
    contract: str = Field(min_length=1, max_length=LENGTHS["contract"], pattern=_TEXT)
    type: str = Field(min_length=1, max_length=LENGTHS["type"], pattern=_TEXT)
    at: AwareDatetime = Field(description="RFC 3339 with an offset, 1900-01-01 to 2999-12-31")
    ticket: str | None = Field(None, min_length=1, max_length=LENGTHS["ticket"], pattern=_TEXT)
    severity: str | None = Field(None, max_length=LENGTHS["severity"], pattern=_TEXT)
    asset: str | None = Field(None, max_length=LENGTHS["asset"], pattern=_TEXT)
    attrs: dict[str, Any] = Field(
        default_factory=dict, description="further facts; finite numbers, no NUL characters"
    )


class Acknowledgement(BaseModel):
    """Who acknowledges (shown in the alert list and stops the escalation of its breach)."""

    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(None, max_length=200, pattern=_TEXT)


class Rejudge(BaseModel):
    """Which tickets of a contract to judge again in the background."""

    model_config = ConfigDict(extra="forbid")

    closed: bool = Field(
        False, strict=True, description="closed tickets too (default: the open ones only)"
    )
    since: date | None = Field(
        None,
        description="only tickets with a clock started on or after this day (YYYY-MM-DD, the "
        "contract's time zone)",
    )

    @field_validator("since", mode="before")
    @classmethod
    def _a_day_written_out(cls, value: Any) -> Any:
        # The schema says a string (YYYY-MM-DD): no number read as a timestamp.
        if value is not None and not isinstance(value, str):
            raise ValueError("write the day as YYYY-MM-DD")
        return value


def event_body(batch: bool, max_events: int) -> dict[str, Any]:
    """The ``requestBody`` of ``POST /events`` (one event) or ``/events/batch`` (a list)."""
    schema: dict[str, Any] = {"$ref": "#/components/schemas/EventIn"}
    if batch:
        schema = {"type": "array", "items": schema, "maxItems": max_events}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
