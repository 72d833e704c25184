"""The ``console`` section: the console's pages over HTTP from ``slaengine serve`` with
``--console-clocks`` running clocks, then the money page at scale (bench/console.py).

Run from bench/run.py (``--sections console``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx

from harness import Server, live_contract, say, timed_get
from live import populate

CONSOLE_PAGES = {
    "board": "/",
    "board_last_page": "/?page_no=100000",
    "board_one_commitment": "/?commitment=plan",
    "board_one_asset": "/?asset=A-7",
    "alerts": "/console/alerts",
    "ticket": "/console/tickets/BENCH-LIVE/F-1",
    "contract": "/console/contracts/BENCH-LIVE",
}
#: Pages that judge the whole contract (evaluate over every stored event); the first request
#: computes the report, the next ones reuse it until an event arrives or 30 s pass.
CONSOLE_WHOLE = {
    "money": "/console/money",
    "compliance": "/console/compliance",
    "warranty": "/console/warranty",
}


def console(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Console pages over HTTP from ``slaengine serve`` with ``--console-clocks`` running
    clocks in the store (SQLite): each page requested ``--console-repeat`` times in a row."""
    bench_contract = work / "bench-console.yaml"
    bench_contract.write_text(live_contract(args.probe_target), encoding="utf-8")
    db = f"sqlite:///{work / 'console.db'}"
    say(f"storing {args.console_clocks:,} running clocks for the console (SQLite)")
    result: dict[str, Any] = {"populate": populate(db, bench_contract, args.console_clocks)}
    server = Server(db, [bench_contract], work / "serve-console.log")
    try:
        server.wait_ready()
        pages: dict[str, Any] = {}
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for name, path in CONSOLE_PAGES.items():
                say(f"console page {name}")
                pages[name] = {"path": path, **timed_get(client, path, args.console_repeat)}
            for name, path in CONSOLE_WHOLE.items():
                say(f"console page {name} (whole contract)")
                first = timed_get(client, path, 1)
                pages[name] = {
                    "path": path,
                    "first_seconds": first["max_seconds"],
                    "kept": timed_get(client, path, args.console_repeat),
                }
        result["pages"] = pages
        result["running_clocks"] = result["populate"]["running_clocks"]
        result["slowest_paged_p95_seconds"] = max(
            pages[name]["p95_seconds"] for name in CONSOLE_PAGES
        )
    finally:
        server.stop()
    # issue 23: the money page from the store's lines, at 25,000 judged tickets (bench/console.py)
    from console import money_figures

    result["money"] = money_figures(args, work, Server, timed_get)
    return result
