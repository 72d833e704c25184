"""The live service: the store, the core and the clock, evaluating what is due as time passes."""

from slaengine.service.live import DueReport, IngestOutcome, LiveService

__all__ = ["DueReport", "IngestOutcome", "LiveService"]
