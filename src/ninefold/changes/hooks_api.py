"""Webhook endpoints for changes: GitHub, GitLab and Argo CD, each behind an integration
whose key is in the path and whose secret signs (GitHub) or accompanies (GitLab, Argo CD)
each request. The change is recorded as the API records it: idempotent by the sender's id."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header

from ninefold.auth.model import Principal, Role
from ninefold.changes import hooks, service
from ninefold.changes.hooks import Ignored
from ninefold.changes.schemas import ChangeIn, HookResult
from ninefold.changes.tables import ChangeIntegration
from ninefold.conventions import CHANGE_TOKEN_HEADER
from ninefold.errors import SecretMissing, Unauthenticated
from ninefold.http import Now, RawBody, SessionDep
from ninefold.payloads import parse_json
from ninefold.signing import verify

router = APIRouter(tags=["change webhooks"])


def _secret(integration: ChangeIntegration) -> str:
    secret = os.environ.get(integration.secret_env, "")
    if not secret:
        raise SecretMissing(
            f"change integration {integration.name!r} needs its secret in the environment "
            f"variable {integration.secret_env}, which the server does not have"
        )
    return secret


def _same(secret: str, presented: str | None) -> bool:
    if presented is None:
        return False
    return hmac.compare_digest(secret.encode(), presented.encode("utf-8", "surrogateescape"))


def _receive(
    session: SessionDep,
    integration: ChangeIntegration,
    now: Now,
    parse: Callable[[], ChangeIn],
) -> HookResult:
    """Record what the sender's event says, or count it as ignored and say why."""
    try:
        change = parse()
    except Ignored as why:
        hooks.count_ignored(session, integration)
        return HookResult(ignored=str(why))
    sender = Principal(name=f"integration:{integration.name}", role=Role.DEPLOYER, via="webhook")
    return HookResult(recorded=service.record(session, sender, change, now, integration.kind))


@router.post("/changes/hooks/github/{key}", summary="Receive a GitHub deployment_status event")
def github(
    key: str,
    body: RawBody,
    session: SessionDep,
    now: Now,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
    event: Annotated[str | None, Header(alias="X-GitHub-Event")] = None,
) -> HookResult:
    integration = hooks.by_key(session, "github", key)
    if not verify(_secret(integration), body, signature):
        raise Unauthenticated(
            "missing or wrong X-Hub-Signature-256 header: expected sha256=<hex HMAC-SHA256 of "
            "the body with the webhook's secret>"
        )
    return _receive(
        session,
        integration,
        now,
        lambda: hooks.github(event, parse_json(body), integration.service),
    )


@router.post("/changes/hooks/gitlab/{key}", summary="Receive a GitLab deployment event")
def gitlab(
    key: str,
    body: RawBody,
    session: SessionDep,
    now: Now,
    token: Annotated[str | None, Header(alias="X-Gitlab-Token")] = None,
    event: Annotated[str | None, Header(alias="X-Gitlab-Event")] = None,
) -> HookResult:
    integration = hooks.by_key(session, "gitlab", key)
    if not _same(_secret(integration), token):
        raise Unauthenticated("missing or wrong X-Gitlab-Token header: the webhook's secret token")
    known = set(service.environments(session))
    return _receive(
        session,
        integration,
        now,
        lambda: hooks.gitlab(event, parse_json(body), integration.service, known),
    )


@router.post("/changes/hooks/argocd/{key}", summary="Receive an Argo CD notification")
def argocd(
    key: str,
    body: RawBody,
    session: SessionDep,
    now: Now,
    token: Annotated[str | None, Header(alias=CHANGE_TOKEN_HEADER)] = None,
) -> HookResult:
    integration = hooks.by_key(session, "argocd", key)
    if not _same(_secret(integration), token):
        raise Unauthenticated(
            f"missing or wrong {CHANGE_TOKEN_HEADER} header: the integration's secret"
        )
    return _receive(
        session, integration, now, lambda: hooks.argocd(parse_json(body), integration.service)
    )
