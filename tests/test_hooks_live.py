"""``POST /hooks/NAME`` on the real ``slaengine serve`` (a subprocess), per helpdesk.

One server for the module, with the example tender and the four shipped mappings mounted
(``--hook NAME=mappings/NAME-webhook.yaml``, secrets in the environment), a SQLite file, and a
real HTTP receiver for the alerts (SLAENGINE_ALERT_WEBHOOK). A ticket's life posted as the
system's own webhooks must give the clocks, breaches and alerts its hand-written events give
through ``POST /events``; the rest checks the edges: signatures, redelivery, order, refusals.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hook_payloads import (
    AFTER_CLOSE,
    CONTRACT,
    ENV,
    LIVES,
    NUMBERS,
    SYSTEMS,
    Delivery,
    body_bytes,
    expected,
    jira_life,
    sign,
)
from tests.receivers import HttpReceiver, free_port, http_receiver

# one worker runs the module: its tests share one server (the `served` fixture)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hooks_live")]

ROOT = Path(__file__).resolve().parents[1]
SLAENGINE = str(Path(sys.executable).with_name("slaengine"))
TOKEN = "hooks-e2e-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Served:
    url: str
    db: Path
    alerts: HttpReceiver
    log: Path

    def hook(
        self, system: str, delivery: Delivery, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """Post a delivery as the system would: its body, its headers, its signature."""
        extra, body = delivery
        raw = body_bytes(body)
        proof = sign(system, raw, int(time.time())) if headers is None else headers
        return httpx.post(
            f"{self.url}/hooks/{system}",
            content=raw,
            headers={"Content-Type": "application/json", **extra, **proof},
            timeout=10,
        )

    def ticket(self, ticket: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.url}/contracts/{CONTRACT}/tickets/{ticket}", headers=AUTH)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        return data

    def count(self, sql: str, *args: Any) -> int:
        with sqlite3.connect(self.db) as connection:
            value: int = connection.execute(sql, args).fetchone()[0]
        return value


def _hooks() -> list[str]:
    return [
        arg for s in SYSTEMS for arg in ("--hook", f"{s}={ROOT / 'mappings' / f'{s}-webhook.yaml'}")
    ]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("hooks")
    db = tmp / "hooks.db"
    log = tmp / "serve.log"
    with http_receiver() as alerts:
        env = {**os.environ, **ENV}
        args = [
            "--db", f"sqlite:///{db}",
            "--contract", str(ROOT / "contracts" / "example-tender.yaml"),
            "--token", TOKEN, "--no-judge", *_hooks(),
            # the tests' deliberate wrong signatures count as failed authentications (the
            # throttle is tested below, on a server of its own): set out of their way
            "--auth-failures", "1000",
        ]  # fmt: skip
        with _serving(args, env, log) as url:
            yield Served(url, db, alerts, log)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as an operator stops the service; killed if it has not ended within 10 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def _serving(args: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """``slaengine serve ARGS`` on a free port, its output in ``log``; yields its URL once
    /health answers, and stops it (SIGTERM) after."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [SLAENGINE, "serve", "--port", str(port), *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield url
    finally:
        _stop(process)


