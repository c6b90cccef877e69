"""The intake endpoints: the integration's key in the path is the only credential.

A wrong key and a key of another kind get the same 404, so the answers reveal nothing about
which keys exist. Each request commits before its 2xx (see `http.get_session`).
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Header

from ninefold.alerts import heartbeats, intake, integrations, service
from ninefold.alerts.schemas import IngestResult
from ninefold.errors import SecretMissing, Unauthenticated
from ninefold.http import Now, RawBody, SessionDep
from ninefold.payloads import parse_json
from ninefold.signing import verify

router = APIRouter(tags=["intake"])
SIGNATURE_HEADER = "X-Ninefold-Signature"


@router.post(
    "/integrations/alertmanager/{key}",
    summary="Receive an Alertmanager webhook (payload version 4)",
)
def alertmanager(key: str, body: RawBody, session: SessionDep, now: Now) -> IngestResult:
    integration = integrations.by_key(session, "alertmanager", key)
    delivery = intake.notification("alertmanager", parse_json(body))
    return service.ingest(session, integration, delivery, now)


@router.post("/integrations/grafana/{key}", summary="Receive a Grafana alerting webhook")
def grafana(key: str, body: RawBody, session: SessionDep, now: Now) -> IngestResult:
    integration = integrations.by_key(session, "grafana", key)
    delivery = intake.notification("grafana", parse_json(body))
    return service.ingest(session, integration, delivery, now)


@router.post("/integrations/webhook/{key}", summary="Receive one alert as generic JSON")
def webhook(
    key: str,
    body: RawBody,
    session: SessionDep,
    now: Now,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> IngestResult:
    integration = integrations.by_key(session, "webhook", key)
    if integration.secret_env:
        secret = os.environ.get(integration.secret_env, "")
        if not secret:
            raise SecretMissing(
                f"integration {integration.name!r} needs its secret in the environment "
                f"variable {integration.secret_env}, which the server does not have"
            )
        if not verify(secret, body, signature):
            raise Unauthenticated(
                f"missing or wrong {SIGNATURE_HEADER} header: expected sha256=<hex HMAC-SHA256 "
                "of the body with the integration's secret>"
            )
    return service.ingest(session, integration, intake.webhook(parse_json(body), now), now)


@router.post("/heartbeats/{key}", summary="Ping a heartbeat")
def heartbeat(key: str, session: SessionDep, now: Now) -> IngestResult:
    integration = integrations.by_key(session, "heartbeat", key, lock=True)
    return heartbeats.ping(session, integration, now)
