"""``slaengine demo``: the example tender over a month of events, stored and judged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slaengine.bundled import demo_events, example_contract
from slaengine.cli import common
from slaengine.cli.common import Format, as_of_option, err, friendly, out, write_json
from slaengine.cli.main import DEMO_AS_OF, DEMO_DB, DEMO_PERIOD
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate


def demo(
    fmt: Format = "table",
    db: Annotated[
        str,
        typer.Option(
            "--db", help="the SQLite store the demo fills afresh (explore it with serve/replay)"
        ),
    ] = DEMO_DB,
) -> None:
    """The example tender over a month of events. Stored in a SQLite file and judged from it:
    who breached what and the money first, then every breach."""
    from rich.console import Console

    from slaengine.cli.briefing import WIDTH, print_briefing
    from slaengine.penalties.statement import Window
    from slaengine.store import Store

    common.check_format(fmt)
    path = example_contract()
    file = Path(db.removeprefix("sqlite:///")) if db.startswith("sqlite:///") else None
    if file is not None and file.exists():
        file.unlink()  # a demo starts from nothing, every time
    store = Store.open(db, common.CLOCK)
    try:
        contract = load_contract(path)
        store.load_contract(path.read_text(encoding="utf-8"), path, contract.acceptance)
        with demo_events().open("rb") as lines:
            added = store.add_events(enumerate(lines, start=1), demo_events().name, raw=True)
        events = store.contract_events(contract.id)
    finally:
        store.close()
    when = as_of_option(DEMO_AS_OF, contract)
    report = evaluate(contract, events, when, added.rejected, added.duplicates)
    if fmt == "json":
        write_json(report.to_json())
    else:
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        console = Console(width=min(WIDTH, out.width) if out.is_terminal else WIDTH)
        print_briefing(
            report,
            console,
            Window.month(contract, DEMO_PERIOD),
            "They are deliberate: the demo month ends with a conflicting duplicate, a time "
            "without offset, an unknown severity and a cut-off line, to show that bad input is "
            "kept and reported, never dropped.",
            [
                (
                    "every clock, ticket by ticket",
                    f"slaengine replay {shown} \\\n        --db {db} --as-of {DEMO_AS_OF}",
                ),
                (
                    "every line of the bill with its formula",
                    f"slaengine statement {shown} \\\n        --period {DEMO_PERIOD} --db {db} "
                    f"\\\n        --as-of {DEMO_AS_OF}",
                ),
                ("the live service on this store", f"slaengine serve --db {db}"),
            ],
        )
    err.print(
        f"stored in {db}: {len(added.accepted)} events, {len(added.rejected)} rejected, "
        f"{added.duplicates} duplicate(s)",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(friendly(demo))
