"""The risk register in the browser: the heat map of the example shop's risks, and a review
recorded from a risk's row clearing its overdue flag. Headless Chromium against a real
Uvicorn server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in


@pytest.mark.browser
def test_a_review_from_the_register_is_recorded(live_server: LiveServer, tab: BrowserPage) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.get_by_role("link", name="Risks", exact=True).click()
    cell = page.locator('#risk-heat-map td[data-cell="3x4"]')
    expect(cell).to_have_text("1")
    expect(cell).to_have_attribute("title", "payment-provider-outage")
    row = page.locator('#risks tr[data-risk="payment-provider-outage"]')
    expect(row).to_contain_text("mitigation overdue")
    expect(row).to_contain_text("never reviewed")
    form = page.get_by_role("form", name="Review payment-provider-outage")
    form.get_by_label("Note on payment-provider-outage").fill("second provider signed")
    form.get_by_role("button", name="Reviewed").click()
    expect(page.get_by_role("status")).to_have_text("Review of payment-provider-outage recorded.")
    expect(row).to_contain_text("last reviewed")
    expect(row).not_to_contain_text("never reviewed")
