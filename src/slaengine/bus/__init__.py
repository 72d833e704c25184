"""Events from a message bus: NATS JetStream (slaengine.bus.jetstream)."""

from slaengine.bus.jetstream import BusError, ConsumeTotals, JetStreamConsumer, JetStreamSettings

__all__ = ["BusError", "ConsumeTotals", "JetStreamConsumer", "JetStreamSettings"]
