"""``slaengine dispute file | evidence | list | show | decide``: disputes of penalty and
compensation lines in a store (docs/disputes.md).

``file`` contests a stored line (its id, as ``GET /penalties`` and ``dispute list`` show it)
with a reason and evidence files; ``decide`` accepts it (the line is waived through the waiver
rules, its ticket judged again here) or rejects it with a reason; ``evidence`` adds files to an
open dispute. Each step is recorded in the
audit trail as the person ``--by`` names (default: the OS user). Exit codes: 0 done, 1 not
found, 2 bad input or a refused step (a second open dispute, a file too large or of a type not
taken, a dispute decided already).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, NothingDone, check_format, err, friendly, out
from slaengine.errors import SlaError

if TYPE_CHECKING:
    from slaengine.store import Store
    from slaengine.store.disputes import DisputeError

dispute_app = typer.Typer(
    help="Disputes of penalty lines: file, evidence, list, show, decide.",
    no_args_is_help=True,
)

By = Annotated[str | None, typer.Option("--by", help="who does it (a name; default: the OS user)")]
Reason = Annotated[str, typer.Option("--reason", help="why, in words (required)")]


def _open(db: str) -> Store:
    from slaengine.store import Store

    common.require_store(db)
    return Store.open(db, common.CLOCK)


def _uploads(paths: list[Path], named: str) -> list[Any]:
    """The files as uploads; a missing file or one over the per-file limit is refused before it
    is read (the store checks the rest: the count, the total, the type)."""
    from slaengine.store import disputes

    uploads = []
    for path in paths:
        if not path.is_file():
            raise SlaError(f"{named}{path}: no such file")
        size = path.stat().st_size
        if size > disputes.FILE_BYTES:  # before reading it
            raise SlaError(
                f"{named}{path}: {size:,} bytes, at most {disputes.FILE_BYTES:,} per file"
            )
        uploads.append(disputes.Upload(path.name, path.read_bytes()))
    return uploads


def _refused(exc: DisputeError) -> SlaError:
    """A refused step as the CLI says it: not found is exit 1, anything else exit 2."""
    if exc.status == 404:
        return NothingDone(exc.error)
    return SlaError(exc.error)


@dispute_app.command("file")
@friendly
def file_dispute(
    contract: Annotated[str, typer.Argument(metavar="CONTRACT", help="the contract's id")],
    line: Annotated[
        str, typer.Argument(metavar="LINE", help="the line's id (slaengine dispute list --lines)")
    ],
    reason: Reason,
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence",
            help="an evidence file: PDF, PNG, JPEG or plain text, at most 5 MiB (repeat)",
        ),
    ] = None,
    by: By = None,
    db: Db = DEFAULT_DB,
) -> None:
    """Contest a stored penalty or compensation line.

    With a reason and evidence files (PDF, PNG, JPEG or text)."""
    from slaengine.audit.trail import cli_actor
    from slaengine.store import disputes

    uploads = _uploads(evidence or [], "--evidence ")
    store = _open(db)
    try:
        try:
            row = disputes.file_dispute(store, contract, line, reason, cli_actor(by), uploads)
        except disputes.DisputeError as exc:
            raise _refused(exc) from None
    finally:
        store.close()
    out.print(
        f"dispute {row.id} filed: line {row.line_id} of {row.contract} ({row.amount}), "
        f"by {row.filed_by}, {len(uploads)} evidence file(s)",
        highlight=False,
        markup=False,
    )


@dispute_app.command("evidence")
@friendly
def add_evidence(
    dispute: Annotated[int, typer.Argument(metavar="ID", help="the dispute's number")],
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="evidence files: PDF, PNG, JPEG or plain text, at most 5 MiB each",
        ),
    ],
    by: By = None,
    db: Db = DEFAULT_DB,
) -> None:
    """Add evidence files to an open dispute.

    The same limits as filing: 10 files, 5 MiB each, 20 MiB together per dispute."""
    from slaengine.audit.trail import cli_actor
    from slaengine.store import disputes

    uploads = _uploads(files, "")
    store = _open(db)
    try:
        try:
            rows = disputes.add_evidence(store, dispute, cli_actor(by), uploads)
        except disputes.DisputeError as exc:
            raise _refused(exc) from None
    finally:
        store.close()
    names = ", ".join(f"{row.name} ({row.media_type}, {row.size:,} bytes)" for row in rows)
    out.print(
        f"dispute {dispute}: {len(rows)} evidence file(s) added: {names}",
        highlight=False,
        markup=False,
    )


@dispute_app.command("list")
@friendly
def list_disputes(
    db: Db = DEFAULT_DB,
    contract: Annotated[
        str | None, typer.Option("--contract", help="only this contract's disputes")
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="only open, accepted or rejected ones")
    ] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help="only this ticket's")] = None,
    lines: Annotated[
        bool,
        typer.Option(
            "--lines",
            help="list the contract's stored lines (with their ids and disputes) instead",
        ),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """The disputes, newest first.

    With --lines, a contract's stored lines (the ids to contest) and their disputes."""
    from slaengine.store import disputes

    check_format(fmt)
    store = _open(db)
    try:
        with store.sessions() as session:
            if lines:
                if contract is None:
                    raise SlaError("--lines lists one contract's lines: add --contract ID")
                _print_lines(session, contract, ticket, fmt)
                return
            try:
                rows = disputes.listed(session, contract, state, ticket)
            except disputes.DisputeError as exc:
                raise SlaError(f"--{exc.error}") from None
            evidence = disputes.evidence_of(session, [row.id for row in rows])
            documents = [disputes.dispute_json(row, evidence[row.id]) for row in rows]
    finally:
        store.close()
    if fmt == "json":
        _write_json(documents)
        return
    table = Table(title=f"disputes ({len(documents)})", title_justify="left")
    for name in ("id", "state", "contract", "ticket", "clause", "amount", "filed by", "line"):
        table.add_column(name, overflow="fold")
    for each in documents:
        table.add_row(
            str(each["id"]), each["state"], each["contract"], each["ticket"] or "",
            each["clause"], each["amount"] or "", each["filed_by"], each["line"],
        )  # fmt: skip
    out.print(table)


