"""Incidents through the API on SQLite and PostgreSQL: declaring by hand and from an alert
group, moving through statuses, correcting instants (audited), roles that notify, notes
edited and deleted with an audit trail, pins, status updates to stakeholders, the timeline,
and the bad input of each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import integrations
from ninefold.auth.model import Role
from ninefold.auth.tables import AuditEntry
from ninefold.db import make_session_factory, unit_of_work
from ninefold.incidents.sections import SEVERITY
from ninefold.incidents.tables import OutgoingMessage
from tests.factories import make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str], clock: FrozenClock) -> TestClient:
    clock.set(T0)
    client.headers.update(admin_headers)
    return client


def declare(client: TestClient, **body: Any) -> Any:
    response = client.post(
        "/api/v1/incidents", json={"title": "Checkout fails", "severity": "SEV2", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def open_group(client: TestClient, engine: Engine, name: str = "CheckoutErrors") -> int:
    with make_session_factory(engine)() as session:
        path = integrations.intake_path(integrations.get_row(session, "deploy-bot"))
    alert = {
        "title": f"{name} on checkout",
        "status": "firing",
        "labels": {"alertname": name, "service": "checkout"},
    }
    response = client.post(path, json=alert)
    assert response.status_code in (200, 202), response.text
    return int(response.json()["groups"][0])


def test_an_incident_declared_from_a_group_takes_its_title_service_and_detection(
    api: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    group = open_group(api, engine)
    clock.set(T0 + timedelta(minutes=4))
    assert api.post(f"/api/v1/alert-groups/{group}/acknowledge").status_code == 200
    clock.set(T0 + timedelta(minutes=10))
    body = {
        "severity": "SEV2",
        "groups": [group],
        "impact_start": (T0 - timedelta(minutes=5)).isoformat(),
    }
    incident = api.post("/api/v1/incidents", json=body).json()
    assert incident["title"] == "CheckoutErrors on checkout"
    assert incident["services"] == ["checkout"]
    assert incident["declared_via"] == "group"
    assert incident["groups"] == [group]
    # Detected when the group opened, acknowledged when the group was: 5 and 4 minutes.
    assert incident["effective"]["detected"] == T0.isoformat().replace("+00:00", "Z")
    assert incident["derived"]["time_to_detect"] == 5.0
    assert incident["derived"]["time_to_acknowledge"] == 4.0
    assert incident["derived"]["time_to_recover"] is None
    kinds = [e["kind"] for e in incident["timeline"]]
    assert (
        kinds.index("alert_triggered") < kinds.index("alert_acknowledged") < kinds.index("declared")
    )
    again = api.post("/api/v1/incidents", json={"severity": "SEV3", "groups": [group]})
    assert again.status_code == 409
    assert f"belongs to incident {incident['id']}" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"severity": "SEV9"}, 422, "severity", "SEV1"),
        ({"services": ["nope"]}, 422, "services", "no service named 'nope'"),
        ({"groups": [9999]}, 422, "groups", "no alert group 9999"),
        ({"commander": "nobody"}, 422, "user", "no user named 'nobody'"),
        ({"title": None}, 422, "title", "give a title"),
        ({"impact_start": "2026-03-02T10:00:00Z"}, 422, "impact_start", "future"),
    ],
)
def test_bad_declarations_are_refused_and_write_nothing(
    api: TestClient, body: dict[str, Any], status: int, field: str, words: str
) -> None:
    response = api.post(
        "/api/v1/incidents", json={"title": "Checkout fails", "severity": "SEV2", **body}
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert words in error["message"] or words in str(error)
    assert field in (error.get("field") or "") or field in str(error)
    assert api.get("/api/v1/incidents").json()["total"] == 0


def test_a_severity_left_out_of_the_configuration_is_refused(
    api: TestClient, engine: Engine
) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        SEVERITY.delete(session, {"SEV2", "SEV3", "SEV4"})
    response = api.post("/api/v1/incidents", json={"title": "x", "severity": "SEV2"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "severity SEV2 is not configured; configured: SEV1"
    )


def test_statuses_move_resolve_once_and_reopen_with_a_record(
    api: TestClient, clock: FrozenClock
) -> None:
    incident = declare(api, impact_start=(T0 - timedelta(minutes=30)).isoformat())
    url = f"/api/v1/incidents/{incident['id']}/status"
    clock.set(T0 + timedelta(minutes=20))
    monitoring = api.post(url, json={"status": "monitoring"}).json()
    assert monitoring["instants"]["mitigated"] == "2026-03-02T09:20:00Z"
    clock.set(T0 + timedelta(minutes=50))
    resolved = api.post(url, json={"status": "resolved", "note": "error rate normal"}).json()
    assert resolved["derived"]["time_to_mitigate"] == 50.0
    assert resolved["derived"]["time_to_recover"] == 80.0
    assert resolved["derived"]["customer_impact"] == 50.0
    twice = api.post(url, json={"status": "resolved"})
    assert twice.status_code == 409
    assert twice.json()["error"]["message"] == "the incident is resolved already"
    moved = api.post(url, json={"status": "investigating"})
    assert moved.status_code == 409
    assert "reopen it" in moved.json()["error"]["message"]
    reopened = api.post(url, json={"status": "identified", "reopen": True}).json()
    assert reopened["status"] == "identified"
    assert reopened["reopened"] == 1
    assert reopened["instants"]["resolved"] is None
    texts = [e["text"] for e in reopened["timeline"]]
    assert "Status monitoring → resolved: error rate normal" in texts
    assert "Reopened: resolved → identified" in texts


def test_correcting_an_instant_recomputes_the_figures_and_is_audited(
    api: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    incident = declare(api)
    url = f"/api/v1/incidents/{incident['id']}/instants"
    clock.set(T0 + timedelta(hours=1))
    wrong = api.patch(
        url,
        json={"impact_start": "2026-03-02T08:30:00Z", "mitigated": "2026-03-02T08:00:00Z"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "mitigated"
    assert "comes before impact start" in wrong.json()["error"]["message"]
    fixed = api.patch(
        url,
        json={"impact_start": "2026-03-02T08:30:00Z", "mitigated": "2026-03-02T09:15:00Z"},
    ).json()
    assert fixed["derived"]["time_to_mitigate"] == 45.0
    again = api.patch(url, json={"impact_start": "2026-03-02T08:45:00Z"}).json()
    assert again["derived"]["time_to_mitigate"] == 30.0
    with make_session_factory(engine)() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_kind == "incident").order_by(AuditEntry.id)
        ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"impact_start": None}, {"impact_start": "2026-03-02T08:30:00+00:00"}),
        ({"mitigated": None}, {"mitigated": "2026-03-02T09:15:00+00:00"}),
        (
            {"impact_start": "2026-03-02T08:30:00+00:00"},
            {"impact_start": "2026-03-02T08:45:00+00:00"},
        ),
    ]


def test_a_role_notifies_its_holder_once_and_someone_unreachable_is_recorded(
    api: TestClient, engine: Engine
) -> None:
    incident = declare(api, commander="priya")
    url = f"/api/v1/incidents/{incident['id']}/roles"
    assert api.post(url, json={"role": "commander", "user": "priya"}).status_code == 409
    make_user(engine, "mute", Role.RESPONDER, now=T0)
    scribe = api.post(url, json={"role": "scribe", "user": "mute"}).json()
    assert {(r["role"], r["user"]) for r in scribe["roles"]} == {
        ("commander", "priya"),
        ("scribe", "mute"),
    }
    with make_session_factory(engine)() as session:
        sent = session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)).all()
    by_person = {(m.recipient, m.kind, m.status) for m in sent}
    assert ("priya", "email", "pending") in by_person
    assert ("mute", "none", "unreachable") in by_person
    assert all(m.purpose == "role" for m in sent)
    assert "You are incident commander of incident" in sent[0].subject


def test_notes_are_edited_and_deleted_by_their_author_with_the_old_text_audited(
    api: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    incident = declare(api)
    url = f"/api/v1/incidents/{incident['id']}/notes"
    note = api.post(url, json={"text": "Rolled back checkout v42"}).json()["timeline"][-1]
    note_id = int(note["ref"].split(":")[1])
    viewer = bearer(engine, "kenji", Role.RESPONDER, T0)
    other = api.patch(f"{url}/{note_id}", json={"text": "mine now"}, headers=viewer)
    assert other.status_code == 403
    edited = api.patch(f"{url}/{note_id}", json={"text": "Rolled back checkout to v41"}).json()
    shown = next(e for e in edited["timeline"] if e["ref"] == note["ref"])
    assert (shown["text"], shown["edited"]) == ("Rolled back checkout to v41", True)
    assert api.put(f"/api/v1/incidents/{incident['id']}/pins/{note['ref']}").json()["timeline"][-1][
        "pinned"
    ]
    assert api.delete(f"{url}/{note_id}").status_code == 204
    after = api.get(f"/api/v1/incidents/{incident['id']}").json()
    assert note["ref"] not in [e["ref"] for e in after["timeline"]]
    with make_session_factory(engine)() as session:
        trail = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_kind == "incident note")
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.before, e.after) for e in trail] == [
        ("update", {"text": "Rolled back checkout v42"}, {"text": "Rolled back checkout to v41"}),
        ("delete", {"text": "Rolled back checkout to v41"}, None),
    ]
    missing = api.put(f"/api/v1/incidents/{incident['id']}/pins/event:99999")
    assert missing.status_code == 404
    bad = api.put(f"/api/v1/incidents/{incident['id']}/pins/row:1")
    assert bad.status_code == 422


def test_a_status_update_goes_to_the_stakeholders_of_the_services_and_their_teams(
    api: TestClient, engine: Engine
) -> None:
    """The example shop: support-leads hear of everything, payments-partners of checkout and
    payments, storefront-channel of the storefront team's services (search among them)."""
    checkout = declare(api, services=["checkout"])
    search = declare(api, title="Search slow", severity="SEV3", services=["search"])
    for incident in (checkout, search):
        done = api.post(
            f"/api/v1/incidents/{incident['id']}/updates", json={"text": "We are rolling back."}
        ).json()
        assert done["updates"][0]["text"] == "We are rolling back."
        assert done["updates"][0]["recipients"] == 2
        assert done["timeline"][-1]["text"] == "We are rolling back."
    with make_session_factory(engine)() as session:
        to = {
            (m.incident_id, m.recipient, m.kind) for m in session.scalars(select(OutgoingMessage))
        }
    assert to == {
        (checkout["id"], "support-leads", "email"),
        (checkout["id"], "payments-partners", "email"),
        (search["id"], "support-leads", "email"),
        (search["id"], "storefront-channel", "slack"),
    }


