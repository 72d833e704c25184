"""Targets by where the asset is (docs/contracts.md, "Targets by zone"): the tender's on-site
target is 30 min in the city (and for a site without a zone), 2 h in the suburbs, 24 h across
the province border. U1 and U2 are registered in the city; a ticket may name its zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.contract import parse_contract
from slaengine.errors import ContractError
from tests.tender import TENDER, Stream, clock, t

EXAMPLE_TEXT = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("asset", "zone", "deadline", "target"),
    [
        ("U1", None, "2026-03-02 09:30", "30m"),  # registry: city
        ("U1-P1", "remote", "2026-03-02 09:30", "30m"),  # the registry wins over the event
        (None, "suburb", "2026-03-02 11:00", "2h"),
        (None, "remote", "2026-03-03 09:00", "24h"),
        (None, None, "2026-03-02 09:30", "30m"),  # no zone known: the plain target
    ],
)
def test_onsite_target_by_zone(
    asset: str | None, zone: str | None, deadline: str, target: str
) -> None:
    stream = Stream()
    attrs = {"zone": zone} if zone else {}
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset=asset, **attrs)
    stream.add("arrived", t("2026-03-02 10:40"))
    onsite = clock(stream.report(t("2026-03-04 00:00")), "onsite-30min")
    assert onsite.deadline == t(deadline)
    assert onsite.target == target
    assert onsite.status == ("met" if target in ("2h", "24h") else "breached")


def test_severity_by_zone_table_and_applies_to_by_zone() -> None:
    text = (
        EXAMPLE_TEXT.replace(
            "      - {when: {zone: suburb}, target: 2h}",
            "      - {when: {severity: major, zone: suburb}, target: 1h}\n"
            "      - {when: {zone: suburb}, target: 2h}",
        )
        .replace("    attrs: {site: 2号站, zone: city}", "    attrs: {site: 2号站, zone: suburb}")
        .replace(
            "    applies_to: {severity: emergency}",
            "    applies_to: {severity: emergency, attrs: {zone: [city]}}",
        )
    )
    contract = parse_contract(text, Path("contracts/zones.yaml"))
    stream = Stream(contract)
    stream.add("reported", t("2026-03-02 09:00"), "T-1", severity="major", asset="U2-KP1")
    stream.add("reported", t("2026-03-02 09:00"), "T-2", severity="general", asset="U2")
    stream.add("reported", t("2026-03-02 09:00"), "T-3", severity="emergency", asset="U2")
    stream.add("reported", t("2026-03-02 09:00"), "T-4", severity="emergency", asset="U1")
    report = stream.report(t("2026-03-02 09:01"))
    assert clock(report, "onsite-30min", "T-1").deadline == t("2026-03-02 10:00")
    assert clock(report, "onsite-30min", "T-2").deadline == t("2026-03-02 11:00")
    plans = {c.ticket for c in report.clocks if c.commitment == "emergency-plan-5min"}
    assert plans == {"T-4"}  # the plan commitment applies in the city only


def test_a_target_table_with_an_unknown_severity_is_located() -> None:
    text = EXAMPLE_TEXT.replace("{when: {zone: suburb}", "{when: {severity: majr, zone: suburb}")
    with pytest.raises(ContractError) as info:
        parse_contract(text, Path("contracts/bad.yaml"))
    (problem,) = info.value.problems
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "majr" in x)
    assert problem.startswith(f"contracts/bad.yaml:{line}: commitments.2.targets.0.when.severity")


def test_the_tender_registers_its_units_in_the_city() -> None:
    assert TENDER.asset_attrs["U1-KP1"] == {"site": "1号站", "zone": "city"}


def test_contract_show_lists_the_target_table() -> None:
    from tests.test_cli import EXAMPLE, run

    shown = run("contract", "show", EXAMPLE)
    assert shown.returncode == 0, shown.stderr
    assert "2h if zone suburb" in shown.stdout and "24h if zone remote" in shown.stdout
