"""Advice on a valid contract: terms that load and run, but probably not as their writer meant.

Errors stop a contract (slaengine.contract.loader); advice does not. ``contract validate``
prints it as warnings, each naming the file, the line and the field like an error does, and
saying what the term really does and how to write what was likely meant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from slaengine.contract.models import Contract

if TYPE_CHECKING:
    from slaengine.contract.loader import LocatedYaml


def contract_advice(contract: Contract, path: Path) -> list[str]:
    """``file:line: field: warning`` for each term that is likely a mistake."""
    located: LocatedYaml | None = None  # the file's lines, read again only to name one
    advice: list[str] = []
    for i, commitment in enumerate(contract.commitments):
        if any(condition.type == "cancelled" for condition in commitment.cancel):
            if located is None:
                # PyYAML is imported only here: a contract from the cache is read without it
                from slaengine.contract.loader import LocatedYaml

                located = LocatedYaml(path, path.read_text(encoding="utf-8"))
            line = located.line_of(("commitments", i, "cancel"))
            advice.append(
                f"{path}:{line}: commitments.{i}.cancel: lists the built-in 'cancelled' (the "
                "ticket is cancelled), which acts as the ticket cancellation, not as this "
                "commitment's own cancel: a clock whose deadline had already passed keeps its "
                "breach. To withdraw such breaches, cancel on an event of the contract's own "
                "(e.g. 'visit_not_needed' under event_types); see docs/clocks.md"
            )
    return advice
