"""Slack and Microsoft Teams, each through an incoming-webhook URL (the destination).

A webhook needs no bot token or app install: the user pastes one URL per channel. Neither
service de-duplicates webhook posts, so a send repeated after a crash shows twice.
"""

from __future__ import annotations

from typing import Any

from ninefold.adapters.notify import Message, encode_json, post_json

# Slack's Block Kit limits: longer texts or more fields make Slack reject the whole message.
SLACK_HEADER_CHARS = 150
SLACK_TEXT_CHARS = 3000
SLACK_FIELD_CHARS = 2000
SLACK_MAX_FIELDS = 10

# Adaptive Card TextBlock colours for the severities that should stand out in a channel.
TEAMS_COLOURS = {"critical": "Attention", "error": "Attention", "warning": "Warning"}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_escape(text: str) -> str:
    """Slack's mrkdwn treats only `&`, `<` and `>` as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(label: str, url: str) -> str:
    # `|` and `>` would end the URL part of `<url|label>` early; percent-encoding keeps the link.
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{slack_escape(label)}>"


def slack_payload(message: Message) -> dict[str, Any]:
    """`text` is what notifications and old clients show; `blocks` is the message itself."""
    pairs = [("Severity", message.severity), *message.fields][:SLACK_MAX_FIELDS]
    section: dict[str, Any] = {
        "type": "section",
        "fields": [
            {
                "type": "mrkdwn",
                "text": _cut(f"*{slack_escape(name)}*\n{slack_escape(value)}", SLACK_FIELD_CHARS),
            }
            for name, value in pairs
        ],
    }
    if message.text.strip():
        section["text"] = {
            "type": "mrkdwn",
            "text": _cut(slack_escape(message.text), SLACK_TEXT_CHARS),
        }
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(message.subject, SLACK_HEADER_CHARS)},
        },
        section,
    ]
    if message.links:
        links = " · ".join(slack_link(label, url) for label, url in message.links)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(links, SLACK_TEXT_CHARS)}}
        )
    fallback = f"[{message.severity}] {message.subject}"
    return {"text": slack_escape(fallback), "blocks": blocks}


def teams_payload(message: Message) -> dict[str, Any]:
    """The envelope a Teams Workflows ("Post to a channel when a webhook request is received")
    webhook expects: a message whose one attachment is an Adaptive Card 1.4."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.subject,
            "size": "Large",
            "weight": "Bolder",
            "color": TEAMS_COLOURS.get(message.severity.lower(), "Default"),
            "wrap": True,
        }
    ]
    if message.text.strip():
        body.append({"type": "TextBlock", "text": message.text, "wrap": True})
    facts = [("Severity", message.severity), *message.fields]
    body.append({"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.links:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": label, "url": url} for label, url in message.links
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class SlackTransport:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def send(self, destination: str, message: Message) -> None:
        post_json(destination, encode_json(slack_payload(message)), timeout=self.timeout)


class TeamsTransport:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def send(self, destination: str, message: Message) -> None:
        post_json(destination, encode_json(teams_payload(message)), timeout=self.timeout)