@contextmanager
def _judge(served: Served) -> Iterator[None]:
    env = {**os.environ, "SLAENGINE_ALERT_WEBHOOK": f"{served.alerts.url}/all"}
    log = served.log.with_name(f"judge-{time.monotonic_ns()}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                SLAENGINE,
                "judge",
                "--db",
                f"sqlite:///{served.db}",
                "--alert-history",
                "--sweep",
                "1",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{exc}\njudge log:\n{log.read_text()}") from None
    finally:
        _stop(process)


def _t0() -> datetime:
    return (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)


def _clocks(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    def moment(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    return sorted(
        (
            c["commitment"],
            c.get("cycle"),
            c["status"],
            moment(c.get("started_at")),
            moment(c.get("deadline")),
            moment(c.get("stopped_at")),
            moment(c.get("cancelled_at")),
            c.get("late_by_seconds") if c.get("stopped_at") else None,
        )
        for c in data["clocks"]
    )


def _breaches(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((b["commitment"], b.get("cycle"), b.get("status")) for b in data["breaches"])


def _alerts(receiver: HttpReceiver, ticket: str) -> list[tuple[str, str]]:
    return sorted(
        (r.json()["kind"], r.json().get("commitment") or "")
        for r in receiver.requests
        if r.json().get("ticket") == ticket
    )


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_life_as_webhooks_gives_the_clocks_breaches_and_alerts_of_its_events(
    served: Served, system: str
) -> None:
    t0 = _t0()
    number = NUMBERS[system] + "1" if system != "jira" else "SUP-71"
    for delivery in LIVES[system](number, t0):
        answer = served.hook(system, delivery)
        assert answer.status_code in (200, 201), answer.text
    reference = f"REF-{system}"
    batch = httpx.post(
        f"{served.url}/events/batch", json=expected(system, reference, t0), headers=AUTH
    )
    assert batch.status_code == 200 and batch.json()["rejected"] == [], batch.text
    hooked, written = served.ticket(number), served.ticket(reference)
    assert _clocks(hooked) == _clocks(written)
    assert any(c[2] == "breached" for c in _clocks(hooked))  # the life has something to alert
    # The judge lane (here a 'slaengine judge' beside 'serve --no-judge', so that both tickets
    # are judged once, with all their events) records the breaches and sends the alerts.
    with _judge(served):
        deadline = time.monotonic() + 20
        while True:
            got, want = _alerts(served.alerts, number), _alerts(served.alerts, reference)
            if got and got == want:
                break
            assert time.monotonic() < deadline, f"alerts differ: {got} != {want}"
            time.sleep(0.1)
    hooked, written = served.ticket(number), served.ticket(reference)
    assert _breaches(hooked) == _breaches(written) != []


@pytest.mark.parametrize("system", SYSTEMS)
def test_out_of_order_delivery_gives_the_same_clocks(served: Served, system: str) -> None:
    t0 = _t0()
    forward = NUMBERS[system] + "2" if system != "jira" else "SUP-72"
    backward = NUMBERS[system] + "3" if system != "jira" else "SUP-73"
    for delivery in LIVES[system](forward, t0):
        assert served.hook(system, delivery).status_code in (200, 201)
    life = LIVES[system](backward, t0)
    # A reopen known only from the stored history comes after the close it reopens.
    last = life[-1:] if system in AFTER_CLOSE else []
    for delivery in [*reversed(life[: len(life) - len(last)]), *last]:
        assert served.hook(system, delivery).status_code in (200, 201)
    assert _clocks(served.ticket(forward)) == _clocks(served.ticket(backward))


def test_redelivery_stores_nothing_new_and_says_so(served: Served) -> None:
    update = jira_life("SUP-80", _t0())[4]
    first = served.hook("jira", update)
    assert first.status_code == 201, first.text
    assert first.json()["events"] == 1
    stored = served.count("SELECT count(*) FROM events WHERE ticket = 'SUP-80'")
    again = served.hook("jira", update)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert again.json()["events"] == 0 and again.json()["duplicates"] == 1
    assert served.count("SELECT count(*) FROM events WHERE ticket = 'SUP-80'") == stored == 1


def test_a_payload_that_changes_nothing_measured_answers_200_with_zero_events(
    served: Served,
) -> None:
    internal = jira_life("SUP-81", _t0())[1]
    answer = served.hook("jira", internal)
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"] == 0
    assert answer.json()["why"] == ["no rule of the mapping matched this payload"]


@pytest.mark.parametrize("system", SYSTEMS)
def test_signatures_good_bad_and_missing(served: Served, system: str) -> None:
    delivery = LIVES[system](NUMBERS[system] + "9" if system != "jira" else "SUP-89", _t0())[0]
    raw = body_bytes(delivery[1])
    good = sign(system, raw, int(time.time()))
    bad = {
        name: value[:-2] + ("00" if not value.endswith("00") else "11")
        for name, value in good.items()
    }
    if system == "glpi":  # a wrong signature, not a wrong timestamp
        bad["X-GLPI-timestamp"] = good["X-GLPI-timestamp"]
    refused = served.hook(system, delivery, bad)
    assert refused.status_code == 401, refused.text
    assert refused.json()["status"] == "rejected" and refused.json()["field"] == "signature"
    missing = served.hook(system, delivery, {})
    assert missing.status_code == 401, missing.text
    assert "no bearer token" in missing.json()["error"]
    assert served.hook(system, delivery, good).status_code == 201
    # the same signed request replayed (within GLPI's window; the others carry no time): it
    # can only repeat what it said, and its events are already stored
    replayed = served.hook(system, delivery, good)
    assert replayed.status_code == 200 and replayed.json()["events"] == 0, replayed.text
    # the operator's bearer token always works (here: a redelivery, nothing new)
    assert served.hook(system, delivery, AUTH).status_code == 200
    wrong_bearer = served.hook(system, delivery, {"Authorization": "Bearer nope"})
    assert wrong_bearer.status_code == 401


def test_a_replayed_glpi_delivery_outside_its_window_is_refused(served: Served) -> None:
    delivery = LIVES["glpi"]("9901", _t0())[0]
    raw = body_bytes(delivery[1])
    old = int(time.time()) - 2 * 3600  # the shipped mapping's window is 1 h
    replayed = served.hook("glpi", delivery, sign("glpi", raw, old))
    assert replayed.status_code == 401
    assert "outside the replay window" in replayed.json()["error"]
    assert served.count("SELECT count(*) FROM events WHERE ticket = '9901'") == 0


@pytest.mark.parametrize("system", sorted(AFTER_CLOSE))
def test_a_reopen_before_any_close_is_not_stored_and_says_why(served: Served, system: str) -> None:
    """Zammad and GLPI say a ticket is open, not that it was closed: slaengine stores a reopen
    only after a stored close, and says so when it does not."""
    t0 = _t0()
    number = "31999" if system == "zammad" else "9998"
    life = LIVES[system](number, t0)
    reopen = life[-1]  # open again at REOPEN, but no close was delivered
    answer = served.hook(system, reopen)
    assert answer.status_code in (200, 201), answer.text
    stored = served.count(
        "SELECT count(*) FROM events WHERE ticket = ? AND type = 'reopened'", number
    )
    assert stored == 0
    assert any("reopened at" in why and "not a resolved" in why for why in answer.json()["why"])
    assert served.hook(system, life[-2]).status_code == 201  # the close
    again = served.hook(system, reopen)
    assert again.status_code == 201, again.text
    assert "reopened" in [o["type"] for o in again.json()["outcomes"]]


def test_a_payload_of_another_shape_is_refused_naming_the_field_and_kept(
    served: Served,
) -> None:
    zammad = LIVES["zammad"]("55501", _t0())[0]
    answer = served.hook("jira", zammad, sign("jira", body_bytes(zammad[1])))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "issue.key"
    assert "issue.key: missing" in answer.json()["error"]
    kept = "SELECT count(*) FROM rejected WHERE source = 'hook:jira' AND raw LIKE '%55501%'"
    assert served.count(kept) == 1
    retried = served.hook("jira", zammad, sign("jira", body_bytes(zammad[1])))
    assert retried.status_code == 422
    assert served.count(kept) == 1  # a helpdesk retrying the same payload: recorded once
    not_json = httpx.post(
        f"{served.url}/hooks/servicenow",
        content=b"state=1&number=INC1",
        headers=sign("servicenow", b""),
    )
    assert not_json.status_code == 400 and not_json.json()["field"] == "body"
    assert served.count("SELECT count(*) FROM rejected WHERE raw = 'state=1&number=INC1'") == 1


def test_an_unknown_hook_is_404(served: Served) -> None:
    answer = httpx.post(f"{served.url}/hooks/otrs", content=b"{}", headers=AUTH)
    assert answer.status_code == 404
    assert "mounted: glpi, jira, servicenow, zammad" in answer.json()["error"]


def test_guessing_a_webhook_secret_is_throttled(tmp_path: Path) -> None:
    """A wrong signature is a failed authentication: after ``--auth-failures`` of them the
    address gets 429 with Retry-After, even with the right signature."""
    args = [
        "--db", f"sqlite:///{tmp_path / 'guess.db'}",
        "--contract", str(ROOT / "contracts" / "example-tender.yaml"),
        "--token", TOKEN, "--no-judge", "--auth-failures", "3",
        "--hook", f"jira={ROOT / 'mappings' / 'jira-webhook.yaml'}",
    ]  # fmt: skip
    with _serving(args, {**os.environ, **ENV}, tmp_path / "serve.log") as url:
        extra, body = LIVES["jira"]("SUP-77", _t0())[0]
        raw = body_bytes(body)
        good = sign("jira", raw)
        bad = {
            name: value[:-2] + ("00" if not value.endswith("00") else "11")
            for name, value in good.items()
        }

        def post(proof: dict[str, str]) -> httpx.Response:
            headers = {"Content-Type": "application/json", **extra, **proof}
            return httpx.post(f"{url}/hooks/jira", content=raw, headers=headers, timeout=10)

        assert [post(bad).status_code for _ in range(3)] == [401, 401, 401]
        throttled = post(good)
        assert throttled.status_code == 429, throttled.text
        assert int(throttled.headers["Retry-After"]) >= 1


def test_serve_refuses_a_hook_whose_secret_is_not_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SLAENGINE_JIRA_SECRET"}
    run = subprocess.run(
        [SLAENGINE, "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", str(free_port()),
         "--hook", f"jira={ROOT / 'mappings' / 'jira-webhook.yaml'}"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "SLAENGINE_JIRA_SECRET, which is not set" in run.stderr
    bad = subprocess.run(
        [SLAENGINE, "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--hook", "jira"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "write NAME=MAPPING.yaml" in bad.stderr


def test_hooks_from_the_environment(tmp_path: Path) -> None:
    """SLAENGINE_HOOKS holds several NAME=MAPPING pairs, separated by spaces."""
    mapping = ROOT / "mappings" / "servicenow-webhook.yaml"
    env = {**os.environ, **ENV, "SLAENGINE_HOOKS": f"sn={mapping} other={mapping}"}
    args = [
        "--db", f"sqlite:///{tmp_path / 'env.db'}",
        "--contract", str(ROOT / "contracts" / "example-tender.yaml"),
    ]  # fmt: skip
    with _serving(args, env, tmp_path / "serve.log") as url:
        _headers, body = LIVES["servicenow"]("INC0099", _t0())[0]
        answer = httpx.post(
            f"{url}/hooks/other", content=json.dumps(body), headers=sign("servicenow", b"")
        )
        assert answer.status_code == 201, answer.text


def test_a_token_in_the_url_is_not_written_to_the_service_log(tmp_path: Path) -> None:
    """The access log writes each request's URL: the secret of a query-token hook must not
    end up in the log of the service that checks it."""
    secret = "url-secret-7f3a9c1e5b"
    mapping = tmp_path / "inhouse.yaml"
    mapping.write_text(
        (ROOT / "mappings" / "servicenow-webhook.yaml")
        .read_text(encoding="utf-8")
        .replace("scheme: token", "scheme: query-token"),
        encoding="utf-8",
    )
    env = {**os.environ, **ENV}
    secret_env = "SLAENGINE_SERVICENOW_TOKEN"
    env[secret_env] = secret
    args = [
        "--db", f"sqlite:///{tmp_path / 'url.db'}",
        "--contract", str(ROOT / "contracts" / "example-tender.yaml"),
        "--hook", f"inhouse={mapping}", "--log-level", "info",
    ]  # fmt: skip
    log = tmp_path / "serve.log"
    with _serving(args, env, log) as url:
        _headers, body = LIVES["servicenow"]("INC0098", _t0())[0]
        answer = httpx.post(f"{url}/hooks/inhouse?token={secret}", content=json.dumps(body))
        assert answer.status_code == 201, answer.text
        wrong = httpx.post(f"{url}/hooks/inhouse?tok%65n={secret}x", content=json.dumps(body))
        assert wrong.status_code == 401, wrong.text
    text = log.read_text()
    assert "POST /hooks/inhouse?token=[hidden]" in text  # the request is logged ...
    assert secret not in text  # ... without its secret


@pytest.mark.postgres
def test_on_postgresql_a_life_redelivered_stores_each_event_once(
    tmp_path: Path, pg_url: str
) -> None:
    """The same door on PostgreSQL: the Jira life posted twice gives its events once, and the
    clocks of the hand-written events."""
    env = {**os.environ, **ENV}
    args = [
        "--db", pg_url, "--token", TOKEN,
        "--contract", str(ROOT / "contracts" / "example-tender.yaml"), "--no-judge",
        "--hook", f"jira={ROOT / 'mappings' / 'jira-webhook.yaml'}",
    ]  # fmt: skip
    with _serving(args, env, tmp_path / "serve-pg.log") as url:
        served = Served(url, tmp_path / "unused.db", HttpReceiver("127.0.0.1", 0), Path())
        t0 = _t0()
        life = jira_life("SUP-90", t0)
        first = [served.hook("jira", delivery) for delivery in life]
        assert sum(a.json().get("events", 0) for a in first) == len(expected("jira", "X", t0))
        again = [served.hook("jira", delivery) for delivery in life]
        assert {a.status_code for a in again} == {200}
        assert sum(a.json().get("events", 0) for a in again) == 0
        batch = httpx.post(f"{url}/events/batch", json=expected("jira", "REF-90", t0), headers=AUTH)
        assert batch.status_code == 200 and batch.json()["rejected"] == []
        assert _clocks(served.ticket("SUP-90")) == _clocks(served.ticket("REF-90"))