def _print_lines(session: Any, contract: str, ticket: str | None, fmt: str) -> None:
    from sqlalchemy import select

    from slaengine.store import disputes
    from slaengine.store.models import PenaltyLine

    query = select(PenaltyLine).where(PenaltyLine.contract == contract)
    if ticket is not None:
        query = query.where(PenaltyLine.ticket == ticket)
    rows = list(session.scalars(query.order_by(PenaltyLine.id)))
    marks = disputes.marks_of_rows(session, rows)
    found = []
    for row in rows:
        body = json.loads(row.body)
        mark = marks.get(row.id)
        found.append(
            {
                "line": row.line_id,
                "section": row.section,
                "ticket": row.ticket,
                "clause": row.clause,
                "amount": row.amount,
                "waived": bool(body.get("waived")),
                "dispute": mark.to_json() if mark is not None else None,
            }
        )
    if fmt == "json":
        _write_json(found)
        return
    table = Table(title=f"lines of {contract} ({len(found)})", title_justify="left")
    for name in ("line", "section", "ticket", "amount", "waived", "dispute"):
        table.add_column(name, overflow="fold")
    for each in found:
        mark = each["dispute"]
        table.add_row(
            each["line"], each["section"], each["ticket"] or "", each["amount"] or "",
            "yes" if each["waived"] else "",
            f"{mark['dispute']} ({mark['state']})" if mark else "",
        )  # fmt: skip
    out.print(table)


@dispute_app.command("show")
@friendly
def show(
    dispute: Annotated[int, typer.Argument(metavar="ID", help="the dispute's number")],
    db: Db = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    save: Annotated[
        Path | None,
        typer.Option("--save-evidence", help="write the evidence files into this directory"),
    ] = None,
) -> None:
    """One dispute, with its evidence and decision.

    The line as filed, the reason, the evidence files and the decision."""
    from slaengine.store import disputes

    check_format(fmt, ("text", "json"))
    store = _open(db)
    try:
        with store.sessions() as session:
            row = disputes.get(session, dispute)
            if row is None:
                raise NothingDone(f"no dispute {dispute}")
            evidence = disputes.evidence_of(session, [dispute])[dispute]
            document = disputes.dispute_json(row, evidence)
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                for item in evidence:
                    kept = disputes.evidence_file(session, dispute, item.id)
                    assert kept is not None
                    target = save / f"{item.id}-{item.name}"
                    target.write_bytes(kept.content)
                    err.print(f"wrote {target}", highlight=False, markup=False)
    finally:
        store.close()
    if fmt == "json":
        _write_json(document)
        return
    for name in ("id", "state", "contract", "line", "reference", "ticket", "clause", "amount",
                 "reason", "filed_by", "filed_at", "decided_by", "decided_at",
                 "decision_reason", "waiver_event"):  # fmt: skip
        if document[name] is not None:
            out.print(f"{name}: {document[name]}", highlight=False, markup=False)
    for item in document["evidence"]:
        out.print(
            f"evidence {item['id']}: {item['name']} ({item['type']}, {item['size']:,} bytes, "
            f"sha256 {item['sha256']})",
            highlight=False,
            markup=False,
        )


@dispute_app.command("decide")
@friendly
def decide(
    dispute: Annotated[int, typer.Argument(metavar="ID", help="the dispute's number")],
    decision: Annotated[str, typer.Argument(metavar="DECISION", help="accept or reject")],
    reason: Reason,
    by: By = None,
    db: Db = DEFAULT_DB,
) -> None:
    """Accept or reject a dispute, with a reason.

    Accepting waives the line (a breach_waived event) and judges its ticket again."""
    from slaengine.audit.trail import cli_actor
    from slaengine.service.live import LiveService
    from slaengine.store import disputes

    if decision not in ("accept", "reject"):
        raise typer.BadParameter(f"DECISION must be accept or reject, not {decision!r}")
    store = _open(db)
    try:
        try:
            outcome = disputes.decide(store, dispute, decision == "accept", reason, cli_actor(by))
        except disputes.DisputeError as exc:
            raise _refused(exc) from None
        if outcome.tickets:  # the waived line's ticket, judged now (as `slaengine ingest` does)
            LiveService(store).evaluate_tickets_now(outcome.tickets)
    finally:
        store.close()
    row = outcome.dispute
    out.print(
        f"dispute {row.id} {row.state} by {row.decided_by}: line {row.line_id} of {row.contract}"
        + (f" waived (event {row.waiver_event})" if row.waiver_event else " stands"),
        highlight=False,
        markup=False,
    )
    if row.source == "period" and row.state == "accepted":
        err.print(
            "a line of a period of the whole contract (not stored): slaengine statement --db and "
            "the money page show it waived at once",
            highlight=False,
        )
    elif outcome.contract_wide:
        err.print(
            "the line belongs to no ticket: the service's next due pass (or slaengine judge) "
            "prices it again; slaengine statement --db shows it waived at once",
            highlight=False,
        )


def _write_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.add_typer(dispute_app, name="dispute")
