"""Shadow on-call end to end: alerts arrive over HTTP, the worker pages the person on call and
their shadow (marked so, by real email), the shadow follows the turns across a handoff and an
override, and a shadow's acknowledgement (API, link, web page, CLI) is theirs alone: the group
stays triggered and the next step still pages. SQLite and PostgreSQL; real SMTP and an HTTP
receiver; time is the test's clock.

payments-primary turns weekly at 09:00 Berlin between priya and diego; ana shadows priya's
turns, ben diego's. T0 is in priya's week; her turn hands over to diego on Monday 30 November
at 08:00 UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import integrations
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.auth import service as auth_service
from ninefold.auth.model import Role
from ninefold.auth.schemas import UserSpec
from ninefold.catalog.schemas import TeamSpec
from ninefold.catalog.service import write_team
from ninefold.changes.dora import Period
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service as schedules
from ninefold.oncall.schemas import ScheduleSpec
from ninefold.paging import policies
from ninefold.paging.schemas import EscalationPolicySpec, RouteSpec
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.reports import records
from ninefold.reports.oncall_load import load
from ninefold.settings import Settings
from tests.factories import OPERATOR, PASSWORD
from tests.integration.test_alerts_cli import Ninefold, ninefold
from tests.integration.test_escalation import T0, alert, paging_settings
from tests.integration.test_web import csrf_token, log_in
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.paging import run_jobs as run
from tests.support.smtp_sink import SmtpSink

__all__ = ["ninefold", "paging_settings"]  # fixtures, used by name

API = "/api/v1"
HANDOFF = datetime.fromisoformat("2026-11-30T08:00:00+00:00")  # Monday 09:00 in Berlin
PRIMARY_REASON = "on call for payments-primary"


@pytest.fixture
def shadowed(engine: Engine, http_receiver: HttpReceiver, clock: FrozenClock) -> dict[str, Any]:
    """The people, the rotation with its shadows, a policy of two steps (the schedule, then
    the team: priya and diego) and a default route, made at T0. Returns the intake URL and
    each person's API headers."""
    now = clock.set(T0)
    people: dict[str, dict[str, Any]] = {
        "priya": {"time_zone": "Europe/Berlin"},
        "diego": {},
        # ana's webhook comes 5 minutes after her email, unless she acknowledged by then.
        "ana": {
            "contact_methods": [
                {"name": "mail", "kind": "email", "address": "ana@shop.example"},
                {"name": "hook", "kind": "webhook", "address": http_receiver.url("/ana")},
            ],
            "notification_rules": [
                {"contact": "mail", "after_minutes": 0},
                {"contact": "hook", "after_minutes": 5},
            ],
        },
        "ben": {},
    }
    headers = {}
    with unit_of_work(make_session_factory(engine)) as session:
        for name, extra in people.items():
            spec = UserSpec.model_validate(
                {"name": name, "email": f"{name}@shop.example", "role": "responder", **extra}
            )
            auth_service.create_user(session, OPERATOR, spec, now, PASSWORD)
            secret = auth_service.create_token(session, OPERATOR, name, Role(spec.role), now).secret
            headers[name] = {"Authorization": f"Bearer {secret}"}
        write_team(session, TeamSpec(name="payments", members=["priya", "diego"]), "config", now)
        schedules.write(
            session,
            ScheduleSpec.model_validate(
                {
                    "name": "payments-primary",
                    "time_zone": "Europe/Berlin",
                    "layers": [
                        {
                            "name": "weekly",
                            "participants": ["priya", "diego"],
                            "start": date(2026, 11, 23),
                            "shadows": [
                                {"person": "ana", "of": "priya"},
                                {"person": "ben", "of": "diego"},
                            ],
                        }
                    ],
                }
            ),
            "config",
            now,
        )
        steps = [
            {"schedules": ["payments-primary"], "wait_minutes": 10},
            {"teams": ["payments"], "wait_minutes": 10},
        ]
        policies.write_policy(
            session, EscalationPolicySpec(name="payments", steps=steps), "config", now, None
        )
        route = RouteSpec(name="all", policy="payments", default=True)
        policies.write_route(session, route, "config", now, None, 0)
        row = integrations.write(
            session, IntegrationSpec(name="am", kind="alertmanager"), "config", now
        )
    return {"intake": f"{API}/integrations/alertmanager/{row.key}", "headers": headers}


def pages(engine: Engine) -> list[tuple[int, str, bool, str]]:
    """(step, person, shadow, reason) of every page, in order."""
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(Page).order_by(Page.id))
        return [(p.step, p.user_name, p.shadow, p.reason) for p in rows]


