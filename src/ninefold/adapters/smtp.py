"""Email through an SMTP relay (the company's, or a provider's submission port).

SMTP says itself whether to try again: 4xx replies are temporary, 5xx permanent (RFC 5321
§4.2.1). Connection trouble is temporary too. The `Message-ID` is derived from the
idempotency key, so a send repeated after a crash carries the same ID and mail systems that
de-duplicate by it (many list servers and clients do) show it once.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from ninefold.adapters.notify import Message, SendFailed
from ninefold.clock import Clock


def message_id(idempotency_key: str) -> str:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@ninefold>"


def plain_text(message: Message) -> str:
    """The prose, then one line per field and per link: plain text has no layout to put them
    anywhere else."""
    parts = [message.text.rstrip()]
    if message.fields:
        parts.append("\n".join(f"{name}: {value}" for name, value in message.fields))
    if message.links:
        parts.append("\n".join(f"{label}: {url}" for label, url in message.links))
    return "\n\n".join(part for part in parts if part) + "\n"


def build_email(sender: str, recipient: str, message: Message, sent_at: datetime) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = recipient
    email["Date"] = format_datetime(sent_at, usegmt=True)
    email["Message-ID"] = message_id(message.idempotency_key)
    email["X-Ninefold-Idempotency-Key"] = message.idempotency_key
    email["X-Ninefold-Severity"] = message.severity
    # RFC 3834: out-of-office responders must not answer a page.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(plain_text(message))
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {words}".strip()


def _refused(what: str, recipients: dict[str, tuple[int, bytes]]) -> SendFailed:
    """Worth a retry only if every refusal was temporary."""
    replies = "; ".join(
        f"{rcpt}: {_reply(code, text)}" for rcpt, (code, text) in recipients.items()
    )
    return SendFailed(
        f"{what}: {replies}",
        retryable=all(_temporary(code) for code, _ in recipients.values()),
    )


class SmtpTransport:
    """`destination` is the recipient address (or several, comma-separated)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10,
        *,
        clock: Clock,
    ) -> None:
        self.clock = clock
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, destination: str, message: Message) -> None:
        email = build_email(self.sender, destination, message, self.clock())
        where = f"SMTP server {self.host}:{self.port}"
        try:
            refused = self._deliver(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(f"{where} refused every recipient", exc.recipients) from None
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib reports a read timeout as a disconnection; the timeout is the news.
            if isinstance(exc.__context__, TimeoutError):
                raise self._timed_out(where) from None
            raise SendFailed(f"{where} closed the connection: {exc}", retryable=True) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"{where} answered {_reply(exc.smtp_code, exc.smtp_error)}",
                retryable=_temporary(exc.smtp_code),
            ) from None
        except smtplib.SMTPException as exc:
            # What remains is configuration: no STARTTLS or no common authentication method.
            raise SendFailed(f"{where}: {exc}", retryable=False) from None
        except ssl.SSLCertVerificationError as exc:
            raise SendFailed(f"{where}: {exc.verify_message}", retryable=False) from None
        except TimeoutError:
            raise self._timed_out(where) from None
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise SendFailed(f"cannot reach {where}: {reason}", retryable=True) from None
        if refused:
            # Some recipients got it; a retry re-sends to all, under the same Message-ID.
            raise _refused(f"{where} refused some recipients", refused)

    def _timed_out(self, where: str) -> SendFailed:
        return SendFailed(f"{where} did not answer within {self.timeout:g}s", retryable=True)

    def _deliver(self, email: EmailMessage) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            return smtp.send_message(email)
