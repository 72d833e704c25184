"""What a command needs without typer: the two consoles, the user-facing errors and their exit
codes, and the work of ``contract validate``.

Theory of operation: cli/entry.py answers ``slaengine contract validate FILE`` (the one form a
script or an editor's save hook runs) without importing typer, whose parameter layer builds a
pydantic type adapter for every option and costs about a third of the command (issue 23). Every
other form goes through typer, which runs the same function here with the same consoles, so the
output and the exit codes are the same either way (tests/test_cli_lazy.py compares them).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from slaengine.errors import SlaError

#: Tables and progress go to stderr when stdout carries data (JSON, CSV).
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

#: What a command reports as a message and an exit code instead of a traceback.
USER_ERRORS = (SlaError, FileNotFoundError, IsADirectoryError, PermissionError)


class NothingDone(SlaError):
    """The command ran, but nothing useful came of it (every event rejected, an empty stream,
    no contract to store events for): said in words, and exit code 1 so a script notices."""


def report_error(exc: BaseException) -> int:
    """Say a user-facing error on stderr; its exit code: 1 for ``NothingDone``, else 2."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return 1 if isinstance(exc, NothingDone) else 2


def validate_contract(file: Path) -> None:
    """``slaengine contract validate``: load, compile and count; warnings on stderr."""
    from slaengine.contract import load_contract
    from slaengine.contract.advice import contract_advice
    from slaengine.ruleset import compile_ruleset

    contract = load_contract(file)
    rules = compile_ruleset(contract)
    advice = contract_advice(contract, file)
    out.print(
        f"[green]ok[/]: {file} — contract {contract.id} v{contract.version}, "
        f"{len(contract.commitments)} commitments, {len(contract.clauses)} clauses, "
        f"{len(contract.obligations)} obligations, {len(rules)} rules"
        + (f", {len(advice)} warning(s)" if advice else "")
    )
    for text in advice:
        err.print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)
