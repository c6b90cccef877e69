"""Change webhooks: the integrations they arrive through, and one parser per sender.

A parser turns a sender's event into a `ChangeIn`, or says why the event records nothing
(an event type or a state Ninefold does not record: a deploy still running, GitHub's
`inactive`). Those are answered 2xx, so the sender does not retry them, and counted on the
integration.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, require_admin
from ninefold.changes.schemas import ChangeIn, ChangeIntegrationOut, ChangeIntegrationSpec
from ninefold.changes.tables import ChangeIntegration
from ninefold.conventions import API_PREFIX
from ninefold.errors import Invalid, NotFound
from ninefold.pagination import Page
from ninefold.payloads import validated

HOOK_PATH = "/changes/hooks/"
NO_SUCH_KEY = "no change integration has this key"


# --- integrations, as `apply` writes them --------------------------------------------------


def all_rows(session: Session) -> list[ChangeIntegration]:
    return list(session.scalars(select(ChangeIntegration).order_by(ChangeIntegration.name)))


def spec_of(row: ChangeIntegration) -> ChangeIntegrationSpec:
    return ChangeIntegrationSpec(
        name=row.name,
        kind=row.kind,
        description=row.description,
        service=row.service,
        secret_env=row.secret_env,
    )


def write(
    session: Session,
    spec: ChangeIntegrationSpec,
    managed_by: str,
    now: datetime,
    row: ChangeIntegration | None = None,
) -> ChangeIntegration:
    """Create or update; the key stays (a changed URL would break every sender)."""
    if row is None:
        row = ChangeIntegration(name=spec.name, key=secrets.token_urlsafe(24))
        session.add(row)
    row.kind = spec.kind
    row.description = spec.description
    row.service = spec.service
    row.secret_env = spec.secret_env
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def by_key(session: Session, kind: str, key: str) -> ChangeIntegration:
    """The same 404 for a wrong key and a key of another kind."""
    row = session.scalar(
        select(ChangeIntegration).where(
            ChangeIntegration.key == key, ChangeIntegration.kind == kind
        )
    )
    if row is None:
        raise NotFound(NO_SUCH_KEY)
    return row


def count_ignored(session: Session, row: ChangeIntegration) -> None:
    session.execute(
        update(ChangeIntegration)
        .where(ChangeIntegration.id == row.id)
        .values(ignored=ChangeIntegration.ignored + 1)
    )


def out(row: ChangeIntegration, base_url: str) -> ChangeIntegrationOut:
    path = f"{API_PREFIX}{HOOK_PATH}{row.kind}/{row.key}"
    return ChangeIntegrationOut(
        name=row.name,
        kind=row.kind,
        description=row.description,
        service=row.service,
        secret_env=row.secret_env,
        url=f"{base_url}{path}",
        path=path,
        ignored=row.ignored,
        managed_by=row.managed_by,
    )


def list_page(
    session: Session, actor: Principal, base_url: str, *, limit: int = 50, offset: int = 0
) -> Page[ChangeIntegrationOut]:
    require_admin(actor, "see change integration keys")
    total = session.scalar(select(func.count()).select_from(ChangeIntegration)) or 0
    rows = session.scalars(
        select(ChangeIntegration).order_by(ChangeIntegration.name).limit(limit).offset(offset)
    )
    items = [out(row, base_url) for row in rows]
    return Page[ChangeIntegrationOut](items=items, total=total, limit=limit, offset=offset)


# --- the senders' events --------------------------------------------------------------------


class Ignored(Exception):
    """The event is well formed but records nothing; the message says why."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _GitHubUser(_Loose):
    login: str = ""


class _GitHubDeployment(_Loose):
    id: int
    sha: str = Field(max_length=64)
    environment: str = Field(max_length=64)
    payload: dict[str, Any] | str = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=5000)
    creator: _GitHubUser = Field(default_factory=_GitHubUser)
    created_at: datetime


class _GitHubStatus(_Loose):
    state: str
    environment: str | None = Field(default=None, max_length=64)
    created_at: datetime
    target_url: str | None = None
    log_url: str | None = None


class _GitHubRepository(_Loose):
    full_name: str = Field(max_length=200)
    name: str = Field(max_length=200)


class GitHubDeploymentStatus(_Loose):
    deployment_status: _GitHubStatus
    deployment: _GitHubDeployment
    repository: _GitHubRepository


GITHUB_OUTCOMES = {"success": "success", "failure": "failed", "error": "failed"}


