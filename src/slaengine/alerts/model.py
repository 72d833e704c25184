"""What an alert is, and what delivering one means.

The core decides that something deserves an alert (a deadline is near, a clock breached, a breach
was withdrawn, nobody reacted, an obligation period passed, a warranty is about to end); the
outbox stores the ``Alert`` and later hands it to channels. So an ``Alert`` is plain data that
survives a round trip through JSON unchanged: timestamps must carry their offset, and ``details``
is normalised to JSON values when the alert is built (a ``datetime`` becomes its RFC 3339 text),
so what a channel sends after a restart is exactly what it would have sent before.

A channel is anything with ``send(alert, lang)`` that returns only once the receiver accepted the
alert and raises ``DeliveryError`` otherwise; the outbox marks an alert sent on return and retries
on the error. ``ChannelSettings`` is what the environment configures for every channel (the SMTP
relay, timeouts); what a contract configures per contact lives in the channel specs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from slaengine.errors import SlaError

AlertKind = Literal[
    "warning", "breach", "withdrawn", "escalation", "obligation_missed", "warranty_expiring"
]

# Always present in the JSON body, null or not: the names docs/reference.md §7 makes the interface.
_PAYLOAD_CORE = ("kind", "contract", "ticket", "commitment", "deadline", "late_by_seconds", "at")


def _json_value(value: Any, where: str) -> Any:
    """``value`` as JSON data; timestamps as RFC 3339 text with their offset, money as text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{where}: a timestamp needs an offset, got {value.isoformat()}")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _json_value(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise ValueError(
        f"{where}: {type(value).__name__} cannot be sent in an alert; use text, numbers, "
        f"booleans, timestamps, dates, Decimal, lists or mappings"
    )


class Alert(BaseModel):
    """One thing a contact must hear about, as the core decided it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AlertKind
    contract: str
    ticket: str | None = None
    commitment: str | None = None
    obligation: str | None = None
    asset: str | None = None
    cycle: int | None = None
    deadline: AwareDatetime | None = None
    late_by_seconds: int = 0
    #: When the alert was raised, from the injected clock.
    at: AwareDatetime
    severity: str | None = None
    #: The contact it is addressed to; None for the environment's webhook.
    contact: str | None = None
    #: Escalation level: 0 is the first contact, 1 the next one, ...
    level: int = 0
    #: Further facts: ``commitment_name``/``obligation_name`` ({"zh": ..., "en": ...}),
    #: ``period_start``/``period_end``, ``expires``, ``time_left_seconds``, ``reason``,
    #: ``alert_key`` (a stable id that makes duplicates recognisable), ``occurrence`` (which
    #: start of a commitment that runs per start; the message names it).
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("details", mode="before")
    @classmethod
    def _details_as_json(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return _json_value(value, "details")

    @property
    def stable_id(self) -> str | None:
        """The alert's stable id: the same for every attempt to deliver it to one contact (and
        the environment's webhook), so a receiver can drop a repeat. Sent as the webhook's
        ``Idempotency-Key`` header and in the e-mail's Message-ID. None without ``alert_key``."""
        key = self.details.get("alert_key")
        if not key:
            return None
        return hashlib.sha256(f"{key}\n{self.contact or '*'}".encode()).hexdigest()[:32]

    def payload(self) -> dict[str, Any]:
        """The JSON body of docs/reference.md section 7.

        ``kind``, ``contract``, ``ticket``, ``commitment``, ``deadline``, ``late_by_seconds`` and
        ``at`` always (timestamps RFC 3339 with offset), then every other field that has a value.
        """
        fields = self.model_dump()
        body = {name: _json_value(fields.pop(name), name) for name in _PAYLOAD_CORE}
        body.update(
            (name, value) for name, value in fields.items() if value is not None and value != {}
        )
        return body


class DeliveryError(SlaError):
    """A channel could not hand an alert over; the message names the receiver and the reason."""


class Channel(Protocol):
    def send(self, alert: Alert, lang: str) -> None:
        """Deliver ``alert`` rendered in ``lang`` (``zh``, ``en`` or ``both``), or raise
        ``DeliveryError``; return only when the receiver accepted it."""
        ...


# Field -> the environment variable that sets it.
_ENVIRONMENT = {
    "smtp_host": "SLAENGINE_SMTP_HOST",
    "smtp_port": "SLAENGINE_SMTP_PORT",
    "smtp_starttls": "SLAENGINE_SMTP_STARTTLS",
    "smtp_username": "SLAENGINE_SMTP_USER",
    "smtp_password": "SLAENGINE_SMTP_PASSWORD",
    "smtp_sender": "SLAENGINE_SMTP_FROM",
    "smtp_timeout_seconds": "SLAENGINE_SMTP_TIMEOUT",
    "webhook_timeout_seconds": "SLAENGINE_WEBHOOK_TIMEOUT",
}


class ChannelSettings(BaseModel):
    """Deployment settings shared by every channel: the SMTP relay and network timeouts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "slaengine@localhost"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: False when the deployment names no SMTP relay (``SLAENGINE_SMTP_HOST`` unset): e-mail
    #: channels are then off and their alerts are held in the outbox, not tried.
    smtp_configured: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChannelSettings:
        """Settings from ``SLAENGINE_SMTP_HOST``, ``_PORT``, ``_STARTTLS``, ``_USER``,
        ``_PASSWORD``, ``_FROM``, ``_TIMEOUT`` and ``SLAENGINE_WEBHOOK_TIMEOUT`` (seconds).

        An empty variable counts as unset, so a compose file can list them all.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            field: env[var] for field, var in _ENVIRONMENT.items() if env.get(var)
        }
        values["smtp_configured"] = "smtp_host" in values
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = [
                f"{_ENVIRONMENT[str(error['loc'][0])]}={values[str(error['loc'][0])]!r}: "
                f"{error['msg']}"
                for error in exc.errors()
            ]
            raise SlaError("alert channel settings: " + "; ".join(problems)) from exc