def test_viewers_read_incidents_and_change_nothing(api: TestClient, engine: Engine) -> None:
    incident = declare(api)
    viewer = bearer(engine, "sam", Role.VIEWER, T0)
    assert api.get(f"/api/v1/incidents/{incident['id']}", headers=viewer).status_code == 200
    refused = api.post(
        f"/api/v1/incidents/{incident['id']}/notes", json={"text": "hi"}, headers=viewer
    )
    assert refused.status_code == 403


def test_the_list_filters_by_status_severity_and_service(api: TestClient) -> None:
    first = declare(api, services=["checkout"])
    declare(api, title="Search slow", severity="SEV3", services=["search"])
    api.post(f"/api/v1/incidents/{first['id']}/status", json={"status": "resolved"})

    def titles(**query: str) -> list[str]:
        return [i["title"] for i in api.get("/api/v1/incidents", params=query).json()["items"]]

    assert titles() == ["Search slow", "Checkout fails"]
    assert titles(status="open") == ["Search slow"]
    assert titles(severity="SEV2") == ["Checkout fails"]
    assert titles(service="checkout") == ["Checkout fails"]
    assert api.get("/api/v1/incidents", params={"status": "done"}).status_code == 422


def test_an_incident_caused_by_a_deploy_fails_it_in_dora_and_its_resolution_recovers_it(
    api: TestClient, clock: FrozenClock
) -> None:
    """checkout v2 finished at 09:00; an incident on checkout started at 10:00 (the last deploy
    before the impact: KPIS.md's rule) and was resolved at 11:30. One deploy, one failed:
    change failure rate 1, recovery 150 minutes."""
    clock.set(T0 + timedelta(hours=3))
    recorded = api.post(
        "/api/v1/changes",
        json={"service": "checkout", "version": "v2", "finished_at": T0.isoformat()},
    )
    assert recorded.status_code == 201, recorded.text
    number = declare(
        api, services=["checkout"], impact_start=(T0 + timedelta(hours=1)).isoformat()
    )["id"]
    api.patch(
        f"/api/v1/incidents/{number}/instants",
        json={"resolved": (T0 + timedelta(hours=2, minutes=30)).isoformat()},
    )
    detail = api.get(f"/api/v1/incidents/{number}").json()
    [change] = detail["changes"]
    assert change["cause"] == "the last deploy of the service or a dependency before impact"
    figures = api.get("/api/v1/dora", params={"from": "2026-03-02", "to": "2026-03-03"}).json()
    current = figures["rows"][0]["current"]
    assert (current["deploys"], current["failed"], current["change_failure_rate"]) == (1, 1, 1.0)
    assert current["recovery_minutes"] == 150.0
