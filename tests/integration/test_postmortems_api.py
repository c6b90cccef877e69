"""Postmortems and action items through the API (SQLite and PostgreSQL): the draft with the
error budget the incident burned (the demo's sample SLO data), when one is required and by
when in the team's calendar, review states, completeness, Markdown out and back in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.settings import Settings
from ninefold.slos.sources.sample import incident_starts, sample_counts
from ninefold.slos.spec.loader import read
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 12, 18, 20, 0, tzinfo=UTC)  # a Friday, 21:00 in Berlin


@pytest.fixture
def api(
    tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock
) -> Iterator[TestClient]:
    """An admin's API client on the example shop, SLOs read from the demo's sample data."""
    clock.set(NOW)
    load_examples(engine, now=clock())
    make_user(engine, "root", Role.ADMIN, now=clock())
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=EXAMPLES, slo_source="sample"
    )
    with TestClient(create_app(settings, engine, clock)) as client:
        client.headers.update(bearer(engine, "root", Role.ADMIN, clock()))
        yield client


def declare(client: TestClient, **body: Any) -> int:
    answer = client.post("/api/v1/incidents", json={"title": "Checkout fails", **body})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_the_draft_prices_the_budget_the_incident_burned(api: TestClient) -> None:
    """checkout/availability (99.9% over 30 days) has a 40-minute outage in the sample data
    every nine days; an incident over the last one burns a share of the 30-day budget (a few
    percent: under the policy's 20%, so a SEV3 needs no postmortem)."""
    outage = incident_starts("checkout", "availability", NOW - timedelta(days=9), NOW)[-1]
    start, end = outage, outage + timedelta(minutes=40)
    number = declare(api, severity="SEV3", services=["checkout"], impact_start=start.isoformat())
    api.patch(f"/api/v1/incidents/{number}/instants", json={"mitigated": end.isoformat()})
    api.post(f"/api/v1/incidents/{number}/status", json={"status": "resolved"})
    draft = api.post(f"/api/v1/incidents/{number}/postmortem")
    assert draft.status_code == 201, draft.text
    found = draft.json()
    [burn] = [b for b in found["budget"] if b["slo"] == "availability"]

    # The same figure from the raw sample counts: bad events in the window over the bad
    # events 99.9% allows in the 30 days ending with it.
    [slo] = [s for s in read([EXAMPLES], timedelta(days=30))[0].slos if s.name == "availability"]
    counts = sample_counts(slo, end - timedelta(days=30), end)
    inside = (counts.timestamps > start.timestamp()) & (counts.timestamps <= end.timestamp())
    bad = float(np.sum((counts.total - counts.good)[inside]))
    allowed = 0.001 * float(np.sum(counts.total))
    assert burn["bad_events"] == pytest.approx(bad)
    assert burn["allowed_bad_events"] == pytest.approx(allowed)
    assert burn["share"] == pytest.approx(bad / allowed)
    assert 0 < burn["share"] < 0.2
    assert burn["requires_postmortem"] is False
    assert found["required"] == []
    assert (
        f"This incident used {burn['share']:.1%} of checkout/availability's 30-day"
        in (found["sections"]["impact"])
    )
    assert "Customer-impact minutes: 40 min" in found["sections"]["impact"]
    assert found["sections"]["root_causes"] == ""
    again = api.post(f"/api/v1/incidents/{number}/postmortem")
    assert again.status_code == 409


def test_due_in_the_owning_teams_business_days_and_late_when_not_reviewed(
    api: TestClient, clock: FrozenClock
) -> None:
    """search belongs to storefront (Europe/Berlin; 24 and 25 December are holidays).
    Resolved on Friday 18 December at 21:00 in Berlin, five business days: 21, 22, 23, 28,
    29 December; due at the end of Tuesday 29 December in Berlin, 23:00 UTC."""
    number = declare(api, severity="SEV2", services=["search"])
    api.post(f"/api/v1/incidents/{number}/status", json={"status": "resolved"})
    found = api.post(f"/api/v1/incidents/{number}/postmortem").json()
    assert found["required"] == ["SEV2 requires a postmortem"]
    assert found["due_at"] == "2026-12-29T23:00:00Z"
    assert found["late"] is False
    clock.set(datetime(2026, 12, 29, 23, 0, 1, tzinfo=UTC))
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json()["late"] is True
    optional = declare(api, severity="SEV4", services=["search"])
    api.post(f"/api/v1/incidents/{optional}/status", json={"status": "resolved"})
    found = api.post(f"/api/v1/incidents/{optional}/postmortem").json()
    assert (found["required"], found["due_at"], found["late"]) == ([], None, False)


def test_review_states_move_in_order_and_only_reviewers_review(
    api: TestClient, engine: Engine
) -> None:
    number = declare(api, severity="SEV2", services=["checkout"])
    api.post(f"/api/v1/incidents/{number}/postmortem")
    url = f"/api/v1/incidents/{number}/postmortem/state"
    skipped = api.post(url, json={"state": "published"})
    assert skipped.status_code == 409
    assert skipped.json()["error"]["message"] == (
        "a postmortem draft moves to in_review, not published"
    )
    nobody = api.post(url, json={"state": "in_review"})
    assert nobody.status_code == 422
    assert api.post(url, json={"state": "in_review", "reviewers": ["ghost"]}).status_code == 422
    sent = api.post(url, json={"state": "in_review", "reviewers": ["priya"]}).json()
    assert (sent["state"], sent["reviewers"]) == ("in_review", ["priya"])
    kenji = bearer(engine, "kenji", Role.RESPONDER, NOW)
    assert api.post(url, json={"state": "reviewed"}, headers=kenji).status_code == 403
    priya = bearer(engine, "priya", Role.RESPONDER, NOW)
    reviewed = api.post(url, json={"state": "reviewed"}, headers=priya).json()
    assert (reviewed["state"], reviewed["reviewed_by"]) == ("reviewed", "priya")
    published = api.post(url, json={"state": "published"}).json()
    assert published["published_at"] == "2026-12-18T20:00:00Z"
    locked = api.patch(f"/api/v1/incidents/{number}/postmortem", json={"title": "New"})
    assert locked.status_code == 409


def test_completeness_counts_sections_and_items_and_a_sev1_needs_prevent_or_detect(
    api: TestClient,
) -> None:
    number = declare(api, severity="SEV1", services=["checkout"])
    api.post(f"/api/v1/incidents/{number}/postmortem")
    url = f"/api/v1/incidents/{number}/postmortem"
    sections = {
        "summary": "Card payments failed.",
        "impact": "8% of orders.",
        "root_causes": "A pool too small for the new retry policy.",
        "trigger": "Deploy v42.",
        "resolution": "Rolled back.",
        "detection": "The SLO page.",
    }
    filled = api.patch(url, json={"sections": sections}).json()
    # 6 sections + an item + (SEV1) a prevent or detect item: 6 of 8 checks pass.
    assert filled["completeness"] == {
        "score": 0.75,
        "missing": ["an action item", "a prevent or detect action item (SEV1)"],
    }
    item = api.post(
        f"/api/v1/incidents/{number}/action-items",
        json={"kind": "process", "title": "Review retry defaults", "owner": "priya"},
    ).json()
    assert item["due"] == "2027-01-02"  # SEV1 items: 15 days in the example shop
    assert api.get(url).json()["completeness"]["score"] == pytest.approx(7 / 8)
    api.post(
        f"/api/v1/incidents/{number}/action-items",
        json={"kind": "detect", "title": "Alert on pool saturation", "owner": "diego"},
    )
    assert api.get(url).json()["completeness"] == {"score": 1.0, "missing": []}
    bad = api.patch(url, json={"sections": {"blame": "Bob"}})
    assert bad.status_code == 422
    assert "unknown section 'blame'" in bad.json()["error"]["message"]


def test_markdown_goes_out_and_comes_back_and_a_broken_file_changes_nothing(
    api: TestClient,
) -> None:
    number = declare(api, severity="SEV2", services=["checkout"])
    api.post(f"/api/v1/incidents/{number}/postmortem")
    api.post(
        f"/api/v1/incidents/{number}/action-items",
        json={"kind": "prevent", "title": "Add a canary stage", "owner": "priya"},
    )
    text = api.get(f"/api/v1/incidents/{number}/postmortem.md").text
    assert text.startswith(f"<!-- ninefold incident {number} -->\n# Postmortem: Checkout fails\n")
    assert (
        "- prevent: Add a canary stage | owner: priya | due: 2027-01-17 | priority: medium" in text
    )
    edited = text.replace("## Trigger\n\n", "## Trigger\n\nDeploy v42 of checkout.\n") + (
        "- detect: Page on pool saturation | owner: diego | due: 2027-01-10\n"
    )
    back = api.put(f"/api/v1/incidents/{number}/postmortem.md", content=edited.encode())
    assert back.status_code == 200, back.text
    found = back.json()
    assert found["sections"]["trigger"] == "Deploy v42 of checkout."
    assert [(i["kind"], i["title"], i["due"]) for i in found["items"]] == [
        ("prevent", "Add a canary stage", "2027-01-17"),
        ("detect", "Page on pool saturation", "2027-01-10"),
    ]
    broken = edited.replace("## Trigger", "## Blame") + "- fix: it | owner: x\n"
    refused = api.put(f"/api/v1/incidents/{number}/postmortem.md", content=broken.encode())
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "unknown section 'Blame'" in message
    assert "an action item starts with its kind" in message
    lines = broken.splitlines()
    assert f"line {lines.index('## Blame') + 1}:" in message
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json() == found


def test_action_items_list_per_team_and_owner_overdue_first(
    api: TestClient, clock: FrozenClock
) -> None:
    number = declare(api, severity="SEV2", services=["checkout"])
    url = f"/api/v1/incidents/{number}/action-items"
    late = api.post(
        url, json={"kind": "prevent", "title": "A", "owner": "priya", "due": "2026-12-20"}
    )
    soon = api.post(
        url, json={"kind": "detect", "title": "B", "owner": "diego", "due": "2026-12-19"}
    )
    assert late.status_code == soon.status_code == 201
    clock.set(NOW + timedelta(days=1, hours=6))  # 20 December: B is overdue, A due today
    listed = api.get("/api/v1/action-items", params={"team": "payments"}).json()["items"]
    assert [(i["title"], i["overdue"]) for i in listed] == [("B", True), ("A", False)]
    mine = api.get("/api/v1/action-items", params={"owner": "priya"}).json()["items"]
    assert [i["title"] for i in mine] == ["A"]
    done = api.patch(f"/api/v1/action-items/{soon.json()['id']}", json={"status": "done"}).json()
    assert (done["closed_on"], done["overdue"]) == ("2026-12-20", False)
    assert api.post(url, json={"kind": "blame", "title": "x"}).status_code == 422
    assert api.post(url, json={"kind": "detect", "title": "x", "owner": "ghost"}).status_code == 422
