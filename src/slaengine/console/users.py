"""The users page (administrators only): every user with their roles per contract and their
tokens; create a user, grant and revoke roles, disable and enable, set a password.

Every change goes through slaengine.store.users (one transaction with its audit record, under
the administrator's name). The role names and what each may do are slaengine.access's, shown
in the page's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from slaengine.access import GRANTABLE, PERMISSIONS, ROLE_WORDS
from slaengine.api.access import actor, requires
from slaengine.api.problems import form_body
from slaengine.console.page import Console
from slaengine.console.words import WORDS
from slaengine.store.users import UsersError, UserStore

WORDS.update(
    {
        "users_title": ("Users and roles", "用户与角色"),
        "user_add": ("Add a user", "添加用户"),
        "user_roles": ("Roles", "角色"),
        "user_tokens": ("API tokens", "API 令牌"),
        "user_disabled": ("disabled", "已停用"),
        "user_active": ("active", "启用中"),
        "user_disable": ("Disable", "停用"),
        "user_enable": ("Enable", "启用"),
        "user_grant": ("Grant", "授予"),
        "user_revoke": ("Revoke", "撤销"),
        "user_set_password": ("Set password", "设置密码"),
        "user_every_contract": ("every contract", "所有合同"),
        "user_none": ("No users yet.", "尚无用户。"),
        "user_done": ("Saved.", "已保存。"),
        "permissions": ("Who may do what", "角色权限"),
        "action": ("Action", "操作"),
        "role": ("Role", "角色"),
    }
)

#: The changes the page's forms post (``/console/users/<change>``).
_CHANGES = frozenset({"add", "grant", "revoke", "disable", "enable", "password"})


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    users = UserStore(console.store)
    manage = [requires("users.manage", page=True)]

    @router.get("/console/users", dependencies=manage)
    def users_page(request: Request) -> HTMLResponse:
        p = page(request)
        return render(
            p,
            "users.html",
            users=users.users(),
            grantable=GRANTABLE,
            role_words=ROLE_WORDS,
            permissions=PERMISSIONS,
            lang_index=1 if p.lang == "zh" else 0,
        )

    @router.post("/console/users/{change}", dependencies=manage)
    async def change_user(request: Request, change: str) -> Response:
        p = page(request)
        if change not in _CHANGES:
            return render(p, "message.html", status_code=404, text=p.t("not_found"))
        form = await form_body(request, "user form")

        def field(name: str) -> str:
            return (form.get(name) or [""])[0].strip()

        who = actor(request, None, via="console")
        name = field("name")

        def changed() -> Any:
            if change == "add":
                return users.add(name, (form.get("password") or [""])[0], who)
            if change == "password":
                return users.set_password(name, (form.get("password") or [""])[0], who)
            if change in ("disable", "enable"):
                return users.set_disabled(name, change == "disable", who)
            contract = field("contract") or None
            if change == "grant":
                return users.grant(name, field("role"), contract, who)
            return users.revoke(name, field("role"), contract, who)

        try:
            await run_in_threadpool(changed)
        except UsersError as exc:
            return render(p, "message.html", status_code=422, text=str(exc))
        return RedirectResponse("/console/users", status_code=303)
