"""What every outbound notification transport (email, Slack, Teams, webhook) agrees on.

Paging runs in the worker, which retries a failed send later. So a transport never swallows a
failure: it raises `SendFailed`, saying whether trying again can help, and the message carries an
idempotency key so that a send repeated after a crash can be recognised on the other side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from ninefold import __version__

USER_AGENT = f"ninefold/{__version__}"
RESPONSE_EXCERPT = 200


@dataclass(frozen=True, kw_only=True)
class Message:
    """One notification, rendered by each transport in its own medium.

    `text` is the prose; `fields` (service, SLO burn, "fired 4 times in 7 days") and `links`
    (Acknowledge, Runbook, Dashboard) stay structured so that Slack can show them as fields,
    Teams as facts and buttons, and plain-text email as lines under the prose. `html` is sent as
    is: whoever rendered it has already laid out the links and fields.
    """

    subject: str
    text: str
    severity: str
    idempotency_key: str
    html: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()


class SendFailed(Exception):
    """A notification did not get through.

    `retryable` tells the worker whether the same send can succeed later (the server is down,
    busy or rate-limiting) or never will (bad address, revoked webhook, rejected payload).
    `retry_after` is the other side's Retry-After header, when it sent one: seconds or an HTTP
    date, which the caller reads against its own clock (`retry_after_seconds`).
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class Transport(Protocol):
    def send(self, destination: str, message: Message) -> None:
        """Deliver `message` to `destination` (an address or a URL) or raise `SendFailed`."""
        ...


def retryable_status(status: int) -> bool:
    """Server errors, 408 Request Timeout and 429 Too Many Requests pass; other 4xx will fail
    again the same way."""
    return status >= 500 or status in (408, 429)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After is either delta-seconds (`7`) or an HTTP date; both become seconds from now."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def origin(url: str) -> str:
    """`scheme://host:port` of a URL: webhook URLs carry their secret in the path or the query
    (Slack's `/services/T…/B…/<token>`, Teams' `sig=`), which must not reach logs."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


def encode_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post_json(
    url: str, body: bytes, *, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> None:
    """POST an already-encoded JSON body; any answer but 2xx becomes `SendFailed`.

    The body arrives as bytes because a signature must cover exactly the bytes sent.
    Redirects are not followed: a webhook URL that redirects is misconfigured, and following
    it would re-send the body somewhere nobody chose.
    """
    where = origin(url)
    sent = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    try:
        response = httpx.post(url, content=body, headers=sent, timeout=timeout)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise SendFailed(f"cannot post to {where}: {exc}", retryable=False) from None
    except httpx.TimeoutException:
        raise SendFailed(f"{where} did not answer within {timeout:g}s", retryable=True) from None
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise SendFailed(f"cannot reach {where}: {reason}", retryable=True) from None
    if response.is_success:
        return
    status = response.status_code
    excerpt = response.text[:RESPONSE_EXCERPT].strip()
    detail = f"HTTP {status}" + (f" {excerpt!r}" if excerpt else "")
    raise SendFailed(
        f"{where} refused the notification: {detail}",
        retryable=retryable_status(status),
        retry_after=response.headers.get("Retry-After") if status == 429 else None,
    )
