"""What a contract may say about a contact's channels: data only (issues 23 and 25).

A contact's channel is written as data (``{kind: email, to: [...]}``); ``ChannelSpec`` validates
it, picking the spec class by ``kind``. How an alert is sent through a channel (SMTP, HTTP, the
log) is the alert layer's business: ``slaengine.alerts.channels`` reads these specs and builds the
channel of each kind. The contract language owns the words, the alerts own the delivery, so
loading a contract (every command does) never imports the mail and HTTP machinery.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The languages an alert can be written in (a contact's, or a channel's own).
Lang = Literal["zh", "en", "both"]

WebhookFormat = Literal["json", "wecom", "dingtalk", "slack"]


class LogChannelSpec(BaseModel):
    """Alerts written to the ``slaengine.alerts`` logger."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    kind: Literal["log"] = "log"
    #: Language of the log lines; None follows the contact's language.
    lang: Lang | None = None


class EmailChannelSpec(BaseModel):
    """One mail per alert to ``to``, through the deployment's SMTP relay."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    kind: Literal["email"] = "email"
    to: list[str] = Field(min_length=1)
    #: Language of the mail; None follows the contact's language.
    lang: Lang | None = None

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address.strip("@"):
                raise ValueError(f"{address!r} is not a mail address (name@example.com)")
        return value


class WebhookChannelSpec(BaseModel):
    """One HTTP POST per alert to ``url``, in the body shape ``format`` names."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    kind: Literal["webhook"] = "webhook"
    url: str
    format: WebhookFormat = "json"
    #: Language of the message; None follows the contact's language.
    lang: Lang | None = None
    #: Extra request headers, e.g. an ``Authorization`` token the receiver expects.
    headers: dict[str, str] = {}

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        import httpx  # here, not at the top: only a contract with a webhook pays for it

        try:
            url = httpx.URL(value)
        except httpx.InvalidURL as exc:
            raise ValueError(f"{value!r} is not a URL: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://example.com/hook")
        return value


ChannelSpec = Annotated[
    LogChannelSpec | EmailChannelSpec | WebhookChannelSpec, Field(discriminator="kind")
]
