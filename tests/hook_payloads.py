"""One ticket's life as each helpdesk would post it, and the events it means, written by hand.

The payloads follow each system's documented shape (docs/connectors.md names the versions);
their contents are made up here. ``life(system, number, t0)`` gives the deliveries in the order
they happened, each ``(headers, body)``; ``expected(system, ticket, t0)`` the events a person
would write for the same life, for ``POST /events`` - so a test can compare the two.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

CONTRACT = "HT-2026-017"
SECRETS = {
    "zammad": "zammad-signing-secret",
    "jira": "jira-webhook-secret",
    "glpi": "glpi-webhook-secret-0123456789abcdef0123",
    "servicenow": "servicenow-shared-token",
}
ENV = {
    "SLAENGINE_ZAMMAD_SECRET": SECRETS["zammad"],
    "SLAENGINE_JIRA_SECRET": SECRETS["jira"],
    "SLAENGINE_GLPI_SECRET": SECRETS["glpi"],
    "SLAENGINE_SERVICENOW_TOKEN": SECRETS["servicenow"],
}
SYSTEMS = ("zammad", "jira", "glpi", "servicenow")

Delivery = tuple[dict[str, str], dict[str, Any]]

#: Minutes after t0 of each step of the life.
REPLY, ASSIGN, WAIT, BACK, PRIORITY, SOLVED, REOPEN = 2, 5, 10, 20, 25, 40, 60


def _after(t0: datetime) -> Callable[[int], datetime]:
    """The moment so many minutes after ``t0``."""

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    return at


def _z(moment: datetime) -> str:  # Zammad: UTC with milliseconds and Z
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _jira(moment: datetime) -> str:  # Jira: local time, milliseconds, offset without colon
    return moment.astimezone(datetime.now().astimezone().tzinfo).strftime("%Y-%m-%dT%H:%M:%S.000%z")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _sn(moment: datetime) -> str:  # ServiceNow Table API: UTC, no offset
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _glpi(moment: datetime) -> str:
    return moment.isoformat()


def sign(system: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers the system would add to prove ``body`` is its own."""
    secret = SECRETS[system].encode()
    if system == "zammad":
        return {"X-Hub-Signature": "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()}
    if system == "jira":
        return {"X-Hub-Signature": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()}
    if system == "glpi":
        assert timestamp is not None
        mac = hmac.new(secret, body + str(timestamp).encode(), hashlib.sha256).hexdigest()
        return {"X-GLPI-signature": mac, "X-GLPI-timestamp": str(timestamp)}
    return {"X-Slaengine-Token": SECRETS["servicenow"]}


def hmac_b64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# -- Zammad: the whole ticket after each change (a trigger per action) --------------------------


def _zammad_ticket(number: str, t0: datetime, at: datetime, **fields: Any) -> dict[str, Any]:
    ticket = {
        "id": 90000 + int(number) % 1000,
        "number": number,
        "title": "Escalator 3 stops between floors",
        "group": "Metro maintenance",
        "state": "new",
        "state_id": 1,
        "priority": "1 low",
        "priority_id": 1,
        "owner_id": 1,
        "customer_id": 7,
        "article_count": 1,
        "created_at": _z(t0),
        "updated_at": _z(at),
        "first_response_at": None,
        "close_at": None,
        "pending_time": None,
    }
    ticket.update(fields)
    return ticket


def _zammad(trigger: str, ticket: dict[str, Any], article: dict[str, Any] | None) -> Delivery:
    body: dict[str, Any] = {"ticket": ticket, "article": article or {}}
    return {"X-Zammad-Trigger": trigger, "X-Zammad-Delivery": f"d-{ticket['updated_at']}"}, body


def zammad_life(number: str, t0: datetime) -> list[Delivery]:
    m = _after(t0)
    answered = {"first_response_at": _z(m(REPLY))}
    return [
        _zammad(
            "slaengine created",
            _zammad_ticket(number, t0, t0),
            {"sender": "Customer", "internal": False, "type": "phone", "created_at": _z(t0)},
        ),
        _zammad(  # an internal note: not a reply (first_response_at stays empty)
            "slaengine updated",
            _zammad_ticket(number, t0, m(1), state="open"),
            {"sender": "Agent", "internal": True, "type": "note", "created_at": _z(m(1))},
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(number, t0, m(REPLY), state="open", article_count=3, **answered),
            {"sender": "Agent", "internal": False, "type": "email", "created_at": _z(m(REPLY))},
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(number, t0, m(ASSIGN), state="open", owner_id=12, **answered),
            None,
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(
                number,
                t0,
                m(WAIT),
                state="pending reminder",
                owner_id=12,
                pending_time=_z(m(WAIT + 60)),
                **answered,
            ),
            None,
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(number, t0, m(BACK), state="open", owner_id=12, **answered),
            {"sender": "Customer", "internal": False, "type": "email", "created_at": _z(m(BACK))},
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(
                number,
                t0,
                m(PRIORITY),
                state="open",
                owner_id=12,
                priority="2 normal",
                priority_id=2,
                **answered,
            ),
            None,
        ),
        _zammad(
            "slaengine updated",
            _zammad_ticket(
                number,
                t0,
                m(SOLVED),
                state="closed",
                owner_id=12,
                priority="2 normal",
                close_at=_z(m(SOLVED)),
                **answered,
            ),
            None,
        ),
        _zammad(  # the customer writes again: Zammad opens the closed ticket
            "slaengine updated",
            _zammad_ticket(
                number,
                t0,
                m(REOPEN),
                state="open",
                owner_id=12,
                priority="2 normal",
                close_at=_z(m(SOLVED)),
                **answered,
            ),
            {"sender": "Customer", "internal": False, "type": "email", "created_at": _z(m(REOPEN))},
        ),
    ]


# -- Jira Cloud / JSM: an event name, the issue, and for updates the changelog ------------------


def _jira_issue(key: str, t0: datetime, priority: str) -> dict[str, Any]:
    return {
        "id": "10" + key.split("-")[1],
        "key": key,
        "fields": {
            "summary": "Escalator 3 stops between floors",
            "created": _jira(t0),
            "priority": {"id": "3", "name": priority},
            "status": {"name": "Open"},
            "issuetype": {"name": "Incident"},
        },
    }


def _jira_update(
    key: str, t0: datetime, at: datetime, priority: str, *items: tuple[str, str | None, str]
) -> Delivery:
    return {}, {
        "timestamp": _ms(at),
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian"},
        "issue": _jira_issue(key, t0, priority),
        "changelog": {
            "id": str(_ms(at)),
            "items": [
                {"field": name, "fieldtype": "jira", "fromString": old, "toString": new}
                for name, old, new in items
            ],
        },
    }


def _jira_comment(key: str, t0: datetime, at: datetime, public: bool, kind: str) -> Delivery:
    return {}, {
        "timestamp": _ms(at),
        "webhookEvent": "comment_created",
        "issue": _jira_issue(key, t0, "Medium"),
        "comment": {
            "id": str(_ms(at)),
            "body": "We have someone on the way.",
            "author": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": kind},
            "created": _jira(at),
            "jsdPublic": public,
        },
    }


def jira_life(key: str, t0: datetime) -> list[Delivery]:
    m = _after(t0)
    return [
        (
            {},
            {
                "timestamp": _ms(t0),
                "webhookEvent": "jira:issue_created",
                "issue_event_type_name": "issue_created",
                "issue": _jira_issue(key, t0, "Medium"),
            },
        ),
        _jira_comment(key, t0, m(1), public=False, kind="atlassian"),  # internal: not a reply
        _jira_comment(key, t0, m(REPLY), public=True, kind="atlassian"),
        _jira_update(key, t0, m(ASSIGN), "Medium", ("assignee", None, "Li Wei")),
        _jira_update(key, t0, m(WAIT), "Medium", ("status", "In Progress", "Waiting for customer")),
        _jira_update(key, t0, m(BACK), "Medium", ("status", "Waiting for customer", "In Progress")),
        _jira_update(key, t0, m(PRIORITY), "High", ("priority", "Medium", "High")),
        _jira_update(
            key,
            t0,
            m(SOLVED),
            "High",
            ("status", "In Progress", "Resolved"),
            ("resolution", None, "Done"),
        ),
        _jira_update(key, t0, m(REOPEN), "High", ("status", "Resolved", "In Progress")),
    ]


# -- GLPI 11: {"event", "item"} with the item as the API v2 shows it ----------------------------


def _glpi_ticket(
    ticket_id: int, t0: datetime, at: datetime, status: int, priority: int = 3
) -> dict[str, Any]:
    names = {1: "New", 2: "Processing (assigned)", 4: "Pending", 5: "Solved"}
    return {
        "id": ticket_id,
        "name": "Escalator 3 stops between floors",
        "content": "The escalator stopped with people on it.",
        "is_deleted": False,
        "type": 1,
        "status": {"id": status, "name": names[status]},
        "urgency": priority,
        "impact": 3,
        "priority": priority,
        "date": _glpi(t0),
        "date_creation": _glpi(t0),
        "date_mod": _glpi(at),
        "entity": {"id": 0, "name": "Root entity"},
        "team": [],
    }


def _glpi_followup(ticket_id: int, at: datetime, private: bool) -> dict[str, Any]:
    return {
        "id": 4400 + int(at.timestamp()) % 100,
        "itemtype": "Ticket",
        "items_id": ticket_id,
        "content": "An engineer is looking at it.",
        "is_private": private,
        "date_creation": _glpi(at),
        "date_mod": _glpi(at),
    }


def glpi_life(number: str, t0: datetime) -> list[Delivery]:
    ticket_id = int(number)
    m = _after(t0)
    return [
        ({}, {"event": "new", "item": _glpi_ticket(ticket_id, t0, t0, 1)}),
        ({}, {"event": "new", "item": _glpi_followup(ticket_id, m(1), private=True)}),
        ({}, {"event": "new", "item": _glpi_followup(ticket_id, m(REPLY), private=False)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(ASSIGN), 2)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(WAIT), 4)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(BACK), 2)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(PRIORITY), 2, 4)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(SOLVED), 5, 4)}),
        ({}, {"event": "update", "item": _glpi_ticket(ticket_id, t0, m(REOPEN), 2, 4)}),
    ]


