"""The email channel: one mail per alert through the SMTP relay of ``ChannelSettings``.

The relay is a deployment setting (the environment), the recipients are a contract setting (the
contact's channel spec). With STARTTLS the relay's certificate is verified against the system's
CAs; a relay with a private CA is trusted by pointing ``SSL_CERT_FILE`` at that CA. Subject and
body are UTF-8, so Chinese survives any relay: the subject is RFC 2047 encoded and the body
base64, which needs no 8BITMIME support on the way.

An alert may be sent more than once (the outbox retries until a channel accepts, and a crash can
fall between acceptance and marking it sent). The Message-ID is therefore derived from the
alert's stable key (``details["alert_key"]``) when it has one, so mail clients and people can see
that two mails are the same alert. ``send`` returns only after the relay accepted the mail for
every recipient; a refused recipient is a ``DeliveryError`` naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slaengine.alerts.messages import Lang, language, render
from slaengine.alerts.model import Alert, ChannelSettings, DeliveryError
from slaengine.contract.channels import EmailChannelSpec

if TYPE_CHECKING:
    from email.message import EmailMessage


def endpoint(spec: EmailChannelSpec, settings: ChannelSettings) -> str:
    """The relay every e-mail goes through (one delivery queue and breaker per relay)."""
    return f"smtp://{settings.smtp_host}:{settings.smtp_port}"


def off(spec: EmailChannelSpec, settings: ChannelSettings) -> str | None:
    """Why e-mail cannot be sent at all in this deployment, or None."""
    if settings.smtp_configured:
        return None
    return "no SMTP relay configured (set SLAENGINE_SMTP_HOST)"


def build(spec: EmailChannelSpec, settings: ChannelSettings) -> EmailChannel:
    return EmailChannel(to=spec.to, settings=settings, lang=spec.lang)


class EmailChannel:
    def __init__(self, to: list[str], settings: ChannelSettings, lang: Lang | None = None) -> None:
        self.to = list(to)
        self.settings = settings
        self.lang = lang

    def send(self, alert: Alert, lang: str) -> None:
        # Imported when mail is sent: a command that only reads a contract never pays for them.
        import smtplib
        import ssl

        mail = self._compose(alert, self.lang or language(lang))
        settings = self.settings
        relay = f"{settings.smtp_host}:{settings.smtp_port}"
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
            ) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    password = settings.smtp_password
                    smtp.login(
                        settings.smtp_username, password.get_secret_value() if password else ""
                    )
                refused = smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"email to {', '.join(self.to)} via SMTP relay {relay} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if refused:
            who = "; ".join(
                f"{address} ({code} {reply.decode(errors='replace')})"
                for address, (code, reply) in refused.items()
            )
            raise DeliveryError(f"SMTP relay {relay} refused recipients of the alert: {who}")

    def _compose(self, alert: Alert, lang: Lang) -> EmailMessage:
        """The mail for ``alert``, exactly as it is handed to the relay."""
        from email.header import Header
        from email.message import EmailMessage
        from email.utils import format_datetime, make_msgid

        message = render(alert, lang)
        sender = self.settings.smtp_sender
        domain = sender.rpartition("@")[2] or "slaengine"
        key = alert.stable_id
        mail = EmailMessage()
        if message.subject.isascii():
            mail["Subject"] = message.subject
        else:
            # The modern header folder drops the space between two encoded words at a fold
            # ("资产 U1" arrives as "资产U1"; CPython gh-92081, unfixed in 3.11), so a non-ASCII
            # subject is encoded by the legacy encoder, which keeps spaces inside the words.
            encoded = Header(message.subject, "utf-8", header_name="Subject").encode()
            mail.set_raw("Subject", encoded)
        mail["From"] = sender
        mail["To"] = ", ".join(self.to)
        mail["Date"] = format_datetime(alert.at)
        if key:
            mail["Message-ID"] = f"<alert-{key}@{domain}>"
        else:
            mail["Message-ID"] = make_msgid("alert", domain=domain)
        mail.set_content(message.text, charset="utf-8", cte="base64")
        return mail
