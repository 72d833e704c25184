"""Replay: accepted events in, the evaluation report out as it is produced.

Theory of operation
-------------------
``write_report`` judges the events ticket by ticket (``slaengine.evaluate.Evaluation``) and
writes the clocks to the output as they are judged, ``_CLOCKS_A_WRITE`` at a time, so memory
holds the events, those few clocks and what pricing needs — the breached clocks (and every
clock of a commitment a clause measures as an on-time rate) — never the whole ``clocks`` list,
which is most of a report. The document is the one ``Report.to_json`` gives (docs/reference.md
§7), key for key and in the same order: the head, the clocks streamed, then the tail (breaches,
money, tickets, obligations, rejected, summary) once every ticket is judged, since money and
caps need all of them. ``--format jsonl`` writes the same content as JSON Lines: one record
per line, ``{"record": "clock", ...}`` as they are judged, then the other records and the
summary.

Times are written by orjson, which formats an aware datetime exactly as ``isoformat`` does
(offsets in hours and minutes, as RFC 3339 has them; the intake refuses offsets with seconds).

A one-shot replay makes millions of small objects and no reference cycles, yet Python's cyclic
garbage collector would walk all of them again and again as they pile up (a fifth of the run,
measured); ``cyclic_gc_paused`` switches it off for the duration and back on afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import IO, Any

import orjson

from slaengine.clocks import BREACHED, Clock
from slaengine.evaluate import Context, Evaluation
from slaengine.events import Event, Rejected
from slaengine.findings import TicketSummary
from slaengine.penalties import measured_commitments
from slaengine.report import Report, head_json

JSON, JSONL = "json", "jsonl"
#: How many clocks ``write_report`` gathers before writing them.
_CLOCKS_A_WRITE = 2000


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block (reference counting still frees)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def judge_streaming(
    context: Context,
    events: Iterable[Event],
    as_of: datetime,
    rejected: Sequence[Rejected] = (),
    duplicates: int = 0,
    each_ticket: Callable[[list[Clock]], None] | None = None,
    keep: Callable[[Clock], bool] | None = None,
    amended: Sequence[Context] = (),
) -> Report:
    """Judge ``events`` ticket by ticket, handing each ticket's clocks to ``each_ticket`` as
    they are judged. The report keeps in ``clocks`` only what pricing needs (breached clocks,
    and every clock of a commitment a clause measures) plus those ``keep`` asks for; its
    ``summary`` counts them all. Its charges are those of the whole evaluation.
    ``amended``: the contexts of an amended contract's versions, oldest first
    (slaengine.evaluate.amended_contexts); each ticket is judged under its own."""
    if amended:
        context = amended[-1]
    evaluation = Evaluation(context, events, as_of, amended)
    measured = frozenset().union(*(measured_commitments(c.contract) for c in amended or [context]))
    kept: list[Clock] = []
    tickets: list[TicketSummary] = []
    counts: dict[str, int] = {}
    for summary, clocks in evaluation.tickets():
        tickets.append(summary)
        for clock in clocks:
            status = clock.status
            counts[status] = counts.get(status, 0) + 1
            if (
                status == BREACHED
                or clock.commitment in measured
                or (keep is not None and keep(clock))
            ):
                kept.append(clock)
        if clocks and each_ticket is not None:
            each_ticket(clocks)
    return evaluation.report(kept, tickets, rejected, duplicates, clock_counts=counts)


def write_report(
    out: IO[bytes],
    context: Context,
    events: Iterable[Event],
    as_of: datetime,
    rejected: Sequence[Rejected] = (),
    duplicates: int = 0,
    fmt: str = JSON,
    amended: Sequence[Context] = (),
) -> Report:
    """Write the report of ``events`` at ``as_of`` to ``out`` as it is produced (``json``: one
    document; ``jsonl``: one record a line). Returns the report with only the clocks pricing
    needs in ``clocks`` (its ``summary`` counts them all): for totals, not to write again.
    ``amended``: as for ``judge_streaming``."""
    head = head_json((amended[-1] if amended else context).contract, as_of)
    lines = fmt == JSONL
    if lines:
        out.write(_record("report", head))
    else:
        out.write(orjson.dumps(head)[:-1] + b',"clocks":[')
    separator = [b""]
    # Clocks are written a few thousand at a time, not ticket by ticket: one orjson call and
    # one write for many tickets (the same bytes; a ticket has about six clocks).
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if not pending:
            return
        if lines:
            out.write(b"".join(_record("clock", fields) for fields in pending))
        else:
            out.write(separator[0] + orjson.dumps(pending)[1:-1])
            separator[0] = b","
        pending.clear()

    def write(clocks: list[Clock]) -> None:
        pending.extend([clock.json_fields() for clock in clocks])
        if len(pending) >= _CLOCKS_A_WRITE:
            flush()

    report = judge_streaming(context, events, as_of, rejected, duplicates, write, amended=amended)
    flush()
    # The breaches repeat their clocks' fields; orjson writes the times as to_json would.
    tail = report.tail_items(clock.json_fields() for clock in report.breaches)
    if lines:
        for chunk in _tail_records(tail):
            out.write(chunk)
    else:
        out.write(b"]")
        for name, value in tail:
            out.write(b"," + orjson.dumps(name) + b":")
            if isinstance(value, Iterator):
                _write_list(out, value)
            else:
                out.write(orjson.dumps(value))
        out.write(b"}\n")
    out.flush()
    return report


def _write_list(out: IO[bytes], items: Iterator[Any], chunk: int = 2000) -> None:
    """A JSON array of ``items``, made and written ``chunk`` at a time."""
    out.write(b"[")
    separator = b""
    while batch := list(islice(items, chunk)):
        out.write(separator + orjson.dumps(batch)[1:-1])
        separator = b","
    out.write(b"]")


def _record(kind: str, data: dict[str, Any]) -> bytes:
    return orjson.dumps({"record": kind, **data}) + b"\n"


#: JSON Lines record names of the report's lists (singular: one record is one item).
_ITEMS = {
    "breaches": "breach",
    "penalties": "penalty",
    "compensation": "compensation",
    "adjustments": "adjustment",
    "remedies": "remedy",
    "unapplied_waivers": "unapplied_waiver",
    "tickets": "ticket",
    "excused": "excused",
    "obligations": "obligation",
    "measures": "measure",
    "rejected": "rejected",
    "warranty_notes": "warranty_note",
}


def _tail_records(tail: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """The tail of the document as records: each list item one line, then the totals and the
    summary (last, so a reader knows the report is complete)."""
    last: list[bytes] = []
    for name, value in tail:
        if isinstance(value, Iterator):
            kind = _ITEMS.get(name, name)
            for item in value:
                yield _record(kind, item if isinstance(item, dict) else {"value": item})
        elif name in ("totals", "summary"):
            last.append(_record(name, value))
        elif isinstance(value, list):
            kind = _ITEMS.get(name, name)
            for item in value:
                yield _record(kind, item if isinstance(item, dict) else {"value": item})
        else:
            yield _record(name, value if isinstance(value, dict) else {"value": value})
    yield from last
