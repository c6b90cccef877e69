"""Overrides over HTTP on SQLite and PostgreSQL: made, listed, deleted, refused (422, 403,
409), audited; and two clashing ones saved at once on PostgreSQL, where exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from ninefold.auth.model import Principal, Role
from ninefold.db import make_session_factory, unit_of_work
from ninefold.errors import Conflict
from ninefold.oncall import overrides, service
from ninefold.oncall.schedule import Override
from ninefold.oncall.schemas import OverrideIn
from ninefold.oncall.tables import ScheduleOverride
from tests.integration.oncall_setup import (
    API,
    END,
    OFFICE,
    START,
    at,
    audit_entries,
    error,
    post_override,
    seed,
)
from tests.support.clock import FrozenClock


@pytest.fixture
def people(engine: Engine, clock: FrozenClock) -> dict[str, dict[str, str]]:
    return seed(engine, clock())


# --- overrides ---------------------------------------------------------------------------


def test_an_override_changes_the_shifts_and_is_audited(
    client: TestClient, people: dict[str, Any], engine: Engine
) -> None:
    body = {
        "kind": "replace",
        "start": "2026-03-24T10:00:00+01:00",
        "end": "2026-03-24T14:00:00+01:00",
    }
    response = post_override(
        client,
        people["carol"],
        **body,
        person="carol",
        replaces="alice",
        schedule="office",
        reason="swap",
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created | {"id": 0, "created_at": ""} == {
        "id": 0,
        "schedule": "office",
        "kind": "replace",
        "start": "2026-03-24T09:00:00Z",
        "end": "2026-03-24T13:00:00Z",
        "person": "carol",
        "replaces": "alice",
        "shadow": None,
        "reason": "swap",
        "created_by": "carol",
        "created_at": "",
    }
    detail = client.get(
        f"{API}/schedules/office", params={"from": START, "to": END}, headers=people["vic"]
    ).json()
    model = OFFICE.to_schedule(
        [Override("replace", at(body["start"]), at(body["end"]), "carol", "alice")]
    )
    assert [(s["start"], s["end"], s["people"]) for s in detail["shifts"]] == [
        (f"{s.start:%Y-%m-%dT%H:%M:%SZ}", f"{s.end:%Y-%m-%dT%H:%M:%SZ}", list(s.people))
        for s in model.shifts(at(START), at(END))
    ]
    assert ["2026-03-24T09:00:00Z", ["carol"]] in [
        [s["start"], s["people"]] for s in detail["shifts"]
    ]
    assert detail["overrides"] == [created]
    [entry] = audit_entries(engine)
    assert (entry.actor, entry.action, entry.object_name) == ("carol", "create", "office")
    assert entry.after == created


def test_overrides_are_listed_and_deleted(
    client: TestClient, people: dict[str, Any], engine: Engine, clock: FrozenClock
) -> None:
    past = post_override(
        client, people["root"], kind="add", person="carol", start=START, end="2026-03-24T00:00:00Z"
    )
    soon = clock() + timedelta(days=1)
    future = post_override(
        client,
        people["root"],
        kind="remove",
        person="alice",
        start=soon.isoformat(),
        end=(soon + timedelta(hours=1)).isoformat(),
    )
    assert past.status_code == future.status_code == 201
    listed = client.get(f"{API}/schedules/primary/overrides", headers=people["vic"]).json()
    assert listed == {"items": [future.json()], "total": 1, "limit": 50, "offset": 0}
    everything = client.get(
        f"{API}/schedules/primary/overrides",
        params={"from": "2026-01-01T00:00:00Z"},
        headers=people["vic"],
    ).json()["items"]
    assert everything == [past.json(), future.json()]
    bounded = client.get(
        f"{API}/schedules/primary/overrides",
        params={"from": "2026-01-01T00:00:00Z", "to": END},
        headers=people["vic"],
    ).json()["items"]
    assert bounded == [past.json()]
    # Deleting one restores the shifts.
    created = post_override(
        client,
        people["bob"],
        kind="remove",
        person="alice",
        schedule="office",
        start=START,
        end=END,
    )
    path = f"{API}/schedules/office/overrides/{created.json()['id']}"
    assert (
        client.delete(
            f"{API}/schedules/primary/overrides/{created.json()['id']}", headers=people["root"]
        ).status_code
        == 404
    )
    assert client.delete(path, headers=people["bob"]).status_code == 204
    assert error(client.delete(path, headers=people["bob"])) == (404, "id")
    detail = client.get(
        f"{API}/schedules/office", params={"from": START, "to": END}, headers=people["bob"]
    ).json()
    assert detail["overrides"] == []
    assert [s["people"] for s in detail["shifts"]][1] == ["alice"]
    actions = [(e.action, e.before is None, e.after is None) for e in audit_entries(engine)]
    assert actions == [("create", True, False)] * 3 + [("delete", False, True)]


BAD_OVERRIDES = [  # body changes, field named, message
    ({"person": "mallory"}, "person", "no user named 'mallory'"),
    ({"kind": "replace", "replaces": "mallory"}, "replaces", "no user named 'mallory'"),
    ({"start": "2026-03-24T10:00:00"}, "start", "timezone"),
    ({"end": "2026-03-24T10:00:00"}, "end", "timezone"),
    ({"end": "2026-03-24T08:00:00Z"}, "end", "must end after it starts"),
    ({"end": "2026-03-24T09:00:00Z"}, "end", "must end after it starts"),
    ({"kind": "replace"}, "replaces", "names whom it replaces"),
    ({"kind": "replace", "replaces": "carol"}, "replaces", "cannot replace themselves"),
    ({"replaces": "bob"}, "replaces", "only a replace override"),
    ({"kind": "swap"}, "kind", ""),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"person": ""}, "person", ""),
    ({"reason": "x" * 2001}, "reason", ""),
]


def test_refused_overrides_422_403_409(
    client: TestClient, people: dict[str, Any], engine: Engine
) -> None:
    base = {
        "kind": "add",
        "person": "carol",
        "start": "2026-03-24T09:00:00Z",
        "end": "2026-03-24T10:00:00Z",
    }
    for body, field, message in BAD_OVERRIDES:
        response = post_override(client, people["root"], **(base | body))
        assert error(response) == (422, field), (body, response.text)
        assert message in response.json()["error"]["message"], body
    assert audit_entries(engine) == []
    # Viewers may not write, nor responders scoped to other teams than the schedule's.
    body = {"kind": "add", "person": "carol", "start": START, "end": END}
    assert post_override(client, people["vic"], **body).status_code == 403
    assert post_override(client, people["edge-only"], **body).status_code == 403
    assert post_override(client, people["edge-only"], schedule="office", **body).status_code == 201
    created = post_override(client, people["alice"], **body)
    assert created.status_code == 201
    path = f"{API}/schedules/primary/overrides/{created.json()['id']}"
    assert client.delete(path, headers=people["vic"]).status_code == 403
    assert client.delete(path, headers=people["alice"]).status_code == 204
    assert len(audit_entries(engine)) == 3
    # Two overrides for the same person may not overlap.
    first = post_override(
        client, people["root"], kind="add", person="carol", start=START, end="2026-03-24T12:00:00Z"
    )
    assert first.status_code == 201
    clash = post_override(
        client,
        people["root"],
        kind="replace",
        person="alice",
        replaces="carol",
        start="2026-03-24T11:00:00Z",
        end="2026-03-24T13:00:00Z",
    )
    assert error(clash) == (409, "start")
    assert f"clashes with override {first.json()['id']}" in clash.json()["error"]["message"]
    other = post_override(
        client, people["root"], kind="add", person="bob", start=START, end="2026-03-24T12:00:00Z"
    )
    assert other.status_code == 201, "another person may overlap"
    after = post_override(
        client, people["root"], kind="add", person="carol", start="2026-03-24T12:00:00Z", end=END
    )
    assert after.status_code == 201, "touching is not overlapping"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_clashing_overrides_saved_at_once_one_wins(
    engine: Engine, people: dict[str, Any], clock: FrozenClock
) -> None:
    """The second writer waits on the first one's lock of the schedule row, then sees its
    override and gets a conflict: without the lock both would see nothing and both save."""
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2, timeout=10)
    first_saved, second_may_go, first_may_commit = (
        threading.Event(),
        threading.Event(),
        threading.Event(),
    )
    results: dict[str, str] = {}

    def save(who: str, start: str, end: str) -> None:
        actor = Principal(who, Role.RESPONDER, "api")
        body = OverrideIn(kind="add", person="carol", start=at(start), end=at(end))
        try:
            with unit_of_work(factory) as session:
                service.get_row(session, "primary")
                barrier.wait()
                if who == "bob":
                    second_may_go.wait(10)
                overrides.create(session, actor, "primary", body, clock())
                if who == "alice":
                    first_saved.set()
                    first_may_commit.wait(10)
            results[who] = "saved"
        except Conflict:
            results[who] = "conflict"

    threads = [
        threading.Thread(target=save, args=("alice", START, "2026-03-24T12:00:00Z")),
        threading.Thread(target=save, args=("bob", "2026-03-24T11:00:00Z", END)),
    ]
    for thread in threads:
        thread.start()
    assert first_saved.wait(10)
    second_may_go.set()
    waiting = 0
    with engine.connect() as connection:
        for _ in range(200):  # until bob's UPDATE of the schedule row waits for alice's lock
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                break
            threading.Event().wait(0.02)
    first_may_commit.set()
    for thread in threads:
        thread.join(10)
    assert waiting == 1, "the second writer never waited for the first"
    assert results == {"alice": "saved", "bob": "conflict"}
    with factory() as session:
        assert len(session.scalars(select(ScheduleOverride)).all()) == 1
