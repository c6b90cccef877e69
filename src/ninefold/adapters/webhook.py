"""Notifications POSTed as JSON to any URL the user runs (their own bot, a ticket system).

The body is the documented contract:

    {"idempotency_key": "...", "subject": "...", "text": "...", "severity": "critical",
     "fields": {"service": "checkout", ...}, "links": {"Acknowledge": "https://...", ...}}

Headers: `Idempotency-Key` (the same as in the body, so a receiver can drop a repeated send
before parsing), and with a secret `X-Ninefold-Signature: sha256=<hex HMAC-SHA256 of the body>`
and `X-Ninefold-Timestamp` (Unix seconds when sent).
"""

from __future__ import annotations

from ninefold.adapters.notify import Message, encode_json, post_json
from ninefold.clock import Clock
from ninefold.signing import sign


def webhook_body(message: Message) -> bytes:
    payload = {
        "idempotency_key": message.idempotency_key,
        "subject": message.subject,
        "text": message.text,
        "severity": message.severity,
        "fields": dict(message.fields),
        "links": dict(message.links),
    }
    return encode_json(payload)


class WebhookTransport:
    def __init__(
        self,
        secret: str | None = None,
        *,
        clock: Clock,
        timeout: float = 10.0,
    ) -> None:
        self.secret = secret
        self.timeout = timeout
        self._clock = clock

    def send(self, destination: str, message: Message) -> None:
        body = webhook_body(message)
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.secret:
            headers["X-Ninefold-Signature"] = sign(self.secret, body)
            headers["X-Ninefold-Timestamp"] = str(int(self._clock().timestamp()))
        post_json(destination, body, headers=headers, timeout=self.timeout)
