"""People: the users store (SQLite and PostgreSQL), the permission table, and the
``slaengine user`` commands as a subprocess, with their audit records verified by
``slaengine audit verify``. Routes and pages per role: tests/test_people_routes.py."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from slaengine.access import (
    ADMINISTRATOR,
    CONTRACT_ROLES,
    GRANTABLE,
    PERMISSIONS,
    Principal,
    token_principal,
)
from slaengine.audit import trail
from slaengine.audit.records import AuditRecord
from slaengine.clock import FixedClock
from slaengine.store import Store
from slaengine.store.user_tables import User, UserToken
from slaengine.store.users import UsersError, UserStore

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
CLI = [sys.executable, "-m", "slaengine"]
PASSWORD = "correct horse battery"
ADMIN = trail.Actor("root", "cli", "root@host")


def _records(store: Store) -> list[AuditRecord]:
    with store.sessions() as session:
        return trail.records(session, trail.Filters())


def test_the_users_store(db_url: str) -> None:
    clock = FixedClock(T0)
    store = Store.open(db_url, clock)
    try:
        users = UserStore(store)
        users.add("li.wei", PASSWORD, ADMIN)
        with pytest.raises(UsersError, match="exists already"):
            users.add("li.wei", PASSWORD, ADMIN)
        with pytest.raises(UsersError, match="at least 10 characters"):
            users.add("wang", "short", ADMIN)
        with pytest.raises(UsersError, match="no spaces"):
            users.add("wang fang", PASSWORD, ADMIN)
        with store.sessions() as session:
            stored = session.scalars(select(User.password_hash)).one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored

        # roles per contract, administrator on every contract
        assert users.grant("li.wei", "supplier", "HT-A", ADMIN) is True
        assert users.grant("li.wei", "supplier", "HT-A", ADMIN) is False  # held already
        with pytest.raises(UsersError, match="use one of"):
            users.grant("li.wei", "admin", None, ADMIN)
        with pytest.raises(UsersError, match="name the contract"):
            users.grant("li.wei", "billing", None, ADMIN)
        with pytest.raises(UsersError, match="every contract"):
            users.grant("li.wei", ADMINISTRATOR, "HT-A", ADMIN)
        with pytest.raises(UsersError, match="no user 'nobody'"):
            users.grant("nobody", "billing", "HT-A", ADMIN)

        found = users.authenticate("li.wei", PASSWORD)
        assert found is not None
        principal, _ = found
        assert principal.name == "li.wei" and principal.is_user
        assert principal.sees("HT-A") and not principal.sees("HT-B")
        assert principal.may("dispute.file", "HT-A") and not principal.may("dispute.file", "HT-B")
        assert not principal.may("alert.acknowledge", "HT-A")
        assert principal.visible() == frozenset({"HT-A"})
        assert users.authenticate("li.wei", "wrong password!") is None
        assert users.authenticate("nobody", PASSWORD) is None

        # tokens: shown once, kept hashed, revocable
        ident, secret = users.issue_token("li.wei", "help desk", ADMIN)
        assert secret.startswith("slau_") and len(secret) == 48
        with store.sessions() as session:
            kept = session.scalars(select(UserToken.secret_hash)).one()
        assert secret not in kept and len(kept) == 64
        by_token = users.by_token(secret)
        assert by_token is not None and by_token.name == "li.wei"
        assert users.by_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert users.revoke_token("li.wei", ident, ADMIN) is True
        assert users.revoke_token("li.wei", ident, ADMIN) is False
        assert users.by_token(secret) is None
        with pytest.raises(UsersError, match="has no token 99"):
            users.revoke_token("li.wei", 99, ADMIN)

        # disabled: no sign-in, no token; enabled again
        _, second = users.issue_token("li.wei", "ci", ADMIN)
        assert users.set_disabled("li.wei", True, ADMIN) is True
        assert users.set_disabled("li.wei", True, ADMIN) is False
        assert users.authenticate("li.wei", PASSWORD) is None
        assert users.by_token(second) is None
        assert users.set_disabled("li.wei", False, ADMIN) is True
        assert users.by_token(second) is not None

        # a new password: the old one stops working
        users.set_password("li.wei", "another long password", ADMIN)
        assert users.authenticate("li.wei", PASSWORD) is None
        assert users.authenticate("li.wei", "another long password") is not None

        assert users.revoke("li.wei", "supplier", "HT-A", ADMIN) is True
        assert users.revoke("li.wei", "supplier", "HT-A", ADMIN) is False
        users.grant("li.wei", ADMINISTRATOR, None, ADMIN)
        admin = users.by_token(second)
        assert admin is not None and admin.almighty and admin.visible() is None

        listed = users.user("li.wei").to_json()
        assert listed["grants"] == {"*": ["administrator"]}
        assert [t["label"] for t in listed["tokens"]] == ["help desk", "ci"]
        assert listed["tokens"][0]["revoked_at"] is not None

        kinds = [(r.kind, r.who, r.subject) for r in _records(store)]
        assert kinds == [
            ("user_created", "root", "user li.wei"),
            ("role_granted", "root", "user li.wei"),
            ("token_issued", "root", "user li.wei"),
            ("token_revoked", "root", "user li.wei"),
            ("token_issued", "root", "user li.wei"),
            ("user_disabled", "root", "user li.wei"),
            ("user_enabled", "root", "user li.wei"),
            ("password_changed", "root", "user li.wei"),
            ("role_revoked", "root", "user li.wei"),
            ("role_granted", "root", "user li.wei"),
        ]
        granted = _records(store)[1]
        assert granted.contract == "HT-A"
        assert json.loads(granted.details)["role"] == "supplier"
        assert secret not in json.dumps([r.details for r in _records(store)])
        with store.sessions() as session:
            assert trail.verify(session).ok
    finally:
        store.close()


def test_the_permission_table() -> None:
    """The table names the actions the other parts use, and the shared tokens keep their
    meaning: the operator may do everything everywhere, the viewer reads everything."""
    named = ("dispute.read", "dispute.file", "dispute.decide", "alert.acknowledge",
             "statement.confirm", "contract.rejudge", "events.post", "users.manage")  # fmt: skip
    for action in named:
        assert action in PERMISSIONS
    assert PERMISSIONS["dispute.file"].roles == {"supplier", "contract_manager"}
    assert PERMISSIONS["dispute.decide"].roles == {"contract_manager"}
    operator, viewer = token_principal("operator"), token_principal("viewer")
    for action, rule in PERMISSIONS.items():
        assert operator.may(action, "ANY") and operator.may(action)
        assert viewer.may(action, "ANY") == ("viewer" in rule.roles)
        assert rule.en and rule.zh
        assert rule.roles <= {*CONTRACT_ROLES, "viewer"}
    assert viewer.may("contract.read", "ANY") and not viewer.may("alert.acknowledge", "ANY")
    assert not viewer.may("audit.read") and not viewer.may("users.manage")
    assert set(GRANTABLE) == {*CONTRACT_ROLES, ADMINISTRATOR}
    supplier = Principal("s", "user", grants={"HT-A": frozenset({"supplier"})})
    assert supplier.where("statement.confirm") == {"HT-A"}
    assert supplier.where("alert.acknowledge") == frozenset()
    with pytest.raises(KeyError, match="no such action"):
        supplier.may("dispute.sing")


# -- the command line --------------------------------------------------------------------------


def _run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        input=stdin if stdin is not None else "",
    )  # fmt: skip


@pytest.mark.timeout(600)  # some twenty commands, each a Python start-up, on a shared machine
def test_the_user_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "people.db")
    added = _run("user", "add", "li.wei", "--db", db, "--password-stdin", "--by", "Zhou",
                 cwd=tmp_path, stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    # no terminal and no --password-stdin: a clear error, nothing made
    asked = _run("user", "add", "wang", "--db", db, cwd=tmp_path)
    assert asked.returncode == 2 and "--password-stdin" in asked.stderr
    # a password is never an option on the command line
    argv = _run("user", "add", "wang", "--db", db, "--password", PASSWORD, cwd=tmp_path)
    assert argv.returncode == 2 and "No such option" in argv.stderr
    short = _run("user", "add", "wang", "--db", db, "--password-stdin", cwd=tmp_path,
                 stdin="short\n")  # fmt: skip
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    for role, contract in (("supplier", "HT-A"), ("billing", "HT-A")):
        done = _run("user", "grant", "li.wei", role, "--contract", contract, "--db", db,
                    "--by", "Zhou", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
    wrong = _run("user", "grant", "li.wei", "boss", "--contract", "HT-A", "--db", db,
                 cwd=tmp_path)  # fmt: skip
    assert wrong.returncode == 2 and "role 'boss': use one of" in wrong.stderr
    nobody = _run("user", "grant", "nobody", "supplier", "--contract", "HT-A", "--db", db,
                  cwd=tmp_path)  # fmt: skip
    assert nobody.returncode == 2 and "no user 'nobody'" in nobody.stderr
    issued = _run("user", "token", "li.wei", "--label", "help desk", "--db", db, cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    secret = issued.stdout.strip()
    assert secret.startswith("slau_") and "shown once" in issued.stderr
    revoked = _run("user", "token", "li.wei", "--revoke", "1", "--db", db, cwd=tmp_path)
    assert revoked.returncode == 0 and "revoked" in revoked.stderr
    assert _run("user", "revoke", "li.wei", "billing", "--contract", "HT-A", "--db", db,
                cwd=tmp_path).returncode == 0  # fmt: skip
    again = _run("user", "revoke", "li.wei", "billing", "--contract", "HT-A", "--db", db,
                 cwd=tmp_path)  # fmt: skip
    assert again.returncode == 1 and "nothing revoked" in again.stderr
    assert _run("user", "disable", "li.wei", "--db", db, cwd=tmp_path).returncode == 0
    passwd = _run("user", "passwd", "li.wei", "--db", db, "--password-stdin", cwd=tmp_path,
                  stdin="a brand new password\n")  # fmt: skip
    assert passwd.returncode == 0, passwd.stderr

    listed = json.loads(_run("user", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)
    assert [(u["name"], u["disabled"], u["grants"]) for u in listed] == [
        ("li.wei", True, {"HT-A": ["supplier"]})
    ]
    assert secret not in json.dumps(listed)
    table = _run("user", "list", "--db", db, cwd=tmp_path)
    assert "supplier on HT-A" in table.stdout and "disabled" in table.stdout
    missing = _run("user", "list", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such store" in missing.stderr

    records = json.loads(_run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)
    assert [(r["kind"], r["who"], r["via"]) for r in records] == [
        ("user_created", "Zhou", "cli"),
        ("role_granted", "Zhou", "cli"),
        ("role_granted", "Zhou", "cli"),
        ("token_issued", records[3]["who"], "cli"),
        ("token_revoked", records[4]["who"], "cli"),
        ("role_revoked", records[5]["who"], "cli"),
        ("user_disabled", records[6]["who"], "cli"),
        ("password_changed", records[7]["who"], "cli"),
    ]
    assert records[1]["contract"] == "HT-A" and records[1]["details"]["role"] == "supplier"
    ok = _run("audit", "verify", "--db", db, cwd=tmp_path)
    assert ok.returncode == 0 and "the chain is whole" in ok.stdout
    # a grant edited in place (someone hides who gave the role) is detected
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE audit_records SET who = 'nobody' WHERE seq = 2")
    broken = _run("audit", "verify", "--db", db, cwd=tmp_path)
    assert broken.returncode == 1 and "record 2 (role_granted" in broken.stderr


def test_the_migration_from_0008_keeps_the_sessions(db_url: str) -> None:
    """0009 adds the people's tables and a nullable ``user_id`` to the console's sessions: a
    browser signed in with a token before the upgrade is still signed in after it, and the
    downgrade takes the tables away again."""
    from slaengine.api.sessions import SessionStore, token_mark
    from slaengine.store import migrate

    clock = FixedClock(T0)
    store = Store.open(db_url, clock)
    try:
        migrate.downgrade(store.engine, "0008")
        cookie = "s" * 43  # a session as 0008 kept it (no user_id column yet)
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO console_sessions (secret_hash, role, token_mark, issued_at, "
                    "expires_at) VALUES (:h, 'operator', :m, :i, :e)"
                ),
                {
                    "h": hashlib.sha256(cookie.encode()).hexdigest(),
                    "m": token_mark("op-token-0123456789", "operator"),
                    "i": T0,
                    "e": T0 + timedelta(hours=1),
                },
            )
        migrate.upgrade(store.engine)
        sessions = SessionStore(store, clock, 3600)
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
            assert version.scalar_one() == head
            users = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
            assert users == 0
        assert sessions.role_of(cookie, {"operator": "op-token-0123456789"}) == "operator"
        UserStore(store).add("li.wei", PASSWORD, ADMIN)
        migrate.downgrade(store.engine, "0008")
        with store.engine.connect() as connection:
            names = set(store.engine.dialect.get_table_names(connection))
        assert "users" not in names and "console_sessions" in names
        migrate.upgrade(store.engine)
    finally:
        store.close()


def test_the_docs_say_the_permission_table() -> None:
    """docs/people.md's table is the table the code enforces, row for row, in both languages."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "people.md").read_text("utf-8")
    order = ("contract_manager", "supervisor", "billing", "supplier", "viewer")
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 + len(order) and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    assert list(rows) == list(PERMISSIONS)
    for action, rule in PERMISSIONS.items():
        cells = rows[action]
        assert (cells[1], cells[2]) == (rule.en, rule.zh), action
        marked = {role for role, cell in zip(order, cells[3:], strict=True) if cell == "✓"}
        assert marked == set(rule.roles), action
