"""``slaengine contract diff OLD NEW [EVENTS | --db URL]``: what an amendment changes — its
terms, bilingual, and, given the events, the tickets open now — and the ``--amendment`` option
that replay and statements share.

Replay and statements reading a store (``--db``) use its later versions of the contract as
amendments, as the live service prices them (``amendments_for``): the versions loaded after the
one that is the file given, or, when the file was never loaded, those with a higher version
effective after its date (with a note). Explicit ``--amendment`` files are added; one that is
also stored counts once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slaengine.cli.common import (
    Input,
    StoreOption,
    as_of_option,
    err,
    friendly,
    load_input,
    out,
    write_json,
)
from slaengine.contract import Contract, contract_fingerprint, load_contract
from slaengine.errors import SlaError
from slaengine.identity import occurrence_text

# slaengine.amendments and contract.versions are imported where they are used: every command
# registers this module, and only diff and --amendment need them (start-up time).

AmendmentOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--amendment",
        help="a later version of the contract (补充协议), in force from its effective_from; "
        "repeat for several",
    ),
]


def load_amendments(contract: Contract, files: list[Path] | None) -> list[Contract]:
    """The amendments named on the command line, checked against the contract."""
    amendments = [load_contract(file) for file in files or []]
    if amendments:
        from slaengine.contract.versions import Versions

        Versions([contract, *amendments])  # same contract, distinct dates and versions
    return amendments


def amendments_for(
    contract: Contract, contract_file: Path, files: list[Path] | None, given: Input
) -> list[Contract]:
    """The amendments replay and statement judge with: the ``--amendment`` files, and, when the
    events come from a store, the store's later versions of the contract (module doc), said in
    one line on stderr (and a note when the file is not among the stored versions)."""
    explicit = load_amendments(contract, files)
    found = given.versions
    if found is None:
        return explicit
    if found.stored and found.matched is None:
        err.print(
            f"note: {contract_file} ({contract.id} version {contract.version}) is not among the "
            f"{len(found.stored)} version(s) stored in the store; the stored versions with a "
            f"higher version number effective after {contract.effective} amend it\n"
            f"说明: {contract_file}（{contract.id} 第{contract.version}版）不在存储的"
            f"{len(found.stored)}个版本之中；采用存储中{contract.effective}之后生效、版本号更高的版本"
            "作为补充协议",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    given_prints = {contract_fingerprint(amendment) for amendment in explicit}
    used = [(info, c) for info, c in found.used if info.fingerprint not in given_prints]
    base = f"v{found.matched.version}" if found.matched is not None else str(contract_file)
    named = ", ".join(
        f"v{info.version} (version {info.declared_version}, in force from "
        f"{info.effective_from}, {info.path})"
        for info, _ in used
    )
    also = [f"v{info.version}" for info, _ in found.used if info.fingerprint in given_prints]
    given_too = f" ({', '.join(also)} given with --amendment)" if also else ""
    err.print(
        f"stored versions used 采用的存储版本: {named or 'none'} after {base}{given_too}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    amendments = [c for _, c in used] + explicit
    if used:
        from slaengine.contract.versions import Versions

        try:
            Versions([contract, *amendments])
        except SlaError as exc:
            raise SlaError(f"{contract_file} with the store's later versions: {exc}") from None
    return amendments


def register(contract_app: typer.Typer) -> None:
    @contract_app.command("diff")
    @friendly
    def contract_diff(
        old_file: Annotated[Path, typer.Argument(metavar="OLD")],
        new_file: Annotated[Path, typer.Argument(metavar="NEW")],
        events_file: Annotated[
            str | None,
            typer.Argument(metavar="[EVENTS]", help="JSON Lines; - for stdin (optional)"),
        ] = None,
        db: StoreOption = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="which tickets are open: RFC 3339 (default: now)"),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
        lang: Annotated[str, typer.Option("--lang", help="en, zh or both")] = "both",
    ) -> None:
        """Show what an amendment changes, in both languages.

        NEW amends OLD: its changed terms; with EVENTS or --db, the tickets open now and their
        clocks and penalties under the old terms and under the amended ones."""
        if fmt not in ("table", "json"):
            raise typer.BadParameter(f"--format must be table or json, not {fmt!r}")
        if lang not in ("en", "zh", "both"):
            raise typer.BadParameter(f"--lang must be en, zh or both, not {lang!r}")
        from slaengine.amendments import diff_terms, open_ticket_changes
        from slaengine.contract.versions import Versions

        old, new = load_contract(old_file), load_contract(new_file)
        Versions([old, new])
        if new.effective <= old.effective:
            raise SlaError(
                f"{new_file}: effective_from {new.effective} is not after {old_file}'s "
                f"{old.effective}: give the amendment the date it takes effect"
            )
        changes = diff_terms(old, new)
        tickets = None
        if events_file is not None or db is not None:
            when = as_of_option(as_of, old)
            given = load_input(old, events_file, db)
            tickets = open_ticket_changes(old, new, given.events, when)
        if fmt == "json":
            write_json(
                {
                    "contract": old.id,
                    "old": {"version": old.version, "effective_from": str(old.effective)},
                    "new": {"version": new.version, "effective_from": str(new.effective)},
                    "changes": [change.to_json() for change in changes],
                    "open_tickets": [t.to_json() for t in tickets] if tickets is not None else None,
                }
            )
            return
        out.print(
            f"[bold]{old.id}[/] v{old.version} → v{new.version}, in force from "
            f"{new.effective} (tickets reported from then on get the new terms; a penalty "
            f"follows the version in force when its breach began)"
        )
        if not changes:
            out.print("no change in the terms")
        for change in changes:
            if lang in ("en", "both"):
                out.print(f"  • {change.describe('en')}", highlight=False, markup=False)
            if lang in ("zh", "both"):
                out.print(f"    {change.describe('zh')}", highlight=False, markup=False)
        if tickets is None:
            return
        out.print(f"[bold]tickets open now[/] ({len(tickets)})")
        for item in tickets:
            money = f"penalties {item.penalties_old:.2f} → {item.penalties_new:.2f}"
            out.print(
                f"  {item.ticket} (reported {item.reported_at}, v{item.version} terms): {money}",
                highlight=False,
            )
            for clock in item.clocks:
                before, after = clock["old"], clock["new"]
                out.print(
                    f"    {clock['commitment']}{occurrence_text(clock.get('occurrence'))}: "
                    f"{_clock_text(before)} → {_clock_text(after)}",
                    highlight=False,
                )


def _clock_text(view: dict[str, object] | None) -> str:
    if view is None:
        return "no clock"
    return f"{view['target']} due {view['deadline']} ({view['status']})"
