"""Writes examples/demo-month.jsonl: October 2026 of contract HT-2026-017.

Deterministic (seeded) so the demo shows the same month every time. Thirty ordinary tickets with
a realistic spread of response times (most on time, some late), then the cases a contract
manager asks about, each named in its ticket id: a remote fix, a reclassification, a customer
pause, a cancelled ticket, factory repairs over the National Day holidays, emergencies, a reopened
fault, a force-majeure typhoon, cost claims, a site violation, inspections, and a few bad lines
that the replay must reject and report (never drop).

Run: python examples/make_demo.py > examples/demo-month.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

CST = timezone(timedelta(hours=8))
CONTRACT = "HT-2026-017"
ASSETS = ["U1", "U2", "U1-KP1", "U2-KP1", "U1-P1", "U2-P1"]


class Stream:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def event(
        self,
        ticket: str | None,
        kind: str,
        at: datetime,
        n: int,
        **extra: Any,
    ) -> None:
        data: dict[str, Any] = {
            "id": f"{ticket or 'C'}-{n:02d}",
            "contract": CONTRACT,
            "type": kind,
            "at": at.isoformat(),
        }
        if ticket is not None:
            data["ticket"] = ticket
        data.update(extra)
        self.lines.append(json.dumps(data, ensure_ascii=False))

    def raw(self, text: str) -> None:
        self.lines.append(text)


def minutes(
    rng: random.Random, usual: tuple[float, float], late: tuple[float, float], late_share: float
) -> timedelta:
    low, high = late if rng.random() < late_share else usual
    return timedelta(seconds=round(rng.uniform(low, high) * 60))


def ordinary(stream: Stream, rng: random.Random, number: int) -> None:
    ticket = f"T-{number:03d}"
    severity = rng.choices(["general", "major"], weights=[4, 1])[0]
    asset = rng.choice(ASSETS)
    day = 1 + (number * 29) // 30
    reported = datetime(
        2026, 10, day, rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59), tzinfo=CST
    )
    n = 0

    def emit(kind: str, at: datetime, **extra: Any) -> None:
        nonlocal n
        n += 1
        stream.event(ticket, kind, at, n, **extra)

    emit(
        "reported",
        reported,
        severity=severity,
        asset=asset,
        attrs={"caller": rng.choice(["站务员", "值班站长", "control room"])},
    )
    ack = reported + minutes(rng, (0.5, 2.8), (3.5, 6), 0.15)
    emit("acknowledged", ack)
    dispatched = reported + minutes(rng, (5, 14), (16, 22), 0.1)
    emit("dispatched", dispatched)
    arrived = reported + minutes(rng, (16, 29), (33, 58), 0.2)
    emit("arrived", arrived)
    fix = (10, 28) if severity == "general" else (25, 58)
    late_fix = (35, 80) if severity == "general" else (65, 140)
    resolved = arrived + minutes(rng, fix, late_fix, 0.2)
    emit("resolved", resolved)
    emit("report_submitted", resolved + minutes(rng, (40, 170), (190, 300), 0.1))
    emit("callback_done", resolved + minutes(rng, (120, 1300), (1500, 1800), 0.1))


def specials(stream: Stream) -> None:
    def at(day: int, hour: int, minute: int, second: int = 0, month: int = 10) -> datetime:
        return datetime(2026, month, day, hour, minute, second, tzinfo=CST)

    # Fixed by phone guidance: nobody had to come, so dispatch and on-site clocks are cancelled.
    t = "T-REMOTE"
    stream.event(t, "reported", at(3, 10, 0), 1, severity="general", asset="U1")
    stream.event(t, "acknowledged", at(3, 10, 1, 30), 2)
    stream.event(t, "resolved", at(3, 10, 42), 3, attrs={"remote": True})
    stream.event(t, "report_submitted", at(3, 11, 30), 4)
    stream.event(t, "callback_done", at(4, 9, 0), 5)

    # A general fault that turns out major: the 1-hour repair clock starts at the arrival.
    t = "T-RECLASS"
    stream.event(t, "reported", at(6, 14, 0), 1, severity="general", asset="U2-KP1")
    stream.event(t, "acknowledged", at(6, 14, 2), 2)
    stream.event(t, "dispatched", at(6, 14, 9), 3)
    stream.event(t, "arrived", at(6, 14, 27), 4)
    stream.event(
        t,
        "reclassified",
        at(6, 14, 50),
        5,
        severity="major",
        attrs={"reason": "主控制板烧毁 / main board burnt"},
    )
    stream.event(t, "resolved", at(6, 15, 20), 6)
    stream.event(t, "report_submitted", at(6, 17, 5), 7)
    stream.event(t, "callback_done", at(7, 10, 0), 8)

    # The customer closes the site for 40 minutes (peak hour): that time does not count.
    t = "T-PAUSE"
    stream.event(t, "reported", at(9, 7, 40), 1, severity="general", asset="U1-P1")
    stream.event(t, "acknowledged", at(9, 7, 41), 2)
    stream.event(t, "dispatched", at(9, 7, 48), 3)
    stream.event(
        t, "paused", at(9, 7, 50), 4, attrs={"reason": "早高峰封站 / station closed at peak"}
    )
    stream.event(t, "resumed", at(9, 8, 30), 5)
    stream.event(t, "arrived", at(9, 8, 45), 6)
    stream.event(t, "resolved", at(9, 9, 5), 7)
    stream.event(t, "report_submitted", at(9, 10, 0), 8)
    stream.event(t, "callback_done", at(9, 16, 0), 9)

    # A false alarm, cancelled before anyone arrived.
    t = "T-CANCEL"
    stream.event(t, "reported", at(11, 19, 0), 1, severity="general", asset="U2")
    stream.event(t, "acknowledged", at(11, 19, 2), 2)
    stream.event(t, "cancelled", at(11, 19, 9), 3, attrs={"reason": "误报 / false alarm"})

    # Factory repair over the National Day holidays: 3 working days from Wed 30 Sep 10:00 end
    # on the make-up working day Saturday 10 Oct 10:00. Returned at 09:30: met.
    t = "T-FACTORY-1"
    stream.event(t, "reported", at(30, 9, 0, month=9), 1, severity="general", asset="U1-KP1")
    stream.event(t, "acknowledged", at(30, 9, 1, month=9), 2)
    stream.event(t, "dispatched", at(30, 9, 6, month=9), 3)
    stream.event(t, "arrived", at(30, 9, 25, month=9), 4)
    stream.event(t, "sent_to_factory", at(30, 10, 0, month=9), 5)
    stream.event(
        t, "resolved", at(30, 9, 50, month=9), 6, attrs={"note": "备件替换 / spare fitted"}
    )
    stream.event(t, "report_submitted", at(30, 11, 0, month=9), 7)
    stream.event(t, "callback_done", at(1, 10, 0), 8)
    stream.event(t, "returned_from_factory", at(10, 9, 30), 9)

    # Factory repair sent Monday 12 Oct 14:00, due Thursday 15 Oct 14:00, back Friday 11:00.
    t = "T-FACTORY-2"
    stream.event(t, "reported", at(12, 11, 0), 1, severity="general", asset="U2-KP1")
    stream.event(t, "acknowledged", at(12, 11, 2), 2)
    stream.event(t, "dispatched", at(12, 11, 5), 3)
    stream.event(t, "arrived", at(12, 11, 28), 4)
    stream.event(t, "resolved", at(12, 11, 50), 5)
    stream.event(t, "sent_to_factory", at(12, 14, 0), 6)
    stream.event(t, "report_submitted", at(12, 13, 0), 7)
    stream.event(t, "callback_done", at(13, 9, 0), 8)
    stream.event(t, "returned_from_factory", at(16, 11, 0), 9)

    # Emergencies: a plan within 5 minutes, and one that took 7.
    t = "T-EMERG-1"
    stream.event(t, "reported", at(14, 8, 0), 1, severity="emergency", asset="U1")
    stream.event(t, "acknowledged", at(14, 8, 0, 40), 2)
    stream.event(t, "plan_provided", at(14, 8, 4), 3)
    stream.event(t, "dispatched", at(14, 8, 5), 4)
    stream.event(t, "arrived", at(14, 8, 22), 5)
    stream.event(t, "resolved", at(14, 9, 10), 6)
    stream.event(t, "report_submitted", at(14, 11, 0), 7)
    stream.event(t, "callback_done", at(15, 9, 0), 8)
    t = "T-EMERG-2"
    stream.event(t, "reported", at(17, 22, 10), 1, severity="emergency", asset="U2")
    stream.event(t, "acknowledged", at(17, 22, 12), 2)
    stream.event(t, "plan_provided", at(17, 22, 17), 3)
    stream.event(t, "dispatched", at(17, 22, 14), 4)
    stream.event(t, "arrived", at(17, 22, 39), 5)
    stream.event(t, "resolved", at(17, 23, 30), 6)
    stream.event(t, "report_submitted", at(18, 1, 0), 7)
    stream.event(t, "callback_done", at(18, 15, 0), 8)

    # The fault comes back two days later: a second cycle with its own clocks.
    t = "T-REOPEN"
    stream.event(t, "reported", at(19, 9, 30), 1, severity="general", asset="U1-KP1")
    stream.event(t, "acknowledged", at(19, 9, 31), 2)
    stream.event(t, "dispatched", at(19, 9, 40), 3)
    stream.event(t, "arrived", at(19, 9, 55), 4)
    stream.event(t, "resolved", at(19, 10, 15), 5)
    stream.event(t, "report_submitted", at(19, 11, 0), 6)
    stream.event(t, "callback_done", at(19, 15, 0), 7)
    stream.event(t, "reopened", at(21, 13, 0), 8, attrs={"reason": "故障复现 / fault is back"})
    stream.event(t, "acknowledged", at(21, 13, 5), 9)
    stream.event(t, "dispatched", at(21, 13, 9), 10)
    stream.event(t, "arrived", at(21, 13, 50), 11)
    stream.event(
        t,
        "part_replaced",
        at(21, 14, 10),
        12,
        asset="U1-KP1",
        attrs={"new_serial": "KP1-2026-1021"},
    )
    stream.event(t, "resolved", at(21, 14, 15), 13)
    stream.event(t, "report_submitted", at(21, 16, 0), 14)
    stream.event(t, "callback_done", at(22, 10, 0), 15)

    # Typhoon warning: the city closes roads for four hours; nobody is charged for that time.
    stream.event(
        None,
        "force_majeure",
        at(20, 14, 0),
        1,
        attrs={"until": at(20, 18, 0).isoformat(), "reason": "台风红色预警 / typhoon red alert"},
    )
    t = "T-TYPHOON"
    stream.event(t, "reported", at(20, 15, 0), 1, severity="general", asset="U2-P1")
    stream.event(t, "acknowledged", at(20, 15, 2), 2)
    stream.event(t, "dispatched", at(20, 15, 10), 3)
    stream.event(t, "arrived", at(20, 18, 20), 4)
    stream.event(t, "resolved", at(20, 18, 45), 5)
    stream.event(t, "report_submitted", at(20, 20, 0), 6)
    stream.event(t, "callback_done", at(21, 9, 0), 7)

    # Nobody answered for 6 minutes and the engineer came 52 minutes after the call: the
    # supplier bears the customer's costs (C-costs), besides the penalties.
    t = "T-COSTS"
    stream.event(t, "reported", at(23, 6, 10), 1, severity="major", asset="U2")
    stream.event(t, "acknowledged", at(23, 6, 16), 2)
    stream.event(t, "dispatched", at(23, 6, 20), 3)
    stream.event(t, "arrived", at(23, 7, 2), 4)
    stream.event(
        t,
        "cost_claimed",
        at(23, 9, 0),
        5,
        attrs={"amount": "3500.00", "reason": "临时接驳巴士 / replacement buses"},
    )
    stream.event(t, "resolved", at(23, 7, 50), 6)
    stream.event(t, "report_submitted", at(23, 10, 0), 7)
    stream.event(t, "callback_done", at(24, 10, 0), 8)

    # An engineer smoked in the equipment room: 1% of the contract price.
    stream.event(
        None,
        "site_violation",
        at(22, 11, 0),
        2,
        asset="U1",
        attrs={"reason": "设备间吸烟 / smoking in the equipment room"},
    )
    # The quarterly inspections of the period starting 15 Oct.
    stream.event(None, "inspection_done", at(27, 10, 0), 3, asset="U1")
    stream.event(None, "inspection_done", at(27, 14, 0), 4, asset="U2")

    # Reported late on the last evening: still open at the end of the month.
    t = "T-OPEN"
    stream.event(t, "reported", at(31, 23, 40), 1, severity="general", asset="U1")
    stream.event(t, "acknowledged", at(31, 23, 41), 2)


def main() -> None:
    rng = random.Random(2026)
    stream = Stream()
    for number in range(1, 31):
        ordinary(stream, rng, number)
    specials(stream)
    # Real streams arrive out of order: shuffle within the month (the engine sorts by `at`).
    body = stream.lines
    rng.shuffle(body)
    # The same event twice is a no-op; the same id with other content is a conflict.
    body.append(body[0])
    first = json.loads(body[1])
    first["at"] = (datetime.fromisoformat(first["at"]) + timedelta(minutes=1)).isoformat()
    body.append(json.dumps(first, ensure_ascii=False))
    # Bad input is kept and reported, never dropped.
    body.append(
        '{"id": "BAD-1", "contract": "HT-2026-017", "ticket": "T-BAD", "type": "reported", '
        '"severity": "general", "at": "2026-10-05T10:00:00"}'
    )
    body.append(
        '{"id": "BAD-2", "contract": "HT-2026-017", "ticket": "T-BAD", "type": "reported", '
        '"severity": "critical", "at": "2026-10-05T10:00:00+08:00"}'
    )
    body.append('{"id": "BAD-3", "contract": "HT-2026-017", "ticket": "T-BAD", "type": "arrived"')
    # The year's earlier quarterly inspections (periods from 15 Jan, 15 Apr, 15 Jul), so the
    # month shows the inspection obligation kept; appended last, so no line number moves.
    earlier = Stream()
    for n, (month, unit) in enumerate(
        [(month, unit) for month in (2, 5, 8) for unit in ("U1", "U2")], start=5
    ):
        at = datetime(2026, month, 20, 10 if unit == "U1" else 14, 0, tzinfo=CST)
        earlier.event(None, "inspection_done", at, n, asset=unit)
    body.extend(earlier.lines)
    sys.stdout.write("\n".join(body) + "\n")


if __name__ == "__main__":
    main()
