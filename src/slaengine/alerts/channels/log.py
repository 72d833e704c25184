"""The log channel: alerts written to the ``slaengine.alerts`` logger.

Useful where no mail relay or chat is reachable (a demo, a first deployment) and as the record an
operator can grep. Logging has no receiver that could refuse, so ``send`` never raises
``DeliveryError``. Breaches, escalations and missed obligations are logged as warnings, the rest
(warnings before a deadline, withdrawn breaches, warranty reminders) as information.
"""

from __future__ import annotations

import logging

from slaengine.alerts.messages import Lang, language, render
from slaengine.alerts.model import Alert, ChannelSettings
from slaengine.contract.channels import LogChannelSpec

logger = logging.getLogger("slaengine.alerts")

_WARNING_KINDS = frozenset({"breach", "escalation", "obligation_missed"})


def endpoint(spec: LogChannelSpec, settings: ChannelSettings) -> str:
    return "log"


def off(spec: LogChannelSpec, settings: ChannelSettings) -> str | None:
    return None


def build(spec: LogChannelSpec, settings: ChannelSettings) -> LogChannel:
    return LogChannel(lang=spec.lang)


class LogChannel:
    def __init__(self, lang: Lang | None = None) -> None:
        self.lang = lang

    def send(self, alert: Alert, lang: str) -> None:
        message = render(alert, self.lang or language(lang))
        level = logging.WARNING if alert.kind in _WARNING_KINDS else logging.INFO
        logger.log(level, "%s", message.text)
