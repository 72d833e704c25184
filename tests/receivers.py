"""Real receivers for alert tests: an SMTP server and an HTTP endpoint on 127.0.0.1.

Channels are tested against real sockets, not mocks, so what is checked is what a mail relay or a
chat robot would really get. Both receivers run in a thread of the test process, record what
arrived, and let a test wait for it with ``wait_for(count, timeout)``, which blocks on a
condition variable (woken at each arrival) rather than sleeping a fixed time.

    with smtp_server() as smtp:            # smtp.host, smtp.port, smtp.url, smtp.messages
        ...
    with http_receiver() as hook:          # hook.url, hook.requests; hook.fail_next(2)
        ...

``smtp_server(starttls=True, login=("user", "secret"))`` requires STARTTLS with a throw-away
self-signed certificate (``smtp.cafile``; point ``SSL_CERT_FILE`` at it to trust it), then AUTH.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Arrivals:
    """A list that arrivals append to from another thread, and tests wait on."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._changed = threading.Condition()

    def add(self, item: Any) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[Any]:
        with self._changed:
            return list(self._items)

    def wait_for(self, count: int, timeout: float) -> list[Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._items) >= count, timeout):
                raise AssertionError(
                    f"expected {count} arrivals within {timeout}s, got {len(self._items)}"
                )
            return list(self._items)


#: Ports ``free_port`` picks from: below Linux's ephemeral range (32768-60999), so no outgoing
#: connection of any process takes one between the pick and the server's bind; picked at random
#: (a generator of this process, which no test's seed reaches), so the suite's parallel workers
#: and other runs on the machine do not pick alike.
PORTS = range(20_000, 32_000)
_pick = random.Random()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (connecting to it is refused)."""
    for _ in range(50):
        port = _pick.choice(PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # the range is crowded: any port the system gives
        probe.bind(("127.0.0.1", 0))
        given: int = probe.getsockname()[1]
        return given


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    host: str
    port: int
    #: The self-signed certificate the server presents for STARTTLS, if it offers it.
    cafile: Path | None
    #: Logins that succeeded, as (user, password).
    logins: list[tuple[str, str]] = field(default_factory=list)
    _arrivals: _Arrivals = field(default_factory=_Arrivals)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        return self._arrivals.snapshot()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """The mails once at least ``count`` arrived; AssertionError after ``timeout``."""
        return self._arrivals.wait_for(count, timeout)


class _MailHandler:
    def __init__(self, server: SmtpServer, refuse: frozenset[str]) -> None:
        self.server = server
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=default_policy).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        self.server._arrivals.add(
            ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)
        )
        return "250 OK: queued"


def _authenticator(
    server: SmtpServer, login: tuple[str, str]
) -> Callable[[Any, Any, Any, str, Any], AuthResult]:
    def check(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        given = (data.login.decode(), data.password.decode())
        if given != login:
            return AuthResult(success=False, handled=False)
        server.logins.append(given)
        return AuthResult(success=True)

    return check


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by the openssl command line tool."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    command += " -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def can_make_certificates() -> bool:
    """STARTTLS tests need the openssl tool to make their certificate."""
    return shutil.which("openssl") is not None


@contextmanager
def smtp_server(
    *,
    refuse: set[str] | frozenset[str] = frozenset(),
    starttls: bool = False,
    login: tuple[str, str] | None = None,
) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that accepts and records every mail.

    ``refuse``: recipients answered ``550``. ``starttls``: offer STARTTLS and require it before
    anything else. ``login``: accept AUTH with this (user, password) only; with ``starttls`` the
    server also requires it (aiosmtpd rightly warns against requiring AUTH in the clear).
    """
    with tempfile.TemporaryDirectory(prefix="slaengine-smtp-") as scratch:
        tls_context = None
        cafile = None
        if starttls:
            cafile, key = _self_signed_certificate(Path(scratch))
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_context.load_cert_chain(cafile, key)
        # aiosmtpd needs a concrete port; another process may take the one we picked in between,
        # so try a few.
        for attempt in range(5):
            server = SmtpServer(host="127.0.0.1", port=free_port(), cafile=cafile)
            controller = Controller(
                _MailHandler(server, frozenset(refuse)),
                hostname=server.host,
                port=server.port,
                tls_context=tls_context,
                require_starttls=starttls,
                auth_required=login is not None and starttls,
                auth_require_tls=starttls,
                authenticator=_authenticator(server, login) if login else None,
            )
            try:
                controller.start()
            except OSError:
                if attempt == 4:
                    raise
                continue
            break
        try:
            yield server
        finally:
            controller.stop()


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    #: The status the receiver answered.
    status: int
    #: When it arrived (``time.time()``), for lateness measured against a deadline.
    at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    host: str
    port: int
    _arrivals: _Arrivals = field(default_factory=_Arrivals)
    _answers: list[tuple[int, bytes]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[ReceivedRequest]:
        return self._arrivals.snapshot()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """The requests once at least ``count`` arrived; AssertionError after ``timeout``."""
        return self._arrivals.wait_for(count, timeout)

    def fail_next(self, count: int, status: int = 500, body: str = "") -> None:
        """Answer the next ``count`` requests with ``status`` and ``body`` instead of 200."""
        with self._lock:
            self._answers.extend([(status, body.encode())] * count)

    def _next_answer(self) -> tuple[int, bytes]:
        with self._lock:
            if self._answers:
                return self._answers.pop(0)
        return 200, b'{"ok": true}'


def _request_handler(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, answer = receiver._next_answer()
            # Recorded before answering, so a sender that got its answer finds its request here.
            receiver._arrivals.add(
                ReceivedRequest(
                    method=self.command,
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body,
                    status=status,
                )
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test reads ``requests``, not stderr."""

    return Handler


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    """A real HTTP server on 127.0.0.1 that records every POST and answers 200 unless told."""
    receiver = HttpReceiver(host="127.0.0.1", port=0)
    httpd = ThreadingHTTPServer((receiver.host, 0), _request_handler(receiver))
    receiver.port = httpd.server_address[1]
    # A short poll interval: shutdown() waits for the loop to notice, at most this long.
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.02,), name="http-receiver", daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextmanager
def hung_server() -> Iterator[tuple[str, int]]:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word (a hung SMTP
    relay); yields (host, port). The connections are closed when the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, name="hung-server", daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", listener.getsockname()[1]
    finally:
        done.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
