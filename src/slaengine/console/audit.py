"""The audit page: the audit trail (slaengine.audit.trail), filtered by contract, kind, who and
time, newest first, with the chain's state and the filtered records to download (CSV, JSON).
Operators only, as ``GET /audit``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from slaengine.api.access import requires, visible
from slaengine.audit import trail
from slaengine.audit.filters import filters_of, to_csv
from slaengine.console.page import Console
from slaengine.console.words import WORDS

#: Records shown on the page (the download has them all).
SHOWN = 500

WORDS.update(
    {
        "audit": ("Audit trail", "审计记录"),
        "audit_who": ("Who", "操作人"),
        "audit_via": ("Through", "途径"),
        "audit_origin": ("From", "来源"),
        "audit_subject": ("Subject", "对象"),
        "audit_since": ("Since", "起"),
        "audit_until": ("Until", "止"),
        "audit_chain_ok": ("The chain is whole", "记录链完整"),
        "audit_chain_broken": ("The chain is broken", "记录链已被破坏"),
        "audit_head": ("Newest record", "最新记录"),
        "audit_export": ("Download", "下载"),
        "audit_shown": ("newest shown", "显示最新"),
        "audit_kind_acknowledged": ("acknowledged", "确认告警"),
        "audit_kind_waiver": ("waiver", "豁免"),
        "audit_kind_contract_loaded": ("contract loaded", "加载合同"),
        "audit_kind_contract_amended": ("contract amended", "合同变更"),
        "audit_kind_rejudge": ("re-judge", "重新评估"),
        "audit_kind_signed_in": ("signed in", "登录"),
        "audit_kind_sign_in_failed": ("sign-in failed", "登录失败"),
        "audit_kind_statement_confirmed": ("statement confirmed", "确认对账单"),
        "audit_kind_user_created": ("user created", "创建用户"),
        "audit_kind_user_disabled": ("user disabled", "停用用户"),
        "audit_kind_user_enabled": ("user enabled", "启用用户"),
        "audit_kind_password_changed": ("password changed", "修改密码"),
        "audit_kind_role_granted": ("role granted", "授予角色"),
        "audit_kind_role_revoked": ("role revoked", "撤销角色"),
        "audit_kind_token_issued": ("token issued", "签发令牌"),
        "audit_kind_token_revoked": ("token revoked", "吊销令牌"),
    }
)


def add_routes(router: APIRouter, console: Console) -> None:
    store = console.store
    page = console.page
    render = console.render

    def chosen(request: Request) -> tuple[dict[str, str], trail.Filters | str]:
        asked = {
            name: request.query_params.get(name, "")
            for name in ("contract", "kind", "who", "since", "until")
        }
        try:
            given = {name: value or None for name, value in asked.items()}
            found = filters_of(
                given["contract"], given["kind"], given["who"], given["since"], given["until"]
            )
            return asked, replace(found, within=visible(request, "audit.read"))
        except ValueError as exc:
            return asked, str(exc)

    @router.get("/console/audit", dependencies=[requires("audit.read", page=True)])
    def audit_page(request: Request) -> HTMLResponse:
        p = page(request)
        asked, filters = chosen(request)
        if isinstance(filters, str):
            return render(p, "message.html", status_code=422, text=filters)
        with store.sessions() as session:
            rows = trail.records(session, filters, SHOWN, newest_first=True)
            verdict = trail.verify(session)
        views: list[dict[str, Any]] = [
            {"row": row, "details": json.loads(row.details or "{}")} for row in rows
        ]
        return render(
            p,
            "audit.html",
            records=views,
            asked=asked,
            kinds=trail.KINDS,
            verdict=verdict,
            shown=SHOWN,
        )

    @router.get("/console/audit/export", dependencies=[requires("audit.read", page=True)])
    def audit_export(request: Request, format: str = "csv") -> Response:
        p = page(request)
        _, filters = chosen(request)
        if isinstance(filters, str) or format not in ("csv", "json"):
            text = filters if isinstance(filters, str) else "format: use csv or json"
            return render(p, "message.html", status_code=422, text=text)
        with store.sessions() as session:
            rows = trail.records(session, filters)
        if format == "csv":
            data, media = to_csv(rows), "text/csv; charset=utf-8"
        else:
            body = [trail.record_json(row) for row in rows]
            data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
            media = "application/json"
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="audit.{format}"'},
        )
