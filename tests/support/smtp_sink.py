"""A real SMTP server (aiosmtpd) on a loopback port chosen at run time, keeping what it receives.

    with SmtpSink() as sink:
        SmtpTransport(sink.host, sink.port, "ninefold@example.org", clock=clock).send("a@example.org", msg)
        [email] = sink.messages           # email.message.EmailMessage, parsed with policy.default

It can also answer like a troubled server: `reply_with("451 4.3.0 Try later")` answers the next
DATA with that reply; `refuse("b@example.org", "550 5.1.1 No such user")` refuses a recipient;
`SmtpSink(users={"ninefold": "secret"})` offers AUTH (without TLS, it is loopback) and answers
other credentials with 535; it does not insist on AUTH, so a client that skips it still gets in.
Messages are parsed with LF line endings, as Python code writes them, not SMTP's CRLF.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"

# aiosmtpd logs every connection at INFO from its own thread; a CLI command run in-process in
# the meantime would find those lines in its captured stderr.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class AnyPortController(Controller):
    """aiosmtpd's Controller connects to its configured port to check it is up, so port 0
    would fail that check: learn the port the OS picked first."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self,
        _server: SMTP,
        _session: Session,
        envelope: Envelope,
        address: str,
        _options: list[str],
    ) -> str:
        reply = self.sink._refused.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        return self.sink._receive(envelope)


class SmtpSink:
    def __init__(self, users: Mapping[str, str] | None = None) -> None:
        self.host = HOST
        self.port = 0
        self._users = dict(users or {})
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self._replies: deque[str] = deque()
        self._refused: dict[str, str] = {}
        options: dict[str, Any] = {}
        if users is not None:
            options = {
                "authenticator": self._authenticate,
                "auth_require_tls": False,
            }
        self._controller = AnyPortController(_Handler(self), hostname=HOST, port=0, **options)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def reply_with(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies, in order, instead of accepting."""
        with self._lock:
            self._replies.extend(replies)

    def refuse(self, address: str, reply: str) -> None:
        with self._lock:
            self._refused[address.lower()] = reply

    def start(self) -> SmtpSink:
        self._controller.start()
        self.port = self._controller.port
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _receive(self, envelope: Envelope) -> str:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
            raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")
            parsed = message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self._messages.append(parsed)
        return "250 OK"

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: object
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        return AuthResult(success=self._users.get(login) == password, handled=False)
