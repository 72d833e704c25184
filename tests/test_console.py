"""The console and its roles in process (FastAPI's TestClient over a real SQLite store, in
travelled time); the browser tests are in test_console_browser.py."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from slaengine.alerts.messages import render
from slaengine.alerts.model import Alert
from slaengine.api.auth import COOKIE, SESSION_SECONDS, Auth
from slaengine.cli.common import read_events
from slaengine.clock import FixedClock
from slaengine.console.board import PAGE_SIZE
from slaengine.console.words import WORDS, from_accept_language
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.measures.compliance import measure
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store
from tests.live_support import event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
OPERATOR, VIEWER = "op-token", "view-token"
AS_OPERATOR = {"Authorization": f"Bearer {OPERATOR}"}
AS_VIEWER = {"Authorization": f"Bearer {VIEWER}"}
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(tmp_path: Path, clock: FixedClock) -> Iterator[LiveService]:
    live = open_service(f"sqlite:///{tmp_path / 'console.db'}", clock, fast_contract(), tmp_path)
    yield live
    live.store.close()


def client_for(service: LiveService, clock: FixedClock) -> TestClient:
    auth = Auth(operator=OPERATOR, viewer=VIEWER, clock=clock)
    return TestClient(
        create_app(service.store, clock, service=service, auth=auth), follow_redirects=False
    )


@pytest.fixture
def client(service: LiveService, clock: FixedClock) -> TestClient:
    return client_for(service, clock)


def sign_in(client: TestClient, token: str) -> None:
    client.cookies.clear()
    answer = client.post("/login", data={"token": token, "next": "/"})
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie


def test_viewer_reads_operator_also_writes(client: TestClient) -> None:
    reported = event("reported", "T1", T0)
    assert client.get("/breaches").status_code == 401
    assert client.get("/breaches", headers=AS_VIEWER).status_code == 200
    refused = client.post("/events", json=reported, headers=AS_VIEWER)
    assert refused.status_code == 403
    assert "viewer token may only read" in refused.json()["error"]
    assert client.post("/events/batch", json=[reported], headers=AS_VIEWER).status_code == 403
    assert client.post("/events", json=reported, headers=AS_OPERATOR).status_code == 201
    assert client.post("/alerts/1/ack", json={}, headers=AS_VIEWER).status_code == 403


def test_a_session_cookie_stands_for_its_token(
    client: TestClient, service: LiveService, clock: FixedClock
) -> None:
    assert client.get("/").headers["location"] == "/login?next=%2F"
    wrong = client.post("/login", data={"token": "guess"})
    assert wrong.status_code == 401
    assert "That token is not valid." in wrong.text
    sign_in(client, VIEWER)
    assert client.get("/").status_code == 200
    assert client.get("/alerts").status_code == 200  # the API takes the cookie too
    assert client.post("/events", json=event("reported", "T1", T0)).status_code == 403
    # An edited cookie is no session: the cookie is a random secret the server keeps.
    cookie = client.cookies[COOKIE]
    forged = cookie[:-1] + ("A" if cookie[-1] != "A" else "B")
    client.cookies.clear()  # the forged cookie instead of the one signed in (not beside it)
    client.cookies.set(COOKIE, forged)
    assert client.get("/alerts").status_code == 401
    # Sessions expire; a changed token signs everyone out.
    sign_in(client, OPERATOR)
    assert client.get("/alerts").status_code == 200
    other = client_for(service, clock)
    other.cookies.set(COOKIE, client.cookies[COOKIE])
    assert other.get("/alerts").status_code == 200
    renamed = TestClient(
        create_app(service.store, clock, service=service, auth=Auth(operator="new", clock=clock))
    )
    renamed.cookies.set(COOKIE, client.cookies[COOKIE])
    assert renamed.get("/alerts").status_code == 401
    clock.advance(timedelta(seconds=SESSION_SECONDS + 1))
    assert client.get("/alerts").status_code == 401
    assert client.post("/logout").headers["location"] == "/login"


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(client: TestClient) -> None:
    def use(value: str) -> None:
        client.cookies.clear()
        client.cookies.set(COOKIE, value)

    def signed_in(token: str) -> str:
        answer = client.post("/login", data={"token": token, "next": "/"})
        assert answer.status_code == 303
        return str(answer.cookies[COOKIE])

    client.cookies.clear()
    first = signed_in(OPERATOR)
    client.cookies.clear()
    copy = signed_in(OPERATOR)  # a second browser
    assert copy != first  # every sign-in is a new secret
    use(copy)
    rotated = signed_in(OPERATOR)  # signing in again with a cookie ends that one (rotation)
    assert rotated != copy
    use(copy)
    assert client.get("/alerts").status_code == 401
    use(rotated)
    assert client.get("/alerts").status_code == 200
    assert client.post("/logout").status_code == 303
    use(rotated)  # the copied cookie, used after signing out
    assert client.get("/alerts").status_code == 401
    use(first)  # another browser's session is not touched
    assert client.get("/alerts").status_code == 200


def test_sign_in_only_leads_to_this_server() -> None:
    from slaengine.console.page import local_path

    assert local_path("/console/alerts?x=1") == "/console/alerts?x=1"
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:1"):
        assert local_path(outside) == "/"


def test_roles_are_configured_sensibly() -> None:
    with pytest.raises(ValueError, match="needs an operator token"):
        Auth(viewer="v")
    with pytest.raises(ValueError, match="must differ"):
        Auth(operator="same", viewer="same")
    assert Auth().role_of_session("operator.1.abc") is None


def test_language_from_the_browser_then_remembered(client: TestClient) -> None:
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert from_accept_language("de-DE, zh;q=0.5") == "zh"
    assert from_accept_language("") == "en"
    sign_in(client, OPERATOR)
    assert 'lang="zh-CN"' in client.get("/", headers={"Accept-Language": "zh-CN"}).text
    english = client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "slaengine_lang=en" in english.headers["set-cookie"]
    client.cookies.set("slaengine_lang", "en")
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert all(en and zh for en, zh in WORDS.values())


def test_the_board_pages_and_filters(
    client: TestClient, service: LiveService, clock: FixedClock
) -> None:
    events = [
        event("reported", f"T{n:03d}", T0, asset="U1" if n % 2 else "U2")
        for n in range(PAGE_SIZE + 10)
    ]
    events.append(event("reported", "TM", T0 - timedelta(seconds=9), severity="major", asset="U9"))
    assert client.post("/events/batch", json=events, headers=AS_OPERATOR).json()["accepted"] == (
        PAGE_SIZE + 11
    )
    sign_in(client, OPERATOR)
    page = client.get("/").text
    rows = re.findall(r'<tr class="clock[^"]*" data-ticket="([^"]+)"[^>]*data-status="(\w+)"', page)
    assert len(rows) >= PAGE_SIZE
    assert rows[0] == ("TM", "breached")  # open breaches first
    assert f"({2 * (PAGE_SIZE + 11)})" in page  # ack and onsite of every ticket
    second = client.get("/?page_no=2").text
    assert "page_no=1" in second
    only_major = client.get("/?severity=major").text
    assert set(re.findall(r'data-ticket="([^"]+)"', only_major)) == {"TM"}
    only_u9 = client.get("/?asset=U9&commitment=onsite").text
    assert re.findall(r'data-ticket="([^"]+)" data-contract="FAST-1" data-commitment="(\w+)"',
                      only_u9) == [("TM", "onsite")]  # fmt: skip


def test_acknowledge_from_the_console_and_from_a_message_link(
    client: TestClient, service: LiveService, clock: FixedClock
) -> None:
    client.post(
        "/events", json=event("reported", "T1", T0 - timedelta(seconds=5)), headers=AS_OPERATOR
    )
    alerts = client.get("/alerts?kind=breach&contact=duty", headers=AS_OPERATOR).json()
    assert alerts, "the breach raised an alert"
    alert = alerts[0]
    text = render(Alert.model_validate(alert["alert"]), "en", "https://sla.example.com/").text
    assert "Open the ticket: https://sla.example.com/console/tickets/FAST-1/T1" in text
    link = re.search(r"Acknowledge: https://sla\.example\.com(/console/ack\?\S+)", text)
    assert link is not None
    assert "https://" not in render(Alert.model_validate(alert["alert"]), "zh", "").text
    sign_in(client, VIEWER)
    shown = client.get(link.group(1)).text
    assert f'data-alert="{alert["id"]}"' in shown
    assert re.search(r'<button type="button" class="primary" disabled[^>]*>Acknowledge<', shown)
    viewer_try = client.post(f"/console/alerts/{alert['id']}/ack", data={"by": "x"})
    assert viewer_try.status_code == 403
    sign_in(client, OPERATOR)
    shown = client.get(link.group(1) + "&lang=zh").text
    assert "确认</button>" in shown
    done = client.post(
        f"/console/alerts/{alert['id']}/ack", data={"by": "Wang", "back": "https://evil.example"}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/")
    seen = client.get(f"/alerts/{alert['id']}", headers=AS_OPERATOR).json()
    assert seen["acknowledged_by"] == "Wang"
    assert datetime.fromisoformat(seen["acknowledged_at"]) == T0


def test_docs_work_offline(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']https?://""", page), page
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code in (303, 404)
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"  # the Authorize button of /docs


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[TestClient]:
    """The example tender with the demo month, seen on 2026-11-01."""
    clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}", clock)
    contract = REPO / "contracts" / "example-tender.yaml"
    store.load_contract(contract.read_text("utf-8"), contract, T0.date().replace(month=1, day=15))
    service = LiveService(store, clock, environ={})
    lines = (REPO / "examples" / "demo-month.jsonl").read_bytes().splitlines()
    service.ingest(list(enumerate(lines, 1)), "demo", raw=True)
    client = TestClient(create_app(store, clock, service=service), follow_redirects=False)
    yield client
    store.close()


