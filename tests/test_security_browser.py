"""Forged forms from a page on another port, in a real headless Chromium, against the real
``slaengine serve``: the cross-site and same-site rows of issue 19.

The attacker's pages are served by a plain HTTP server on another port of 127.0.0.1 (the same
*site* as the console: cookies do not care about ports, so SameSite=Strict does not stop it) and
on ``localhost`` (another site). Each page submits a form to the console the moment it loads,
while the browser is signed in as an operator. Nothing the forms ask for may happen; the
console's own button, on its own page, still works.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live_support import event
from tests.test_console_browser import ARGS, CHROMIUM, PATIENCE
from tests.test_security import (
    AS_OPERATOR,
    OPERATOR,
    VIEWER,
    post_breached,
    serving,
    wait_lines,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@contextmanager
def attacker(pages: dict[str, str]) -> Iterator[int]:
    """A web server on another port serving ``pages`` (path: HTML); yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0], "not here").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def auto_form(action: str, fields: dict[str, str], enctype: str | None = None) -> str:
    inputs = "".join(
        f"<input type=hidden name='{name}' value='{value}'>" for name, value in fields.items()
    )
    kind = f" enctype='{enctype}'" if enctype else ""
    return (
        f"<html><body><form id=f method=post action='{action}'{kind}>{inputs}</form>"
        "<script>document.getElementById('f').submit()</script></body></html>"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def loopback_only(route: Any) -> None:
    host = urlsplit(route.request.url).hostname
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def test_forged_forms_from_another_port_or_site_do_nothing(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        post_breached(server, ["T-CSRF"])
        wait_lines(server, 1)
        alerts = httpx.get(f"{server.url}/alerts", headers=AS_OPERATOR).json()
        alert_id = alerts[-1]["id"]
        forged_event = json.dumps(event("reported", "FORGED", datetime.now(UTC)))
        # text/plain puts "name=value": a JSON body with a harmless tail in a string.
        name, value = forged_event[:-1] + ', "x": "', '"}'
        pages = {
            "/ack": auto_form(
                f"{server.url}/console/alerts/{alert_id}/ack", {"by": "forged", "back": "/"}
            ),
            "/event": auto_form(f"{server.url}/events", {name: value}, "text/plain"),
            "/login": auto_form(f"{server.url}/login", {"token": VIEWER, "next": "/"}),
            "/logout": auto_form(f"{server.url}/logout", {}),
            "/frame": f"<html><body><iframe id=c src='{server.url}/'></iframe></body></html>",
        }
        with attacker(pages) as port:
            context = browser.new_context()
            context.set_default_timeout(PATIENCE)  # waits poll for what they wait for
            context.route("**/*", loopback_only)
            page = context.new_page()
            page.goto(f"{server.url}/login")
            page.fill("input[type=password]", OPERATOR)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server.url}/")

            for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
                for path in ("/ack", "/event", "/login", "/logout"):
                    with page.expect_navigation(url=f"{server.url}/**"):
                        page.goto(origin + path)
                    assert "cross-site request refused" in page.content(), (origin, path)
                # Framed by the other page, the console shows nothing.
                page.goto(origin + "/frame")  # returns at the page's load, its frame's too
                page.locator("#c").wait_for(state="attached", timeout=PATIENCE)
                framed = [f for f in page.frames if f != page.main_frame]
                assert framed
                assert all("slaengine" not in _text(f) for f in framed)

            # Still signed in as the operator (neither the forged sign-in nor sign-out held),
            # nothing acknowledged, no event stored.
            page.goto(f"{server.url}/console/alerts")
            assert page.get_by_role("button", name="Acknowledge").count() >= 1
            seen = httpx.get(f"{server.url}/alerts/{alert_id}", headers=AS_OPERATOR).json()
            assert seen["acknowledged_at"] is None
            breaches = httpx.get(f"{server.url}/breaches", headers=AS_OPERATOR).json()
            assert "FORGED" not in {b["ticket"] for b in breaches}

            # The console's own button, on its own page, still acknowledges.
            page.get_by_role("button", name="Acknowledge").first.click()
            page.wait_for_load_state()
            deadline = time.monotonic() + PATIENCE / 1000  # returns as soon as it is seen
            while time.monotonic() < deadline:
                acked = httpx.get(f"{server.url}/alerts", headers=AS_OPERATOR).json()
                if any(a["acknowledged_at"] for a in acked):
                    break
                time.sleep(0.1)
            else:
                raise AssertionError("the console's own acknowledge button did nothing")
            context.close()


def _text(frame: Any) -> str:
    try:
        return str(frame.content())
    except Exception:  # a blocked frame may have no document at all
        return ""
