"""Change webhooks from GitHub, GitLab and Argo CD, each checked by its secret; events that
record nothing answered 2xx and counted. Payloads are shaped as each sender documents them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from ninefold.changes import hooks
from ninefold.changes.schemas import ChangeIntegrationSpec
from ninefold.db import make_session_factory, unit_of_work
from ninefold.signing import sign
from tests.factories import make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
SECRET = "s3cret-for-tests"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def urls(shop: Engine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A webhook of each kind; their paths by kind."""
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    paths = {}
    with unit_of_work(make_session_factory(shop)) as session:
        for kind, service in (("github", None), ("gitlab", "cart"), ("argocd", None)):
            spec = ChangeIntegrationSpec(
                name=f"{kind}-hook", kind=kind, service=service, secret_env="HOOK_SECRET"
            )
            paths[kind] = hooks.out(hooks.write(session, spec, "config", clock()), "").path
    return paths


def github_event(state: str = "success", deployment_id: int = 77) -> dict[str, Any]:
    return {
        "action": "created",
        "deployment_status": {
            "id": 9001,
            "state": state,
            "environment": "production",
            "created_at": "2026-03-02T09:00:00Z",
            "target_url": "https://github.com/shop/checkout/actions/runs/1",
            "log_url": "https://github.com/shop/checkout/actions/runs/1/job/2",
            "creator": {"login": "github-actions[bot]"},
        },
        "deployment": {
            "id": deployment_id,
            "sha": "4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a",
            "ref": "main",
            "task": "deploy",
            "payload": {"service": "checkout"},
            "environment": "production",
            "description": "Deploy checkout",
            "creator": {"login": "priya"},
            "created_at": "2026-03-02T08:50:00Z",
        },
        "repository": {"full_name": "shop/checkout", "name": "checkout"},
        "sender": {"login": "priya"},
    }


def send_github(
    client: TestClient, path: str, event: dict[str, Any], kind: str = "deployment_status"
) -> Any:
    body = json.dumps(event).encode()
    headers = {
        "X-GitHub-Event": kind,
        "X-Hub-Signature-256": sign(SECRET, body),
        "Content-Type": "application/json",
    }
    return client.post(path, content=body, headers=headers)


