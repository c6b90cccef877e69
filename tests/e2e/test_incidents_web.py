"""Incidents in the browser: declared from an alert group's page, worked through its page
(role, update, note, status), its postmortem started, edited with a preview and an action
item added, then found on the action items page. Headless Chromium against a real Uvicorn
server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in, open_group


@pytest.mark.browser
def test_an_incident_declared_on_a_group_page_worked_and_written_up(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    group = open_group(live_server, "CartDown", "cart", "Cart saves fail")

    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.goto(f"{live_server.base_url}/alerts/{group}")
    panel = page.get_by_role("region", name="Incident")
    panel.get_by_label("Severity").select_option("SEV1")
    panel.get_by_role("button", name="Declare an incident").click()
    expect(page.get_by_role("status")).to_have_text("Declared.")
    expect(page.get_by_test_id("severity")).to_have_text("SEV1")
    expect(page.locator("h1")).to_contain_text("Cart saves fail")

    assign = page.get_by_role("form", name="Assign a role")
    assign.get_by_label("Role").select_option("commander")
    assign.get_by_label("to", exact=True).select_option("priya")
    assign.get_by_role("button", name="Assign").click()
    expect(page.locator("#roles")).to_contain_text("Incident commander: priya")
    page.get_by_label("Status update to stakeholders").fill("Carts cannot be saved.")
    page.get_by_role("button", name="Send update").click()
    expect(page.get_by_role("region", name="Updates")).to_contain_text("Carts cannot be saved.")
    page.get_by_label("Note for the timeline").fill("Restarted the cart pods")
    page.get_by_role("button", name="Add note").click()
    note = page.locator("#timeline li", has_text="Restarted the cart pods")
    note.get_by_role("button", name="Pin").click()
    expect(page.locator("#timeline li[data-pinned]")).to_contain_text("Restarted the cart pods")
    move = page.get_by_role("form", name="Change the status")
    move.get_by_label("Move to").select_option("resolved")
    move.get_by_role("button", name="Change status").click()
    expect(page.get_by_test_id("status")).to_have_text("resolved")
    expect(page.locator("#timeline")).to_contain_text("Group #")

    page.get_by_role("button", name="Start the postmortem").click()
    expect(page.get_by_test_id("pm-state")).to_contain_text("draft")
    expect(page.locator("#postmortem [data-section=timeline]")).to_contain_text(
        "Restarted the cart pods"
    )
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Trigger (required)").fill("A **config** change to the cart cache")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("config")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    items = page.get_by_role("form", name="Add an action item")
    items.get_by_label("Kind").select_option("detect")
    items.get_by_label("Title").fill("Alert on cart save errors")
    items.get_by_label("Owner").select_option("priya")
    items.get_by_role("button", name="Add").click()
    expect(page.locator("#postmortem-items")).to_contain_text("Alert on cart save errors")

    page.goto(f"{live_server.base_url}/action-items?owner=priya")
    row = page.locator("#action-items tr", has_text="Alert on cart save errors")
    expect(row).to_contain_text("payments")
    row.get_by_role("button", name="Done").click()
    expect(page.locator("#action-items tr", has_text="Alert on cart save errors")).to_have_count(0)
