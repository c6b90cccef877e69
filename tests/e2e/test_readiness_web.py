"""Production readiness in the browser: the grid of the example shop, a cell saying what it
found, a service's checklist with what to do, and the service page's panel leading to it.
Headless Chromium against a real Uvicorn server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in


@pytest.mark.browser
def test_the_grid_leads_to_a_checklist_saying_what_to_do(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.get_by_role("link", name="Readiness", exact=True).click()
    row = page.locator('#readiness-grid tr[data-service="recommendations"]')
    expect(row.locator('td[data-rule="dashboard"]')).to_have_attribute(
        "title", "no dashboard link in the catalog"
    )
    checkout = page.locator('#readiness-grid tr[data-service="checkout"]')
    expect(checkout).to_contain_text("silver")
    expect(checkout).to_contain_text("below")

    checkout.get_by_role("link", name="checkout").click()
    expect(page.locator("#readiness-summary")).to_contain_text("level silver, required gold")
    failing = page.locator('#readiness-checklist li[data-passed="false"]')
    expect(failing).to_have_count(1)
    expect(failing).to_contain_text("never passed a DR test")
    expect(failing).to_contain_text("To do: Run a DR test and record it")

    page.get_by_role("link", name="checkout", exact=True).click()
    panel = page.get_by_role("region", name="Readiness")
    expect(panel).to_contain_text("Level silver, required gold")
    panel.get_by_role("link", name="Checklist").click()
    expect(page).to_have_url(f"{live_server.base_url}/readiness/checkout")
