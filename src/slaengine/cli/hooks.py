"""``slaengine hook try MAPPING PAYLOAD.json``: what a webhook would become, without a server.

How a contract manager builds and checks a webhook mapping (docs/connectors.md): the events go
to standard output as JSON Lines, exactly as ``POST /hooks/NAME`` would store them; why a rule
did not fire, or why the payload cannot be read (the path named), goes to standard error. No
store is opened and no signature is checked (``--header`` gives headers a mapping reads, such as
Zammad's ``X-Zammad-Trigger``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from slaengine.cli.common import NothingDone, err, friendly
from slaengine.errors import SlaError

hook_app = typer.Typer(
    help="Check a webhook mapping (docs/connectors.md).",
    no_args_is_help=True,
)


def hook_try(
    mapping: Annotated[
        Path,
        typer.Argument(
            metavar="MAPPING", help="the webhook mapping (shape: webhook)", show_default=False
        ),
    ],
    payload: Annotated[
        Path,
        typer.Argument(
            metavar="PAYLOAD", help="a webhook body as the helpdesk sends it", show_default=False
        ),
    ],
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            "-H",
            metavar="'NAME: VALUE'",
            help="a request header the mapping reads (repeatable)",
        ),
    ] = None,
) -> None:
    """Print the events PAYLOAD would become through MAPPING (JSON Lines), or why none."""
    from slaengine.mapping import write_jsonl
    from slaengine.mapping.webhook import PayloadError, load_hook_mapping, map_payload

    hook = load_hook_mapping(mapping)
    try:
        text = payload.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SlaError(f"{payload}: no such payload file") from None
    except UnicodeDecodeError as exc:  # the service answers such a body 400 (not UTF-8)
        raise SlaError(f"{payload}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SlaError(
            f"{payload}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); save the webhook body "
            "exactly as sent"
        ) from None
    except RecursionError:
        raise SlaError(f"{payload}: JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise SlaError(f"{payload}: not JSON ({exc})") from None
    headers: dict[str, str] = {}
    for item in header or []:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise SlaError(f"--header {item!r}: write 'Name: value'")
        headers[name.strip().lower()] = value.strip()
    try:
        result = map_payload(hook, data, headers)
    except PayloadError as exc:
        raise SlaError(f"{payload}: {exc}") from None
    write_jsonl(result.events, sys.stdout)
    for event_id, (after, own) in result.after.items():
        err.print(
            f"note: {event_id} is stored by the service only if the ticket's last {after} or "
            f"{own} before it is a {after} (it looks in its store)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    for note in result.notes:
        err.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    if not result.events:
        raise NothingDone(f"{payload}: no events (the service would answer 200, nothing to store)")
    noun = "event" if len(result.events) == 1 else "events"
    err.print(f"{len(result.events)} {noun}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    hook_app.command("try")(friendly(hook_try))
    app.add_typer(hook_app, name="hook")
