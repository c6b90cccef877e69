"""A real HTTP server on a loopback port chosen at run time, recording every request.

    with HttpReceiver() as receiver:
        WebhookTransport(clock=clock).send(receiver.url("/hook"), msg)
        [request] = receiver.requests     # method, path, headers, body; .json()

`stall()` makes it record requests but hold the answers until `release()`: a sender waiting
for its answer can be killed after the request arrived (the crash window of exactly-once).
It answers 200 unless told otherwise: `respond(503, 200)` answers the next two requests with
503 then 200 (then 200 again); `respond(429, retry_after="7")` adds a Retry-After header to the
queued answers. Any method is recorded; bodies are read by Content-Length.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: httpx.Headers  # case-insensitive: headers["idempotency-key"] works
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class HttpReceiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._go = threading.Event()
        self._go.set()
        self._server = ThreadingHTTPServer((HOST, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.host = HOST
        self.port: int = self._server.server_address[1]
        # A short poll interval: shutdown() waits for the serving loop to notice, 0.5s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def respond(self, *statuses: int, retry_after: str | None = None, body: bytes = b"ok") -> None:
        """Queue the answers to the next requests; once they are used up, answer 200."""
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        with self._lock:
            self._replies.extend(Reply(status, body, headers) for status in statuses)

    def stall(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    def start(self) -> HttpReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> HttpReceiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self._requests.append(request)
            return self._replies.popleft() if self._replies else Reply(200, b"ok", ())


def _handler_for(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = httpx.Headers(list(self.headers.items()))
            reply = receiver._record(Request(self.command, self.path, headers, body))
            receiver._go.wait(timeout=60)
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: pytest shows the requests through the assertions that need them."""

    return Handler
