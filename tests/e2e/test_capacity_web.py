"""Capacity in the browser: the example shop's resources with their headroom and the days
until their threshold, and a resource's chart with its forecast band and measured accuracy.
Headless Chromium against a real Uvicorn server holding the example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in


@pytest.mark.browser
def test_a_resource_opens_its_forecast_chart_and_accuracy(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.get_by_role("link", name="Capacity", exact=True).click()
    disk = page.locator('#capacity-resources tr[data-resource="orders-db-disk"]')
    expect(disk).to_contain_text("28 days")
    expect(disk).to_contain_text("28.6%")
    expect(page.locator('#capacity-resources tr[data-resource="checkout-cpu"]')).to_contain_text(
        "not within 30 days"
    )
    disk.get_by_role("link", name="orders-db-disk").click()
    chart = page.get_by_role("img", name="orders-db-disk: utilisation in GiB and forecast")
    expect(chart).to_be_visible()
    expect(chart.locator("polygon.band")).to_have_count(1)
    expect(chart).to_contain_text("threshold 400 GiB")
    expect(page.locator("#capacity-summary")).to_have_text(
        "Forecast to cross 400 GiB in 28 days, on 2026-12-28 00:00 UTC."
    )
    expect(page.locator("#capacity-accuracy")).to_contain_text("seasonal naive 2.23%")
