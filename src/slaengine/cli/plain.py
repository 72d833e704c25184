"""What a command needs without typer: the two consoles, the user-facing errors and their exit
codes, the work of ``contract validate`` and the judging and writing of ``replay``.

Theory of operation: cli/entry.py answers ``slaengine contract validate FILE`` (the one form a
script or an editor's save hook runs) and ``slaengine replay CONTRACT EVENTS`` (with at most
``--as-of`` and ``--format``) without importing typer, whose parameter layer builds a
pydantic type adapter for every option and costs about a third of the command (issue 23). Every
other form goes through typer, which runs the same function here with the same consoles, so the
output and the exit codes are the same either way (tests/test_cli_lazy.py compares them).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from slaengine.errors import SlaError

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console

    from slaengine.cli.inputs import Input
    from slaengine.clock import Clock
    from slaengine.contract import Contract

# The two consoles, ``out`` and ``err`` (tables and progress go to stderr when stdout carries
# data: JSON, CSV), are made when first asked for (``from slaengine.cli.plain import err``, or
# ``say`` of a line rich would change): a replay writing JSON prints its one line on stderr
# without importing rich, a tenth of its start-up (issue 23).


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    if stderr:
        return Console(stderr=True)
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def __getattr__(name: str) -> Console:
    if name in ("out", "err"):
        return _console(name == "err")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: What makes rich treat a stream that is not a terminal as one (colours, styles).
_TERMINAL_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def _as_is_on_stdout(text: str) -> bool:
    """Write ``text`` on standard output as ``out.print`` would, without rich, if rich would
    print it unchanged: standard output is not a terminal (nor told to act as one), so no
    colour; no markup, emoji code or control character (as ``say``); and the line fits the
    console's 160 columns, counting every non-ASCII character as two, so nothing is wrapped.
    False, having written nothing, otherwise."""
    if (
        sys.stdout.isatty()
        or any(name in os.environ for name in _TERMINAL_ENVIRONMENT)
        or not _unchanged_by_rich(text)
        or len(text) + sum(not char.isascii() for char in text) > 160
    ):
        return False
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return True


def _unchanged_by_rich(text: str) -> bool:
    # No markup tag, no ``:name:`` emoji code, nothing rich strips or expands.
    return "[" not in text and text.count(":") <= 1 and text.isprintable()


def say(text: str) -> None:
    """``err.print(text, highlight=False, soft_wrap=True)``, byte for byte, without rich when
    rich would print the text as it is: no markup (``[``), no emoji code (``:name:``), nothing
    that is not printable (rich strips control codes and expands tabs). No style is then
    applied, terminal or not, and soft wrapping never breaks the line."""
    if not _unchanged_by_rich(text):
        _console(True).print(text, highlight=False, soft_wrap=True)
        return
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


#: What a command reports as a message and an exit code instead of a traceback.
USER_ERRORS = (SlaError, FileNotFoundError, IsADirectoryError, PermissionError)


class NothingDone(SlaError):
    """The command ran, but nothing useful came of it (every event rejected, an empty stream,
    no contract to store events for): said in words, and exit code 1 so a script notices."""


def report_error(exc: BaseException) -> int:
    """Say a user-facing error on stderr; its exit code: 1 for ``NothingDone``, else 2."""
    from rich.markup import escape

    _console(True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return 1 if isinstance(exc, NothingDone) else 2


def validate_contract(file: Path) -> None:
    """``slaengine contract validate``: load, compile and count; warnings on stderr."""
    from slaengine.contract.advice import contract_advice
    from slaengine.contract.cache import load_contract_cached
    from slaengine.ruleset import compile_ruleset

    contract = load_contract_cached(file)
    rules = compile_ruleset(contract)
    advice = contract_advice(contract, file)
    counts = (
        f"contract {contract.id} v{contract.version}, "
        f"{len(contract.commitments)} commitments, {len(contract.clauses)} clauses, "
        f"{len(contract.obligations)} obligations, {len(rules)} rules"
        + (f", {len(advice)} warning(s)" if advice else "")
    )
    if not _as_is_on_stdout(f"ok: {file} — {counts}"):
        _console(False).print(f"[green]ok[/]: {file} — {counts}")
    for text in advice:
        from rich.markup import escape

        _console(True).print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)


def replay_file(
    contract_file: Path, events_file: str, as_of: str | None, fmt: str, clock: Clock
) -> None:
    """``slaengine replay CONTRACT EVENTS [--as-of T] [--format F]``, as cli/replay.py runs it
    without ``--db`` and ``--amendment`` (so no amendment), ``fmt`` already checked."""
    from slaengine.cli.inputs import as_of_time, events_from_file
    from slaengine.contract.cache import load_contract_cached
    from slaengine.replay import cyclic_gc_paused

    contract = load_contract_cached(contract_file)
    when = as_of_time(as_of, contract, clock)
    with cyclic_gc_paused():
        given = events_from_file(contract, events_file)
        given.check_useful(contract)
        judge_and_write(contract, given, when, fmt, [])
    say(given.summary())


def judge_and_write(
    contract: Contract, given: Input, when: datetime, fmt: str, amendments: list[Contract]
) -> None:
    """Judge what a replay read and write its report: a table or an indented document for a
    person at a terminal, else JSON or JSON Lines streamed to standard output."""
    from slaengine.evaluate import Context, amended_contexts

    if fmt == "table" or (fmt == "json" and sys.stdout.isatty()):
        # For a person: a table, or an indented document (a terminal never holds millions).
        from slaengine.evaluate import evaluate

        report = evaluate(
            contract, given.events, when, given.rejected, given.duplicates, amendments
        )
        if fmt == "json":
            from slaengine.cli.inputs import write_json

            write_json(report.to_json())
        else:
            # Rich tables are imported when a table is shown: a JSON replay starts without them.
            from slaengine.cli.render import print_report

            print_report(
                report, _console(False), any(event.ticket is None for event in given.events)
            )
        return
    from slaengine.replay import write_report

    sys.stdout.flush()
    write_report(
        sys.stdout.buffer,
        Context(contract),
        given.events,
        when,
        given.rejected,
        given.duplicates,
        fmt,
        amended_contexts(Context(contract), amendments),
    )
