"""The webhook channel: one HTTP POST per alert, in the body shape the receiver understands.

``json`` is the slaengine payload of docs/reference.md §7 (plus the rendered ``message``) for
systems that read fields; ``wecom`` (企业微信群机器人), ``dingtalk`` (钉钉自定义机器人) and
``slack`` (incoming webhook) are the chat robots' text messages, so a group chat can be a contact
without glue code in between.

A 2xx answer means accepted; any other status, a refused connection or a timeout is a
``DeliveryError`` naming the URL and what went wrong, so the outbox retries. WeCom and DingTalk
answer 200 even when they drop a message (bad key, rate limit) and put the verdict in
``errcode``; a non-zero ``errcode`` is therefore a refusal too.

A channel keeps one ``httpx.Client`` (made at its first post, shared by every thread that sends
through it: httpx's connection pool is thread-safe) instead of a client per post, which cost
~18 ms each (a new TLS context and connection pool every time). ``close()`` (or leaving a
``with`` block) releases it; the outbox closes its channels when it stops. A channel that is
used again after ``close()`` simply opens a new client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from slaengine.alerts.messages import Lang, Message, language, render
from slaengine.alerts.model import Alert, ChannelSettings, DeliveryError
from slaengine.contract.channels import WebhookChannelSpec, WebhookFormat

if TYPE_CHECKING:
    import httpx


def _json_body(alert: Alert, message: Message) -> dict[str, Any]:
    return {**alert.payload(), "message": message.text}


def _robot_text_body(alert: Alert, message: Message) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": message.text}}


def _slack_body(alert: Alert, message: Message) -> dict[str, Any]:
    return {"text": message.text}


_BODIES: dict[str, Callable[[Alert, Message], dict[str, Any]]] = {
    "json": _json_body,
    "wecom": _robot_text_body,
    "dingtalk": _robot_text_body,
    "slack": _slack_body,
}

# Formats whose receivers answer 200 and report a refusal in the body.
_ERRCODE_FORMATS = frozenset({"wecom", "dingtalk"})


def endpoint(spec: WebhookChannelSpec, settings: ChannelSettings) -> str:
    """The URL (one delivery queue and breaker per URL)."""
    return spec.url


def off(spec: WebhookChannelSpec, settings: ChannelSettings) -> str | None:
    return None


def build(spec: WebhookChannelSpec, settings: ChannelSettings) -> WebhookChannel:
    return WebhookChannel(
        url=spec.url,
        format=spec.format,
        headers=spec.headers,
        timeout_seconds=settings.webhook_timeout_seconds,
        lang=spec.lang,
    )


class WebhookChannel:
    def __init__(
        self,
        url: str,
        format: WebhookFormat = "json",
        headers: dict[str, str] | None = None,
        timeout_seconds: float = 10.0,
        lang: Lang | None = None,
    ) -> None:
        self.url = url
        self.format = format
        self.headers = dict(headers or {})
        self.timeout_seconds = timeout_seconds
        self.lang = lang
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def _http(self) -> httpx.Client:
        """The channel's client, made on first use (building a channel stays free)."""
        client = self._client
        if client is None:
            with self._client_lock:
                client = self._client
                if client is None:
                    import httpx

                    timeout = httpx.Timeout(
                        self.timeout_seconds, connect=min(self.timeout_seconds, 3.0)
                    )
                    client = self._client = httpx.Client(timeout=timeout)
        return client

    def close(self) -> None:
        """Close the HTTP client (its pooled connections); a later ``send`` opens a new one."""
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def __enter__(self) -> WebhookChannel:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, alert: Alert, lang: str) -> None:
        import httpx

        body = _BODIES[self.format](alert, render(alert, self.lang or language(lang)))
        try:
            headers = self.headers
            if alert.stable_id is not None:
                headers = {**headers, "Idempotency-Key": alert.stable_id}
            response = self._http().post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(
                f"webhook {self.url}: no answer ({type(exc).__name__}: {exc})"
            ) from exc
        if not response.is_success:
            raise DeliveryError(
                f"webhook {self.url} answered {response.status_code} "
                f"{response.reason_phrase}: {response.text[:200]!r}"
            )
        if self.format in _ERRCODE_FORMATS:
            self._check_errcode(response)

    def _check_errcode(self, response: httpx.Response) -> None:
        try:
            verdict = response.json()
        except ValueError:
            return
        if isinstance(verdict, dict) and verdict.get("errcode", 0) != 0:
            raise DeliveryError(
                f"webhook {self.url} answered {response.status_code} but refused the message: "
                f"errcode {verdict['errcode']}, {verdict.get('errmsg', 'no errmsg')}"
            )
