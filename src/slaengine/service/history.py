"""Storing a history file: its lines parsed in worker processes while this one stores them.

Theory of operation
-------------------
``slaengine ingest`` stores a file of events in transactions of ``chunk`` lines. Each is two
halves (slaengine.store.repository): *preparing* the lines — decoding, checking and parsing
each, working out its fingerprint — which is Python work and reads nothing but the contract
versions; and *storing* them — the insert, the duplicates and conflicts sorted out against what
the store holds, the tickets marked. One interpreter runs one thread at a time, so on
PostgreSQL with ``processes`` of 2 or more the preparing is done by that many worker processes
forked from this one, a few chunks ahead, while this process stores the chunks they have
prepared, **in the file's order** (so ``seq`` follows it as when one process does both; a
chunk is stored only after every chunk before it). What is stored is what ``Store.add_events``
stores for the same chunks: the same two halves, the same order. On SQLite (one writer, the
database inside this process) and where the platform cannot fork, one process does both.

``on_chunk`` hears each chunk's ``AddResult`` and the bytes it held (progress, counts, the
events kept for judging: slaengine.service.history_events). What a chunk leaves alive is then
kept out of the garbage collector's full walks until the load ends (``_settle``).

Transaction boundary: one transaction per chunk (``Store.add_prepared``); a worker only reads.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import fields
from itertools import islice
from operator import attrgetter
from typing import Any

from slaengine.events import Event, Rejected
from slaengine.store import AddResult, Store
from slaengine.store.events import Prepared

#: Chunks handed to the workers ahead of the one being stored, per worker.
AHEAD = 2

#: The store the forked workers prepare with (set in the parent just before the fork).
_STORE: Store | None = None


def store_history(
    store: Store,
    lines: Iterator[tuple[int, bytes]],
    source: str,
    chunk: int,
    on_chunk: Callable[[AddResult, int], None],
    processes: int = 0,
) -> None:
    """Store the numbered ``lines`` (JSON text), ``chunk`` a transaction, in order (see the
    module doc); ``on_chunk`` hears each chunk stored."""
    chunks = _chunks(lines, chunk)
    try:
        if processes < 2 or not store.is_postgres or not _can_fork():
            for part in chunks:
                on_chunk(store.add_events(part, source, raw=True), _size(part))
                _settle()
            return
        _store_forked(store, chunks, source, on_chunk, processes)
    finally:
        gc.unfreeze()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _settle() -> None:
    """What a stored chunk left alive (the events kept for judging, by the hundred thousand)
    is kept out of the garbage collector's full walks: measured, 16 of them over a load of
    200,000 events took 5.7 s, each walking every event kept so far. The young generations
    are collected first, so only the chunk's garbage cycles that outlived them stay behind
    until the load ends (``gc.unfreeze``)."""
    gc.collect(1)
    gc.freeze()


def _store_forked(
    store: Store,
    chunks: Iterator[list[tuple[int, bytes]]],
    source: str,
    on_chunk: Callable[[AddResult, int], None],
    processes: int,
) -> None:
    global _STORE
    _warm(store)
    # No connection of this process is shared with a worker (one would end the other's
    # session): the pool is closed before the fork, and each side opens its own after.
    store.engine.dispose()
    _STORE = store
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=_start
    )
    waiting: deque[tuple[Future[Packed], int]] = deque()
    try:
        for part in chunks:
            waiting.append((pool.submit(_prepare, part), _size(part)))
            if len(waiting) > AHEAD * processes:
                _store_first(store, waiting, source, on_chunk)
        while waiting:
            _store_first(store, waiting, source, on_chunk)
    finally:
        # Stopped (Ctrl-C, the database gone): the chunks not stored are dropped; what was
        # committed stays (a second run of the same file stores the rest, once).
        pool.shutdown(wait=True, cancel_futures=True)
        _STORE = None


def _store_first(
    store: Store,
    waiting: deque[tuple[Future[Packed], int]],
    source: str,
    on_chunk: Callable[[AddResult, int], None],
) -> None:
    future, size = waiting.popleft()
    on_chunk(store.add_prepared(_unpack(future.result()), source), size)
    _settle()


def _warm(store: Store) -> None:
    """The contracts' evaluation contexts built once here, before the fork, rather than by
    each worker (and, through this process, by the judging workers forked later)."""
    with store.sessions() as session:
        for contract in sorted({row.contract for row in store.versions(session)}):
            newest = store.version_in_effect(session, contract, None)
            if newest is not None:
                store.context(newest)
            store.versions_in_force(session, contract)


def _start() -> None:
    """A forked worker begins with a pool of connections of its own."""
    assert _STORE is not None
    _STORE.engine.dispose(close=False)


#: An event as a worker sends it back: its fields in ``Event``'s order, a plain tuple (made and
#: pickled in C; a dataclass with slots is pickled field by field in Python, 2.5x the cost).
_FIELDS = attrgetter(*(item.name for item in fields(Event)))

#: What a worker sends back: ``Prepared`` with each event as its fields.
Packed = tuple[list[tuple[int, Any, str | None]], dict[int, str], dict[int, str]]


def _prepare(part: list[tuple[int, bytes]]) -> Packed:
    assert _STORE is not None
    with _STORE.sessions() as session:
        prepared = _STORE.prepare_events(session, part, raw=True)
    items = [
        (position, _FIELDS(outcome) if isinstance(outcome, Event) else outcome, contract)
        for position, outcome, contract in prepared.items
    ]
    return items, prepared.texts, prepared.prints


def _unpack(packed: Packed) -> Prepared:
    items, texts, prints = packed
    return Prepared(
        [
            (position, outcome if isinstance(outcome, Rejected) else Event(*outcome), contract)
            for position, outcome, contract in items
        ],
        texts,
        prints,
    )


def _chunks(lines: Iterator[tuple[int, bytes]], size: int) -> Iterator[list[tuple[int, bytes]]]:
    while part := list(islice(lines, size)):
        yield part


def _size(part: list[tuple[int, bytes]]) -> int:
    return sum(len(text) for _, text in part)
