"""Alerts: what the core decided people must hear about, rendered and delivered.

``Alert`` (model) is the record the outbox stores; ``render`` (messages) turns it into a subject
and text in Chinese, English or both; channels (log, email, webhook) deliver it and say whether
the receiver accepted it. Nothing here decides *when* to alert or retries: the core decides, the
outbox and scheduler deliver, retry and mark alerts sent (docs/design.md point 6).
"""

from slaengine.alerts.channels import (
    ENV_WEBHOOK,
    ChannelSpec,
    EmailChannelSpec,
    LogChannelSpec,
    WebhookChannelSpec,
    build_channel,
    env_webhook_channel,
)
from slaengine.alerts.messages import Lang, Message, human_duration, language, render
from slaengine.alerts.model import Alert, AlertKind, Channel, ChannelSettings, DeliveryError

__all__ = [
    "ENV_WEBHOOK",
    "Alert",
    "AlertKind",
    "Channel",
    "ChannelSettings",
    "ChannelSpec",
    "DeliveryError",
    "EmailChannelSpec",
    "Lang",
    "LogChannelSpec",
    "Message",
    "WebhookChannelSpec",
    "build_channel",
    "env_webhook_channel",
    "human_duration",
    "language",
    "render",
]
