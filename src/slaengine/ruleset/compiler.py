"""Contract → durable_rules rule set (its JSON form), one per contract version.

Every condition a contract declares becomes one rule whose action names a transition from a
fixed registry (``Action``): start/stop/cancel/pause/resume a commitment's clock, charge a
clause triggered by an event, meet an obligation. The evaluation core never interprets
conditions itself; it asks the rule set which actions an event triggers (see matcher.py).

Limits measured in docs/design.md shape this: no condition on the reserved field ``id`` (the model
refuses it), and about 480 rules per rule set is the practical ceiling, so a contract that
would compile to more is refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slaengine.contract.models import (
    Condition,
    Contract,
    CostsClause,
    WarrantyExtensionClause,
    measure_roles,
)
from slaengine.errors import ContractError

MAX_RULES = 480

#: The target of the warranty's own actions (``repair_start``, ``repair_end``).
WARRANTY = "warranty"

#: The clock roles a commitment's conditions can play, in the order an event applies them:
#: a stop or cancel closes the old clock before a start opens a new one.
ROLES = ("stop", "cancel", "pause", "resume", "start")


@dataclass(frozen=True, slots=True, order=True)
class Action:
    """A transition an event causes. ``kind`` is a role, ``charge``, ``meet``, ``extend``,
    ``claim`` (a cost claim a ``costs`` clause pays), or a measure's ``down``, ``restored``
    or ``scored_by``."""

    kind: str
    target: str  # commitment, clause or obligation id

    def encode(self) -> str:
        return f"{self.kind}|{self.target}"

    @classmethod
    def decode(cls, name: str) -> Action:
        kind, _, target = name.partition("|")
        return cls(kind, target)


def condition_json(condition: Condition) -> dict[str, Any]:
    """One condition in durable_rules' JSON form (nested fields as dotted names)."""
    tests = [{path: value} for path, value in condition.fields().items()]
    return tests[0] if len(tests) == 1 else {"$and": tests}


def contract_actions(contract: Contract) -> list[tuple[Action, list[Condition]]]:
    """Every action the contract defines, with the conditions that trigger it."""
    actions: list[tuple[Action, list[Condition]]] = []
    for commitment in contract.commitments:
        for role in ROLES:
            conditions = getattr(commitment, role)
            if conditions:
                actions.append((Action(role, commitment.id), conditions))
    for clause in contract.clauses:
        if clause.on_event:
            kind = "extend" if isinstance(clause, WarrantyExtensionClause) else "charge"
            actions.append((Action(kind, clause.id), clause.on_event))
        if isinstance(clause, CostsClause):
            actions.append((Action("claim", clause.id), clause.claim))
    for obligation in contract.obligations:
        actions.append((Action("meet", obligation.id), obligation.met_by))
    for measure in contract.measures:
        # measures.py reads these: a fault taking an asset down, its restoration, a score
        for role in measure_roles(measure):
            actions.append((Action(role, measure.id), getattr(measure, role)))
    for remedy in contract.remedies:
        # remedies.py reads these: a repair of an asset, the remedy done
        actions.append((Action("repairs", remedy.id), remedy.repairs))
        actions.append((Action("done_by", remedy.id), remedy.done_by))
        if remedy.repair_time is not None:  # and where a repair's time begins
            actions.append((Action("repair_from", remedy.id), remedy.repair_from))
    repairs = contract.warranty.extend_by_repairs if contract.warranty is not None else None
    if repairs is not None:
        # warranty.py reads these: a repair's time, which the cover does not count
        actions.append((Action("repair_start", WARRANTY), repairs.from_))
        actions.append((Action("repair_end", WARRANTY), repairs.until))
    return actions


def compile_ruleset(contract: Contract) -> dict[str, Any]:
    """The rules of one rule set: ``{rule_name: {"all": [{"m": ...}], "run": action}}``."""
    rules: dict[str, Any] = {}
    for action, conditions in contract_actions(contract):
        for i, condition in enumerate(conditions):
            rules[f"r{len(rules)}_{action.kind}_{i}"] = {
                "all": [{"m": condition_json(condition)}],
                "run": action.encode(),
            }
    if len(rules) > MAX_RULES:
        raise ContractError(
            contract.id,
            [
                f"contract {contract.id} compiles to {len(rules)} rules; one rule set holds at "
                f"most {MAX_RULES} (split the contract or merge conditions into lists)"
            ],
        )
    return rules


def tested_fields(contract: Contract) -> dict[str, tuple[str, ...]]:
    """Per event type, the fields some condition tests beyond ``type`` (the matcher's cache key)."""
    fields: dict[str, set[str]] = {}
    for _, conditions in contract_actions(contract):
        for condition in conditions:
            paths = fields.setdefault(condition.type, set())
            paths.update(path for path in condition.fields() if path != "type")
    return {event_type: tuple(sorted(paths)) for event_type, paths in fields.items()}
