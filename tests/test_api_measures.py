"""``GET /contracts/{id}/measures`` over a real store (SQLite and PostgreSQL), in travelled time:
the same figures and money as replay computes from the same events (tests/test_measures_faults.py
has them by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from slaengine.clock import FixedClock
from slaengine.server import create_app
from tests.live_support import open_service
from tests.test_measures_faults import stream, variant_text

TOKEN = "measures-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW = datetime(2026, 5, 2, tzinfo=UTC)


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    service = open_service(db_url, FixedClock(NOW), variant_text(), tmp_path)
    outcome = service.ingest(list(enumerate(stream().raw)), "test")
    assert not outcome.added.rejected
    yield TestClient(create_app(service.store, service.clock, token=TOKEN, service=service))
    service.store.close()


def test_each_measure_with_its_periods_figures_and_money(client: TestClient) -> None:
    answer = client.get(
        "/contracts/HT-2026-017/measures",
        params={"period": "2026-03", "as_of": "2026-05-02T00:00:00+08:00"},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["as_of"] == "2026-05-02T00:00:00+08:00"
    assert data["period"]["label"] == "2026-03"
    found = {m["measure"]: m for m in data["measures"]}
    assert list(found) == ["availability", "satisfaction", "first-fix", "repeats"]
    (repeats,) = found["repeats"]["periods"]
    assert found["repeats"]["direction"] == "at_most"
    assert (repeats["figure"], repeats["status"], repeats["amount"]) == (
        "50.000",
        "above",
        "100.00",
    )
    assert [(x["clause"], x["amount"]) for x in repeats["lines"]] == [("SC-repeats", "100.00")]
    assert repeats["assets"][0] == {
        "asset": "U1",
        "faults": 4,
        "tickets": ["T-1", "T-3", "T-4", "T-6"],
        "repeat": True,
    }
    (first,) = found["first-fix"]["periods"]
    assert (first["figure"], first["status"], first["amount"], first["lines"]) == (
        "33.333",
        "below",
        "0.00",
        [],
    )
    assert [t["ticket"] for t in first["tickets"] if not t["first_time"]] == [
        "T-2",
        "T-3",
        "T-6",
        "T-5",
    ]
    (satisfaction,) = found["satisfaction"]["periods"]
    assert satisfaction["status"] == "no_data"  # no callback in March


def test_without_a_period_every_period_up_to_now(client: TestClient) -> None:
    data = client.get("/contracts/HT-2026-017/measures", headers=AUTH).json()
    first = next(m for m in data["measures"] if m["measure"] == "first-fix")
    # accepted 15 January; now 2 May: January (part), February, March, April, May (so far)
    assert [p["period_start"][:7] for p in first["periods"]] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    assert first["periods"][-1]["provisional"] is True


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/contracts/NOPE/measures", {}, 404, "'NOPE' is not loaded"),
        ("/contracts/HT-2026-017/measures", {"period": "2026-13"}, 422, "period"),
        ("/contracts/HT-2026-017/measures", {"period": "0000-01"}, 422, "period"),
        ("/contracts/HT-2026-017/measures", {"period": "9999-12"}, 422, "'9999-12' is not a month"),
        ("/contracts/HT-2026-017/measures", {"as_of": "2026-04-01"}, 422, "as_of"),
        ("/contracts/HT-2026-017/measures", {"as_of": "2026-06-01T00:00:00+08:00"}, 422,
         "after now"),
    ],
)  # fmt: skip
def test_bad_requests_say_what_is_wrong(
    client: TestClient, path: str, params: dict[str, str], status: int, says: str
) -> None:
    answer = client.get(path, params=params, headers=AUTH)
    assert answer.status_code == status, answer.text
    assert says in answer.json()["error"]
    assert client.get(path).status_code == 401  # the read role is required


def test_the_route_is_declared_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/contracts/{contract}/measures"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"contract", "period", "as_of"}
    assert {"200", "401", "404", "422", "503"} <= set(operation["responses"])


def test_the_console_shows_this_months_measures_as_the_statement_does(
    tmp_path: Path,
) -> None:
    from tests.tender import t

    now = t("2026-03-31 12:00")
    service = open_service(
        f"sqlite:///{tmp_path / 'console.db'}", FixedClock(now), variant_text(), tmp_path
    )
    try:
        happened = [e for e in stream().raw if datetime.fromisoformat(e["at"]) <= now]
        assert not service.ingest(list(enumerate(happened)), "test").added.rejected
        client = TestClient(create_app(service.store, service.clock, service=service))
        page = client.get("/console/compliance?lang=zh").text
        section = page.split('data-section="measures"')[1].split("</section>")[0]
        assert "本月考核指标" in section and "<th>实际值</th>" in section
        repeats = section.split('data-measure="repeats"')[1].split("</tr>")[0]
        # U1: T-1, T-3, T-4, T-6 (4 > 2) of 2 units; charged provisionally, March not over
        for needle in ("50.000%", "≤ 0%", "超出上限 (暂计)", "SC-repeats", "100.00"):
            assert needle in repeats, needle
        first = section.split('data-measure="first-fix"')[1].split("</tr>")[0]
        assert "66.667%" in first and "低于目标 (暂计)" in first  # 4 of 6 so far
    finally:
        service.store.close()