def test_money_compliance_warranty_and_contract_pages(demo: TestClient) -> None:
    money = demo.get("/console/money?period=2026-10").text
    assert "P-onsite" in money and "128000.00 (10% of price)" in money
    assert 'href="/console/tickets/HT-2026-017/' in money
    statement = demo.get("/console/money/statement?period=2026-10&format=csv&lang=en")
    disposition = statement.headers["content-disposition"]
    assert 'filename="statement-HT-2026-017-2026-10.csv"' in disposition  # RFC 6266, both forms
    assert disposition.endswith("filename*=UTF-8''statement-HT-2026-017-2026-10.csv")
    rows = list(csv.reader(io.StringIO(statement.content.decode("utf-8-sig"))))
    assert any("P-onsite" in row for row in rows)
    assert demo.get("/console/money/statement?format=docx").status_code == 422
    assert demo.get("/console/money?period=2026-13").status_code == 422
    compliance = demo.get("/console/compliance?lang=zh").text
    assert compliance.count("<svg") == 9 and "按时率" in compliance
    # The overall rate of each commitment is the one replay computes over the same events.
    contract_file = REPO / "contracts" / "example-tender.yaml"
    report = evaluate(
        load_contract(contract_file),
        read_events(
            str(REPO / "examples" / "demo-month.jsonl"), load_contract(contract_file)
        ).events,
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    for commitment in ("ack-3min", "onsite-30min", "report-3h"):
        card = compliance.split(f'data-commitment="{commitment}"')[1].split("</section>")[0]
        overall = card.split("合计")[1]
        expected = measure(report.clocks, [commitment], waived=report.charges.waived_clocks)
        assert f">{expected.rate_text()}<" in overall and f">{expected.judged}<" in overall
    warranty = demo.get("/console/warranty").text
    assert 'data-asset="U1-KP1"' in warranty and "key_part 5y" in warranty
    assert 'data-obligation="inspection"' in warranty
    contract = demo.get("/console/contracts/HT-2026-017").text
    assert "3分钟内予以答复" in contract and 'data-commitment="factory-repair-3d"' in contract
    assert demo.get("/console/contracts/NOPE").status_code == 404
    assert demo.get("/console/tickets/HT-2026-017/NOPE").status_code == 404


def test_the_cookie_is_secure_behind_tls(service: LiveService, clock: FixedClock) -> None:
    plain = client_for(service, clock)
    # X-Forwarded-Proto is believed only from a trusted proxy (serve --trust-proxy: uvicorn's
    # proxy headers set the scheme); a client cannot claim TLS with a header.
    claimed = plain.post("/login", data={"token": VIEWER}, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in claimed.headers["set-cookie"]
    auth = Auth(operator=OPERATOR, viewer=VIEWER, clock=clock)
    tls = TestClient(
        create_app(service.store, clock, service=service, auth=auth),
        base_url="https://testserver",
        follow_redirects=False,
    )
    assert "Secure" in tls.post("/login", data={"token": VIEWER}).headers["set-cookie"]


def test_the_live_feed_reads_the_store_at_most_every_poll(
    client: TestClient, service: LiveService
) -> None:
    from freezegun import freeze_time

    from slaengine.console.live import POLL_SECONDS, ChangeFeed

    feed = ChangeFeed(service.store)
    with freeze_time(T0) as frozen:
        before = feed.mark()
        client.post("/events", json=event("reported", "T1", T0), headers=AS_OPERATOR)
        assert feed.mark() == before  # one read serves every page within the poll
        frozen.tick(POLL_SECONDS + 0.01)
        after = feed.mark()
    assert after != before
    assert client.get("/live").status_code == 401


@pytest.mark.postgres
def test_the_board_filters_by_asset_on_postgres(
    pg_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    live = open_service(pg_url, clock, fast_contract(), tmp_path)
    try:
        client = client_for(live, clock)
        batch = [
            event("reported", "T1", T0, asset="U1"),
            event("reported", "T2", T0 - timedelta(seconds=9), asset="U2"),
        ]
        assert client.post("/events/batch", json=batch, headers=AS_OPERATOR).json()["accepted"] == 2
        sign_in(client, VIEWER)
        page = client.get("/?asset=U2").text
        assert set(re.findall(r'data-ticket="([^"]+)"', page)) == {"T2"}
        assert (
            'data-ticket="T2" data-contract="FAST-1" data-commitment="ack" data-status="breached"'
            in page
        )
    finally:
        live.store.close()


def test_serve_refuses_a_viewer_token_without_an_operator_token(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("slaengine")), "serve"]
    command += ["--db", str(tmp_path / "x.db"), "--viewer-token", "v"]
    env = {k: v for k, v in os.environ.items() if k != "SLAENGINE_API_TOKEN"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "a viewer token needs an operator token too" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_console_benchmark_runs() -> None:
    """``bench/run.py --sections console --quick``: every page answers, figures come out."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sections", "console", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    pages = figures["console"]["pages"]
    assert {"board", "board_last_page", "alerts", "ticket", "money", "compliance"} <= set(pages)
    assert figures["console"]["running_clocks"] == figures["sizes"]["console_clocks"]
    assert figures["targets"]["console_page_seconds"]["measured"] > 0


def test_pages_of_a_contract_say_when_none_is_loaded(tmp_path: Path, clock: FixedClock) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}", clock=clock)
    try:
        client = client_for(LiveService(store, clock), clock)
        sign_in(client, VIEWER)
        for path in ("/console/money", "/console/compliance", "/console/warranty"):
            for lang, text in (("en", "No contract is loaded."), ("zh", "尚未加载合同。")):
                answer = client.get(f"{path}?lang={lang}")
                assert (answer.status_code, text in answer.text) == (200, True), path
        download = client.get("/console/money/statement?format=csv")
        assert download.status_code == 404
    finally:
        store.close()


def test_the_contract_page_says_the_round2_terms(tmp_path: Path, clock: FixedClock) -> None:
    """The contract page says what ``contract show`` says of the round-2 terms (the same
    words), and that no price is given rather than "None"."""
    import html

    from tests.test_contract_round2 import BASE, LATER_TERMS

    store = Store.open(f"sqlite:///{tmp_path / 'r2.db'}", clock=clock)
    try:
        store.load_contract(BASE + LATER_TERMS, tmp_path / "r2.yaml")
        client = client_for(LiveService(store, clock), clock)
        sign_in(client, VIEWER)
        pages = {
            lang: html.unescape(client.get(f"/console/contracts/R2?lang={lang}").text)
            for lang in ("en", "zh")
        }
    finally:
        store.close()
    expected = {
        "en": [
            "a clock per window (a start while one is open opens none)",
            "lateness in working time of calendar office",
            "10.00 CNY per breach, at least 12.00 CNY a line; paid to the customer as "
            "compensation, not under the penalty caps",
            "penalties over any calendar month at most 300.00 CNY",
            "each repair (reported → acknowledged) moves the cover's end",
            "a final inspection in the last month of each cover",
            "availability: at least 98% per 5 min",
            "R-plain: the 2nd repair (reported) of a part under warranty owes its replacement "
            "(part_replaced), no deadline",
            "not given (no term is a percentage of it); amounts in CNY",
        ],
        "zh": [
            "每个未答复窗口计时一次",
            "超时按office日历的工作时间计",
            "每次违约 10.00 CNY，每次最低 12.00 CNY；作为赔偿付给采购人，不计入违约金上限",
            "违约金任意连续1个月内最多 300.00 CNY",
            "修理占用时间不计入有效期",
            "on_time_rate：每周不低于95%",
            "同一部件第2次维修（reported）（质保期内）后，以 part_replaced 完成更换（无期限）",
            "未给出（无按合同价比例计算的条款）；金额以 CNY 计",
        ],
    }
    for lang, phrases in expected.items():
        assert "None" not in pages[lang] and "Decimal(" not in pages[lang]
        # the caps and warranty section is in the page, not in its title
        assert "<title>R2 · slaengine</title>" in pages[lang]
        for phrase in phrases:
            assert phrase in pages[lang], (lang, phrase)


def test_the_board_lists_tickets_in_natural_order(client: TestClient) -> None:
    """Clocks of one deadline are listed H-1, H-2, H-10, not as text (H-1, H-10, H-2)."""
    events = [event("reported", ticket, T0) for ticket in ("H-10", "H-2", "H-11", "H-1")]
    assert client.post("/events/batch", json=events, headers=AS_OPERATOR).status_code == 200
    sign_in(client, OPERATOR)
    page = client.get("/").text
    rows = re.findall(r'<tr class="clock[^"]*" data-ticket="([^"]+)"', page)
    assert rows == ["H-1", "H-2", "H-10", "H-11"] * 2  # the answer clocks, then the on-site ones


def test_an_acknowledged_breach_is_acknowledged_for_every_contact_in_api_and_console(
    client: TestClient,
) -> None:
    """The duty supervisor acknowledges; the manager's alert of the same breach is then
    acknowledged too — in ``GET /alerts?acknowledged=`` as on the console's alerts page."""
    client.post(
        "/events", json=event("reported", "T1", T0 - timedelta(seconds=5)), headers=AS_OPERATOR
    )
    both = client.get("/alerts?kind=breach&ticket=T1", headers=AS_OPERATOR).json()
    assert {a["contact"] for a in both} == {"duty", "manager"}, both
    duty = next(a for a in both if a["contact"] == "duty")
    manager = next(a for a in both if a["contact"] == "manager")
    waiting = client.get("/alerts?acknowledged=false&ticket=T1", headers=AS_OPERATOR).json()
    assert {a["id"] for a in waiting} >= {duty["id"], manager["id"]}
    done = client.post(f"/alerts/{duty['id']}/ack", json={"by": "Wang"}, headers=AS_OPERATOR)
    assert done.status_code == 200, done.text
    waiting = client.get("/alerts?acknowledged=false&ticket=T1", headers=AS_OPERATOR).json()
    assert {duty["id"], manager["id"]}.isdisjoint(a["id"] for a in waiting)
    acked = client.get("/alerts?acknowledged=true&ticket=T1", headers=AS_OPERATOR).json()
    seen = {a["id"]: a for a in acked}
    assert seen[duty["id"]]["acknowledged_through"] == "alert"
    assert seen[manager["id"]]["acknowledged_through"] == "breach"
    assert seen[manager["id"]]["acknowledged_by"] == "Wang"
    assert (
        client.get(f"/alerts/{manager['id']}", headers=AS_OPERATOR).json()["acknowledged_at"]
        == seen[duty["id"]]["acknowledged_at"]
    )
    sign_in(client, OPERATOR)
    waiting_part, done_part = client.get("/console/alerts").text.split("<section>")[1:3]
    assert 'data-ticket="T1" data-kind="breach"' not in waiting_part
    assert done_part.count('data-ticket="T1" data-kind="breach"') == 2
    assert done_part.count('data-acknowledged-by="Wang"') == 2


def test_warranty_page_and_reminders_of_a_contract_of_replaced_parts_only(tmp_path: Path) -> None:
    """No unit term (维保: only replaced parts are warranted): the units show no cover and no
    dates, the replaced part its term, its expiry is reminded, and no final inspection is due."""
    import html
    import json

    from sqlalchemy import select

    from slaengine.store.models import StoredAlert
    from tests.test_warranty import PARTS_ONLY

    clock = FixedClock(datetime(2026, 8, 10, 1, 0, tzinfo=UTC))
    text = PARTS_ONLY.format(terms="{key_part: 2y, part: 6mo}", policy="fresh_term") + (
        "contacts:\n  - id: desk\n    lang: en\n    channels: [{kind: log}]\n"
    )
    store = Store.open(f"sqlite:///{tmp_path / 'parts.db'}", clock)
    try:
        store.load_contract(text, tmp_path / "parts.yaml")
        service = LiveService(store, clock, environ={})
        replaced = {"id": "R-1", "contract": "W-P", "type": "part_replaced",
                    "asset": "U1-P1", "at": "2026-03-01T10:00:00+08:00"}  # fmt: skip
        service.ingest([(1, json.dumps(replaced).encode())], "test", raw=True)
        service.run_due()
        with store.sessions() as session:
            keys = set(session.scalars(select(StoredAlert.key)))
        assert {k for k in keys if k.startswith("warranty/")} == {"warranty/W-P/U1-P1/2026-09-01"}
        client = TestClient(create_app(store, clock, service=service), follow_redirects=False)
        page = html.unescape(client.get("/console/warranty?lang=en").text)
        contract_page = html.unescape(client.get("/console/contracts/W-P?lang=zh").text)
    finally:
        store.close()
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(r'<tr data-asset="([^"]+)".*?</tr>', page, re.S)
    }
    assert set(rows) == {"U1", "U1-KP1", "U1-P1", "U2"}
    assert '<td class="time">—</td>' in rows["U1"]
    assert "no warranty term for unit: only replaced parts are warranted" in rows["U1"]
    assert '<td class="time">2026-09-01</td>' in rows["U1-P1"]
    assert 'data-obligation="final-inspection"' not in page
    assert "一般部件：更换后自更换之日起6个月" in contract_page
