"""A dispute filed and decided in a real headless Chromium against the real ``slaengine serve``
(the server and browser of tests/test_console_browser.py): the ticket page's form with an
evidence file chosen in the browser, kept while the page refreshes itself live, then the
disputes page's decide form; the money page follows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests import test_console_browser as console_browser
from tests.live_support import event
from tests.test_console_browser import AUTH, OPERATOR, Traffic, new_page, sign_in
from tests.test_service_e2e import Server

#: Chromium and the real ``serve`` (skipped as the console's browser tests are).
pytestmark = console_browser.pytestmark
#: The console's browser tests' fixtures, by their names.
server = console_browser.server
browser = console_browser.browser

CID = "HT-2026-017"
LINE = "P-ack/T-006/ack-3min/1"


def test_a_dispute_in_the_browser(server: Server, browser: Any, tmp_path: Path) -> None:
    traffic = Traffic()
    page = new_page(browser, traffic)
    sign_in(page, server, OPERATOR)
    page.goto(f"{server.url}/console/tickets/{CID}/T-006?lang=en")
    cell = page.locator(f"td.dispute[data-line='{LINE}']")
    cell.get_by_text("Contest this line").click()
    cell.locator("textarea[name=reason]").fill("The caller hung up after 1 min 50 s.")
    cell.locator("input[name=by]").fill("Zhang Wei")
    log = tmp_path / "call-log.pdf"
    log.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    cell.locator("input[type=file]").set_input_files(str(log))
    page.locator("h1").click()  # nothing focused: only the filled form holds the page still

    # the store changes (an event of another contract): the page would refresh itself, but
    # not over a form filled in and not sent
    now = datetime.now(UTC)
    response = httpx.post(f"{server.url}/events", json=event("reported", "T-9", now, "T-9-r"),
                          headers=AUTH, timeout=30)  # fmt: skip
    assert response.status_code == 201
    page.wait_for_timeout(2500)
    assert cell.locator("textarea[name=reason]").input_value().startswith("The caller hung up")

    cell.get_by_role("button", name="File the dispute").click()
    page.wait_for_url(f"{server.url}/console/tickets/{CID}/T-006")
    mark = page.locator(f"td.dispute[data-line='{LINE}']")
    assert "Dispute 1: open" in mark.inner_text()
    (filed,) = httpx.get(f"{server.url}/disputes?contract={CID}", headers=AUTH, timeout=30).json()
    assert [(e["name"], e["type"]) for e in filed["evidence"]] == [
        ("call-log.pdf", "application/pdf")
    ]

    with page.expect_navigation():
        mark.get_by_role("link").click()
    assert "/console/disputes?contract=" in page.url
    card = page.locator("article[data-dispute='1']")
    with page.expect_download() as download:
        card.get_by_role("link", name="call-log.pdf").click()
    assert download.value.suggested_filename == "call-log.pdf"
    card.get_by_label("Accept: waive the line").check()
    card.locator("input[name=reason]").fill("The recording confirms it.")
    card.locator("input[name=by]").fill("Li Na")
    with page.expect_navigation():
        card.get_by_role("button", name="Decide").click()
    assert page.locator("article[data-dispute='1'][data-state='accepted']").count() == 1

    page.goto(f"{server.url}/console/money?contract={CID}&period=2026-10&lang=zh")
    disputed = page.locator("a.dispute-mark[data-dispute='1']")
    assert "已接受" in disputed.inner_text()
    assert "已豁免" in page.locator("tr", has=disputed).inner_text()
    assert traffic.outside == []
