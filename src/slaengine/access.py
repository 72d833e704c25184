"""Who may do what, on which contract: the one permission table (docs/people.md).

Theory of operation
-------------------
A person's **roles are granted per contract**: ``contract_manager``, ``supervisor``,
``billing`` and ``supplier`` hold on the contracts they were granted on and on no other;
``administrator`` holds everywhere (users, roles, every contract). The two shared tokens of a
single-team deployment keep their meaning: the **operator** token may do everything on every
contract, the **viewer** token may read everything (the actions whose rule names ``viewer``).

``PERMISSIONS`` maps each action to the roles that may take it; nothing else in slaengine
decides who may do what. The API (api/access.py ``requires``), the console and the CLI's
``user`` commands all ask ``Principal.may(action, contract)``. A contract on which a person
holds no role does not exist for them (``Principal.sees``): the API and the console answer
404 for it, exactly as for a contract that is not loaded, so ids do not leak.

This module is pure (no slaengine import, no I/O): the store checks role names with it, the
shell enforces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

CONTRACT_MANAGER = "contract_manager"
SUPERVISOR = "supervisor"
BILLING = "billing"
SUPPLIER = "supplier"
ADMINISTRATOR = "administrator"
#: The shared tokens (api/auth.py): they hold everywhere, like ``administrator``.
OPERATOR = "operator"
VIEWER = "viewer"

#: Which side of the contract a role confirms a statement for (``Principal.parties``).
PARTY_OF_ROLE: Mapping[str, str] = MappingProxyType({SUPPLIER: "supplier", BILLING: "customer"})
#: Roles granted on one contract.
CONTRACT_ROLES: tuple[str, ...] = (CONTRACT_MANAGER, SUPERVISOR, BILLING, SUPPLIER)
#: Roles that hold on every contract: granted to a user (administrator) or proved by a shared
#: token (operator, viewer).
GLOBAL_ROLES: tuple[str, ...] = (ADMINISTRATOR, OPERATOR, VIEWER)
#: What a user may be granted (``slaengine user grant``).
GRANTABLE: tuple[str, ...] = (*CONTRACT_ROLES, ADMINISTRATOR)
#: Where an ``administrator`` grant is kept (it names no contract).
EVERY_CONTRACT = "*"

#: The role names in the console's two languages.
ROLE_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        CONTRACT_MANAGER: ("contract manager", "合同经理"),
        SUPERVISOR: ("supervisor", "主管"),
        BILLING: ("billing", "结算"),
        SUPPLIER: ("supplier", "供应商"),
        ADMINISTRATOR: ("administrator", "管理员"),
        OPERATOR: ("operator", "操作员"),
        VIEWER: ("viewer", "查看者"),
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One action: the roles that may take it (besides ``operator`` and ``administrator``,
    who may take every action), and what it is, in English and Chinese."""

    roles: frozenset[str]
    en: str
    zh: str
    #: Whether the action needs a contract (False: a global action, e.g. managing users).
    per_contract: bool = True


def _rule(roles: tuple[str, ...], en: str, zh: str, per_contract: bool = True) -> Rule:
    return Rule(frozenset(roles), en, zh, per_contract)


_READERS = (VIEWER, *CONTRACT_ROLES)

#: THE permission table: action -> who may take it. ``operator`` and ``administrator`` may take
#: every action; a role not named here may not. Documented in docs/people.md (both languages).
PERMISSIONS: Mapping[str, Rule] = MappingProxyType(
    {
        "contract.read": _rule(
            _READERS,
            "see the contract: its terms, tickets, clocks, breaches, lines, alerts, money, "
            "compliance and warranty",
            "查看合同：条款、工单、时钟、违约、明细、告警、金额、达标率与保修",
        ),
        "statement.read": _rule(
            _READERS, "download the monthly statement (对账单)", "下载月度对账单"
        ),
        "events.post": _rule(
            (CONTRACT_MANAGER,),
            "post ticket events (and waivers) for the contract",
            "提交合同的工单事件（含豁免）",
        ),
        "contract.load": _rule(
            (CONTRACT_MANAGER,), "load a contract version or amendment", "加载合同版本或变更"
        ),
        "contract.rejudge": _rule(
            (CONTRACT_MANAGER,), "re-judge the contract's tickets", "重新判定合同的工单"
        ),
        "breach.waive": _rule((CONTRACT_MANAGER,), "waive a breach or a line", "豁免违约或明细"),
        "alert.acknowledge": _rule(
            (SUPERVISOR, CONTRACT_MANAGER), "acknowledge an alert", "确认告警"
        ),
        "statement.confirm": _rule(
            (BILLING, SUPPLIER), "confirm the monthly statement", "确认月度对账单"
        ),
        "dispute.read": _rule(
            (VIEWER, SUPPLIER, CONTRACT_MANAGER),
            "see the disputes of the contract's lines",
            "查看明细的争议",
        ),
        "dispute.file": _rule(
            (SUPPLIER, CONTRACT_MANAGER),
            "contest a penalty or compensation line",
            "对罚款或补偿明细提出争议",
        ),
        "dispute.decide": _rule(
            (CONTRACT_MANAGER,), "accept or reject a dispute", "接受或驳回争议"
        ),
        "audit.read": _rule(
            (CONTRACT_MANAGER,), "read the contract's audit trail", "查看合同的审计记录"
        ),
        "users.manage": _rule(
            (), "manage users, roles and tokens", "管理用户、角色和令牌", per_contract=False
        ),
        "service.read": _rule(
            (VIEWER, *CONTRACT_ROLES),
            "see the service's state (health, live feed)",
            "查看服务状态（健康、实时推送）",
            per_contract=False,
        ),
        "service.details": _rule(
            (VIEWER,),
            "see /health's details: the work waiting over every contract, the store's and the "
            "alert endpoints' state",
            "查看 /health 的详情：所有合同的待办、存储与告警端点的状态",
            per_contract=False,
        ),
    }
)

