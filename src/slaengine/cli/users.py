"""``slaengine user add | list | passwd | disable | enable | grant | revoke | token``: the people
of a store, their roles per contract and their API tokens (docs/people.md).

Passwords are read from a prompt (twice, not echoed) or, with ``--password-stdin``, from the
first line of standard input — never from the command line, where ``ps`` and the shell's
history would keep them. Every change is recorded in the audit trail under the name of the
person running the command (``--by``, else the operating system's user).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, check_format, err, friendly, out, require_store
from slaengine.errors import SlaError

if TYPE_CHECKING:
    from slaengine.store.users import UserStore

Name = Annotated[str, typer.Argument(help="the user's name (what they sign in with)")]
By = Annotated[
    str | None,
    typer.Option("--by", help="who makes the change, for the audit trail (default: your login)"),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the password from the first line of standard input"
    ),
]
ContractOption = Annotated[
    str | None,
    typer.Option("--contract", help="the contract the role holds on (not for administrator)"),
]

user_app = typer.Typer(
    help="People: users, their roles per contract, their API tokens.",
    no_args_is_help=True,
)


def _users(db: str, create: bool = False) -> UserStore:
    from slaengine.store import Store
    from slaengine.store.users import UserStore

    if not create:
        require_store(db)
    return UserStore(Store.open(db, common.CLOCK))


def _password(from_stdin: bool) -> str:
    from slaengine.store.users import check_password

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise SlaError("--password-stdin: standard input is empty (give the password on it)")
        return check_password(line.rstrip("\r\n"))
    if not sys.stdin.isatty():
        raise SlaError(
            "no terminal to ask the password on: use --password-stdin and give it on standard input"
        )
    first = typer.prompt("password", hide_input=True)
    check_password(first)
    again = typer.prompt("again", hide_input=True)
    if again != first:
        raise SlaError("the two passwords differ")
    return str(first)


@user_app.command("add")
@friendly
def add(
    name: Name, db: Db = DEFAULT_DB, password_stdin: PasswordStdin = False, by: By = None
) -> None:
    """Add a user with a password (no roles yet: grant them). Creates the store if needed."""
    from slaengine.audit.trail import cli_actor
    from slaengine.store.users import check_name

    check_name(name)
    password = _password(password_stdin)
    users = _users(db, create=True)
    try:
        users.add(name, password, cli_actor(by))
    finally:
        users.store.close()
    err.print(f"user {name} added; grant roles: slaengine user grant {name} ROLE --contract ID",
              highlight=False, markup=False)  # fmt: skip


@user_app.command("list")
@friendly
def list_users(
    db: Db = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Every user: disabled or not, their roles per contract, their tokens (never a secret)."""
    check_format(fmt)
    users = _users(db)
    try:
        found = users.users()
    finally:
        users.store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps([u.to_json() for u in found], ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
        return
    table = Table(title=f"users ({len(found)})", title_justify="left")
    for column in ("name", "status", "roles", "tokens"):
        table.add_column(column, overflow="fold")
    for user in found:
        roles = "; ".join(
            f"{', '.join(r)} on {'every contract' if c == '*' else c}"
            for c, r in sorted(user.grants.items())
        )
        tokens = ", ".join(
            f"#{t.id} {t.label}" + (" (revoked)" if t.revoked_at else "") for t in user.tokens
        )
        status = "disabled" if user.disabled_at else "active"
        table.add_row(user.name, status, roles or "—", tokens or "—")
    out.print(table)


@user_app.command("passwd")
@friendly
def passwd(
    name: Name, db: Db = DEFAULT_DB, password_stdin: PasswordStdin = False, by: By = None
) -> None:
    """Set a user's password; their console sessions end."""
    from slaengine.audit.trail import cli_actor

    password = _password(password_stdin)
    users = _users(db)
    try:
        users.set_password(name, password, cli_actor(by))
    finally:
        users.store.close()
    err.print(f"password of {name} changed", highlight=False, markup=False)


def _set_disabled(name: str, db: str, disabled: bool, by: str | None) -> None:
    from slaengine.audit.trail import cli_actor

    users = _users(db)
    try:
        changed = users.set_disabled(name, disabled, cli_actor(by))
    finally:
        users.store.close()
    state = "disabled" if disabled else "enabled"
    err.print(f"user {name} {state}" + ("" if changed else " already"), highlight=False)


@user_app.command("disable")
@friendly
def disable(name: Name, db: Db = DEFAULT_DB, by: By = None) -> None:
    """Disable a user: no sign-in, no token, their sessions stop working at once."""
    _set_disabled(name, db, True, by)


@user_app.command("enable")
@friendly
def enable(name: Name, db: Db = DEFAULT_DB, by: By = None) -> None:
    """Enable a disabled user again."""
    _set_disabled(name, db, False, by)


Role = Annotated[
    str,
    typer.Argument(help="contract_manager, supervisor, billing, supplier or administrator"),
]


@user_app.command("grant")
@friendly
def grant(
    name: Name, role: Role, contract: ContractOption = None, db: Db = DEFAULT_DB, by: By = None
) -> None:
    """Grant a role on a contract (administrator: on every contract, no --contract)."""
    from slaengine.audit.trail import cli_actor

    users = _users(db)
    try:
        changed = users.grant(name, role, contract, cli_actor(by))
    finally:
        users.store.close()
    where = f"on {contract}" if contract else "on every contract"
    err.print(f"{name}: {role} {where}" + ("" if changed else " (held already)"), highlight=False)


@user_app.command("revoke")
@friendly
def revoke(
    name: Name, role: Role, contract: ContractOption = None, db: Db = DEFAULT_DB, by: By = None
) -> None:
    """Take a role on a contract away."""
    from slaengine.audit.trail import cli_actor

    users = _users(db)
    try:
        changed = users.revoke(name, role, contract, cli_actor(by))
    finally:
        users.store.close()
    where = f"on {contract}" if contract else "on every contract"
    if not changed:
        err.print(f"{name} holds no {role} {where}: nothing revoked", highlight=False)
        raise typer.Exit(1)
    err.print(f"{name}: {role} {where} revoked", highlight=False)


@user_app.command("token")
@friendly
def token(
    name: Name,
    db: Db = DEFAULT_DB,
    label: Annotated[str, typer.Option("--label", help="what the token is for")] = "token",
    revoke_id: Annotated[
        int | None, typer.Option("--revoke", help="revoke the token with this id instead")
    ] = None,
    by: By = None,
) -> None:
    """Issue an API token for a user (printed once, on standard output), or --revoke one."""
    from slaengine.audit.trail import cli_actor

    users = _users(db)
    try:
        if revoke_id is not None:
            changed = users.revoke_token(name, revoke_id, cli_actor(by))
            err.print(
                f"token {revoke_id} of {name} revoked" + ("" if changed else " already"),
                highlight=False,
            )
            return
        ident, secret = users.issue_token(name, label, cli_actor(by))
    finally:
        users.store.close()
    sys.stdout.write(secret + "\n")
    sys.stdout.flush()
    err.print(
        f"token {ident} of {name} ({label}): shown once, kept only hashed; send it as "
        "Authorization: Bearer <token>",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
