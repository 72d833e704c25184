"""Asking a contract's durable_rules rule set which actions an event triggers.

An event is asserted as a *fact* and retracted at once: a fact fires every rule it matches,
whereas a posted event is consumed by the first matching rule only (docs/design.md, measured). The
set of actions depends only on the event's type and the few fields the contract's conditions
test, so the answer is cached per distinct shape: durable_rules decides once per shape and the
hot path stays a dictionary lookup. No state is left in the rule engine between calls.

durable_rules' C layer has no locks and rule set names cannot be registered twice, so one
process-wide host is used behind a lock, and a rule set is registered once per contract version
(named by the contract's fingerprint).
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from slaengine.contract.fingerprint import contract_fingerprint
from slaengine.contract.models import Contract
from slaengine.ruleset.compiler import (
    ROLES,
    Action,
    compile_ruleset,
    contract_actions,
    tested_fields,
)


def _new_host() -> Any:
    """A durable_rules host whose actions only record their names for the current call.

    durable_rules (its C engine, ~25 ms to load) is imported here, when a rule set is first
    asked: compiling and counting rules (``contract validate``) never needs it.

    durable_rules' ``Host`` starts two timer chains at birth (``_run``): every 0.2 s, for ever, a
    new thread that asks each rule set for pending actions and due timers — ten threads a second
    in every process that ever matched an event, and one more per rule set registered. This host
    needs neither: its actions run within ``assert_fact`` (``_flush_actions`` completes each and
    starts the next, in the caller's thread, under ``_lock``), it sets no durable_rules timers and
    keeps no state between calls. So ``_run`` starts nothing (issue 23: an idle process sleeps),
    and no thread of durable_rules' own calls its C layer (which has no locks) beside ``_ask``."""
    from durable.engine import Host

    class _Host(Host):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.fired: list[str] = []

        def _run(self) -> None:
            """No dispatch threads (see ``_new_host``)."""

        def get_action(self, action_name: str) -> Any:
            def record(_context: Any) -> None:
                self.fired.append(action_name)

            return record

    return _Host()


_lock = threading.Lock()
_host: Any = None
_registered: set[str] = set()
_matchers: dict[str, Matcher] = {}
#: The matcher of a contract object already asked about, by its identity (a fingerprint is a
#: JSON dump of the whole contract, ~2 ms: too dear to pay per priced ticket).
_by_object: dict[int, tuple[weakref.ref[Contract], Matcher]] = {}


def _the_host() -> Any:
    global _host
    if _host is None:
        _host = _new_host()
    return _host


class Matcher:
    """Which actions (start/stop/... a commitment, charge a clause, meet an obligation) an event
    triggers under one contract version."""

    def __init__(self, contract: Contract, fingerprint: str | None = None) -> None:
        self.contract = contract
        # ``fingerprint``: the contract's, if the caller has it already (a JSON dump of the
        # whole contract; ``matcher_for`` computed it to look the matcher up).
        self.ruleset = f"c{fingerprint or contract_fingerprint(contract)}"
        self.rules = compile_ruleset(contract)
        self._fields = tested_fields(contract)
        #: Answers by (type, tested values), for types whose conditions test more than the type.
        self._cache: dict[tuple[Any, ...], tuple[Action, ...]] = {}
        #: Answers for types whose conditions test nothing else (most), by type, once asked:
        #: a caller may look here first and skip ``match`` (the walk's hot path does).
        self.by_type: dict[str, tuple[Action, ...]] = {}
        with _lock:
            if self.ruleset not in _registered:
                _the_host().set_rulesets({self.ruleset: self.rules})
                _registered.add(self.ruleset)

    def match(
        self,
        event_type: str,
        severity: str | None = None,
        asset: str | None = None,
        ticket: str | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> tuple[Action, ...]:
        """The actions, in the order they apply (stop, cancel, pause, resume, start, others)."""
        paths = self._fields.get(event_type)
        if paths is None:  # no condition names this type: nothing can match
            self.by_type[event_type] = ()
            return ()
        if not paths:  # only the type is tested (most types): the type is the whole key
            found = self.by_type.get(event_type)
            if found is None:
                found = self.by_type[event_type] = self._decide({"type": event_type})
            return found
        values: dict[str, Any] = {"severity": severity, "asset": asset, "ticket": ticket}
        attrs = attrs or {}
        key: list[Any] = [event_type]
        tested: list[tuple[str, str, Any]] = []
        for path in paths:
            head, _, tail = path.partition(".")
            value = attrs.get(tail) if tail else values.get(head)
            key.append(
                value
                if isinstance(value, str | int | float | bool | None)
                else json.dumps(value, sort_keys=True)
            )
            tested.append((head, tail, value))
        cache_key = tuple(key)
        found = self._cache.get(cache_key)
        if found is None:
            fact: dict[str, Any] = {"type": event_type}
            for head, tail, value in tested:
                if value is None:
                    continue
                if tail:
                    fact.setdefault("attrs", {})[tail] = value
                else:
                    fact[head] = value
            found = self._cache[cache_key] = self._decide(fact)
        return found

    def _decide(self, fact: dict[str, Any]) -> tuple[Action, ...]:
        return tuple(sorted(self._ask(fact), key=_apply_order))

    def types_for(self, kinds: Iterable[str]) -> frozenset[str]:
        """The event types some condition of an action of these kinds names: an event of any
        other type can trigger none of them (a filter before asking, never the decision)."""
        wanted = set(kinds)
        return frozenset(
            condition.type
            for action, conditions in contract_actions(self.contract)
            if action.kind in wanted
            for condition in conditions
        )

    def _ask(self, fact: dict[str, Any]) -> frozenset[Action]:
        with _lock:
            host = _the_host()
            host.fired = []
            try:
                host.assert_fact(self.ruleset, fact)
            except _not_handled():
                return frozenset()  # no rule matches this shape (nothing was asserted)
            host.retract_fact(self.ruleset, fact)
            fired = host.fired
            host.fired = []
        return frozenset(Action.decode(name) for name in fired)

    def post_raw(self, fact: dict[str, Any]) -> None:
        """Post one event to the rule set as durable_rules does natively (benchmarks only)."""
        with _lock:
            host = _the_host()
            host.post(self.ruleset, fact)
            host.fired = []


def _not_handled() -> type[Exception]:
    from durable.engine import MessageNotHandledException

    exception: type[Exception] = MessageNotHandledException
    return exception


def _apply_order(action: Action) -> tuple[int, str]:
    kind = action.kind
    return (ROLES.index(kind) if kind in ROLES else len(ROLES), action.target)


def matcher_for(contract: Contract) -> Matcher:
    """The (cached) matcher of a contract version: by the object's identity, else by its
    fingerprint (an equal contract read again shares the matcher)."""
    held = _by_object.get(id(contract))
    if held is not None and held[0]() is contract:
        return held[1]
    key = contract_fingerprint(contract)
    found = _matchers.get(key)
    if found is None:
        found = Matcher(contract, key)
        _matchers[key] = found
    ident = id(contract)
    # The callback holds the table itself: at interpreter exit the module's globals are None.
    table = _by_object
    _by_object[ident] = (weakref.ref(contract, lambda _: table.pop(ident, None)), found)
    return found
