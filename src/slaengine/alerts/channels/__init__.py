"""Where alerts go: one channel kind per module, chosen by name in the contract.

A contact's channel is written as data (``{kind: email, to: [...]}``); the contract layer owns
that data (``slaengine.contract.channels``: ``ChannelSpec`` validates it, picking the spec class
by ``kind``), and ``build_channel`` here turns it into something with ``send``. Each module here
holds how one kind delivers — its channel, and ``build``, ``endpoint`` and ``off`` for its spec —
so adding a kind is a spec in contract/channels.py, a new module here and one entry in
``_KINDS``; the other kinds never change.

Language: ``send(alert, lang)`` renders in the language it is given (the contact's ``lang``),
unless the channel spec names its own ``lang`` — one contact may want mail in Chinese and the
group chat bilingual.

Besides the contacts' channels, docs/reference.md §7 sends every alert to the webhook named by
``SLAENGINE_ALERT_WEBHOOK``; ``env_webhook_channel`` builds that one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType

from pydantic import ValidationError

from slaengine.alerts.channels import email, log, webhook
from slaengine.alerts.channels.email import EmailChannel
from slaengine.alerts.channels.log import LogChannel
from slaengine.alerts.channels.webhook import WebhookChannel
from slaengine.alerts.model import Channel, ChannelSettings
from slaengine.contract.channels import (
    ChannelSpec,
    EmailChannelSpec,
    LogChannelSpec,
    WebhookChannelSpec,
    WebhookFormat,
)
from slaengine.errors import SlaError

ENV_WEBHOOK = "SLAENGINE_ALERT_WEBHOOK"

#: Each spec kind → the module that delivers it (``build``, ``endpoint``, ``off``).
_KINDS: dict[str, ModuleType] = {"log": log, "email": email, "webhook": webhook}


def build_channel(spec: ChannelSpec, settings: ChannelSettings) -> Channel:
    """The channel a contact's ``spec`` describes, using the deployment's ``settings``."""
    channel: Channel = _KINDS[spec.kind].build(spec, settings)
    return channel


def channel_endpoint(spec: ChannelSpec, settings: ChannelSettings) -> str:
    """Where ``spec``'s alerts go (one delivery queue and breaker per endpoint)."""
    name: str = _KINDS[spec.kind].endpoint(spec, settings)
    return name


def channel_off(spec: ChannelSpec, settings: ChannelSettings) -> str | None:
    """Why ``spec``'s channel cannot send at all in this deployment, or None."""
    why: str | None = _KINDS[spec.kind].off(spec, settings)
    return why


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
    return webhook.build(spec, settings or ChannelSettings.from_env(env))


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
    "channel_endpoint",
    "channel_off",
    "env_webhook_channel",
]
