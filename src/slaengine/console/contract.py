"""A contract's page: the commitments and clauses as ``slaengine contract show`` prints them,
with the tender's wording in both languages.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.console.page import Console
from slaengine.contract.describe import clause_words, conditions_list
from slaengine.penalties.caps import cap_amount


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render

    @router.get("/console/contracts/{contract}")
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
        )
