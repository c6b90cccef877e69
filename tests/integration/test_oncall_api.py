"""Schedules over HTTP on SQLite and PostgreSQL: who is on call, shifts and gaps, and the
calendar feeds. Expected answers come from the spec through the pure model
(`ScheduleSpec.to_schedule`), not from the code under test."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine, select

from ninefold.auth.tables import User
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall.schedule import Override, Segment
from ninefold.oncall.schemas import ScheduleSpec
from tests.integration.oncall_setup import (
    API,
    END,
    OFFICE,
    PRIMARY,
    START,
    at,
    error,
    post_override,
    seed,
)
from tests.support.clock import FrozenClock


@pytest.fixture
def people(engine: Engine, clock: FrozenClock) -> dict[str, dict[str, str]]:
    return seed(engine, clock())


# --- reading -----------------------------------------------------------------------------


def test_the_list_and_a_schedule_say_who_is_on_call_now(
    client: TestClient, people: dict[str, Any], clock: FrozenClock
) -> None:
    response = client.get(f"{API}/schedules", headers=people["vic"])
    assert response.status_code == 200, response.text
    now = clock()
    assert response.json()["items"] == [
        {
            "name": "office",
            "team": None,
            "time_zone": "Europe/Berlin",
            "description": "",
            "on_call_now": list(OFFICE.to_schedule().who(now)),
            "shadows_now": [],
        },
        {
            "name": "primary",
            "team": "core",
            "time_zone": "Europe/Berlin",
            "description": "",
            "on_call_now": list(PRIMARY.to_schedule().who(now)),
            "shadows_now": [],
        },
    ]
    assert client.get(f"{API}/schedules").status_code == 401
    # The detail's range is the next two weeks unless given.
    body = client.get(f"{API}/schedules/primary", headers=people["vic"]).json()
    start, end = at(body["start"]), at(body["end"])
    assert start == now
    assert end - start == timedelta(days=14)
    assert body["on_call_now"] == list(PRIMARY.to_schedule().who(start))
    assert body["shifts"][0]["start"] == body["start"]
    assert body["shifts"][-1]["end"] == body["end"]


def test_a_schedule_shows_its_spec_shifts_and_gaps(
    client: TestClient, people: dict[str, Any]
) -> None:
    response = client.get(
        f"{API}/schedules/office", params={"from": START, "to": END}, headers=people["vic"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    model = OFFICE.to_schedule()
    expected = model.shifts(at(START), at(END))

    def segments(items: list[dict[str, Any]]) -> list[Segment]:
        return [Segment(at(s["start"]), at(s["end"]), tuple(s["people"])) for s in items]

    assert segments(body["shifts"]) == expected
    assert segments(body["gaps"]) == model.gaps(at(START), at(END))
    assert len(body["gaps"]) == 10 + 1  # nights and weekends of two weeks, then the last night
    # 09:00 Berlin is 08:00Z before the change and 07:00Z after it.
    assert body["shifts"][1] == {
        "start": "2026-03-23T08:00:00Z",
        "end": "2026-03-23T16:00:00Z",
        "people": ["alice"],
        "shadows": [],
    }
    assert body["shifts"][-2]["start"] == "2026-04-03T07:00:00Z"
    assert body["spec"] == OFFICE.model_dump(mode="json")
    assert (body["start"], body["end"]) == ("2026-03-23T00:00:00Z", "2026-04-06T00:00:00Z")
    assert body["managed_by"] == "config"
    assert body["overrides"] == []


BAD_RANGES = [
    ({"from": "2026-03-23T00:00:00"}, "from", "has no time zone"),
    ({"to": "2026-04-06T00:00:00"}, "to", "has no time zone"),
    ({"from": "next week"}, "from", "not an ISO 8601 time"),
    ({"from": END, "to": START}, "to", "must be after"),
    ({"from": START, "to": "2026-07-01T00:00:00Z"}, "to", "at most 93 days"),
]


def test_bad_ranges_are_422_and_unknown_schedules_404(
    client: TestClient, people: dict[str, Any]
) -> None:
    for params, field, message in BAD_RANGES:
        response = client.get(f"{API}/schedules/primary", params=params, headers=people["vic"])
        assert error(response) == (422, field), params
        assert message in response.json()["error"]["message"], params
    # An unencoded "+" in a query string arrives as a space; it still reads as an offset.
    url = f"{API}/schedules/primary?from=2026-03-23T01:00:00+01:00&to=2026-03-24T01:00:00+01:00"
    body = client.get(url, headers=people["vic"]).json()
    assert (body["start"], body["end"]) == ("2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z")
    override = {"kind": "add", "person": "carol", "start": START, "end": END}
    for method, path, json in [
        ("GET", "/schedules/nope", None),
        ("GET", "/schedules/nope/overrides", None),
        ("POST", "/schedules/nope/overrides", override),
        ("DELETE", "/schedules/nope/overrides/1", None),
    ]:
        response = client.request(method, f"{API}{path}", json=json, headers=people["root"])
        assert error(response) == (404, "schedule"), (method, path)
        assert response.json()["error"]["message"] == "no schedule named 'nope'"


# --- calendars ---------------------------------------------------------------------------


def calendar_token(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"{API}/users/me/calendar-token", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ics(client: TestClient, url: str) -> Calendar:
    """The feed at `url`, parsed, after checking it is a calendar with times in UTC."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    times = [
        line for line in response.content.splitlines() if line.startswith((b"DTSTART", b"DTEND"))
    ]
    assert all(line.endswith(b"Z") and b";" not in line for line in times), times[:3]
    return Calendar.from_ical(response.content)


