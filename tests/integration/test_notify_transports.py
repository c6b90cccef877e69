"""The notification transports against real local servers: an aiosmtpd SMTP server and an HTTP
receiver, both on loopback ports chosen at run time."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ninefold.adapters.chat import SlackTransport, TeamsTransport, slack_link
from ninefold.adapters.notify import Message, SendFailed, Transport, retry_after_seconds
from ninefold.adapters.smtp import SmtpTransport, message_id
from ninefold.adapters.webhook import WebhookTransport
from ninefold.signing import verify
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.smtp_sink import SmtpSink

SENDER = "ninefold@example.org"
ONCALL = "oncall@example.org"
SENT_AT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
CLOCK = FrozenClock(SENT_AT)  # the transports' clock: when they send

PAGE = Message(
    subject="checkout: 14.4x error budget burn",
    text="Checkout is failing 7% of requests since 09:12 UTC.",
    html="<p>Checkout is failing <b>7%</b> of requests.</p>",
    severity="critical",
    links=(
        ("Acknowledge", "https://ninefold.example.org/ack/abc123"),
        ("Runbook", "https://wiki.example.org/runbooks/checkout"),
    ),
    fields=(("service", "checkout"), ("SLO burn", "14.4x"), ("fired", "3 times in 7 days")),
    idempotency_key="page:42:step:1",
)


def closed_port() -> int:
    """A loopback port nobody listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def smtp(
    sink: SmtpSink,
    *,
    username: str | None = None,
    password: str | None = None,
    starttls: bool = False,
) -> SmtpTransport:
    return SmtpTransport(sink.host, sink.port, SENDER, username, password, starttls, clock=CLOCK)


# --- email ----------------------------------------------------------------------------------


def test_email_arrives_with_text_html_links_and_a_message_id_from_the_key(
    smtp_sink: SmtpSink,
) -> None:
    smtp(smtp_sink).send(ONCALL, PAGE)

    [email] = smtp_sink.messages
    assert email["Subject"] == PAGE.subject
    assert email["From"] == SENDER
    assert email["To"] == ONCALL
    assert email["Message-ID"] == message_id(PAGE.idempotency_key)
    assert email["X-Ninefold-Idempotency-Key"] == "page:42:step:1"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Date"].datetime == SENT_AT  # on the transport's clock
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    plain = text.get_content()
    assert plain.startswith(PAGE.text)
    assert "Acknowledge: https://ninefold.example.org/ack/abc123" in plain
    assert "Runbook: https://wiki.example.org/runbooks/checkout" in plain
    assert "SLO burn: 14.4x" in plain
    assert html.get_content().strip() == PAGE.html


def test_the_same_key_gives_the_same_message_id(smtp_sink: SmtpSink) -> None:
    transport = smtp(smtp_sink)
    transport.send(ONCALL, PAGE)
    transport.send(ONCALL, PAGE)
    transport.send(ONCALL, Message(**{**PAGE.__dict__, "idempotency_key": "page:42:step:2"}))

    first, again, other = (email["Message-ID"] for email in smtp_sink.messages)
    assert first == again
    assert other != first
    assert first == f"<{first[1:33]}@ninefold>"


def test_a_message_without_html_is_plain_text(smtp_sink: SmtpSink) -> None:
    smtp(smtp_sink).send(
        ONCALL, Message(subject="s", text="t", severity="info", idempotency_key="k")
    )

    [email] = smtp_sink.messages
    assert email.get_content_type() == "text/plain"
    assert email.get_content() == "t\n"


def test_smtp_server_down_is_retryable_and_says_where() -> None:
    port = closed_port()
    with pytest.raises(SendFailed) as failed:
        SmtpTransport("127.0.0.1", port, SENDER, clock=CLOCK).send(ONCALL, PAGE)

    assert failed.value.retryable
    assert f"127.0.0.1:{port}" in str(failed.value)
    assert "refused" in str(failed.value).lower()


def test_smtp_server_that_never_answers_times_out_retryably(silent_port: int) -> None:
    with pytest.raises(SendFailed, match=r"did not answer within 0\.2s") as failed:
        SmtpTransport("127.0.0.1", silent_port, SENDER, timeout=0.2, clock=CLOCK).send(ONCALL, PAGE)

    assert failed.value.retryable


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        pytest.param("451 4.3.0 Try again later", True, id="a 4xx reply to DATA is retryable"),
        pytest.param("554 5.6.0 Message rejected", False, id="a 5xx reply to DATA is permanent"),
    ],
)
def test_smtp_data_replies(smtp_sink: SmtpSink, reply: str, retryable: bool) -> None:
    smtp_sink.reply_with(reply)
    with pytest.raises(SendFailed) as failed:
        smtp(smtp_sink).send(ONCALL, PAGE)

    assert failed.value.retryable is retryable
    assert reply in str(failed.value)
    assert f"{smtp_sink.host}:{smtp_sink.port}" in str(failed.value)


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        pytest.param("450 4.2.1 Mailbox busy", True, id="a 4xx recipient refusal is retryable"),
        pytest.param("550 5.1.1 No such user", False, id="a 5xx recipient refusal is permanent"),
    ],
)
def test_smtp_refused_recipient(smtp_sink: SmtpSink, reply: str, retryable: bool) -> None:
    smtp_sink.refuse(ONCALL, reply)
    with pytest.raises(SendFailed, match="refused every recipient") as failed:
        smtp(smtp_sink).send(ONCALL, PAGE)

    assert failed.value.retryable is retryable
    assert ONCALL in str(failed.value)


