"""The web UI in a real browser: headless Chromium against a real Uvicorn server.

What is proven here needs a browser to be believed: that a form really logs in and carries
the user back where they wanted to go, that a change made through the form shows on the page
and in the audit log, that text a user typed never runs as script, and that the login form
cannot be used to send someone to another site.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, ARTIFACTS, BrowserPage, LiveServer, log_in

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_DESCRIPTION = "<script>alert('description')</script> '; DROP TABLE services; --"


@pytest.mark.browser
def test_admin_changes_a_tier_through_the_form_and_finds_it_in_the_audit_log(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    base = live_server.base_url

    # A page asked for before logging in leads to the login form, and back after it.
    page.goto(f"{base}/services/checkout")
    where = urlsplit(page.url)
    assert where.path == "/login"
    assert parse_qs(where.query) == {"next": ["/services/checkout"]}
    log_in(page)
    expect(page).to_have_url(f"{base}/services/checkout")
    expect(page.get_by_test_id("whoami")).to_have_text(f"{ADMIN} (admin)")
    expect(page.get_by_test_id("tier")).to_have_text("Tier 0")
    expect(page.get_by_role("status")).to_have_count(0)

    page.get_by_label("Tier").select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{base}/services/checkout?saved=1")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_test_id("tier")).to_have_text("Tier 2")
    expect(page.get_by_label("Tier")).to_have_value("2")

    # Stored, not just echoed: a fresh load and the overview agree.
    page.goto(f"{base}/services/checkout")
    expect(page.get_by_test_id("tier")).to_have_text("Tier 2")
    page.goto(f"{base}/")
    checkout = page.get_by_role("link", name="Checkout", exact=True)
    expect(page.get_by_role("region", name="Tier 2").locator(checkout)).to_have_count(1)
    expect(page.get_by_role("region", name="Tier 0").locator(checkout)).to_have_count(0)

    # The audit log, filtered through its own form, names who changed what from what to what.
    page.get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(f"{base}/audit")
    page.get_by_label("Kind").select_option("service")
    page.get_by_label("Name").fill("checkout")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    entries = page.get_by_test_id("audit-entry")
    expect(entries).to_have_count(2)  # the tier change, then `apply` creating the service
    newest = entries.first
    expect(newest.get_by_test_id("actor")).to_have_text(ADMIN)
    expect(newest.get_by_test_id("via")).to_have_text("web")
    expect(newest.get_by_test_id("action")).to_have_text("update")
    expect(newest.get_by_test_id("object")).to_have_text("service checkout")
    expect(newest.get_by_test_id("changed-field")).to_have_text(["tier: 0 → 2"])
    expect(entries.nth(1).get_by_test_id("action")).to_have_text("create")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "audit-log-tier-change.png"
    shot.unlink(missing_ok=True)
    page.screenshot(path=shot, full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert tab.dialogs == []


@pytest.mark.browser
def test_html_in_a_service_name_is_shown_as_text_and_never_runs(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    base = live_server.base_url
    created = httpx.post(
        f"{base}/api/v1/services",
        json={
            "name": HOSTILE_NAME,
            "description": HOSTILE_DESCRIPTION,
            "tier": 3,
            "owner": "storefront",
        },
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
    )
    assert created.status_code == 201, created.text

    page.goto(f"{base}/services")
    log_in(page)
    expect(page).to_have_url(f"{base}/services")
    link = page.get_by_role("link", name=HOSTILE_NAME, exact=True)
    expect(link).to_have_count(1)
    expect(link).to_be_visible()
    expect(page.locator("main img")).to_have_count(0)

    link.click()
    expect(page).to_have_url(f"{base}/services/{quote(HOSTILE_NAME, safe='')}")
    expect(page).to_have_title(f"{HOSTILE_NAME} · Ninefold")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOSTILE_NAME} Tier 3")
    expect(page.get_by_test_id("name")).to_have_text(HOSTILE_NAME)
    expect(page.get_by_text(HOSTILE_DESCRIPTION, exact=True)).to_be_visible()
    expect(page.locator("main img")).to_have_count(0)
    expect(page.locator("main script")).to_have_count(0)

    # The form on the page of such a service still posts back to that same service.
    page.get_by_label("Tier").select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_test_id("name")).to_have_text(HOSTILE_NAME)
    expect(page.get_by_test_id("tier")).to_have_text("Tier 2")

    page.goto(f"{base}/audit?kind=service&name={quote(HOSTILE_NAME, safe='')}")
    expect(page.get_by_test_id("object").first).to_have_text(f"service {HOSTILE_NAME}")
    expect(page.locator("main img")).to_have_count(0)
    assert tab.dialogs == []


@pytest.mark.browser
@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example/", "/\t/evil.example/"],
    ids=["scheme-relative", "backslash", "tab"],
)
def test_login_never_sends_the_browser_to_another_site(
    live_server: LiveServer, tab: BrowserPage, target: str
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login?next={quote(target, safe='')}")
    log_in(page)
    assert urlsplit(page.url).netloc == urlsplit(live_server.base_url).netloc, page.url
    page.goto(f"{live_server.base_url}/")  # and the login itself worked
    expect(page.get_by_test_id("whoami")).to_have_text(f"{ADMIN} (admin)")


@pytest.mark.browser
def test_logging_out_ends_the_session(live_server: LiveServer, tab: BrowserPage) -> None:
    page = tab.page
    base = live_server.base_url
    page.goto(f"{base}/login")
    log_in(page)
    expect(page.get_by_test_id("whoami")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/login")
    page.goto(f"{base}/teams")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/login?next=")))
    expect(page.get_by_test_id("whoami")).to_have_count(0)


def test_from_the_home_page_to_an_slo_and_its_burn_down(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    rows = page.locator("#home-slos tbody tr")
    expect(rows).to_have_count(3)
    budgets = [float(t.rstrip("%")) for t in rows.locator("td:nth-child(4)").all_inner_texts()]
    assert budgets == sorted(budgets)
    with page.expect_navigation():
        page.get_by_role("link", name="checkout / availability").click()
    assert page.url.endswith("/slos/checkout/availability")
    expect(page.get_by_role("heading", name="checkout / availability")).to_be_visible()
    line = page.locator("svg.burndown polyline[data-series=remaining]")
    box = line.bounding_box()
    assert box is not None
    assert box["width"] > 300
    chart = page.locator("svg.burndown").bounding_box()
    assert chart is not None
    assert chart["x"] <= box["x"]
    assert box["x"] + box["width"] <= chart["x"] + chart["width"]
    expect(page.locator("#burn-rates tbody tr")).to_have_count(7)
    assert tab.dialogs == []


@pytest.mark.browser
def test_the_api_documentation_runs_under_the_content_security_policy(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    tab.page.goto(live_server.base_url + "/docs")
    expect(tab.page.get_by_text("/api/v1/services/{name}/dependencies").first).to_be_visible()


@pytest.mark.browser
def test_a_deploy_on_the_dora_page_the_burn_down_and_its_own_page(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    finished = live_server.clock() - timedelta(hours=3)
    recorded = httpx.post(
        f"{live_server.base_url}/api/v1/changes",
        json={"service": "checkout", "version": "v-browser", "finished_at": finished.isoformat()},
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
    )
    assert recorded.status_code == 201, recorded.text
    change = recorded.json()["change"]["id"]
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    with page.expect_navigation():
        page.get_by_role("link", name="DORA", exact=True).click()
    expect(page.locator('[data-figure="frequency"]')).to_contain_text("/ week")
    expect(page.locator("#dora-charts svg.bars")).to_have_count(3)
    expect(page.locator('#dora-charts rect.bar[data-value="1"]')).to_be_visible()
    page.goto(f"{live_server.base_url}/slos/checkout/availability")
    line = page.locator(f'svg.burndown line[data-change="#{change} checkout v-browser"]')
    expect(line).to_have_count(1)
    box, chart = line.bounding_box(), page.locator("svg.burndown").bounding_box()
    assert box is not None
    assert chart is not None
    assert chart["x"] < box["x"] < chart["x"] + chart["width"]
    with page.expect_navigation():
        page.locator("#burn-changes summary").click()
        listed = page.locator("#burn-changes")
        listed.get_by_role("link", name=f"#{change} checkout v-browser").click()
    expect(
        page.get_by_role("heading", name=f"Change #{change}: checkout v-browser")
    ).to_be_visible()
    assert tab.dialogs == []
