"""Runbooks in the browser: an alert group's page links the runbook of its alert, which renders
as HTML, records a test from its form and stops being stale; the Runbooks page lists it.
Headless Chromium against a real Uvicorn server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in, open_group


@pytest.mark.browser
def test_a_groups_runbook_is_read_and_tested_from_the_browser(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    group = open_group(live_server, "RedisMemoryHigh", "redis", "Redis memory above 90%")

    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.goto(f"{live_server.base_url}/alerts/{group}")
    panel = page.get_by_role("region", name="Runbooks")
    expect(panel.get_by_text("stale")).to_be_visible()
    panel.get_by_role("link", name="Redis memory above 90%").click()

    expect(page.locator("h1")).to_have_text("Redis memory above 90%")
    expect(page.locator("#runbook-text h2", has_text="Mitigation")).to_be_visible()
    expect(page.locator("#stale")).to_be_visible()
    page.get_by_label("What was run").fill("Filled a staging replica to 92%")
    page.get_by_role("button", name="Record a test").click()
    expect(page.get_by_role("status")).to_have_text("Test recorded.")
    expect(page.locator("#stale")).to_have_count(0)
    tests = page.get_by_role("region", name="Tests")
    expect(tests).to_contain_text("Filled a staging replica to 92%")

    page.get_by_role("link", name="Runbooks", exact=True).click()
    row = page.locator("#runbooks tr", has_text="Redis memory above 90%")
    expect(row).not_to_contain_text("stale")
    expect(page.get_by_role("region", name="Coverage")).to_contain_text("alert rules that paged")