def test_smtp_partly_refused_recipients_are_reported(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse("gone@example.org", "550 5.1.1 No such user")
    with pytest.raises(SendFailed, match="refused some recipients") as failed:
        smtp(smtp_sink).send(f"{ONCALL}, gone@example.org", PAGE)

    assert not failed.value.retryable
    assert len(smtp_sink.messages) == 1


def test_smtp_login() -> None:
    with SmtpSink(users={"ninefold": "s3cret"}) as sink:
        smtp(sink, username="ninefold", password="s3cret").send(ONCALL, PAGE)
        with pytest.raises(SendFailed, match="535") as failed:
            smtp(sink, username="ninefold", password="wrong").send(ONCALL, PAGE)

        assert not failed.value.retryable
        assert len(sink.messages) == 1


def test_starttls_against_a_server_without_it_is_a_permanent_failure(smtp_sink: SmtpSink) -> None:
    with pytest.raises(SendFailed, match="STARTTLS") as failed:
        smtp(smtp_sink, starttls=True).send(ONCALL, PAGE)

    assert not failed.value.retryable


# --- Slack, Teams, webhook --------------------------------------------------------------------


def test_slack_message_has_header_fields_and_links(http_receiver: HttpReceiver) -> None:
    SlackTransport().send(http_receiver.url("/services/T0/B0/token"), PAGE)

    [request] = http_receiver.requests
    assert request.method == "POST"
    assert request.path == "/services/T0/B0/token"
    assert request.headers["content-type"] == "application/json"
    payload = request.json()
    assert payload["text"] == "[critical] checkout: 14.4x error budget burn"
    header, section, links = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "checkout: 14.4x error budget burn"},
    }
    assert section["text"] == {"type": "mrkdwn", "text": PAGE.text}
    assert [field["text"] for field in section["fields"]] == [
        "*Severity*\ncritical",
        "*service*\ncheckout",
        "*SLO burn*\n14.4x",
        "*fired*\n3 times in 7 days",
    ]
    assert links["text"] == {
        "type": "mrkdwn",
        "text": "<https://ninefold.example.org/ack/abc123|Acknowledge> · "
        "<https://wiki.example.org/runbooks/checkout|Runbook>",
    }


def test_slack_control_characters_are_escaped(http_receiver: HttpReceiver) -> None:
    message = Message(
        subject="a < b",
        text="p99 > 2s & rising",
        severity="warning",
        fields=tuple((f"f{i}", "v") for i in range(12)),
        idempotency_key="k",
    )
    SlackTransport().send(http_receiver.url(), message)

    [request] = http_receiver.requests
    _, section = request.json()["blocks"]
    assert section["text"]["text"] == "p99 &gt; 2s &amp; rising"
    assert len(section["fields"]) == 10  # Slack's limit; more would reject the message
    assert slack_link("A|B", "https://x.example/?q=a|b>") == "<https://x.example/?q=a%7Cb%3E|A|B>"


def test_teams_card_has_title_facts_and_actions(http_receiver: HttpReceiver) -> None:
    TeamsTransport().send(http_receiver.url("/workflows/abc?sig=secret"), PAGE)

    [request] = http_receiver.requests
    payload = request.json()
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    title, text, facts = card["body"]
    assert title["type"] == "TextBlock"
    assert title["text"] == PAGE.subject
    assert title["color"] == "Attention"
    assert text == {"type": "TextBlock", "text": PAGE.text, "wrap": True}
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "Severity", "value": "critical"},
            {"title": "service", "value": "checkout"},
            {"title": "SLO burn", "value": "14.4x"},
            {"title": "fired", "value": "3 times in 7 days"},
        ],
    }
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Acknowledge",
            "url": "https://ninefold.example.org/ack/abc123",
        },
        {
            "type": "Action.OpenUrl",
            "title": "Runbook",
            "url": "https://wiki.example.org/runbooks/checkout",
        },
    ]


