"""The ``slaengine`` program (pyproject's script and ``python -m slaengine``).

Theory of operation: ``slaengine contract validate FILE``, exactly so (one file, no option),
and ``slaengine replay CONTRACT EVENTS`` with at most ``--as-of T`` and ``--format F`` (F one of
table, json, jsonl) are answered here without importing typer (cli/plain.py says why); anything
else — another
command, an option, ``-h``, a missing or extra argument — goes to the typer application of
cli/main.py, which also gives every usage error and help text.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main(prog_name: str | None = None) -> None:
    """Run the command line on ``sys.argv``; exits with the command's exit code."""
    args = sys.argv[1:]
    if len(args) == 3 and args[:2] == ["contract", "validate"] and _plain_path(args[2]):
        sys.exit(_plain(_validate, Path(args[2])))
    if args[:1] == ["replay"]:
        replay = _replay_form(args[1:])
        if replay is not None:
            sys.exit(_plain(_replay, *replay))
    from slaengine.cli.main import app

    app(prog_name=prog_name)


def _plain_path(arg: str) -> bool:
    # What typer would take as the FILE argument itself, not as an option or an empty value.
    return bool(arg) and not arg.startswith("-")


#: The options the plain ``replay`` takes, by every spelling typer accepts for them.
_REPLAY_OPTIONS = {"--as-of": "as_of", "--format": "fmt", "-f": "fmt"}


def _replay_form(args: list[str]) -> tuple[Path, str, str | None, str] | None:
    """``CONTRACT EVENTS [--as-of T] [--format F]`` in any order, as (contract, events, as-of,
    format); None for any other form (another option, a repeated one, a bad format, a missing
    or extra argument), which typer answers with its own usage error or help."""
    given: dict[str, str] = {}
    positional: list[str] = []
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name.startswith("--") and equals and name in _REPLAY_OPTIONS:
            key = _REPLAY_OPTIONS[name]
        elif arg in _REPLAY_OPTIONS:
            key, value = _REPLAY_OPTIONS[arg], next(rest, "")
        elif arg == "-" or _plain_path(arg):
            positional.append(arg)
            continue
        else:
            return None
        if key in given or not value or value.startswith("-"):
            return None
        given[key] = value
    fmt = given.get("fmt", "table")
    if len(positional) != 2 or fmt not in ("table", "json", "jsonl"):
        return None
    return Path(positional[0]), positional[1], given.get("as_of"), fmt


def _validate(file: Path) -> None:
    from slaengine.cli.plain import validate_contract

    validate_contract(file)


def _replay(contract_file: Path, events_file: str, as_of: str | None, fmt: str) -> None:
    from slaengine.cli.plain import replay_file
    from slaengine.clock import SystemClock

    replay_file(contract_file, events_file, as_of, fmt, SystemClock())


def _plain(command: Callable[..., None], *args: Any) -> int:
    """Exit code of a plain command, as typer's run of the same function gives it."""
    from slaengine.cli.plain import USER_ERRORS, report_error

    try:
        command(*args)
    except USER_ERRORS as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return 1
    return 0