#: Who may take every action everywhere.
ALMIGHTY = frozenset({OPERATOR, ADMINISTRATOR})


def rule(action: str) -> Rule:
    """The rule of ``action``; KeyError names an action the table does not have."""
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"no such action {action!r} in slaengine.access.PERMISSIONS") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a shared token's role, or a named user with their grants."""

    #: The user's name, or the shared token's role (``operator``, ``viewer``).
    name: str
    kind: Literal["token", "user"]
    #: Roles that hold on every contract (``operator``, ``viewer``, ``administrator``).
    everywhere: frozenset[str] = frozenset()
    #: contract -> the roles granted on it.
    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The user's id in the store (None for a shared token).
    user_id: int | None = None

    @property
    def almighty(self) -> bool:
        return bool(self.everywhere & ALMIGHTY)

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def roles_on(self, contract: str | None) -> frozenset[str]:
        """Every role that holds on ``contract`` (the global ones included)."""
        granted = self.grants.get(contract, frozenset()) if contract is not None else frozenset()
        return self.everywhere | granted

    def sees(self, contract: str) -> bool:
        """Whether ``contract`` exists for this caller (any role on it, or a global one)."""
        return bool(self.everywhere) or bool(self.grants.get(contract))

    def visible(self) -> frozenset[str] | None:
        """The contracts this caller sees; None: every contract."""
        if self.everywhere:
            return None
        return frozenset(c for c, roles in self.grants.items() if roles)

    def may(self, action: str, contract: str | None = None) -> bool:
        """Whether this caller may take ``action`` (on ``contract``: None for a global action,
        or for a per-contract action anywhere this caller holds one of its roles)."""
        found = rule(action)
        if self.almighty:
            return True
        if self.everywhere & found.roles:
            return True
        if contract is None:
            return any(roles & found.roles for roles in self.grants.values())
        return bool(self.grants.get(contract, frozenset()) & found.roles)

    def where(self, action: str) -> frozenset[str] | None:
        """The contracts on which this caller may take ``action``; None: every contract."""
        found = rule(action)
        if self.almighty or self.everywhere & found.roles:
            return None
        return frozenset(c for c, roles in self.grants.items() if roles & found.roles)

    def parties(self, contract: str) -> frozenset[str]:
        """The sides of ``contract`` whose statement confirmation this caller may record: a
        supplier confirms as the supplier, billing as the customer; the operator token and an
        administrator (who act for either side) may record both."""
        if self.almighty:
            return frozenset(PARTY_OF_ROLE.values())
        roles = self.roles_on(contract)
        return frozenset(party for role, party in PARTY_OF_ROLE.items() if role in roles)

    def role_words(self, lang: str) -> str:
        """The caller's roles in words (``operator``; ``supplier on HT-1, billing on HT-2``)."""
        index = 1 if lang == "zh" else 0
        parts = [ROLE_WORDS.get(r, (r, r))[index] for r in sorted(self.everywhere)]
        for contract in sorted(self.grants):
            for role in sorted(self.grants[contract]):
                on = "：" if index else " on "
                parts.append(f"{ROLE_WORDS.get(role, (role, role))[index]}{on}{contract}")
        return ", ".join(parts) if parts else "—"


def token_principal(role: str) -> Principal:
    """The caller proving a shared token of ``role`` (``operator`` or ``viewer``)."""
    return Principal(role, "token", frozenset({role}))


#: Every caller when no token is configured (``slaengine serve`` then listens on loopback).
NOBODY_ASKED = token_principal(OPERATOR)
