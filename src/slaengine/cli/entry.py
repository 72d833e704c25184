"""The ``slaengine`` program (pyproject's script and ``python -m slaengine``).

Theory of operation: ``slaengine contract validate FILE``, exactly so (one file, no option),
is answered here without importing typer (cli/plain.py says why); anything else — another
command, an option, ``-h``, a missing or extra argument — goes to the typer application of
cli/main.py, which also gives every usage error and help text.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path


def main(prog_name: str | None = None) -> None:
    """Run the command line on ``sys.argv``; exits with the command's exit code."""
    args = sys.argv[1:]
    if len(args) == 3 and args[:2] == ["contract", "validate"] and _plain_path(args[2]):
        sys.exit(_validate(Path(args[2])))
    from slaengine.cli.main import app

    app(prog_name=prog_name)


def _plain_path(arg: str) -> bool:
    # What typer would take as the FILE argument itself, not as an option or an empty value.
    return bool(arg) and not arg.startswith("-")


def _validate(file: Path) -> int:
    """Exit code of ``contract validate FILE``, as typer's run of the same function gives it."""
    from slaengine.cli.plain import USER_ERRORS, report_error, validate_contract

    try:
        validate_contract(file)
    except USER_ERRORS as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return 1
    return 0
