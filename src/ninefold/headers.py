"""Security headers on every response: a Content-Security-Policy, no framing (clickjacking),
no MIME sniffing, and no full URLs leaked to other sites in the Referer header.

The policy allows scripts, styles, images and connections from Ninefold's own origin only,
and no inline script at all (no `<script>` blocks, no `on...=` attributes, no `javascript:`
addresses): text that reached a page from outside cannot run even if it escaped the
templates. Style attributes stay allowed (`style-src-attr`): the schedule page places its
bars with them, and a style attribute cannot run script. Forms post only to this origin.
A response that sets one of these headers itself keeps its own (a report page allows its one
inline style by hash).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *(h for h in SECURITY_HEADERS if h[0] not in own)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