def test_webhook_body_and_signature(http_receiver: HttpReceiver) -> None:
    WebhookTransport("hook-secret", clock=CLOCK).send(http_receiver.url("/hook"), PAGE)

    [request] = http_receiver.requests
    assert request.json() == {
        "idempotency_key": "page:42:step:1",
        "subject": PAGE.subject,
        "text": PAGE.text,
        "severity": "critical",
        "fields": {"service": "checkout", "SLO burn": "14.4x", "fired": "3 times in 7 days"},
        "links": {
            "Acknowledge": "https://ninefold.example.org/ack/abc123",
            "Runbook": "https://wiki.example.org/runbooks/checkout",
        },
    }
    assert request.headers["Idempotency-Key"] == "page:42:step:1"
    assert request.headers["X-Ninefold-Timestamp"] == str(int(SENT_AT.timestamp()))
    signature = request.headers["X-Ninefold-Signature"]
    assert signature.startswith("sha256=")
    assert verify("hook-secret", request.body, signature)
    assert not verify("another-secret", request.body, signature)


def test_webhook_without_a_secret_is_unsigned(http_receiver: HttpReceiver) -> None:
    WebhookTransport(clock=CLOCK).send(http_receiver.url("/hook"), PAGE)

    [request] = http_receiver.requests
    assert request.headers["Idempotency-Key"] == "page:42:step:1"
    assert "X-Ninefold-Signature" not in request.headers
    assert "X-Ninefold-Timestamp" not in request.headers


TRANSPORTS = [
    pytest.param(SlackTransport(), id="slack"),
    pytest.param(TeamsTransport(), id="teams"),
    pytest.param(WebhookTransport("s", clock=CLOCK), id="webhook"),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        pytest.param(503, True, id="503 is retryable"),
        pytest.param(500, True, id="500 is retryable"),
        pytest.param(408, True, id="408 is retryable"),
        pytest.param(400, False, id="400 is permanent"),
        pytest.param(404, False, id="404 is permanent"),
        pytest.param(410, False, id="410 is permanent"),
    ],
)
def test_http_status_decides_retry(
    http_receiver: HttpReceiver, transport: Transport, status: int, retryable: bool
) -> None:
    http_receiver.respond(status, body=b"channel_not_found")
    with pytest.raises(SendFailed) as failed:
        transport.send(http_receiver.url("/services/T0/B0/secret-token"), PAGE)

    assert failed.value.retryable is retryable
    assert failed.value.retry_after is None
    message = str(failed.value)
    assert f"HTTP {status}" in message
    assert "channel_not_found" in message
    assert f"http://127.0.0.1:{http_receiver.port}" in message
    assert "secret-token" not in message  # webhook URLs carry their secret in the path


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_429_carries_retry_after(http_receiver: HttpReceiver, transport: Transport) -> None:
    http_receiver.respond(429, retry_after="7")
    with pytest.raises(SendFailed) as failed:
        transport.send(http_receiver.url(), PAGE)

    assert failed.value.retryable
    assert failed.value.retry_after == "7"  # as sent: the worker reads it on its own clock


def test_a_retry_after_a_503_gets_through_with_the_same_key(http_receiver: HttpReceiver) -> None:
    http_receiver.respond(503, 200)
    transport = WebhookTransport("s", clock=CLOCK)
    with pytest.raises(SendFailed):
        transport.send(http_receiver.url("/hook"), PAGE)
    transport.send(http_receiver.url("/hook"), PAGE)

    first, retry = http_receiver.requests
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert first.body == retry.body


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connection_refused_is_retryable(transport: Transport) -> None:
    port = closed_port()
    with pytest.raises(SendFailed, match="refused") as failed:
        transport.send(f"http://127.0.0.1:{port}/hook", PAGE)

    assert failed.value.retryable
    assert f"127.0.0.1:{port}" in str(failed.value)


def test_a_receiver_that_never_answers_times_out_retryably(silent_port: int) -> None:
    with pytest.raises(SendFailed, match=r"did not answer within 0\.2s") as failed:
        WebhookTransport(timeout=0.2, clock=CLOCK).send(
            f"http://127.0.0.1:{silent_port}/hook", PAGE
        )

    assert failed.value.retryable


def test_an_unusable_url_is_permanent() -> None:
    with pytest.raises(SendFailed, match="cannot post") as failed:
        SlackTransport().send("ftp://files.example.org/hook", PAGE)

    assert not failed.value.retryable


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        pytest.param("7", 7.0, id="delta seconds"),
        pytest.param("Fri, 14 Mar 2025 09:27:23 GMT", 30.0, id="an HTTP date"),
        pytest.param("Fri, 14 Mar 2025 09:00:00 GMT", 0.0, id="a date in the past means now"),
        pytest.param("soon", None, id="nonsense is ignored"),
        pytest.param(None, None, id="no header"),
    ],
)
def test_retry_after_forms(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, SENT_AT) == seconds