def mail_to(sink: SmtpSink, person: str) -> list[EmailMessage]:
    return [m for m in sink.messages if m["To"] == f"{person}@shop.example"]


def links_in(mail: EmailMessage) -> dict[str, str]:
    body = mail.get_body(("plain",)).get_content()
    found = re.findall(r"^(Acknowledge|Resolve): (\S+)$", body, re.MULTILINE)
    return {title: url.removeprefix("http://ninefold.test") for title, url in found}


def newest_group(engine: Engine) -> tuple[int, str]:
    """The id and state of the group opened last."""
    with make_session_factory(engine)() as session:
        group = session.scalars(select(AlertGroup).order_by(AlertGroup.id.desc())).first()
        assert group is not None
        return group.id, group.state


def step_one(
    client: TestClient,
    engine: Engine,
    setup: dict[str, Any],
    settings: Settings,
    clock: FrozenClock,
) -> int:
    """An alert at T0, routed and paged (step 1): its group's id."""
    assert client.post(setup["intake"], json=alert()).status_code == 200
    run(engine, settings, clock)
    return newest_group(engine)[0]


# --- paged together, across a handoff ------------------------------------------------------


def test_the_shadow_is_paged_with_the_person_on_call_and_follows_the_handoff(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    headers = shadowed["headers"]
    first = step_one(client, engine, shadowed, paging_settings, clock)
    assert pages(engine) == [
        (1, "priya", False, PRIMARY_REASON),
        (1, "ana", True, f"shadowing priya ({PRIMARY_REASON})"),
    ]
    [priya] = mail_to(smtp_sink, "priya")
    [ana] = mail_to(smtp_sink, "ana")
    assert priya["Subject"] == "[CRITICAL] Checkout fails 12% of requests (checkout)"
    assert ana["Subject"] == (
        "[shadow] [CRITICAL] Checkout fails 12% of requests (checkout): "
        f"shadowing priya ({PRIMARY_REASON})"
    )
    assert (
        ana.get_body(("plain",))
        .get_content()
        .startswith(f"You are shadowing priya ({PRIMARY_REASON}).")
    )
    assert set(links_in(priya)) == {"Acknowledge", "Resolve"}
    assert set(links_in(ana)) == {"Acknowledge"}, "a shadow resolves nothing from an email"
    with make_session_factory(engine)() as session:
        kinds = session.scalars(
            select(GroupEvent.detail).where(
                GroupEvent.group_id == first, GroupEvent.kind == "paged"
            )
        ).all()
        assert [d.get("shadow", False) for d in kinds] == [False, True]

    listed = client.get(f"{API}/schedules", headers=headers["ben"]).json()["items"]
    assert [(s["on_call_now"], s["shadows_now"]) for s in listed] == [
        (["priya"], [{"person": "ana", "of": "priya"}])
    ]
    client.post(f"{API}/alert-groups/{first}/resolve", headers=headers["priya"])

    clock.set(HANDOFF + timedelta(hours=1))
    assert client.post(shadowed["intake"], json=alert("DiskFull")).status_code == 200
    run(engine, paging_settings, clock)
    assert pages(engine)[2:] == [
        (1, "diego", False, PRIMARY_REASON),
        (1, "ben", True, f"shadowing diego ({PRIMARY_REASON})"),
    ], "the next turn's shadow, not the last one's"
    detail = client.get(f"{API}/schedules/payments-primary", headers=headers["ben"]).json()
    assert detail["shadows_now"] == [{"person": "ben", "of": "diego"}]
    assert detail["shifts"][0]["shadows"] == [{"person": "ben", "of": "diego"}]


def test_an_override_naming_a_shadow_pages_them_with_the_person_it_puts_on_call(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    """diego takes priya's night with ben as his shadow: ana's shadowing of priya's turn goes
    with the turn to diego, so both shadow him."""
    headers = shadowed["headers"]
    body = {
        "kind": "replace",
        "person": "diego",
        "replaces": "priya",
        "shadow": "ben",
        "start": "2026-11-24T00:00:00Z",
        "end": "2026-11-24T06:00:00Z",
        "reason": "swap, ben learns",
    }
    made = client.post(
        f"{API}/schedules/payments-primary/overrides", json=body, headers=headers["diego"]
    )
    assert made.status_code == 201, made.text
    assert made.json()["shadow"] == "ben"
    step_one(client, engine, shadowed, paging_settings, clock)
    assert pages(engine) == [
        (1, "diego", False, PRIMARY_REASON),
        (1, "ana", True, f"shadowing diego ({PRIMARY_REASON})"),
        (1, "ben", True, f"shadowing diego ({PRIMARY_REASON})"),
    ]
    assert mail_to(smtp_sink, "ben")[0]["Subject"].startswith("[shadow] ")
    who = client.get(f"{API}/schedules", headers=headers["ana"]).json()["items"][0]
    assert who["shadows_now"] == [
        {"person": "ana", "of": "diego"},
        {"person": "ben", "of": "diego"},
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "shadow", "person": "priya"}, "shadow", "names the shadow"),
        ({"kind": "remove", "person": "priya", "shadow": "ana"}, "shadow", "nobody on call"),
        ({"kind": "shadow", "person": "priya", "shadow": "zoe"}, "shadow", "no user named 'zoe'"),
    ],
)
def test_bad_shadow_overrides_are_refused_naming_the_field(
    client: TestClient, shadowed: dict[str, Any], body: dict[str, str], field: str, message: str
) -> None:
    window = {"start": "2026-11-24T00:00:00Z", "end": "2026-11-24T06:00:00Z"}
    answer = client.post(
        f"{API}/schedules/payments-primary/overrides",
        json=body | window,
        headers=shadowed["headers"]["priya"],
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field
    assert message in answer.json()["error"]["message"]


def test_a_shadow_override_pairs_a_learner_with_the_person_on_call_for_a_while(
    client: TestClient, shadowed: dict[str, Any], clock: FrozenClock
) -> None:
    headers = shadowed["headers"]
    body = {"kind": "shadow", "person": "priya", "shadow": "ben"}
    window = {"start": "2026-11-24T00:00:00Z", "end": "2026-11-24T06:00:00Z"}
    made = client.post(
        f"{API}/schedules/payments-primary/overrides", json=body | window, headers=headers["ben"]
    )
    assert made.status_code == 201, made.text
    who = client.get(f"{API}/schedules", headers=headers["ben"]).json()["items"][0]
    assert who["on_call_now"] == ["priya"]
    assert who["shadows_now"] == [
        {"person": "ana", "of": "priya"},
        {"person": "ben", "of": "priya"},
    ]
    again = client.post(
        f"{API}/schedules/payments-primary/overrides", json=body | window, headers=headers["ben"]
    )
    assert again.status_code == 409, "ben cannot be told to shadow twice at once"


# --- a shadow's acknowledgement is their own -----------------------------------------------


def test_a_shadows_acknowledgement_leaves_the_escalation_running(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
) -> None:
    headers = shadowed["headers"]
    group = step_one(client, engine, shadowed, paging_settings, clock)
    acked_at = clock.set(T0 + timedelta(minutes=2))
    answer = client.post(f"{API}/alert-groups/{group}/acknowledge", headers=headers["ana"])
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["acknowledged_by"]) == ("triggered", None)
    assert [e["kind"] for e in answer.json()["timeline"]][-1] == "shadow_acknowledged"
    snoozed = client.post(
        f"{API}/alert-groups/{group}/snooze", json={"minutes": 30}, headers=headers["ana"]
    )
    assert snoozed.status_code == 403, "a snooze would acknowledge the group"

    clock.set(T0 + timedelta(minutes=5))
    run(engine, paging_settings, clock)
    assert http_receiver.requests == [], "ana's webhook was for her page, acknowledged"
    clock.set(T0 + timedelta(minutes=10))
    run(engine, paging_settings, clock)
    assert sorted(pages(engine)[2:]) == [
        (2, "diego", False, "member of payments"),
        (2, "priya", False, "member of payments"),
    ], "the next step still pages"
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(Page).order_by(Page.id)).all()
        assert [p.acknowledged_at for p in rows] == [None, acked_at, None, None]
        hook = session.scalars(select(Notification).where(Notification.contact == "hook")).one()
        assert (hook.status, hook.error) == (
            "cancelled",
            "acknowledged by its shadow before sending",
        )

    done = client.post(f"{API}/alert-groups/{group}/acknowledge", headers=headers["priya"])
    assert (done.json()["state"], done.json()["acknowledged_by"]) == ("acknowledged", "priya")
    clock.set(T0 + timedelta(hours=1))
    run(engine, paging_settings, clock)
    assert len(pages(engine)) == 4, "the primary's acknowledgement stops it, as before"
    with make_session_factory(engine)() as session:
        assert session.scalars(select(Escalation.state)).one() == "exhausted"


