"""create_app(settings) -> FastAPI: mounts every domain's API and web routes.

No module-level app: the CLI builds one from the settings and clock it was given, tests build
as many as they like, each with its own clock.
"""

from __future__ import annotations

import logging
import re
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route, compile_path

from ninefold import __version__, migrations
from ninefold.body_limit import BodyLimitMiddleware
from ninefold.clock import Clock, system_clock
from ninefold.conventions import API_PREFIX
from ninefold.db import make_engine, make_session_factory
from ninefold.domain import load
from ninefold.domains import DOMAINS
from ninefold.errors import NinefoldError, Unauthenticated
from ninefold.headers import SecurityHeadersMiddleware
from ninefold.jobs import all_jobs
from ninefold.observability import HttpMetrics, MetricsMiddleware
from ninefold.openapi_errors import add_error_answers
from ninefold.settings import Settings
from ninefold.web import pages
from ninefold.worker import self_rules

log = logging.getLogger(__name__)

# Swagger UI 5 (OpenAPI 3.1), as the fastapi-swagger package ships it; only its files are used.
SWAGGER_UI = str(files("fastapi_swagger") / "resources")
STATIC = Path(__file__).parent / "web" / "static"


def create_app(
    settings: Settings, engine: Engine | None = None, clock: Clock = system_clock
) -> FastAPI:
    engine = engine or make_engine(settings.resolved_database_url())
    app = FastAPI(
        title="Ninefold",
        version=__version__,
        description="Service catalog, SLOs, paging and incidents. Errors are "
        '`{"error": {"code", "message", "field"}}`. Authenticate with '
        "`Authorization: Bearer <token>` (see `ninefold token create`).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    metrics = HttpMetrics()
    app.state.metrics = metrics

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={f"{API_PREFIX}/changes": settings.max_change_body_bytes},
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    _add_error_handlers(app)
    _add_platform_routes(app, engine, metrics)

    app.state.service_panels = []
    app.state.home_panels = []
    app.state.group_panels = []
    routers = [(API_PREFIX, load(ref)) for domain in DOMAINS for ref in domain.api]
    routers += [("", load(ref)) for domain in DOMAINS for ref in domain.pages]
    for prefix, router in routers:
        app.include_router(router, prefix=prefix)
    for domain in DOMAINS:
        if domain.web_setup:
            load(domain.web_setup)(app, settings)
        if domain.collector:
            collector = load(domain.collector)(app.state.session_factory, settings, clock)
            metrics.registry.register(collector)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_UI), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _document_errors(app)
    app.state.methods = _methods_by_path(app, routers)
    return app


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI document with every operation's error answers (ninefold.openapi_errors)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_error_answers(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_platform_routes(app: FastAPI, engine: Engine, metrics: HttpMetrics) -> None:
    @app.get("/healthz", tags=["platform"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["platform"], summary="The database is reachable and migrated")
    def readyz() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = migrations.current(engine)
        except SQLAlchemyError as exc:
            return JSONResponse(
                {"status": "unavailable", "reason": f"database: {exc.__class__.__name__}"}, 503
            )
        if current != migrations.head():
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": f"database at revision {current}, code at {migrations.head()}",
                },
                503,
            )
        return JSONResponse({"status": "ready", "revision": current})

    @app.get(
        "/metrics",
        tags=["platform"],
        summary="Prometheus metrics of this process",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def metrics_endpoint() -> Response:
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/metrics/rules",
        tags=["platform"],
        summary="Prometheus alert rules watching this Ninefold (`ninefold self-rules`)",
        response_class=PlainTextResponse,
        responses={
            200: {
                "description": "A Prometheus rule file",
                "content": {
                    "application/yaml": {
                        "schema": {
                            "type": "object",
                            "required": ["groups"],
                            "properties": {"groups": {"type": "array"}},
                        }
                    }
                },
            }
        },
    )
    def self_rules_endpoint(
        request: Request,
        job: Annotated[
            str, Query(max_length=200, description="The Prometheus job scraping /metrics.")
        ] = self_rules.DEFAULT_JOB,
    ) -> Response:
        """Served beside /metrics and, like it, without a token: a Prometheus host fetches the
        rules of the very version it scrapes (docs/operations.md)."""
        state = request.app.state
        text = self_rules.render(job, all_jobs(state.settings, state.clock).urgent)
        return Response(text, media_type="application/yaml; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return pages.render(request, "web/api_docs.html", {})


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/healthz", "/readyz", "/metrics", "/openapi"))


def _invalid(request: Request, errors: list[Any]) -> Response:
    """The 422 of a request that a model refused, naming the first field at fault."""
    first: dict[str, Any] = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first["loc"] if p not in ("body", "query", "path")]
    field = ".".join(loc) or None
    message = str(first["msg"]).removeprefix("Value error, ")
    if first.get("type") == "extra_forbidden":
        message = "unknown field"
    elif first.get("type") == "json_invalid":
        message, field = (
            f"invalid JSON at character {field}: {first.get('ctx', {}).get('error', message)}",
            None,
        )
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    if _wants_html(request):
        return pages.error_page(request, 422, f"{field}: {message}" if field else message)
    return JSONResponse(error_body("invalid", message, field), 422)