def test_a_signed_github_deployment_status_records_a_deploy_once(
    client: TestClient, urls: dict[str, str], admin_headers: dict[str, str]
) -> None:
    first = send_github(client, urls["github"], github_event())
    assert first.status_code == 200, first.text
    change = first.json()["recorded"]["change"]
    assert (change["service"], change["environment"], change["outcome"]) == (
        "checkout",
        "production",
        "success",
    )
    assert change["version"] == "4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a"
    assert change["external_id"] == "github:shop/checkout:deployment:77"
    assert change["started_at"] == "2026-03-02T08:50:00Z"
    assert change["source"] == "github"
    again = send_github(client, urls["github"], github_event())
    assert again.json()["recorded"]["created"] is False
    failed = send_github(client, urls["github"], github_event("failure", deployment_id=78))
    assert failed.json()["recorded"]["change"]["outcome"] == "failed"
    assert client.get("/api/v1/changes", headers=admin_headers).json()["total"] == 2


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=" + "0" * 64, "sha1=abc", sign("another secret", b"{}")],
)
def test_a_github_event_without_the_right_signature_is_refused(
    client: TestClient, urls: dict[str, str], admin_headers: dict[str, str], signature: str | None
) -> None:
    headers = {"X-GitHub-Event": "deployment_status"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    answer = client.post(urls["github"], content=json.dumps(github_event()), headers=headers)
    assert answer.status_code == 401
    assert "X-Hub-Signature-256" in answer.json()["error"]["message"]
    assert client.get("/api/v1/changes", headers=admin_headers).json()["total"] == 0


def test_events_that_record_nothing_are_answered_and_counted(
    client: TestClient, urls: dict[str, str], shop: Engine, admin_headers: dict[str, str]
) -> None:
    push = send_github(client, urls["github"], {"ref": "refs/heads/main"}, kind="push")
    pending = send_github(client, urls["github"], github_event("in_progress"))
    assert push.status_code == pending.status_code == 200
    assert push.json()["ignored"] == "GitHub event 'push' records no change"
    assert "'in_progress' is not a finished deployment" in pending.json()["ignored"]
    with make_session_factory(shop)() as session:
        counted = {row.name: row.ignored for row in hooks.all_rows(session)}
    assert counted["github-hook"] == 2
    assert client.get("/api/v1/changes", headers=admin_headers).json()["total"] == 0


def test_a_secret_missing_on_the_server_is_a_503_to_retry(
    client: TestClient, urls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOK_SECRET")
    answer = send_github(client, urls["github"], github_event())
    assert answer.status_code == 503
    assert "HOOK_SECRET" in answer.json()["error"]["message"]


def gitlab_event(status: str = "success", environment: str = "prod") -> dict[str, Any]:
    return {
        "object_kind": "deployment",
        "status": status,
        "status_changed_at": "2026-03-02 10:00:00 +0100",
        "deployment_id": 15,
        "deployable_id": 796,
        "deployable_url": "https://gitlab.example.com/shop/cart/-/jobs/796",
        "environment": environment,
        "environment_tier": "production",
        "project": {"id": 30, "name": "cart", "path_with_namespace": "shop/cart"},
        "short_sha": "279484c0",
        "user": {"name": "Maria", "username": "maria"},
        "commit_title": "Faster cart totals",
    }


def test_a_gitlab_deployment_event_with_its_token(client: TestClient, urls: dict[str, str]) -> None:
    headers = {"X-Gitlab-Event": "Deployment Hook", "X-Gitlab-Token": SECRET}
    answer = client.post(urls["gitlab"], json=gitlab_event(), headers=headers)
    assert answer.status_code == 200, answer.text
    change = answer.json()["recorded"]["change"]
    # "prod" is unknown here; its tier, production, is known.
    assert (change["service"], change["environment"]) == ("cart", "production")
    assert change["finished_at"] == "2026-03-02T09:00:00Z"
    assert change["external_id"] == "gitlab:shop/cart:deployment:15"
    running = client.post(urls["gitlab"], json=gitlab_event("running"), headers=headers)
    assert running.json()["ignored"] == "deployment status 'running' is not a finished deployment"
    wrong = client.post(
        urls["gitlab"],
        json=gitlab_event(),
        headers={"X-Gitlab-Event": "Deployment Hook", "X-Gitlab-Token": "guess"},
    )
    assert wrong.status_code == 401


def test_an_argo_cd_notification_with_its_token(client: TestClient, urls: dict[str, str]) -> None:
    body = {
        "app": "payments-prod",
        "service": "payments",
        "revision": "9c1e2f3",
        "phase": "Succeeded",
        "started_at": "2026-03-02T08:58:00Z",
        "finished_at": "2026-03-02T09:00:00Z",
        "url": "https://argocd.example.com/applications/payments-prod",
    }
    answer = client.post(urls["argocd"], json=body, headers={"X-Ninefold-Token": SECRET})
    assert answer.status_code == 200, answer.text
    change = answer.json()["recorded"]["change"]
    assert (change["service"], change["version"]) == ("payments", "9c1e2f3")
    assert client.post(urls["argocd"], json=body).status_code == 401
    bad = client.post(
        urls["argocd"],
        json={**body, "finished_at": "soon"},
        headers={"X-Ninefold-Token": SECRET},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "finished_at"


def test_a_wrong_key_is_a_404_whatever_the_kind(client: TestClient, urls: dict[str, str]) -> None:
    github_key = urls["github"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/changes/hooks/gitlab/{github_key}", json={}).status_code == 404
    assert client.post("/api/v1/changes/hooks/github/nope", json={}).status_code == 404


def test_admins_read_the_webhook_urls_and_others_may_not(
    client: TestClient, urls: dict[str, str], admin_headers: dict[str, str], shop: Engine
) -> None:
    listed = client.get("/api/v1/change-integrations", headers=admin_headers).json()
    paths = {i["name"]: i["path"] for i in listed["items"]}
    # The example shop's three, and the three of these tests.
    assert len(paths) == 6
    assert {kind: paths[f"{kind}-hook"] for kind in urls} == urls
    make_user(shop, "vera", Role.VIEWER, now=T0)
    viewer = bearer(shop, "vera", Role.VIEWER, T0)
    assert client.get("/api/v1/change-integrations", headers=viewer).status_code == 403
