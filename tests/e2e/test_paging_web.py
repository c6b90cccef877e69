"""Paging in the browser: the alert list refreshing itself, a group's page and its action forms,
schedules with their two-week timeline, escalation policies, and "my shifts" with the calendar.

Headless Chromium against a real Uvicorn server holding the example shop. Alerts arrive through
the real intake endpoint; the worker that routes and pages them is run by the test (the server
under test has none), sending email to a local SMTP sink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ninefold.alerts.tables import AlertGroup, GroupEvent, Integration
from ninefold.auth import service as auth_service
from ninefold.auth.model import Role
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import browse
from ninefold.settings import Settings
from tests.e2e.conftest import BrowserPage, LiveServer, log_in
from tests.factories import OPERATOR, PASSWORD, make_user
from tests.support.paging import alertmanager_body, run_jobs
from tests.support.smtp_sink import SmtpSink

# The pages poll every few seconds; a change must show well within this without a reload.
LIVE_MS = 12_000


@dataclass(frozen=True)
class Intake:
    url: str
    # When every alert of these tests started: a resolution names the start of what it resolves.
    started: datetime


@pytest.fixture(scope="module")
def intake(live_server: LiveServer) -> Intake:
    with make_session_factory(live_server.engine)() as session:
        key = session.scalars(select(Integration.key).where(Integration.name == "prometheus")).one()
    url = f"{live_server.base_url}/api/v1/integrations/alertmanager/{key}"
    return Intake(url, live_server.clock() - timedelta(minutes=2))


@pytest.fixture
def worker_settings(smtp_sink: SmtpSink) -> Settings:
    return Settings(smtp_host=smtp_sink.host, smtp_port=smtp_sink.port)


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> None:
    """Passwords for two people of the example shop, and a viewer."""
    with unit_of_work(make_session_factory(live_server.engine)) as session:
        for name in ("priya", "jonas"):
            auth_service.set_password(session, OPERATOR, name, PASSWORD, live_server.clock())
    make_user(live_server.engine, "vera", Role.VIEWER, now=live_server.clock())


def post_alert(intake: Intake, name: str, status: str = "firing", **labels: str) -> None:
    body = alertmanager_body(
        name, status, starts_at=intake.started, summary=f"{name} is failing", **labels
    )
    answer = httpx.post(intake.url, json=body)
    assert answer.status_code == 200, answer.text


def group_id(live_server: LiveServer, title_part: str) -> int:
    with make_session_factory(live_server.engine)() as session:
        rows = session.scalars(select(AlertGroup).order_by(AlertGroup.id.desc())).all()
        return next(r.id for r in rows if title_part in str(r.labels.get("alertname")))


def open_group(page: Page, live_server: LiveServer, name: str) -> None:
    page.goto(f"{live_server.base_url}/alerts/{group_id(live_server, name)}")


@pytest.mark.browser
def test_a_javascript_address_from_an_alert_is_shown_as_text_and_never_becomes_a_link(
    live_server: LiveServer, intake: Intake, tab: BrowserPage
) -> None:
    """Alertmanager's generatorURL and an annotation come from whoever can post alerts; an
    admin clicking "source" must not run their script (issue 12)."""
    body = alertmanager_body("SourceLink", starts_at=intake.started)
    alert = body["alerts"][0]  # type: ignore[index]
    alert["generatorURL"] = "JavaScript:alert(document.domain)"
    alert["annotations"]["dashboard_url"] = " javascript:alert(2)"
    assert httpx.post(intake.url, json=body).status_code == 200
    page = tab.page
    page.goto(live_server.base_url + "/login")
    log_in(page)
    open_group(page, live_server, "SourceLink")
    expect(page.get_by_text("source: JavaScript:alert(document.domain)")).to_be_visible()
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs
    assert not [h for h in hrefs if not h.startswith(("http://", "https://"))]
    assert page.get_by_role("link", name="https://runbooks.test/checkout").count() == 1
    assert page.get_by_role("link", name=re.compile("javascript", re.I)).count() == 0
    assert tab.dialogs == []


@pytest.mark.browser
def test_the_alert_list_filters_and_shows_new_groups_without_a_reload(
    live_server: LiveServer, tab: BrowserPage, intake: Intake
) -> None:
    page = tab.page
    base = live_server.base_url
    post_alert(intake, "ListCheckoutDown", service="checkout")
    post_alert(intake, "ListSearchSlow", service="search", severity="warning")
    post_alert(intake, "ListSearchSlow", "resolved", service="search", severity="warning")

    page.goto(f"{base}/alerts")
    log_in(page)
    rows = page.get_by_test_id("alert-group")
    checkout = rows.filter(has_text="ListCheckoutDown")
    expect(checkout.get_by_test_id("state")).to_have_text("triggered")
    expect(rows.filter(has_text="ListSearchSlow").get_by_test_id("state")).to_have_text("resolved")

    # Filtering narrows the list in place and keeps the filter in the address bar.
    page.get_by_label("State").select_option("resolved")
    expect(page).to_have_url(re.compile(r"/alerts\?state=resolved"))
    expect(rows.filter(has_text="ListCheckoutDown")).to_have_count(0)
    expect(rows.filter(has_text="ListSearchSlow")).to_have_count(1)
    page.get_by_label("State").select_option("")
    page.get_by_label("Service").select_option("checkout")
    expect(rows.filter(has_text="ListSearchSlow")).to_have_count(0)
    expect(rows.filter(has_text="ListCheckoutDown")).to_have_count(1)

    # A new group and a change of state appear while the page stays loaded, filter and all.
    page.evaluate("window.stayedLoaded = true")
    post_alert(intake, "ListPaymentsDown", service="checkout")
    post_alert(intake, "ListCheckoutDown", "resolved", service="checkout")
    expect(rows.filter(has_text="ListPaymentsDown")).to_have_count(1, timeout=LIVE_MS)
    expect(checkout.get_by_test_id("state")).to_have_text("resolved", timeout=LIVE_MS)
    expect(rows.filter(has_text="ListSearchSlow")).to_have_count(0)
    assert page.evaluate("window.stayedLoaded") is True
    assert tab.dialogs == []


@pytest.mark.browser
def test_a_responder_acknowledges_and_resolves_from_the_group_page(
    live_server: LiveServer,
    tab: BrowserPage,
    intake: Intake,
    people: None,
    worker_settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    page = tab.page
    post_alert(intake, "PageCheckoutErrors", service="checkout")
    run_jobs(live_server.engine, worker_settings, live_server.clock)
    with make_session_factory(live_server.engine)() as session:
        [on_call] = browse.who(session, "payments-primary", live_server.clock()).people

    page.goto(f"{live_server.base_url}/login")
    log_in(page, "jonas")
    open_group(page, live_server, "PageCheckoutErrors")
    expect(page.get_by_test_id("group-state")).to_have_text("triggered")
    labels = page.get_by_test_id("group-labels")
    expect(labels).to_contain_text("alertnamePageCheckoutErrors")
    expect(labels).to_contain_text("servicecheckout")
    expect(page.get_by_test_id("annotations")).to_contain_text("PageCheckoutErrors is failing")
    runbook = page.get_by_role("link", name="https://runbooks.test/checkout")
    expect(runbook).to_have_attribute("href", "https://runbooks.test/checkout")

    # The paging the worker did: route, policy, the person on call, and the email that went.
    paging = page.get_by_role("region", name="Paging")
    expect(paging).to_contain_text("payments")
    expect(paging.get_by_role("link", name="payments-default")).to_be_visible()
    expect(page.get_by_test_id("escalation-state")).to_contain_text("running")
    [paged] = page.get_by_test_id("page").all()
    expect(paged).to_contain_text(on_call)
    expect(paged.get_by_test_id("notification").first).to_contain_text("email")
    expect(paged.get_by_test_id("notification").first).to_contain_text("sent")
    assert len(smtp_sink.messages) >= 1

    with page.expect_navigation():
        page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Acknowledged.")
    expect(page.get_by_test_id("group-state")).to_have_text("acknowledged")
    expect(page.get_by_test_id("escalation-state")).to_contain_text("stopped")
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    first = page.get_by_test_id("timeline-entry").first
    expect(first).to_have_attribute("data-kind", "acknowledged")
    expect(first).to_contain_text("jonas")

    # Resolving asks whether the page was actionable, and keeps the answer with who gave it.
    page.get_by_role("radio", name="No", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("group-state")).to_have_text("resolved")
    expect(page.get_by_role("region", name="Act")).to_have_count(0)
    kinds = page.get_by_test_id("timeline-entry").evaluate_all(
        "entries => entries.map(e => e.dataset.kind)"
    )
    assert kinds[:3] == ["actionable", "resolved", "acknowledged"]
    expect(page.get_by_test_id("timeline-entry").first).to_contain_text(
        "Was the page actionable? no"
    )
    with make_session_factory(live_server.engine)() as session:
        answer = session.scalars(
            select(GroupEvent).where(
                GroupEvent.group_id == group_id(live_server, "PageCheckoutErrors"),
                GroupEvent.kind == "actionable",
            )
        ).one()
    assert (answer.actor, answer.detail) == ("jonas", {"answer": "no"})
    assert tab.dialogs == []


@pytest.mark.browser
def test_snooze_escalate_and_reassign_through_the_forms_and_live_updates(
    live_server: LiveServer,
    tab: BrowserPage,
    intake: Intake,
    people: None,
    worker_settings: Settings,
) -> None:
    page = tab.page
    post_alert(intake, "FormsRedisDown", service="redis")
    run_jobs(live_server.engine, worker_settings, live_server.clock)
    page.goto(f"{live_server.base_url}/login")
    log_in(page, "jonas")
    open_group(page, live_server, "FormsRedisDown")
    expect(page.get_by_test_id("page")).to_have_count(1)

    with page.expect_navigation():
        page.get_by_role("button", name="Escalate now").click()
    expect(page.get_by_role("status")).to_have_text("Escalated: the next step is paging now.")
    escalated = page.get_by_test_id("timeline-entry").filter(has_text="Escalated now by jonas")
    expect(escalated).to_have_count(1)
    expect(page.get_by_test_id("page").filter(has_text="maria")).to_have_count(1)

    page.get_by_label("Reassign to").select_option("priya")
    with page.expect_navigation():
        page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_test_id("assignee")).to_have_text("priya")
    expect(page.get_by_test_id("escalation-state")).to_contain_text("reassigned")

    page.get_by_label("Snooze for").select_option("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Snooze").click()
    expect(page.get_by_test_id("group-state")).to_have_text("acknowledged")
    expect(page.get_by_test_id("snoozed-until")).to_be_visible()
    expect(
        page.get_by_test_id("timeline-entry").filter(has_text="Snoozed by jonas until")
    ).to_have_count(1)

    # Someone else resolving it elsewhere shows here without a reload.
    token = live_server.admin_token
    gid = group_id(live_server, "FormsRedisDown")
    answer = httpx.post(
        f"{live_server.base_url}/api/v1/alert-groups/{gid}/resolve",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    expect(page.get_by_test_id("group-state")).to_have_text("resolved", timeout=LIVE_MS)
    assert tab.dialogs == []


@pytest.mark.browser
def test_a_viewer_sees_no_action_forms_and_cannot_post_one(
    live_server: LiveServer, tab: BrowserPage, intake: Intake, people: None
) -> None:
    page = tab.page
    post_alert(intake, "ViewerKafkaLag", service="kafka")
    page.goto(f"{live_server.base_url}/login")
    log_in(page, "vera")
    open_group(page, live_server, "ViewerKafkaLag")
    expect(page.get_by_test_id("group-state")).to_have_text("triggered")
    expect(page.get_by_role("region", name="Act")).to_have_count(0)
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)

    csrf = page.locator("header input[type=hidden]").get_attribute("value")
    gid = group_id(live_server, "ViewerKafkaLag")
    answer = page.request.post(
        f"{live_server.base_url}/alerts/{gid}/acknowledge", form={"csrf_token": csrf or ""}
    )
    assert answer.status == 403
    assert "viewer" in answer.text()
    page.reload()
    expect(page.get_by_test_id("group-state")).to_have_text("triggered")


@pytest.mark.browser
def test_schedules_show_who_is_on_call_and_the_next_two_weeks(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    base = live_server.base_url
    now = live_server.clock()
    with make_session_factory(live_server.engine)() as session:
        expected = {s.name: s.on_call_now for s in browse.all_summaries(session, now)}
        detail = browse.detail(session, "platform-primary", (now, now + timedelta(days=14)), now)

    page.goto(f"{base}/schedules")
    log_in(page)
    for name, people in expected.items():
        row = page.get_by_test_id("schedule").filter(has=page.get_by_role("link", name=name))
        expect(row.get_by_test_id("on-call-now")).to_have_text(", ".join(people))

    page.get_by_role("link", name="platform-primary").click()
    expect(page.get_by_test_id("on-call-now")).to_have_text(", ".join(detail.on_call_now))
    bars = page.get_by_test_id("shift-bar")
    expect(bars).to_have_count(len(detail.shifts))
    shown = bars.evaluate_all(
        "bars => bars.map(b => { const r = b.getBoundingClientRect();"
        " return [b.textContent.trim(), r.left, r.right]; })"
    )
    assert [text for text, _, _ in shown] == [", ".join(s.people) or "gap" for s in detail.shifts]
    # The bars tile the track: each starts where the one before ends, edge to edge.
    track = page.locator(".shift-bars").bounding_box()
    assert track is not None
    edges = [shown[0][1]] + [right for _, _, right in shown]
    assert [left for _, left, _ in shown] == pytest.approx(edges[:-1], abs=0.5)
    assert (edges[0], edges[-1]) == pytest.approx(
        (track["x"], track["x"] + track["width"]), abs=0.5
    )
    expect(page.get_by_test_id("shift")).to_have_count(len(detail.shifts))

    # An override made through the API shows in the timeline and the list of overrides.
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    made = httpx.post(
        f"{base}/api/v1/schedules/platform-primary/overrides",
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
        json={
            "kind": "add",
            "person": "priya",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=6)).isoformat(),
            "reason": "covering the migration",
        },
    )
    assert made.status_code == 201, made.text
    with make_session_factory(live_server.engine)() as session:
        window = (now, now + timedelta(days=14))
        after = browse.detail(session, "platform-primary", window, now).shifts
    # Six hours may span a handoff of the layers beneath, which splits her time in two bars.
    with_priya = [", ".join(s.people) for s in after if "priya" in s.people]
    assert 1 <= len(with_priya) <= 3
    page.reload()
    expect(page.get_by_test_id("override")).to_contain_text("covering the migration")
    expect(bars.filter(has_text="priya")).to_have_text(with_priya)


@pytest.mark.browser
def test_escalation_page_lists_routes_in_order_and_who_each_step_pages_now(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/escalation-policies")
    log_in(page)
    routes = page.get_by_test_id("route")
    expect(routes).to_have_count(4)
    expect(routes.locator("td:nth-child(2)")).to_have_text(
        ["payments", "platform", "storefront", "catch-all (default)"]
    )
    with make_session_factory(live_server.engine)() as session:
        on_call = browse.who(session, "payments-primary", live_server.clock()).people
    policy = page.get_by_role("region", name="Policy payments-default")
    expect(policy.get_by_test_id("step")).to_have_count(2)
    expect(policy.get_by_test_id("now")).to_have_text(f"(now: {', '.join(on_call)})")
    expect(policy).to_contain_text("then policy platform-default takes over")


@pytest.mark.browser
def test_my_shifts_lists_a_persons_turns_and_makes_a_working_calendar_address(
    live_server: LiveServer, tab: BrowserPage, people: None
) -> None:
    page = tab.page
    now = live_server.clock()
    with make_session_factory(live_server.engine)() as session:
        mine = browse.shifts_of(session, "priya", now, now + timedelta(days=28))
    assert mine, "the example rotation gives priya a shift within four weeks"

    page.goto(f"{live_server.base_url}/my-shifts")
    log_in(page, "priya")
    rows = page.get_by_test_id("my-shift")
    expect(rows).to_have_count(len(mine))
    expect(rows.first).to_contain_text(mine[0][0])

    page.get_by_role("button", name="Make calendar addresses").click()
    expect(page.get_by_role("status")).to_contain_text("shown only now")
    url = page.get_by_test_id("calendar-url").text_content()
    assert url is not None
    assert url.endswith("/me.ics")
    path = url[url.index("/api/") :]
    feed = httpx.get(f"{live_server.base_url}{path}")
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert any(str(e["SUMMARY"]).find("payments-primary") >= 0 for e in events)

    # Reloading shows the form again, never the secret address.
    page.goto(f"{live_server.base_url}/my-shifts")
    expect(page.get_by_test_id("calendar-url")).to_have_count(0)


@pytest.mark.browser
def test_silences_are_listed_and_a_held_group_says_what_holds_it(
    live_server: LiveServer, tab: BrowserPage, intake: Intake, worker_settings: Settings
) -> None:
    page = tab.page
    base = live_server.base_url
    headers = {"Authorization": f"Bearer {live_server.admin_token}"}
    now = live_server.clock()
    made = httpx.post(
        f"{base}/api/v1/silences",
        headers=headers,
        json={
            "matchers": ['service="cart"'],
            "end": (now + timedelta(hours=1)).isoformat(),
            "reason": "cart drill",
        },
    )
    assert made.status_code == 201, made.text
    planned = httpx.post(
        f"{base}/api/v1/maintenance-windows",
        headers=headers,
        json={
            "service": "inventory",
            "start": (now + timedelta(days=1)).isoformat(),
            "end": (now + timedelta(days=1, hours=2)).isoformat(),
            "at_end": "quiet",
            "reason": "inventory reindex",
        },
    )
    assert planned.status_code == 201, planned.text
    post_alert(intake, "HeldCartErrors", service="cart")
    run_jobs(live_server.engine, worker_settings, live_server.clock)

    page.goto(f"{base}/alerts")
    log_in(page)
    page.get_by_role("link", name="silences and maintenance windows").click()
    silence = page.get_by_test_id("silence").filter(has_text="cart drill")
    expect(silence).to_contain_text('service="cart"')
    expect(silence).to_contain_text("active")
    window = page.get_by_test_id("maintenance-window").filter(has_text="inventory reindex")
    expect(window).to_contain_text("stay quiet")
    expect(window).to_contain_text("pending")

    open_group(page, live_server, "HeldCartErrors")
    expect(page.get_by_test_id("escalation-state")).to_contain_text(
        f"silenced: held back by silence {made.json()['id']} until"
    )
    expect(page.get_by_test_id("page")).to_have_count(0)
    held = page.get_by_test_id("timeline-entry").first
    expect(held).to_have_attribute("data-kind", "held")
    expect(held).to_contain_text("cart drill")