def window_shifts(
    spec: ScheduleSpec, person: str, overrides_: list[Override], now: datetime
) -> list[tuple[datetime, datetime]]:
    """The shifts a calendar feed fetched at `now` shows."""
    start, end = now - timedelta(days=7), now + timedelta(days=60)
    wide = spec.to_schedule(overrides_).shifts_of(
        person, start - timedelta(days=40), end + timedelta(days=40)
    )
    return [(s.start, s.end) for s in wide if s.start < end and start < s.end]


def test_my_calendar_holds_my_shifts_of_every_schedule(
    client: TestClient, people: dict[str, Any], settings: Any, engine: Engine, clock: FrozenClock
) -> None:
    soon = clock() + timedelta(days=2)
    extra = Override("add", soon, soon + timedelta(hours=3), "alice")
    assert (
        post_override(
            client,
            people["root"],
            schedule="office",
            kind="add",
            person="alice",
            start=extra.start.isoformat(),
            end=extra.end.isoformat(),
        ).status_code
        == 201
    )
    token = calendar_token(client, people["alice"])
    base = f"{settings.resolved_public_url()}{API}/calendars/{token['token']}"
    assert token["urls"] == {
        "me": f"{base}/me.ics",
        "schedules": {
            "office": f"{base}/schedules/office.ics",
            "primary": f"{base}/schedules/primary.ics",
        },
    }
    calendar = ics(client, token["urls"]["me"].removeprefix(settings.resolved_public_url()))
    assert str(calendar["X-WR-CALNAME"]) == "alice on call"
    assert str(calendar["PRODID"]) == "-//Ninefold//On-call schedules//EN"
    found = sorted((e.start, e.end, str(e["SUMMARY"])) for e in calendar.events)
    expected = sorted(
        [(s, e, "On call: office") for s, e in window_shifts(OFFICE, "alice", [extra], clock())]
        + [(s, e, "On call: primary") for s, e in window_shifts(PRIMARY, "alice", [], clock())]
    )
    assert found == expected
    assert (extra.start, extra.end, "On call: office") in found
    assert all(
        isinstance(e.start, datetime) and e.start.utcoffset() == timedelta(0)
        for e in calendar.events
    )
    uids = [str(e["UID"]) for e in calendar.events]
    assert len(set(uids)) == len(uids)
    with make_session_factory(engine)() as session:
        user = session.scalars(select(User).where(User.name == "alice")).one()
        assert user.calendar_token_hash is not None
        assert token["token"] not in user.calendar_token_hash
    with unit_of_work(make_session_factory(engine)) as session:
        session.scalars(select(User).where(User.name == "alice")).one().disabled = True
    assert client.get(f"{API}/calendars/{token['token']}/me.ics").status_code == 404


def test_a_schedule_calendar_holds_everyone_s_shifts_and_its_token_can_be_replaced(
    client: TestClient, people: dict[str, Any], clock: FrozenClock
) -> None:
    token = calendar_token(client, people["vic"])["token"]
    calendar = ics(client, f"{API}/calendars/{token}/schedules/primary.ics")
    assert str(calendar["X-WR-CALNAME"]) == "On call: primary"
    found = sorted((e.start, e.end, str(e["SUMMARY"])) for e in calendar.events)
    expected = sorted(
        (start, end, f"{person} on call (primary)")
        for person in ("alice", "bob", "carol")
        for start, end in window_shifts(PRIMARY, person, [], clock())
    )
    assert found == expected
    assert len(found) >= 67
    # A new token retires the old one; wrong tokens and schedules get the same 404.
    old = token
    new = calendar_token(client, people["vic"])["token"]
    assert old != new
    assert len(new) >= 43
    answers = [
        client.get(f"{API}/calendars/{old}/me.ics"),
        client.get(f"{API}/calendars/{old}/schedules/primary.ics"),
        client.get(f"{API}/calendars/not-a-token/me.ics"),
        client.get(f"{API}/calendars/{new}/schedules/nope.ics"),
    ]
    assert [(a.status_code, a.json()) for a in answers] == [
        (
            404,
            {
                "error": {
                    "code": "not_found",
                    "message": "no calendar at this address",
                    "field": None,
                }
            },
        )
    ] * 4
    assert client.get(f"{API}/calendars/{new}/me.ics").status_code == 200
    assert client.post(f"{API}/users/me/calendar-token").status_code == 401
