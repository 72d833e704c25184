"""The circuit breaker of one delivery endpoint (an SMTP relay, a webhook URL).

Theory of operation
-------------------
An endpoint that keeps failing is *parked*: after ``threshold`` failures in a row no alert is
tried on it until ``parked_until``; then one alert is tried (half-open). Success closes the
breaker; another failure parks it again, twice as long (up to ``ceiling``). Parking and recovery
are logged once each, and the first failure of a run once, so a relay that is down for an hour
writes three lines, not one per alert. Alerts of a parked endpoint stay pending in the outbox:
nothing is dropped, and no other endpoint waits for this one (each has its own worker).

No I/O and no clock of its own: callers pass ``now``. Thread-safe (a lock per breaker).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

logger = logging.getLogger("slaengine.outbox")


class Breaker:
    def __init__(
        self, endpoint: str, threshold: int = 3, base: float = 2.0, ceiling: float = 60.0
    ) -> None:
        self.endpoint = endpoint
        self.threshold = threshold
        self.base = base
        self.ceiling = ceiling
        self.failures = 0
        self.parked_until: datetime | None = None
        self.last_error: str | None = None
        self.sent = 0
        self._lock = threading.Lock()

    def allows(self, now: datetime) -> bool:
        """May an alert be tried on the endpoint now?"""
        with self._lock:
            return self.parked_until is None or now >= self.parked_until

    def succeeded(self) -> None:
        with self._lock:
            if self.parked_until is not None:
                logger.warning("alert endpoint %s is back: delivering again", self.endpoint)
            elif self.failures:
                logger.info("alert endpoint %s delivered after %d failure(s)", self.endpoint,
                            self.failures)  # fmt: skip
            self.failures = 0
            self.parked_until = None
            self.last_error = None
            self.sent += 1

    def failed(self, now: datetime, error: str) -> None:
        with self._lock:
            self.failures += 1
            self.last_error = error
            if self.failures == 1:
                logger.warning("alert via %s not delivered (will retry): %s", self.endpoint, error)
            if self.failures < self.threshold:
                return
            wait = min(self.base * 2 ** (self.failures - self.threshold), self.ceiling)
            if self.parked_until is None:
                logger.warning(
                    "alert endpoint %s parked after %d failures in a row (%s); its alerts wait "
                    "in the outbox and are tried again every %g s at most, other endpoints go on",
                    self.endpoint,
                    self.failures,
                    error,
                    self.ceiling,
                )
            self.parked_until = now + timedelta(seconds=wait)

    def state(self) -> dict[str, Any]:
        """What /health shows for the endpoint."""
        with self._lock:
            return {
                "endpoint": self.endpoint,
                "state": "parked" if self.parked_until is not None else "ok",
                "failures_in_a_row": self.failures,
                "retry_at": self.parked_until.isoformat() if self.parked_until else None,
                "last_error": self.last_error,
                "sent": self.sent,
            }
