"""Contacts: who hears which alerts, through which channels (contract/channels.py), and who is
next when nobody acknowledges."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from slaengine.contract.base import Model, Provenance, Text, empty_list
from slaengine.contract.channels import ChannelSpec
from slaengine.durations import Duration

AlertKind = Literal[
    "warning", "breach", "withdrawn", "escalation", "obligation_missed", "warranty_expiring"
]


class Contact(Model):
    """Who hears what, through which channels, and who is next when nobody acknowledges."""

    id: str
    name: Text | None = None
    lang: Literal["zh", "en", "both"] = "both"
    channels: list[ChannelSpec] = Field(default_factory=empty_list)
    kinds: list[AlertKind] = Field(default_factory=empty_list)
    commitments: list[str] = Field(default_factory=empty_list)
    severities: list[str] = Field(default_factory=empty_list)
    escalate_after: Duration | None = None
    next: str | None = None
    source: Provenance = Field(default_factory=empty_list, exclude=True)

    def wants(self, kind: str, commitment: str | None, severity: str | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.commitments and commitment is not None and commitment not in self.commitments:
            return False
        return not (self.severities and severity is not None and severity not in self.severities)
