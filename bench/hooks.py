"""Webhooks through a mapping against ``POST /events`` (``bench/run.py --sections hooks``).

``slaengine serve`` runs as a subprocess (SQLite file, the example tender, the shipped Jira
mapping mounted at ``/hooks/jira`` with its secret). The same ``events`` ticket reports are
posted twice by ``clients`` concurrent keep-alive clients: once as slaengine events to
``POST /events`` (operator token), once as Jira's own ``jira:issue_created`` webhooks, signed
(``X-Hub-Signature: sha256=...``), to ``POST /hooks/jira`` - each webhook maps to one event, so
the two rates compare event for event. Each way runs ``rounds`` times on fresh tickets,
alternating, and the best round of each counts (the machine is shared). The target is a webhook
rate at least 80 % of ``POST /events``'s. In the same run, the mapping alone: payloads mapped per
second in-process (``map_payload``), to show what of the difference is the mapping.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from slaengine.mapping.webhook import load_hook_mapping, map_payload

ROOT = Path(__file__).resolve().parents[1]
TENDER = ROOT / "contracts" / "example-tender.yaml"
JIRA = ROOT / "mappings" / "jira-webhook.yaml"
SECRET = "bench-jira-secret"
TOKEN = "bench-hooks-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _created(key: str, at: datetime) -> dict[str, Any]:
    return {
        "timestamp": int(at.timestamp() * 1000),
        "webhookEvent": "jira:issue_created",
        "issue_event_type_name": "issue_created",
        "user": {"accountId": "bench", "accountType": "atlassian"},
        "issue": {
            "id": key.rsplit("-", 1)[1],
            "key": key,
            "fields": {
                "summary": "A fault reported by the benchmark",
                "created": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "priority": {"id": "3", "name": "Medium"},
                "status": {"name": "Open"},
            },
        },
    }


def _requests(kind: str, prefix: str, count: int) -> list[tuple[bytes, dict[str, str]]]:
    """(body, headers) per request: a webhook, or the event it maps to."""
    start = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    out: list[tuple[bytes, dict[str, str]]] = []
    for n in range(count):
        at = start + timedelta(seconds=n)
        key = f"{prefix}-{n + 1}"
        if kind == "hooks":
            body = json.dumps(_created(key, at)).encode()
            mac = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            out.append((body, {"X-Hub-Signature": f"sha256={mac}"}))
        else:
            event = {
                "id": f"{key}@{at.isoformat()}#reported",
                "contract": "HT-2026-017",
                "ticket": key,
                "type": "reported",
                "at": at.isoformat(),
                "severity": "general",
            }
            out.append((json.dumps(event).encode(), {"Authorization": f"Bearer {TOKEN}"}))
    return out


def _post_all(
    url: str, path: str, requests: Sequence[tuple[bytes, dict[str, str]]], clients: int
) -> dict[str, Any]:
    """Post every request with ``clients`` concurrent keep-alive clients; the rate and answers."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    shares = [requests[i::clients] for i in range(clients)]

    def run(share: Sequence[tuple[bytes, dict[str, str]]]) -> None:
        seen: dict[int, int] = {}
        with httpx.Client(base_url=url, timeout=60.0) as client:
            for body, headers in share:
                status = client.post(path, content=body, headers=headers).status_code
                seen[status] = seen.get(status, 0) + 1
        with lock:
            for status, n in seen.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(requests),
        "answers": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(seconds, 3),
        "per_second": round(len(requests) / seconds) if seconds else None,
    }


def _mapping_rate(count: int) -> dict[str, Any]:
    mapping = load_hook_mapping(JIRA)
    payloads = [json.loads(body) for body, _ in _requests("hooks", "MAP", count)]
    started = time.perf_counter()
    for payload in payloads:
        map_payload(mapping, payload)
    seconds = time.perf_counter() - started
    return {"payloads": count, "per_second": round(count / seconds) if seconds else None}


def hooks_section(events: int, clients: int, rounds: int, work: Path) -> dict[str, Any]:
    """The section's figures (see the module doc)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "serve-hooks.log"
    env = {**os.environ, "SLAENGINE_JIRA_SECRET": SECRET}
    command = [
        sys.executable, "-m", "slaengine", "serve", "--db", f"sqlite:///{work / 'hooks.db'}",
        "--port", str(port), "--contract", str(TENDER), "--token", TOKEN,
        "--log-level", "warning", "--hook", f"jira={JIRA}",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.perf_counter() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"slaengine serve exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    break
            if time.perf_counter() > deadline:
                raise RuntimeError("slaengine serve did not answer in 120 s")
            time.sleep(0.05)
        # warm both paths (first requests import and compile)
        _post_all(url, "/events", _requests("events", "WARM-E", 20), 2)
        _post_all(url, "/hooks/jira", _requests("hooks", "WARM-H", 20), 2)
        runs: dict[str, list[dict[str, Any]]] = {"events": [], "hooks": []}
        for n in range(rounds):
            runs["events"].append(
                _post_all(url, "/events", _requests("events", f"E{n}", events), clients)
            )
            runs["hooks"].append(
                _post_all(url, "/hooks/jira", _requests("hooks", f"H{n}", events), clients)
            )
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    best = {
        kind: max(found, key=lambda run: run["per_second"] or 0) for kind, found in runs.items()
    }
    ratio = (best["hooks"]["per_second"] or 0) / (best["events"]["per_second"] or 1)
    return {
        "store": "sqlite",
        "clients": clients,
        "events_per_round": events,
        "rounds": rounds,
        "post_events": best["events"],
        "post_hooks_jira": best["hooks"],
        "all_rounds": runs,
        "hooks_to_events_ratio": round(ratio, 3),
        "target_ratio": 0.8,
        "meets_target": ratio >= 0.8,
        "mapping_only": _mapping_rate(min(events, 5_000)),
        "note": "each webhook (jira:issue_created, signed) maps to one reported event; best round "
        "of each kind",
    }