# -- ServiceNow: the incident record with the Table API's field names ---------------------------


def _incident(number: str, t0: datetime, at: datetime, count: int, **fields: Any) -> dict[str, Any]:
    record = {
        "sys_id": "9d385017c611228701d22104cc95c371",
        "number": number,
        "short_description": "Escalator 3 stops between floors",
        "state": "1",
        "incident_state": "1",
        "priority": "4",
        "impact": "2",
        "urgency": "3",
        "opened_at": _sn(t0),
        "sys_created_on": _sn(t0),
        "sys_updated_on": _sn(at),
        "sys_mod_count": str(count),
        "assigned_to": "",
        "assignment_group": {
            "link": "https://x.service-now.com/api/now/table/sys_user_group/1",
            "value": "1",
        },
        "hold_reason": "",
        "resolved_at": "",
        "closed_at": "",
        "reopen_count": "0",
        "reopened_time": "",
        "comments": "",
        "work_notes": "",
    }
    record.update(fields)
    return record


def servicenow_life(number: str, t0: datetime) -> list[Delivery]:
    m = _after(t0)
    engineer = {"link": "https://x.service-now.com/api/now/table/sys_user/6816", "value": "6816"}
    high = {"priority": "2", "urgency": "1"}
    return [
        ({}, _incident(number, t0, t0, 0)),
        ({}, _incident(number, t0, m(1), 1, work_notes="checked the logs")),  # internal
        ({}, _incident(number, t0, m(REPLY), 2, comments="An engineer is on the way.")),
        ({}, _incident(number, t0, m(ASSIGN), 3, state="2", assigned_to=engineer)),
        ({}, _incident(number, t0, m(WAIT), 4, state="3", hold_reason="1", assigned_to=engineer)),
        ({}, _incident(number, t0, m(BACK), 5, state="2", assigned_to=engineer)),
        ({}, _incident(number, t0, m(PRIORITY), 6, state="2", assigned_to=engineer, **high)),
        (
            {},
            _incident(
                number,
                t0,
                m(SOLVED),
                7,
                state="6",
                assigned_to=engineer,
                resolved_at=_sn(m(SOLVED)),
                **high,
            ),
        ),
        (
            {},
            _incident(
                number,
                t0,
                m(REOPEN),
                8,
                state="2",
                assigned_to=engineer,
                resolved_at=_sn(m(SOLVED)),
                reopen_count="1",
                reopened_time=_sn(m(REOPEN)),
                **high,
            ),
        ),
    ]


