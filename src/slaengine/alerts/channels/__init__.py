"""Where alerts go: one channel kind per module, chosen by name in the contract.

A contact's channel is written as data (``{kind: email, to: [...]}``); ``ChannelSpec`` validates
it, picking the spec class by ``kind``, and ``build_channel`` turns it into something with
``send``. Each module here holds one kind — its spec (what a contract may say, and ``build``) and
its channel (how it delivers) — so adding a kind is a new module and one entry in
``ChannelSpec``; the other kinds never change.

Language: ``send(alert, lang)`` renders in the language it is given (the contact's ``lang``),
unless the channel spec names its own ``lang`` — one contact may want mail in Chinese and the
group chat bilingual.

Besides the contacts' channels, docs/reference.md §7 sends every alert to the webhook named by
``SLAENGINE_ALERT_WEBHOOK``; ``env_webhook_channel`` builds that one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, ValidationError

from slaengine.alerts.channels.email import EmailChannel, EmailChannelSpec
from slaengine.alerts.channels.log import LogChannel, LogChannelSpec
from slaengine.alerts.channels.webhook import WebhookChannel, WebhookChannelSpec, WebhookFormat
from slaengine.alerts.model import Channel, ChannelSettings
from slaengine.errors import SlaError

ChannelSpec = Annotated[
    LogChannelSpec | EmailChannelSpec | WebhookChannelSpec, Field(discriminator="kind")
]

ENV_WEBHOOK = "SLAENGINE_ALERT_WEBHOOK"


def build_channel(spec: ChannelSpec, settings: ChannelSettings) -> Channel:
    """The channel a contact's ``spec`` describes, using the deployment's ``settings``."""
    return spec.build(settings)


def env_webhook_channel(
    settings: ChannelSettings | None = None, environ: Mapping[str, str] | None = None
) -> Channel | None:
    """The json webhook of ``SLAENGINE_ALERT_WEBHOOK`` that receives every alert, if it is set."""
    env = os.environ if environ is None else environ
    url = env.get(ENV_WEBHOOK)
    if not url:
        return None
    try:
        spec = WebhookChannelSpec(url=url, format="json")
    except ValidationError as exc:
        raise SlaError(f"{ENV_WEBHOOK}={url!r}: {exc.errors()[0]['msg']}") from exc
    return spec.build(settings or ChannelSettings.from_env(env))


__all__ = [
    "ENV_WEBHOOK",
    "Channel",
    "ChannelSettings",
    "ChannelSpec",
    "EmailChannel",
    "EmailChannelSpec",
    "LogChannel",
    "LogChannelSpec",
    "WebhookChannel",
    "WebhookChannelSpec",
    "WebhookFormat",
    "build_channel",
    "env_webhook_channel",
]
