"""Ninefold's own metrics and logs: request counts and latencies per route template, and a
value recomputed at most once per period for the collectors that read the database."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ninefold.clock import Clock
from ninefold.conventions import METRIC_HTTP_DURATION, METRIC_HTTP_REQUESTS

T = TypeVar("T")


class HttpMetrics:
    """One registry per app, so that several apps in one test process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            METRIC_HTTP_REQUESTS,
            "HTTP requests served, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            METRIC_HTTP_DURATION,
            "Time to serve an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )


class MetricsMiddleware:
    """Labels by route template (`/api/v1/services/{name}`), never by raw path.

    Raw paths would give one series per service name: unbounded cardinality.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.duration.labels(method, route).observe(time.perf_counter() - start)


def _route_template(scope: Scope) -> str:
    """The template of the route that served the request, with its router's prefix.

    The router leaves the chosen route in the scope (none: a 404). Depending on the FastAPI
    version, a route of an included router carries its path with or without the router's
    prefix; the prefix is the leading segments of the raw path that the template lacks.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return "unmatched"
    if isinstance(route, Mount):
        return f"{template}/{{path}}"
    raw = scope["path"].rstrip("/").split("/")
    missing = len(raw) - len(template.rstrip("/").split("/"))
    return "/".join(raw[: missing + 1]) + template if missing > 0 else str(template)


class Refreshed(Generic[T]):
    """A figure computed from `now` at most once per `ttl` of `clock` (again when the clock
    goes back), for a collector whose query reads a whole table: Prometheus scraping every
    15 seconds must not run it 4 times a minute on every server. A lock keeps two scrapes
    from computing it twice."""

    def __init__(self, compute: Callable[[datetime], T], clock: Clock, ttl: timedelta) -> None:
        self.compute = compute
        self.clock = clock
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: tuple[datetime, T] | None = None

    def __call__(self) -> T:
        now = self.clock()
        with self._lock:
            if self._kept is None or not self._kept[0] <= now < self._kept[0] + self.ttl:
                self._kept = (now, self.compute(now))
            return self._kept[1]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
