"""The incident pages as the app renders them (SQLite and PostgreSQL): declaring from an
alert group's page, the incident's page with its figures, forms and timeline, the list's
filters, and what a viewer sees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.db import make_session_factory
from ninefold.settings import Settings
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.test_web import csrf_token, log_in, parse
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def browser(
    tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock
) -> Iterator[TestClient]:
    """A responder's browser on the example shop."""
    clock.set(T0)
    load_examples(engine, now=clock())
    make_user(engine, "rita", Role.RESPONDER, now=clock())
    make_user(engine, "ada", Role.VIEWER, now=clock())
    settings = Settings(data_dir=tmp_path, database_url=database_url, config_dir=EXAMPLES)
    with TestClient(create_app(settings, engine, clock)) as client:
        assert log_in(client, "rita").status_code == 303
        yield client


def open_group(client: TestClient, engine: Engine) -> int:
    with make_session_factory(engine)() as session:
        path = integrations.intake_path(integrations.get_row(session, "deploy-bot"))
    alert = {"title": "Checkout errors", "status": "firing", "labels": {"alertname": "Errors"}}
    return int(client.post(path, json=alert).json()["groups"][0])


def post(client: TestClient, path: str, **form: str) -> str:
    token = csrf_token(client, "/incidents")
    answer = client.post(path, data={CSRF_FORM_FIELD: token, **form}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_an_incident_declared_on_a_groups_page_then_worked_through_its_forms(
    browser: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    group = open_group(browser, engine)
    panel = parse(browser.get(f"/alerts/{group}")).one("section", id="group-incident")
    assert "Declare an incident" in panel.text
    clock.set(T0 + timedelta(minutes=5))
    where = post(browser, f"/alerts/{group}/declare", severity="SEV2")
    assert where.startswith("/incidents/")
    assert where.endswith("?done=declared")
    number = where.split("/")[2].split("?")[0]
    page = parse(browser.get(f"/alerts/{group}")).one("section", id="group-incident")
    assert f"incident #{number}" in page.text

    clock.set(T0 + timedelta(minutes=20))
    post(browser, f"/incidents/{number}/roles", role="commander", user="priya")
    post(browser, f"/incidents/{number}/notes", text="Rolled back to v41")
    post(
        browser,
        f"/incidents/{number}/instants",
        impact_start="2026-05-04T13:50:00Z",
        detected="",
        acknowledged="",
        mitigated="",
        resolved="",
        impact_end="",
    )
    clock.set(T0 + timedelta(minutes=40))
    post(browser, f"/incidents/{number}/status", status="resolved", note="errors gone")
    page = parse(browser.get(f"/incidents/{number}"))
    assert page.one("strong", **{"data-testid": "status"}).text == "resolved"
    derived = {
        row.find_all("th")[0].text: row.find_all("td")[0].text
        for row in page.one("table", id="derived").find_all("tr")
    }
    # Impact 13:50, detected when the group opened (14:00), mitigated and resolved at 14:40.
    assert derived == {
        "Time to detect": "10.0 min",
        "Time to acknowledge": "no data",
        "Time to mitigate": "50.0 min",
        "Time to recover": "50.0 min",
        "Customer impact": "50.0 min",
    }
    assert "Incident commander: priya" in page.one("dd", id="roles").text
    timeline = page.one("ol", id="timeline")
    texts = [li.text for li in timeline.find_all("li")]
    assert any("Rolled back to v41" in t for t in texts)
    assert any("Group #" in t and "Group opened" in t for t in texts)
    assert any("Status investigating → resolved: errors gone" in t for t in texts)

    note_ref = next(
        li.attrs["data-ref"] for li in timeline.find_all("li") if "Rolled back" in li.text
    )
    post(browser, f"/incidents/{number}/pins", ref=note_ref, on="true")
    pinned = parse(browser.get(f"/incidents/{number}")).one("ol", id="timeline")
    assert [li.attrs["data-ref"] for li in pinned.find_all("li") if "data-pinned" in li.attrs] == [
        note_ref
    ]


def test_a_wrong_instant_in_the_form_is_refused_saying_which(
    browser: TestClient, engine: Engine
) -> None:
    where = post(browser, "/incidents", title="Search slow", severity="SEV3", services="search")
    number = where.split("/")[2].split("?")[0]
    token = csrf_token(browser, f"/incidents/{number}")
    refused = browser.post(
        f"/incidents/{number}/instants",
        data={
            CSRF_FORM_FIELD: token,
            "impact_start": "2026-05-04T13:00:00Z",
            "mitigated": "2026-05-04T12:00:00Z",
        },
    )
    assert refused.status_code == 422
    assert "mitigated" in refused.text
    assert "comes before impact start" in refused.text


def test_the_list_filters_and_a_viewer_sees_no_forms(
    browser: TestClient,
) -> None:
    post(browser, "/incidents", title="Checkout fails", severity="SEV1", services="checkout")
    post(browser, "/incidents", title="Search slow", severity="SEV3", services="search")

    def listed(query: str) -> list[str]:
        table = parse(browser.get(f"/incidents?{query}")).one("table", id="incidents")
        return [
            row.attrs["data-incident"]
            for row in table.find_all("tr")
            if "data-incident" in row.attrs
        ]

    assert listed("") == ["2", "1"]
    assert listed("severity=SEV1") == ["1"]
    assert listed("service=search") == ["2"]
    assert listed("status=open&severity=&service=") == ["2", "1"]
    browser.cookies.clear()
    assert log_in(browser, "ada").status_code == 303
    page = parse(browser.get("/incidents/1"))
    assert page.find_all("form", action="/incidents/1/status") == []
    assert page.find_all("input", name="impact_start") == []
    assert "Declare an incident" not in parse(browser.get("/incidents")).text


def test_a_postmortem_is_started_edited_with_a_preview_reviewed_and_its_items_closed(
    browser: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    where = post(
        browser, "/incidents", title="Checkout fails", severity="SEV2", services="checkout"
    )
    number = where.split("/")[2].split("?")[0]
    post(browser, f"/incidents/{number}/status", status="resolved")
    assert post(browser, f"/incidents/{number}/postmortem").endswith("?done=started")
    page = parse(browser.get(f"/incidents/{number}/postmortem"))
    assert page.one("dd", **{"data-testid": "pm-state"}).text.startswith("draft")
    assert "SEV2 requires a postmortem" in page.text

    token = csrf_token(browser, f"/incidents/{number}/postmortem/edit")
    form = {
        CSRF_FORM_FIELD: token,
        "title": "Postmortem: checkout",
        "section-trigger": "Deploy **v42** <script>x</script>",
    }
    preview = browser.post(f"/incidents/{number}/postmortem/edit", data={**form, "preview": "1"})
    shown = parse(preview).one("article", id="preview")
    assert "<strong>v42</strong>" in preview.text
    assert "<script>x</script>" not in preview.text  # shown as text, never run
    assert "Deploy v42" in shown.text
    unsaved = parse(browser.get(f"/incidents/{number}/postmortem")).one("article", id="postmortem")
    assert "Deploy" not in unsaved.text  # a preview saves nothing
    saved = browser.post(f"/incidents/{number}/postmortem/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303

    post(
        browser,
        f"/incidents/{number}/action-items",
        kind="detect",
        title="Alert on pool",
        owner="rita",
    )
    post(browser, f"/incidents/{number}/postmortem/state", state="in_review", reviewers="rita")
    post(browser, f"/incidents/{number}/postmortem/state", state="reviewed")
    page = parse(browser.get(f"/incidents/{number}/postmortem"))
    assert page.one("dd", **{"data-testid": "pm-state"}).text.startswith("reviewed")
    assert "Deploy v42" in page.one("article", id="postmortem").text

    mine = parse(browser.get("/action-items?owner=rita")).one("table", id="action-items")
    [row] = [r for r in mine.find_all("tr") if "data-item" in r.attrs]
    item = row.attrs["data-item"]
    post(browser, f"/action-items/{item}/status", status="done", back="/action-items?owner=rita")
    assert parse(browser.get("/action-items?owner=rita")).find_all("table", id="action-items") == []
    closed = parse(browser.get("/action-items?owner=rita&show=all")).one("table", id="action-items")
    assert "done" in closed.text


def test_the_incident_is_changed_a_group_linked_and_a_note_edited_then_deleted_in_the_page(
    browser: TestClient, engine: Engine
) -> None:
    where = post(browser, "/incidents", title="Cart slow", severity="SEV3", services="cart")
    number = where.split("/")[2].split("?")[0]
    post(
        browser, f"/incidents/{number}/edit", severity="SEV2", category="capacity", services="cart"
    )
    group = open_group(browser, engine)
    post(browser, f"/incidents/{number}/groups", group=str(group))
    post(browser, f"/incidents/{number}/notes", text="First thought")
    page = parse(browser.get(f"/incidents/{number}"))
    texts = [li.text for li in page.one("ol", id="timeline").find_all("li")]
    assert any("Severity SEV3 → SEV2" in t for t in texts)
    assert any("Category none → capacity" in t for t in texts)
    assert any(f"Alert group #{group} linked" in t for t in texts)
    assert "Root cause" in page.text
    [note] = [
        li
        for li in page.one("ol", id="timeline").find_all("li")
        if li.attrs.get("data-kind") == "note"
    ]
    note_id = note.attrs["data-ref"].split(":")[1]
    post(browser, f"/incidents/{number}/notes/{note_id}", text="Second thought")
    edited = parse(browser.get(f"/incidents/{number}")).one(
        "li", **{"data-ref": f"event:{note_id}"}
    )
    assert "Second thought" in edited.text
    assert "(edited)" in edited.text
    post(browser, f"/incidents/{number}/notes/{note_id}", delete="1")
    after = parse(browser.get(f"/incidents/{number}")).find_all(
        "li", **{"data-ref": f"event:{note_id}"}
    )
    assert after == []
