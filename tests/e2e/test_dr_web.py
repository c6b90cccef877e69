"""DR tests in the browser: one recorded from the form is judged against its tier's targets,
shows its follow-up, and counts in the tier's readiness; a measure without a unit is refused.
Headless Chromium against a real Uvicorn server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in


@pytest.mark.browser
def test_a_test_recorded_from_the_form_is_judged_and_counts_in_its_tier(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.get_by_role("link", name="DR", exact=True).click()
    form = page.get_by_role("form", name="Record a DR test")
    form.get_by_label("Scenario").fill("Checkout loses its primary database")
    form.get_by_label("Kind").select_option("failover")
    form.get_by_label("Services").fill("checkout")
    form.get_by_label("Measured RTO").fill("45m")
    form.get_by_label("Measured RPO").fill("0s")
    form.get_by_label("Follow-up action items (one a line)").fill("Automate the DNS switch")
    form.get_by_role("button", name="Record").click()
    result = page.locator("#dr-result")
    expect(result).to_contain_text("Failed")  # tier 0 of the examples: RTO 30m
    expect(result.get_by_role("row", name="RTO")).to_contain_text("missed")
    expect(result.get_by_role("row", name="RPO")).to_contain_text("met")
    expect(page.locator("#dr-follow-ups")).to_contain_text("Automate the DNS switch (payments")

    page.get_by_role("link", name="← DR tests").click()
    expect(page.locator('#dr-readiness tr[data-tier="0"]')).to_contain_text("0%")
    expect(page.locator('#dr-standing tr[data-service="checkout"]')).to_contain_text("overdue")

    form.get_by_label("Scenario").fill("again")
    form.get_by_label("Services").fill("checkout")
    form.get_by_label("Measured RTO").fill("45")
    form.get_by_label("Measured RPO").fill("0s")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("main")).to_contain_text("'45' has no unit")
