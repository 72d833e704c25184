"""``slaengine audit verify | list | export``: the audit trail of a store (docs/audit.md).

``verify`` walks the hash chain and names every removed or altered record (exit 1 when it
finds one); ``list`` shows records to a person, ``export`` writes them as CSV or JSON. The
filters are the same for both and for ``GET /audit``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, check_format, err, friendly, out, require_store
from slaengine.errors import SlaError

if TYPE_CHECKING:
    from slaengine.audit.records import AuditRecord
    from slaengine.audit.trail import Filters
    from slaengine.store import Store

Contract = Annotated[str | None, typer.Option("--contract", help="only this contract's records")]
Kind = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="only this kind: acknowledged, waiver, contract_loaded, contract_amended, rejudge, "
        "signed_in, sign_in_failed, statement_confirmed, dispute_filed, dispute_evidence_added, "
        "dispute_accepted, dispute_rejected",
    ),
]
Who = Annotated[str | None, typer.Option("--who", help="only what this person (or role) did")]
Since = Annotated[
    str | None, typer.Option("--since", help="at or after: RFC 3339 with offset, or a date")
]
Until = Annotated[
    str | None, typer.Option("--until", help="before: RFC 3339 with offset, or a date")
]

audit_app = typer.Typer(
    help="The audit trail: who did what, when; verify its chain.",
    no_args_is_help=True,
)


def _open(db: str) -> Store:
    from slaengine.store import Store

    require_store(db)
    return Store.open(db, common.CLOCK)


def _filters(
    contract: str | None, kind: str | None, who: str | None, since: str | None, until: str | None
) -> Filters:
    from slaengine.audit.filters import filters_of

    try:
        return filters_of(contract, kind, who, since, until)
    except ValueError as exc:
        raise SlaError(f"--{exc}") from None


@audit_app.command("verify")
@friendly
def verify(
    db: Db = DEFAULT_DB,
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            "--anchor",
            help="SEQ:HASH of a head printed earlier (kept elsewhere): it must still be in the "
            "chain; repeat for several",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Check the audit trail's hash chain: every removed or altered record is named.

    Exit code 0 when the chain is whole, 1 when it is not."""
    from slaengine.audit import trail

    if fmt not in ("text", "json"):
        raise typer.BadParameter(f"--format must be text or json, not {fmt!r}")
    try:
        anchors = [trail.parse_anchor(text) for text in anchor or []]
    except ValueError as exc:
        raise SlaError(str(exc)) from None
    store = _open(db)
    try:
        with store.sessions() as session:
            verdict = trail.verify(session, anchors)
    finally:
        store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(verdict.to_json(), indent=1) + "\n")
    elif verdict.ok:
        out.print(
            f"ok: {verdict.checked} record(s), the chain is whole; head "
            f"{verdict.head_seq}:{verdict.head_hash}\n"
            "(keep the head elsewhere; later: slaengine audit verify --anchor SEQ:HASH)",
            highlight=False,
            markup=False,
        )
    else:
        err.print(
            f"BROKEN: {len(verdict.problems)} problem(s) in {verdict.checked} record(s):",
            highlight=False,
            markup=False,
        )
        for problem in verdict.problems:
            err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    if not verdict.ok:
        raise typer.Exit(1)


@audit_app.command("list")
@friendly
def list_records(
    db: Db = DEFAULT_DB,
    contract: Contract = None,
    kind: Kind = None,
    who: Who = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many, the newest")] = 200,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv")] = "table",
) -> None:
    """The audit records, oldest first (the newest --limit of those that match)."""
    check_format(fmt, ("table", "json", "csv"))
    rows = _read(db, _filters(contract, kind, who, since, until), limit)
    rows.reverse()
    if fmt != "table":
        _write(rows, fmt, None)
        return
    table = Table(title=f"audit trail ({len(rows)} record(s))", title_justify="left")
    for name in ("seq", "at", "kind", "who", "via", "origin", "contract", "subject"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.seq), row.at.isoformat(timespec="seconds"), row.kind, row.who, row.via,
            row.origin, row.contract or "", row.subject or "",
        )  # fmt: skip
    out.print(table)


@audit_app.command("export")
@friendly
def export(
    db: Db = DEFAULT_DB,
    contract: Contract = None,
    kind: Kind = None,
    who: Who = None,
    since: Since = None,
    until: Until = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to this file")
    ] = None,
) -> None:
    """Every matching record with its hashes, as CSV (for Excel) or JSON."""
    check_format(fmt, ("csv", "json"))
    rows = _read(db, _filters(contract, kind, who, since, until))
    _write(rows, fmt, output)
    if output is not None:
        err.print(f"{len(rows)} record(s) written to {output}", highlight=False)


def _read(db: str, filters: Filters, limit: int | None = None) -> list[AuditRecord]:
    """The matching records from the store at ``db``: all of them oldest first, or with
    ``limit`` the newest that many, newest first."""
    from slaengine.audit import trail

    store = _open(db)
    try:
        with store.sessions() as session:
            if limit is None:
                return trail.records(session, filters)
            return trail.records(session, filters, limit, newest_first=True)
    finally:
        store.close()


def _write(rows: list[AuditRecord], fmt: str, output: Path | None) -> None:
    from slaengine.audit import trail
    from slaengine.audit.filters import to_csv

    if fmt == "csv":
        data = to_csv(rows)
    else:
        body = [trail.record_json(row) for row in rows]
        data = (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