def github(event: str | None, data: dict[str, Any], default_service: str | None) -> ChangeIn:
    """GitHub's `deployment_status` event: a finished deployment (success, failure, error).
    The service is the deployment payload's `service`, else the integration's, else the
    repository's name."""
    if event != "deployment_status":
        raise Ignored(f"GitHub event {event or '(none)'!r} records no change")
    hook = validated(GitHubDeploymentStatus, data)
    status, deployment = hook.deployment_status, hook.deployment
    if status.state not in GITHUB_OUTCOMES:
        raise Ignored(f"deployment state {status.state!r} is not a finished deployment")
    payload = deployment.payload if isinstance(deployment.payload, dict) else {}
    service = str(payload.get("service") or default_service or hook.repository.name)
    return _change(
        service=service,
        environment=status.environment or deployment.environment,
        version=str(payload.get("version") or deployment.sha),
        external_id=f"github:{hook.repository.full_name}:deployment:{deployment.id}",
        author=deployment.creator.login,
        description=deployment.description or "",
        url=status.log_url or status.target_url or "",
        started_at=deployment.created_at,
        finished_at=status.created_at,
        outcome=GITHUB_OUTCOMES[status.state],
    )


class _GitLabProject(_Loose):
    path_with_namespace: str = Field(max_length=200)
    name: str = Field(max_length=200)


class _GitLabUser(_Loose):
    username: str = ""


class GitLabDeployment(_Loose):
    object_kind: str
    status: str
    status_changed_at: str
    deployment_id: int
    environment: str = Field(max_length=64)
    environment_tier: str | None = None
    project: _GitLabProject
    short_sha: str = Field(default="", max_length=64)
    commit_title: str = Field(default="", max_length=5000)
    deployable_url: str | None = None
    user: _GitLabUser = Field(default_factory=_GitLabUser)


GITLAB_OUTCOMES = {"success": "success", "failed": "failed", "canceled": "cancelled"}


def gitlab(
    event: str | None, data: dict[str, Any], default_service: str | None, known: set[str]
) -> ChangeIn:
    """GitLab's deployment event (`Deployment Hook`) in a final state. An environment Ninefold
    does not know is read by its tier (`production`, `staging`, ...) when that is known."""
    if event != "Deployment Hook" or data.get("object_kind") != "deployment":
        raise Ignored(f"GitLab event {event or '(none)'!r} records no change")
    hook = validated(GitLabDeployment, data)
    if hook.status not in GITLAB_OUTCOMES:
        raise Ignored(f"deployment status {hook.status!r} is not a finished deployment")
    environment = hook.environment
    if environment not in known and hook.environment_tier in known:
        environment = hook.environment_tier
    return _change(
        service=default_service or hook.project.name,
        environment=environment,
        version=hook.short_sha,
        external_id=f"gitlab:{hook.project.path_with_namespace}:deployment:{hook.deployment_id}",
        author=hook.user.username,
        description=hook.commit_title,
        url=hook.deployable_url or "",
        started_at=None,
        finished_at=_gitlab_time(hook.status_changed_at),
        outcome=GITLAB_OUTCOMES[hook.status],
    )


def _gitlab_time(text: str) -> datetime:
    """GitLab writes `2021-04-28 21:50:00 +0200`; ISO 8601 is read too."""
    for parse in (
        lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z"),
        datetime.fromisoformat,
    ):
        try:
            value = parse(text)
        except ValueError:
            continue
        if value.tzinfo is not None:
            return value.astimezone(UTC)
    raise Invalid(
        f"status_changed_at: {text!r} is not a time with a zone", field="status_changed_at"
    )


class ArgoCDNotification(_Loose):
    """The body of the Argo CD notification template documented in docs/changes.md."""

    app: str = Field(max_length=200)
    service: str | None = Field(default=None, max_length=64)
    environment: str = Field(default="production", max_length=64)
    revision: str = Field(max_length=200)
    phase: str
    started_at: datetime | None = None
    finished_at: datetime
    url: str = ""
    author: str = Field(default="", max_length=200)


ARGOCD_OUTCOMES = {"Succeeded": "success", "Failed": "failed", "Error": "failed"}


def argocd(data: dict[str, Any], default_service: str | None) -> ChangeIn:
    """An Argo CD sync that ended (`Succeeded`, `Failed`, `Error`)."""
    hook = validated(ArgoCDNotification, data)
    if hook.phase not in ARGOCD_OUTCOMES:
        raise Ignored(f"sync phase {hook.phase!r} is not a finished sync")
    return _change(
        service=hook.service or default_service or hook.app,
        environment=hook.environment,
        version=hook.revision,
        external_id=f"argocd:{hook.app}:{hook.revision}:{hook.finished_at.isoformat()}",
        author=hook.author,
        description="",
        url=hook.url,
        started_at=hook.started_at,
        finished_at=hook.finished_at,
        outcome=ARGOCD_OUTCOMES[hook.phase],
    )


def _change(**fields: Any) -> ChangeIn:
    """A `ChangeIn` from a sender's fields; what does not fit is the sender's error (422)."""
    return validated(ChangeIn, {k: v for k, v in fields.items() if v is not None})
