"""People in a real headless Chromium against the real ``slaengine serve`` (docs/people.md): an
administrator signs in by name, adds a supplier on the users page and grants it one contract;
the supplier signs in by name and sees that contract only, on the board and the money page.

Debian's chromium (``/usr/bin/chromium``) through Playwright, as tests/test_console_browser.py;
its own server (a store with two contracts and an administrator made with ``slaengine user``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests import test_console_browser as console_browser
from tests.live_support import event, fast_contract
from tests.test_console_browser import AUTH, Traffic, new_page
from tests.test_service_e2e import SLAENGINE, Server, serve

#: Chromium and the real ``serve`` (skipped, grouped and marked as the console's browser tests).
pytestmark = console_browser.pytestmark
browser = console_browser.browser

REPO = Path(__file__).resolve().parent.parent
TENDER = "HT-2026-017"
FAST = "FAST-1"
ADMIN, ADMIN_PASSWORD = "zhou.min", "the administrator's secret"
SUPPLIER, SUPPLIER_PASSWORD = "acme.service", "the supplier's secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``serve`` over two contracts (the fast one and the example tender with the demo month)
    and one administrator, added and granted with the ``slaengine user`` commands."""
    tmp = tmp_path_factory.mktemp("people")
    contract = tmp / "fast.yaml"
    contract.write_text(fast_contract(), "utf-8")
    tender = yaml.safe_load((REPO / "contracts" / "example-tender.yaml").read_text("utf-8"))
    tender.pop("contacts", None)  # no mail to the tender's invented addresses
    (tmp / "tender.yaml").write_text(yaml.safe_dump(tender, allow_unicode=True), "utf-8")
    db = str(tmp / "people.db")
    for command, stdin in (
        (["contract", "load", str(tmp / "tender.yaml"), "--db", db, "--effective", "2026-01-15"],
         ""),
        (["ingest", str(REPO / "examples" / "demo-month.jsonl"), "--db", db], ""),
        (["user", "add", ADMIN, "--db", db, "--password-stdin"], ADMIN_PASSWORD + "\n"),
        (["user", "grant", ADMIN, "administrator", "--db", db], ""),
    ):  # fmt: skip
        subprocess.run([SLAENGINE, *command], check=True, capture_output=True, input=stdin.encode())
    with serve(db, contract, tmp, {}, "people") as running:
        # a ticket of the fast contract, so the board has something of each contract to hide
        now = datetime.now(UTC)
        answer = httpx.post(f"{running.url}/events", json=event("reported", "T-P1", now, "T-P1-r"),
                            headers=AUTH, timeout=30)  # fmt: skip
        assert answer.status_code == 201, answer.text
        yield running


def sign_in_by_name(page: Any, server: Server, name: str, password: str) -> None:
    page.goto(f"{server.url}/?lang=en")
    assert "/login" in page.url
    page.fill("#name", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/?lang=en")


def contract_choices(page: Any) -> list[str]:
    """The contracts a page's contract selector offers (the board's "all" left out)."""
    options = page.locator("select[name=contract] option").all_inner_texts()
    return [text.strip() for text in options if text.strip() in (TENDER, FAST)]


def test_an_administrator_gives_a_supplier_one_contract(server: Server, browser: Any) -> None:
    traffic = Traffic()
    admin = new_page(browser, traffic)
    sign_in_by_name(admin, server, ADMIN, ADMIN_PASSWORD)
    assert f"{ADMIN} (administrator)" in admin.locator("body").inner_text()
    assert set(contract_choices(admin)) == {TENDER, FAST}

    admin.goto(f"{server.url}/console/users?lang=en")
    add = admin.locator("form[action='/console/users/add']")
    add.locator("input[name=name]").fill(SUPPLIER)
    add.locator("input[name=password]").fill(SUPPLIER_PASSWORD)
    with admin.expect_navigation():
        add.get_by_role("button").click()
    row = admin.locator(f"tr[data-user='{SUPPLIER}']")
    assert row.count() == 1
    grant = row.locator("form[action='/console/users/grant']")
    grant.locator("select[name=role]").select_option("supplier")
    grant.locator("select[name=contract]").select_option(TENDER)
    with admin.expect_navigation():
        grant.get_by_role("button").click()
    granted = admin.locator(f"tr[data-user='{SUPPLIER}'] li[data-grant]")
    assert granted.evaluate_all("items => items.map(i => i.dataset.grant)") == [
        f"supplier@{TENDER}"
    ]
    admin.context.close()

    supplier = new_page(browser, traffic)
    sign_in_by_name(supplier, server, SUPPLIER, SUPPLIER_PASSWORD)
    board = supplier.locator("body").inner_text()
    assert f"{SUPPLIER} (supplier on {TENDER})" in board
    assert contract_choices(supplier) == [TENDER]
    assert FAST not in supplier.content() and "T-P1" not in board
    supplier.goto(f"{server.url}/console/money?lang=en")
    assert contract_choices(supplier) == [TENDER]
    assert FAST not in supplier.content()
    # the other contract by its id: "not found", like a contract that does not exist
    hidden = supplier.goto(f"{server.url}/console/money?contract={FAST}&lang=en")
    assert hidden is not None and hidden.status == 404
    missing = supplier.goto(f"{server.url}/console/money?contract=HT-NONE&lang=en")
    assert missing is not None and missing.status == 404
    assert supplier.goto(f"{server.url}/console/users").status == 403
    supplier.context.close()
    assert traffic.outside == []
    # the administrator's sign-in, the user made and granted, the supplier's sign-in: audited
    records = httpx.get(f"{server.url}/audit", headers=AUTH, timeout=30).json()
    kinds = [(r["kind"], r["who"]) for r in records]
    for expected in (("signed_in", ADMIN), ("user_created", ADMIN), ("role_granted", ADMIN),
                     ("signed_in", SUPPLIER)):  # fmt: skip
        assert expected in kinds, (expected, kinds)
