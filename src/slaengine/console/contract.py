"""A contract's page: the commitments and clauses as ``slaengine contract show`` prints them,
with the tender's wording in both languages.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.cli.render import conditions_text
from slaengine.console.page import Console
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
            terms = clause.model_dump(
                exclude={"id", "name", "kind", "on_event"}, exclude_none=True, exclude_defaults=True
            )
            clauses.append(
                {
                    "clause": clause,
                    "terms": ", ".join(f"{k}={v}" for k, v in terms.items()),
                    "on_event": conditions_text(clause.on_event),
                }
            )
        cap = cap_amount(context.contract.caps.per_contract_year, context.contract.price)
        return render(
            p,
            "contract.html",
            c=context.contract,
            conditions=conditions_text,
            clauses=clauses,
            cap=cap,
        )