LIVES = {
    "zammad": zammad_life,
    "jira": jira_life,
    "glpi": glpi_life,
    "servicenow": servicenow_life,
}
NUMBERS = {"zammad": "31001", "jira": "SUP-7", "glpi": "812", "servicenow": "INC0010023"}
#: The systems whose reopen the mapping recognises only against the stored history (``after:``):
#: their reopen must be delivered after the close it reopens.
AFTER_CLOSE = {"zammad", "glpi"}


def expected(system: str, ticket: str, t0: datetime) -> list[dict[str, Any]]:
    """The events a person would post for the same life (ids of their own)."""
    after = _after(t0)

    def m(minutes: int) -> str:
        return after(minutes).isoformat()

    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("reported", t0.isoformat(), {"severity": "general"}),
        ("acknowledged", m(REPLY), {}),
        ("dispatched", m(ASSIGN), {}),
        ("paused", m(WAIT), {}),
        ("resumed", m(BACK), {}),
        ("reclassified", m(PRIORITY), {"severity": "major"}),
        ("resolved", m(SOLVED), {}),
    ]
    steps.append(("reopened", m(REOPEN), {}))
    return [
        {
            "id": f"{ticket}-{n}",
            "contract": CONTRACT,
            "ticket": ticket,
            "type": kind,
            "at": at,
            **extra,
        }
        for n, (kind, at, extra) in enumerate(steps)
    ]


def body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
