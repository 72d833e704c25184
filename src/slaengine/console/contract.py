"""A contract's page: the commitments and clauses as ``slaengine contract show`` prints them,
with the tender's wording in both languages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.api.access import path, requires
from slaengine.console.page import Console
from slaengine.contract import describe
from slaengine.contract.describe import clause_words, conditions_list
from slaengine.contract.models import Contract
from slaengine.penalties.caps import cap_amount


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render

    @router.get(
        "/console/contracts/{contract}",
        dependencies=[requires("contract.read", path("contract"), page=True)],
    )
    def contract_page(request: Request, contract: str) -> HTMLResponse:
        p = page(request)
        context = p.contracts.get(contract)
        if context is None:
            return render(p, "message.html", status_code=404, text=p.t("not_found"))

        clauses = []
        for clause in context.contract.clauses:
            # the terms in words, as `slaengine contract show` says them (the event is in them)
            words = clause_words(clause, context.contract, "zh" if p.lang == "zh" else "en")
            clauses.append({"clause": clause, "terms": words, "on_event": "—"})
        cap = cap_amount(context.contract.caps.per_contract_year, context.contract.price)
        return render(
            p,
            "contract.html",
            c=context.contract,
            conditions=conditions_list,
            clauses=clauses,
            cap=cap,
            **_terms(context.contract, "zh" if p.lang == "zh" else "en"),
        )


def _terms(contract: Contract, lang: str) -> dict[str, Any]:
    """The rest of the contract in words, as ``slaengine contract show`` says it: the price
    (or that none is given), how each commitment's clocks run, the caps, the warranty, the
    measures and the remedies."""
    caps = contract.caps
    lines = [
        describe.cap_words(scope, cap, contract, lang)
        for scope, cap in (
            ("per_contract_year", caps.per_contract_year),
            ("contract_total", caps.contract_total),
        )
        if cap is not None
    ]
    if caps.rolling is not None:
        lines.append(describe.rolling_cap_words(caps.rolling, contract, lang))
    lines += describe.warranty_words(contract, lang)
    lines += [describe.measure_words(m, lang) for m in contract.measures]
    lines += [f"{r.id}: {describe.remedy_words(r, contract, lang)}" for r in contract.remedies]
    price = (
        f"{contract.price:f} {contract.currency}"
        if contract.price is not None
        else describe.label("no_price", lang).format(currency=contract.currency)
    )
    return {
        "price": price,
        "accepted": str(contract.accepted_on or describe.label("not_given", lang)),
        "how": {c.id: describe.commitment_words(c, lang) for c in contract.commitments},
        "term_lines": lines,
    }
