"""Alert messages and channels, against a real SMTP server and a real HTTP receiver."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from slaengine.alerts import (
    Alert,
    AlertKind,
    ChannelSettings,
    ChannelSpec,
    DeliveryError,
    EmailChannelSpec,
    LogChannelSpec,
    WebhookChannelSpec,
    build_channel,
    env_webhook_channel,
    human_duration,
    language,
    render,
)
from slaengine.errors import SlaError
from tests.receivers import (
    HttpReceiver,
    SmtpServer,
    can_make_certificates,
    free_port,
    http_receiver,
    smtp_server,
)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


CONTRACT = "HT-2026-017"
ONSITE_NAME = {"zh": "30分钟内到达现场", "en": "on site within 30 minutes"}

# One alert of each kind, as the core would raise them for the example tender.
ALERTS: dict[AlertKind, Alert] = {
    "warning": Alert(
        kind="warning",
        contract=CONTRACT,
        ticket="T-7",
        commitment="onsite-30min",
        severity="major",
        cycle=1,
        deadline=t("2026-03-02T09:30:00+08:00"),
        at=t("2026-03-02T09:24:00+08:00"),
        contact="field-lead",
        details={"commitment_name": ONSITE_NAME, "alert_key": "HT-2026-017/T-7/onsite/1/warning"},
    ),
    "breach": Alert(
        kind="breach",
        contract=CONTRACT,
        ticket="T-1",
        commitment="ack-3min",
        severity="general",
        cycle=1,
        deadline=t("2026-03-02T09:03:00+08:00"),
        late_by_seconds=120,
        at=t("2026-03-02T09:05:00+08:00"),
        contact="duty-desk",
        details={"alert_key": "HT-2026-017/T-1/ack-3min/1/breach"},
    ),
    "withdrawn": Alert(
        kind="withdrawn",
        contract=CONTRACT,
        ticket="T-7",
        commitment="onsite-30min",
        cycle=1,
        deadline=t("2026-03-02T09:30:00+08:00"),
        at=t("2026-03-02T10:02:00+08:00"),
        contact="field-lead",
        details={"commitment_name": ONSITE_NAME, "reason": "resolved without a visit"},
    ),
    "escalation": Alert(
        kind="escalation",
        contract=CONTRACT,
        ticket="T-7",
        commitment="onsite-30min",
        severity="major",
        cycle=1,
        deadline=t("2026-03-02T09:30:00+08:00"),
        late_by_seconds=3900,
        at=t("2026-03-02T10:35:00+08:00"),
        contact="service-manager",
        level=1,
        details={"commitment_name": ONSITE_NAME},
    ),
    "obligation_missed": Alert(
        kind="obligation_missed",
        contract=CONTRACT,
        obligation="inspection",
        asset="U1",
        at=t("2026-04-15T00:00:00+08:00"),
        contact="duty-desk",
        details={
            "obligation_name": {"zh": "定期巡检", "en": "periodic inspection"},
            "period_start": date(2026, 1, 15),
            "period_end": date(2026, 4, 15),
        },
    ),
    "warranty_expiring": Alert(
        kind="warranty_expiring",
        contract=CONTRACT,
        asset="U1",
        at=t("2028-12-16T09:00:00+08:00"),
        contact="duty-desk",
        details={"expires": date(2029, 1, 15), "time_left_seconds": 30 * 86400},
    ),
}
KINDS = list(ALERTS)
CJK = re.compile(r"[\u4e00-\u9fff]")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def hook() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


def relay(server: SmtpServer, **settings: Any) -> ChannelSettings:
    return ChannelSettings(smtp_host=server.host, smtp_port=server.port, **settings)


# --- the alert and its JSON payload -------------------------------------------------------------


def test_payload_has_the_fields_of_the_spec() -> None:
    assert ALERTS["breach"].payload() == {
        "kind": "breach",
        "contract": "HT-2026-017",
        "ticket": "T-1",
        "commitment": "ack-3min",
        "deadline": "2026-03-02T09:03:00+08:00",
        "late_by_seconds": 120,
        "at": "2026-03-02T09:05:00+08:00",
        "severity": "general",
        "cycle": 1,
        "contact": "duty-desk",
        "level": 0,
        "details": {"alert_key": "HT-2026-017/T-1/ack-3min/1/breach"},
    }


@pytest.mark.parametrize("kind", KINDS)
def test_payload_always_names_the_spec_fields_with_rfc3339_offsets(kind: AlertKind) -> None:
    payload = ALERTS[kind].payload()
    spec_fields = ["kind", "contract", "ticket", "commitment", "deadline", "late_by_seconds", "at"]
    assert list(payload)[:7] == spec_fields
    assert RFC3339.fullmatch(payload["at"])
    assert payload["deadline"] is None or RFC3339.fullmatch(payload["deadline"])


def test_payload_in_utc_keeps_a_numeric_offset() -> None:
    alert = ALERTS["breach"].model_copy(update={"at": datetime(2026, 3, 2, 1, 5, tzinfo=UTC)})
    assert alert.payload()["at"] == "2026-03-02T01:05:00+00:00"


def test_an_alert_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Alert(kind="breach", contract=CONTRACT, at=datetime(2026, 3, 2, 9, 5))


def test_details_become_json_so_the_outbox_round_trip_is_exact() -> None:
    alert = Alert(
        kind="breach",
        contract=CONTRACT,
        at=t("2026-03-02T09:05:00+08:00"),
        details={
            "since": t("2026-03-02T09:00:00+08:00"),
            "on": date(2026, 3, 2),
            "amount": Decimal("500.00"),
            "tags": ("a", 1),
        },
    )
    assert alert.details == {
        "since": "2026-03-02T09:00:00+08:00",
        "on": "2026-03-02",
        "amount": "500.00",
        "tags": ["a", 1],
    }
    assert Alert.model_validate_json(alert.model_dump_json()) == alert


def test_details_refuse_what_json_cannot_carry() -> None:
    with pytest.raises(ValidationError, match=r"details\.handler: object cannot be sent"):
        Alert(kind="breach", contract=CONTRACT, at=t("2026-03-02T09:05:00+08:00"),
              details={"handler": object()})  # fmt: skip
    with pytest.raises(ValidationError, match=r"details\.since: a timestamp needs an offset"):
        Alert(kind="breach", contract=CONTRACT, at=t("2026-03-02T09:05:00+08:00"),
              details={"since": datetime(2026, 3, 2, 9)})  # fmt: skip


# --- messages ------------------------------------------------------------------------------------


def test_a_breach_reads_well_in_both_languages() -> None:
    alert = ALERTS["breach"]
    assert render(alert, "zh").subject == "【SLA违约】HT-2026-017 工单 T-1：ack-3min 已超时 2分钟"
    english = "[SLA breach] HT-2026-017 ticket T-1: ack-3min is 2 min late"
    assert render(alert, "en").subject == english
    assert render(alert, "zh").text.splitlines()[2:] == [
        "合同：HT-2026-017",
        "工单：T-1",
        "故障级别：general",
        "处理轮次：1",
        "承诺：ack-3min",
        "截止时间：2026-03-02 09:03:00+08:00",
        "超时：2分钟",
        "告警时间：2026-03-02 09:05:00+08:00",
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_each_language(kind: AlertKind, lang: str) -> None:
    message = render(ALERTS[kind], language(lang))
    assert CONTRACT in message.subject
    assert "—" not in message.subject, "a fact the headline needs is missing"
    assert message.text.startswith(message.subject + "\n\n")
    assert bool(CJK.search(message.subject)) == (lang == "zh")
    assert bool(CJK.search(message.text)) == (lang == "zh")


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [
        (
            "warning",
            "【SLA预警】HT-2026-017 工单 T-7：30分钟内到达现场 将在6分钟后到期",
            "[SLA warning] HT-2026-017 ticket T-7: on site within 30 minutes is due in 6 min",
        ),
        (
            "withdrawn",
            "【SLA违约撤销】HT-2026-017 工单 T-7：30分钟内到达现场 的违约已撤销",
            "[SLA breach withdrawn] HT-2026-017 ticket T-7: "
            "the breach of on site within 30 minutes is withdrawn",
        ),
        (
            "escalation",
            "【SLA升级】HT-2026-017 工单 T-7：30分钟内到达现场 已超时 1小时5分钟，升级至第1级",
            "[SLA escalation] HT-2026-017 ticket T-7: "
            "on site within 30 minutes is 1 h 5 min late, escalated to level 1",
        ),
        (
            "obligation_missed",
            "【义务未履行】HT-2026-017 资产 U1："
            "定期巡检 在考核周期 2026-01-15至2026-04-14 内未完成",
            "[Obligation missed] HT-2026-017 asset U1: "
            "periodic inspection was not done in the period 2026-01-15 – 2026-04-14",
        ),
        (
            "warranty_expiring",
            "【质保到期提醒】HT-2026-017 资产 U1：质保将于 2029-01-15 到期（剩余30天）",
            "[Warranty expiring] HT-2026-017 asset U1: warranty expires on 2029-01-15 (30 d left)",
        ),
    ],
)
def test_headlines_of_each_kind(kind: AlertKind, zh: str, en: str) -> None:
    assert render(ALERTS[kind], "zh").subject == zh
    assert render(ALERTS[kind], "en").subject == en


def test_the_body_names_the_commitment_by_id_and_name() -> None:
    assert "承诺：onsite-30min（30分钟内到达现场）" in render(ALERTS["warning"], "zh").text
    assert (
        "Commitment: onsite-30min (on site within 30 minutes)"
        in render(ALERTS["warning"], "en").text
    )
    assert "Reason: resolved without a visit" in render(ALERTS["withdrawn"], "en").text


def test_a_name_missing_in_one_language_falls_back_to_the_other() -> None:
    alert = ALERTS["warning"].model_copy(
        update={"details": {"commitment_name": {"zh": "30分钟内到达现场", "en": None}}}
    )
    assert "30分钟内到达现场" in render(alert, "en").subject


def test_both_is_chinese_then_english() -> None:
    alert = ALERTS["escalation"]
    zh, en, both = render(alert, "zh"), render(alert, "en"), render(alert, "both")
    assert both.subject == f"{zh.subject} / {en.subject}"
    assert both.text == f"{zh.text}\n\n{en.text}"


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (0, "0秒", "0 s"),
        (45, "45秒", "45 s"),
        (120, "2分钟", "2 min"),
        (127, "2分钟7秒", "2 min 7 s"),
        (3900, "1小时5分钟", "1 h 5 min"),
        (3930, "1小时5分钟", "1 h 5 min"),
        (90000, "1天1小时", "1 d 1 h"),
    ],
)
def test_human_durations(seconds: int, zh: str, en: str) -> None:
    assert human_duration(seconds, "zh") == zh
    assert human_duration(seconds, "en") == en


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr': use zh, en or both"):
        language("fr")


# --- channel specs and settings ------------------------------------------------------------------


def test_a_contract_names_its_channel_by_kind() -> None:
    specs = TypeAdapter(list[ChannelSpec]).validate_python(
        [
            {"kind": "log"},
            {"kind": "email", "to": ["ops@example.com"], "lang": "zh"},
            {"kind": "webhook", "url": "https://qyapi.weixin.qq.com/x?key=1", "format": "wecom"},
        ]
    )
    assert [type(spec) for spec in specs] == [LogChannelSpec, EmailChannelSpec, WebhookChannelSpec]
    assert specs[1] == EmailChannelSpec(to=["ops@example.com"], lang="zh")


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"kind": "pager"}, "does not match any of the expected tags: 'log', 'email', 'webhook'"),
        ({"kind": "email", "to": []}, "at least 1 item"),
        ({"kind": "email", "to": ["ops"]}, "'ops' is not a mail address"),
        ({"kind": "email", "to": ["a@b.c"], "cc": ["x@b.c"]}, "Extra inputs are not permitted"),
        ({"kind": "webhook", "url": "ftp://example.com/x"}, "is not an http"),
        ({"kind": "webhook", "url": "https://x", "format": "teams"}, "'json', 'wecom'"),
    ],
)
def test_a_bad_channel_spec_says_what_is_wrong(spec: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(error)):
        TypeAdapter(ChannelSpec).validate_python(spec)


def test_settings_come_from_the_environment() -> None:
    settings = ChannelSettings.from_env(
        {
            "SLAENGINE_SMTP_HOST": "mail.example.com",
            "SLAENGINE_SMTP_PORT": "587",
            "SLAENGINE_SMTP_STARTTLS": "true",
            "SLAENGINE_SMTP_USER": "alerts",
            "SLAENGINE_SMTP_PASSWORD": "s3cret",
            "SLAENGINE_SMTP_FROM": "sla@example.com",
            "SLAENGINE_WEBHOOK_TIMEOUT": "2.5",
            "SLAENGINE_SMTP_TIMEOUT": "",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "mail.example.com",
        587,
        True,
    )
    assert settings.smtp_username == "alerts"
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.smtp_sender == "sla@example.com"
    assert settings.webhook_timeout_seconds == 2.5
    assert settings.smtp_timeout_seconds == 10.0
    # No relay named: e-mail is off (its alerts are held), everything else the defaults.
    assert ChannelSettings.from_env({}) == ChannelSettings(smtp_configured=False)
    assert settings.smtp_configured
    assert ChannelSettings().smtp_sender == "slaengine@localhost"


def test_bad_settings_name_the_environment_variable() -> None:
    with pytest.raises(SlaError, match=r"SLAENGINE_SMTP_PORT='smtp': .*integer"):
        ChannelSettings.from_env({"SLAENGINE_SMTP_PORT": "smtp"})


# --- log -----------------------------------------------------------------------------------------


def test_the_log_channel_writes_the_message(caplog: pytest.LogCaptureFixture) -> None:
    channel = build_channel(LogChannelSpec(), ChannelSettings())
    with caplog.at_level(logging.INFO, logger="slaengine.alerts"):
        channel.send(ALERTS["breach"], "en")
        channel.send(ALERTS["warning"], "zh")
    assert [(r.name, r.levelno) for r in caplog.records] == [
        ("slaengine.alerts", logging.WARNING),
        ("slaengine.alerts", logging.INFO),
    ]
    assert caplog.records[0].getMessage() == render(ALERTS["breach"], "en").text
    assert caplog.records[1].getMessage() == render(ALERTS["warning"], "zh").text


# --- email ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_arrives_as_a_utf8_mail(smtp: SmtpServer, kind: AlertKind) -> None:
    spec = EmailChannelSpec(to=["ops@example.com", "张工 <zhang@example.com>"])
    alert = ALERTS[kind]
    build_channel(spec, relay(smtp, smtp_sender="sla@example.com")).send(alert, "both")

    [mail] = smtp.wait_for(1)
    expected = render(alert, "both")
    assert mail.mail_from == "sla@example.com"
    assert mail.rcpt_tos == ["ops@example.com", "zhang@example.com"]
    assert mail.message["Subject"] == expected.subject
    assert mail.message["From"] == "sla@example.com"
    assert mail.message["To"] == "ops@example.com, 张工 <zhang@example.com>"
    assert mail.message.get_content_charset() == "utf-8"
    assert mail.message.get_content() == expected.text + "\n"
    assert mail.message["Date"].datetime == alert.at


def test_the_message_id_follows_the_alert_key(smtp: SmtpServer) -> None:
    channel = build_channel(EmailChannelSpec(to=["ops@example.com"]), relay(smtp))
    channel.send(ALERTS["breach"], "zh")
    channel.send(ALERTS["breach"], "zh")
    channel.send(ALERTS["warning"], "zh")
    channel.send(ALERTS["escalation"], "zh")  # no alert_key
    ids = [mail.message["Message-ID"] for mail in smtp.wait_for(4)]
    assert ids[0] == ids[1]
    assert re.fullmatch(r"<alert-[0-9a-f]{32}@localhost>", ids[0])
    assert len(set(ids)) == 3


def test_the_contacts_language_applies_unless_the_channel_names_one(smtp: SmtpServer) -> None:
    build_channel(EmailChannelSpec(to=["ops@example.com"]), relay(smtp)).send(
        ALERTS["breach"], "zh"
    )
    build_channel(EmailChannelSpec(to=["ops@example.com"], lang="en"), relay(smtp)).send(
        ALERTS["breach"], "zh"
    )
    subjects = [mail.message["Subject"] for mail in smtp.wait_for(2)]
    assert subjects == [
        render(ALERTS["breach"], "zh").subject,
        render(ALERTS["breach"], "en").subject,
    ]


def test_the_channel_logs_in_when_credentials_are_set() -> None:
    with smtp_server(login=("alerts", "s3cret")) as server:
        settings = relay(server, smtp_username="alerts", smtp_password="s3cret")
        build_channel(EmailChannelSpec(to=["ops@example.com"]), settings).send(
            ALERTS["breach"], "en"
        )
        server.wait_for(1)
        assert server.logins == [("alerts", "s3cret")]

        wrong = relay(server, smtp_username="alerts", smtp_password="guess")
        with pytest.raises(DeliveryError, match="SMTPAuthenticationError"):
            build_channel(EmailChannelSpec(to=["ops@example.com"]), wrong).send(
                ALERTS["breach"], "en"
            )


@pytest.mark.skipif(not can_make_certificates(), reason="needs the openssl tool")
def test_starttls_then_login(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(starttls=True, login=("alerts", "s3cret")) as server:
        assert server.cafile is not None
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cafile))
        settings = relay(server, smtp_starttls=True, smtp_username="alerts", smtp_password="s3cret")
        build_channel(EmailChannelSpec(to=["ops@example.com"]), settings).send(
            ALERTS["breach"], "zh"
        )
        [mail] = server.wait_for(1)
        assert mail.message["Subject"] == render(ALERTS["breach"], "zh").subject
        assert server.logins == [("alerts", "s3cret")]


def test_a_refused_recipient_is_a_delivery_error() -> None:
    with smtp_server(refuse={"gone@example.com"}) as server:
        spec = EmailChannelSpec(to=["ops@example.com", "gone@example.com"])
        with pytest.raises(DeliveryError, match=r"refused .*gone@example\.com \(550"):
            build_channel(spec, relay(server)).send(ALERTS["breach"], "en")


def test_no_relay_is_a_delivery_error() -> None:
    port = free_port()
    settings = ChannelSettings(smtp_port=port, smtp_timeout_seconds=2)
    with pytest.raises(DeliveryError, match=f"via SMTP relay 127.0.0.1:{port} failed: Connection"):
        build_channel(EmailChannelSpec(to=["ops@example.com"]), settings).send(
            ALERTS["breach"], "en"
        )


# --- webhook -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_json_webhook_posts_the_payload_and_the_message(
    hook: HttpReceiver, kind: AlertKind
) -> None:
    alert = ALERTS[kind]
    spec = WebhookChannelSpec(url=hook.url + "/alerts")
    build_channel(spec, ChannelSettings()).send(alert, "both")

    [request] = hook.wait_for(1)
    assert (request.method, request.path, request.status) == ("POST", "/alerts", 200)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {**alert.payload(), "message": render(alert, "both").text}


@pytest.mark.parametrize(
    ("format", "body"),
    [
        ("wecom", lambda text: {"msgtype": "text", "text": {"content": text}}),
        ("dingtalk", lambda text: {"msgtype": "text", "text": {"content": text}}),
        ("slack", lambda text: {"text": text}),
    ],
)
def test_chat_robots_get_their_text_message(hook: HttpReceiver, format: str, body: Any) -> None:
    spec = TypeAdapter(ChannelSpec).validate_python(
        {"kind": "webhook", "url": f"{hook.url}/send?key=abc", "format": format, "lang": "zh"}
    )
    build_channel(spec, ChannelSettings()).send(ALERTS["breach"], "en")

    [request] = hook.wait_for(1)
    assert request.path == "/send?key=abc"
    assert request.json() == body(render(ALERTS["breach"], "zh").text)


def test_the_webhook_sends_the_configured_headers(hook: HttpReceiver) -> None:
    spec = WebhookChannelSpec(url=hook.url, headers={"Authorization": "Bearer t0ken"})
    build_channel(spec, ChannelSettings()).send(ALERTS["breach"], "en")
    assert hook.wait_for(1)[0].headers["authorization"] == "Bearer t0ken"


def test_a_500_is_a_delivery_error_and_the_next_try_succeeds(hook: HttpReceiver) -> None:
    channel = build_channel(WebhookChannelSpec(url=hook.url + "/alerts"), ChannelSettings())
    hook.fail_next(1, 500, "database is down")
    with pytest.raises(DeliveryError) as refused:
        channel.send(ALERTS["breach"], "en")
    assert str(refused.value) == (
        f"webhook {hook.url}/alerts answered 500 Internal Server Error: 'database is down'"
    )
    channel.send(ALERTS["breach"], "en")
    assert [request.status for request in hook.wait_for(2)] == [500, 200]


def test_a_robot_refusal_in_a_200_is_a_delivery_error(hook: HttpReceiver) -> None:
    channel = build_channel(WebhookChannelSpec(url=hook.url, format="wecom"), ChannelSettings())
    hook.fail_next(1, 200, '{"errcode": 93000, "errmsg": "invalid webhook url"}')
    with pytest.raises(DeliveryError, match="refused the message: errcode 93000, invalid webhook"):
        channel.send(ALERTS["breach"], "zh")
    hook.fail_next(1, 200, '{"errcode": 0, "errmsg": "ok"}')
    channel.send(ALERTS["breach"], "zh")


def test_no_listener_is_a_delivery_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/alerts"
    channel = build_channel(WebhookChannelSpec(url=url), ChannelSettings())
    with pytest.raises(DeliveryError, match=f"webhook {url}: no answer \\(ConnectError"):
        channel.send(ALERTS["breach"], "en")


def test_the_environment_webhook_receives_json(hook: HttpReceiver) -> None:
    assert env_webhook_channel(environ={}) is None
    assert env_webhook_channel(environ={"SLAENGINE_ALERT_WEBHOOK": ""}) is None

    channel = env_webhook_channel(environ={"SLAENGINE_ALERT_WEBHOOK": hook.url + "/all"})
    assert channel is not None
    channel.send(ALERTS["withdrawn"], "en")
    [request] = hook.wait_for(1)
    assert request.path == "/all"
    assert request.json()["kind"] == "withdrawn"
    assert request.json()["message"] == render(ALERTS["withdrawn"], "en").text


def test_a_bad_environment_webhook_names_the_variable() -> None:
    with pytest.raises(SlaError, match=re.escape("SLAENGINE_ALERT_WEBHOOK='hooks.example.com'")):
        env_webhook_channel(environ={"SLAENGINE_ALERT_WEBHOOK": "hooks.example.com"})