MethodsByPath = list[tuple[re.Pattern[str], set[str]]]


def _methods_by_path(app: FastAPI, routers: list[tuple[str, APIRouter]]) -> MethodsByPath:
    found = [("", route) for route in app.router.routes]
    found += [(prefix, route) for prefix, router in routers for route in router.routes]
    return [
        (compile_path(prefix + route.path)[0], set(route.methods or ()))
        for prefix, route in found
        if isinstance(route, Route)
    ]


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path, for a 405's Allow header: Starlette
    names only the first route's, and /api/v1/teams has one route for GET, one for POST."""
    table: MethodsByPath = request.app.state.methods
    path = request.url.path
    return sorted({m for pattern, methods in table if pattern.match(path) for m in methods})


def unreadable_body(cause: BaseException) -> str:
    """What is wrong with a request body that is not JSON at all, said to its sender."""
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 (byte {cause.start}); send JSON in UTF-8"
    if isinstance(cause, RecursionError):
        return "the JSON body is nested too deeply"
    return "the body could not be read as JSON"


def error_body(code: str, message: str, field: str | None) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": code, "message": message, "field": field}}


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NinefoldError)
    async def domain_error(request: Request, exc: NinefoldError) -> Response:
        if _wants_html(request):
            if isinstance(exc, Unauthenticated):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
            return pages.error_page(request, exc.http_status, exc.message)
        return JSONResponse(error_body(exc.code, exc.message, exc.field), exc.http_status)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        """Two requests raced for the same name or row; the loser's change was rolled back."""
        log.info("integrity error on %s: %s", request.url.path, exc.orig)
        message = "the change conflicts with another change made at the same time; try again"
        if _wants_html(request):
            return pages.error_page(request, 409, message)
        return JSONResponse(error_body("conflict", message, None), 409)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _invalid(request, list(exc.errors()))

    @app.exception_handler(ValidationError)
    async def model_error(request: Request, exc: ValidationError) -> Response:
        """A model a service builds from what it was sent (a PATCH merged into the stored
        record) refused it: the client's mistake, said the same way."""
        return _invalid(request, list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI's answer to a body it could not decode (not UTF-8, nested past the
            # parser's depth): an invalid request like any other, as docs/api.md says.
            message = unreadable_body(exc.__cause__)
            if _wants_html(request):
                return pages.error_page(request, 422, message)
            return JSONResponse(error_body("invalid", message, None), 422)
        response: Response
        if _wants_html(request):
            response = pages.error_page(request, exc.status_code, str(exc.detail))
        else:
            response = JSONResponse(
                error_body(codes.get(exc.status_code, "http_error"), str(exc.detail), None),
                exc.status_code,
            )
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response
