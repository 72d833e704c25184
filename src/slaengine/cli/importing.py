"""``slaengine import``: a ticketing export (CSV) → ticket events (JSON Lines), with a mapping.

A thin shell over ``slaengine.mapping``: events go to ``--output`` (standard output by
default), and everything a person should read goes to standard error — the rows that did not
map, each with its line, and a summary (rows, events, rows skipped by activity, problems), so
nothing is dropped silently. A big file gets a progress bar (on a terminal).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from slaengine.cli.common import NothingDone, err, friendly
from slaengine.errors import SlaError

if TYPE_CHECKING:  # the importer loads when a command imports (start-up time)
    from slaengine.mapping import ImportResult, Mapping

#: Files smaller than this import in well under a second: no progress bar.
_PROGRESS_FROM_BYTES = 2_000_000


def _count_lines(path: Path) -> int:
    """Physical lines of the file (rows, give or take quoted line breaks): the bar's total."""
    count = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
    return count


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int], None] | None]:
    """A progress callback for ``import_csv`` showing rows read (None when not worth one)."""
    if not err.is_terminal or path.stat().st_size < _PROGRESS_FROM_BYTES:
        yield None
        return
    total = max(_count_lines(path) - 1, 1)  # less the header
    with Progress(
        TextColumn("reading rows"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=total)

        def update(rows: int) -> None:
            bar.update(task, completed=min(rows, total))

        yield update


def import_export(path: Path, mapping: Mapping, contract: str | None) -> ImportResult:
    """Run the import, with a progress bar on a terminal (shared with ``backtest --csv``)."""
    if not path.is_file():
        raise SlaError(f"{path}: no such export file (give the path of a CSV export)")
    from slaengine.mapping import import_csv

    with _progress(path) as progress:
        return import_csv(path, mapping, contract, progress)


def _thousands(n: int) -> str:
    return f"{n:,}"


def report_import(path: Path, result: ImportResult, max_problems: int) -> None:
    """The problems (with their lines) and the summary, on standard error."""
    shown = result.problems if max_problems <= 0 else result.problems[:max_problems]
    for problem in shown:
        ticket = f" ({problem.ticket})" if problem.ticket else ""
        err.print(
            f"{path}:{problem.line}{ticket}: {problem.error}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    hidden = len(result.problems) - len(shown)
    if hidden:
        err.print(
            f"... and {_thousands(hidden)} more problem(s) not shown "
            f"(--max-problems 0 shows them all)",
            markup=False,
            highlight=False,
        )
    derived = sum(result.derived.values())
    kinds = ", ".join(f"{kind} {_thousands(n)}" for kind, n in sorted(result.derived.items()))
    err.print(
        f"{path.name}: {_thousands(result.rows)} rows → {_thousands(len(result.events))} events "
        f"({_thousands(result.mapped)} from rows, {_thousands(derived)} derived"
        f"{': ' + kinds if kinds else ''})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    skipped = sum(result.skipped.values())
    by_activity = ", ".join(
        f"{activity} {_thousands(n)}"
        for activity, n in sorted(result.skipped.items(), key=lambda item: (-item[1], item[0]))
    )
    err.print(
        f"skipped by activity: {_thousands(skipped)}{' (' + by_activity + ')' if skipped else ''}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    err.print(
        f"problems: {_thousands(len(result.problems))}"
        + (" (listed above, with their lines)" if result.problems else ""),
        markup=False,
        highlight=False,
    )


def import_command(
    export: Annotated[
        Path,
        typer.Argument(metavar="CSV", help="the ticketing export (CSV)", show_default=False),
    ],
    mapping_file: Annotated[
        Path,
        typer.Option(
            "--mapping",
            "-m",
            help="mapping file (YAML): which column is what, which status is which event",
        ),
    ],
    contract: Annotated[
        str | None,
        typer.Option("--contract", help="contract id of the events (overrides the mapping's)"),
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="where the JSON Lines go: a file, or - for stdout"),
    ] = "-",
    max_problems: Annotated[
        int,
        typer.Option(help="problems listed on stderr (0: all); the summary counts every one"),
    ] = 100,
) -> None:
    """Turn a ticketing export (CSV) into ticket events. JSON Lines, by a mapping.

    Rows that do not map are listed on stderr with their line numbers, followed by a summary
    (rows, events, rows skipped by activity, problems). See docs/import.md.
    """
    from slaengine.mapping import load_mapping, write_jsonl

    mapping = load_mapping(mapping_file)
    result = import_export(export, mapping, contract)
    if output == "-":
        write_jsonl(result.events, sys.stdout)
        sys.stdout.flush()
        where = "standard output"
    else:
        target = Path(output)
        stream: TextIO
        with target.open("w", encoding="utf-8", newline="\n") as stream:
            write_jsonl(result.events, stream)
        where = str(target)
    report_import(export, result, max_problems)
    err.print(
        f"wrote {_thousands(len(result.events))} events to {where}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if not result.events:
        raise NothingDone(
            f"no events came of {export}: "
            + (
                "it has no data rows"
                if not result.rows
                else "every row was a problem or skipped by its activity (listed above)"
            )
        )


def register(app: typer.Typer) -> None:
    app.command("import")(friendly(import_command))
