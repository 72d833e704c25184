"""``slaengine``: the command line. Each command is a thin shell over the core.

Theory of operation: a command answers at once because only its own module is imported.
``COMMANDS`` below is the one table of every command: its name (a space before a sub-command's
own name: ``contract validate``), the module that defines it, and the line ``slaengine -h`` shows
for it. ``slaengine -h`` is written from the table alone; running a command (or asking its own
``-h``) imports its module and calls the module's ``register(app)`` (or the function named after
a colon), which adds the command to ``app`` with typer as usual. A group (``contract``) has
``None`` for a module: its commands are loaded one by one the same way.

To add a command: write ``register(app)`` in its module and add one line to ``COMMANDS``, in the
order ``-h`` should list it. tests/test_cli_lazy.py checks that each line's help is the command's
own first sentence, and that ``-h`` imports no command module.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from slaengine import __version__

#: Demo month: October 2026 (the National Day holidays fall in it).
DEMO_AS_OF = "2026-11-01T00:00:00+08:00"
DEMO_PERIOD = "2026-10"
#: Where the demo keeps its store: a SQLite file in the current directory.
DEMO_DB = "sqlite:///slaengine-demo.db"

#: Every command: name → (``module`` or ``module:function`` that registers it, the help line
#: ``slaengine -h`` shows). ``None`` marks a group whose commands follow as ``group command``.
COMMANDS: dict[str, tuple[str | None, str]] = {
    "replay": ("slaengine.cli.replay", "Judge ticket events against a contract."),
    "demo": ("slaengine.cli.demo", "The example tender over a month of events."),
    "warranty": ("slaengine.cli.warranty", "Is an asset covered on a date, until when, and why."),
    "ingest": ("slaengine.cli.service", "Store ticket events and evaluate their tickets."),
    "serve": ("slaengine.cli.service", "Run the HTTP API and the deadline scheduler."),
    "statement": ("slaengine.cli.statement", "The billing statement of a period."),
    "import": ("slaengine.cli.importing", "Turn a ticketing export (CSV) into ticket events."),
    "backtest": ("slaengine.cli.backtest", "Replay a contract over ticket history."),
    "consume": ("slaengine.cli.consume", "Take events from NATS JetStream into a store."),
    "judge": ("slaengine.cli.judge", "Judge what falls due in a store, beside serve --no-judge."),
    "rejudge": ("slaengine.cli.rejudge", "Judge a contract's tickets again, in the background."),
    "audit": ("slaengine.cli.audit", "The audit trail: who did what, when; verify its chain."),
    "dispute": (
        "slaengine.cli.dispute",
        "Disputes of penalty lines: file, evidence, list, show, decide.",
    ),
    "user": ("slaengine.cli.users", "People: users, their roles per contract, their API tokens."),
    "hook": ("slaengine.cli.hooks", "Check a webhook mapping (docs/connectors.md)."),
    "contract": (None, "Check contract files; load them in a store."),
    "contract draft": (
        "slaengine.cli.draft",
        "Draft a contract from a tender's text.",
    ),
    "contract validate": (
        "slaengine.cli.contract",
        "Validate a contract file; errors name the file, line and field.",
    ),
    "contract show": (
        "slaengine.cli.contract",
        "Show the whole contract as a person reads it.",
    ),
    "contract load": (
        "slaengine.cli.service:register_contract",
        "Store a contract file as a new version.",
    ),
    "contract diff": (
        "slaengine.cli.amendments",
        "Show what an amendment changes, in both languages.",
    ),
}


class LazyGroup(TyperGroup):
    """A group whose commands are imported when one runs; its ``-h`` reads ``COMMANDS``."""

    #: The words of COMMANDS before this group's command names ("" for slaengine itself).
    prefix = ""

    def _table(self) -> dict[str, tuple[str | None, str]]:
        size = len(self.prefix)
        return {
            key[size:]: value
            for key, value in COMMANDS.items()
            if key.startswith(self.prefix) and " " not in key[size:]
        }

    def list_commands(self, ctx: Any) -> list[str]:
        # Commands defined here with @app.command() (none today) first, then the table's.
        return [*self.commands, *(name for name in self._table() if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self._table():
            command = self.commands[cmd_name] = _load(self.prefix + cmd_name)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # As typer's, but a command not yet imported is described by its line in the table.
        table = self._table()
        listed = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                command = TyperCommand(name=name, help=table[name][1])
            if not command.hidden:
                listed.append((name, command))
        if listed:
            limit = formatter.width - 6 - max(len(name) for name, _ in listed)
            with formatter.section("Commands"):
                formatter.write_dl(
                    [(name, command.get_short_help_str(limit)) for name, command in listed]
                )

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # As typer's, with "did you mean" drawn from every command, imported or not.
        try:
            return self._click_resolve_command(ctx, args)
        except _UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if self.suggest_commands and matches:
                suggestions = ", ".join(f"{match!r}" for match in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


#: click's UsageError (typer vendors click; its BadParameter derives from it in every version).
_UsageError: Any = next(k for k in typer.BadParameter.__mro__ if k.__name__ == "UsageError")


def _load(key: str) -> Any:
    """The click command (or group) of ``COMMANDS[key]``, its module imported now."""
    target, help_line = COMMANDS[key]
    name = key.split()[-1]
    # The same settings the commands had when they were registered on the app directly.
    scratch = typer.Typer(rich_markup_mode=None, add_completion=False)
    if target is None:
        group = type(f"{name.title()}Group", (LazyGroup,), {"prefix": f"{key} "})
        scratch.add_typer(typer.Typer(cls=group, help=help_line, no_args_is_help=True), name=name)
    else:
        module, _, function = target.partition(":")
        getattr(importlib.import_module(module), function or "register")(scratch)
    return typer.main.get_group(scratch).commands[name]


app = typer.Typer(
    name="slaengine",
    cls=LazyGroup,
    help="Hold suppliers to the after-sales commitments they signed (SLA compliance engine).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"slaengine {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show the version")
    ] = False,
) -> None:
    """slaengine: tender commitments as rule sets, evaluated against ticket events."""
