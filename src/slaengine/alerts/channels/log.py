"""The log channel: alerts written to the ``slaengine.alerts`` logger.

Useful where no mail relay or chat is reachable (a demo, a first deployment) and as the record an
operator can grep. Logging has no receiver that could refuse, so ``send`` never raises
``DeliveryError``. Breaches, escalations and missed obligations are logged as warnings, the rest
(warnings before a deadline, withdrawn breaches, warranty reminders) as information.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict

from slaengine.alerts.messages import Lang, language, render
from slaengine.alerts.model import Alert, ChannelSettings

logger = logging.getLogger("slaengine.alerts")

_WARNING_KINDS = frozenset({"breach", "escalation", "obligation_missed"})


class LogChannelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["log"] = "log"
    #: Language of the log lines; None follows the contact's language.
    lang: Lang | None = None

    def endpoint(self, settings: ChannelSettings) -> str:
        return "log"

    def off(self, settings: ChannelSettings) -> str | None:
        return None

    def build(self, settings: ChannelSettings) -> LogChannel:
        return LogChannel(lang=self.lang)


class LogChannel:
    def __init__(self, lang: Lang | None = None) -> None:
        self.lang = lang

    def send(self, alert: Alert, lang: str) -> None:
        message = render(alert, self.lang or language(lang))
        level = logging.WARNING if alert.kind in _WARNING_KINDS else logging.INFO
        logger.log(level, "%s", message.text)