def test_a_shadows_emailed_link_acknowledges_for_them_only(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    step_one(client, engine, shadowed, paging_settings, clock)
    path = links_in(mail_to(smtp_sink, "ana")[0])["Acknowledge"]
    done = client.post(path)
    assert done.status_code == 200
    assert "ana acknowledged their own page as a shadow" in done.text
    assert "escalation goes on" in done.text
    assert "had already acknowledged their page as a shadow" in client.post(path).text
    assert newest_group(engine)[1] == "triggered"


def test_a_shadow_acknowledges_for_themselves_on_the_groups_page(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    clock: FrozenClock,
) -> None:
    group = step_one(client, engine, shadowed, paging_settings, clock)
    log_in(client, "ana")
    page = client.get(f"/alerts/{group}")
    assert "Acknowledge for me (shadow)" in page.text
    assert f'action="/alerts/{group}/snooze"' not in page.text
    token = csrf_token(client, f"/alerts/{group}")
    answer = client.post(
        f"/alerts/{group}/acknowledge", data={CSRF_FORM_FIELD: token}, follow_redirects=False
    )
    assert answer.headers["location"] == f"/alerts/{group}?done=shadow-acknowledged"
    shown = client.get(answer.headers["location"])
    assert "Acknowledged for you only" in shown.text
    assert newest_group(engine)[1] == "triggered"


def test_the_cli_shows_shadows_and_acknowledges_for_a_shadow_only(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    clock: FrozenClock,
    ninefold: Ninefold,
) -> None:
    assert ninefold("oncall", "who", "payments-primary") == (
        0,
        "priya\nana (shadow of priya)\n",
    )
    code, shifts = ninefold(
        "oncall", "shifts", "payments-primary", "--to", "2026-11-30T12:00:00Z", "--person", "ben"
    )
    assert code == 0, shifts
    assert shifts.splitlines()[1].endswith("ben (shadow of diego)")
    group = step_one(client, engine, shadowed, paging_settings, clock)
    code, output = ninefold("alerts", "ack", str(group), "--as", "ana")
    assert (code, output) == (
        0,
        f"ana acknowledged their own pages of alert group {group} as a shadow; the group stays "
        "triggered and its escalation goes on\n",
    )
    assert ninefold("alerts", "ack", str(group), "--as", "priya") == (
        0,
        f"acknowledged alert group {group}\n",
    )


# --- the calendar and the load figures -----------------------------------------------------


def test_the_calendar_feed_shows_the_shadows_turns_as_shadowing(
    client: TestClient, shadowed: dict[str, Any]
) -> None:
    made = client.post(f"{API}/users/me/calendar-token", headers=shadowed["headers"]["ana"])
    urls = made.json()["urls"]
    mine = client.get(urlsplit(urls["me"]).path).text
    assert "SUMMARY:Shadowing priya: payments-primary" in mine
    assert "SUMMARY:On call" not in mine
    everyone = client.get(urlsplit(urls["schedules"]["payments-primary"]).path).text
    assert "SUMMARY:ben shadowing diego (payments-primary)" in everyone
    assert "SUMMARY:priya on call (payments-primary)" in everyone


def test_a_shadows_pages_count_in_their_load_and_in_no_team_figure(
    client: TestClient,
    engine: Engine,
    shadowed: dict[str, Any],
    paging_settings: Settings,
    clock: FrozenClock,
) -> None:
    step_one(client, engine, shadowed, paging_settings, clock)
    day = Period(T0 - timedelta(hours=2), T0 + timedelta(hours=22))
    with make_session_factory(engine)() as session:
        team = records.paging_records(session, day.start, day.end)
        everyone = records.paging_records(session, day.start, day.end, shadows=True)
        shifts = records.shift_records(session, day.start, day.end, shadows=True)
    assert [(p.user, p.shadow) for p in team.pages] == [("priya", False)]
    assert [(p.user, p.shadow) for p in everyone.pages] == [("priya", False), ("ana", True)]
    assert team.groups == everyone.groups
    assert {(s.user, s.shadow) for s in shifts} == {
        ("priya", False),
        ("diego", False),
        ("ana", True),
        ("ben", True),
    }
    [payments] = load(shifts, everyone.pages, day, {"payments-primary": "payments"})
    assert (payments.hours, payments.pages, payments.participants) == (24.0, 1, 1)
    assert [(p.user, p.hours, p.pages, p.shadow) for p in payments.people] == [
        ("priya", 24.0, 1, False),
        ("ana", 24.0, 1, True),
    ]
