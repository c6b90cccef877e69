"""Toil in the browser: logged from the form, then found in the latest entries, the team's
ratio and the categories chart. Headless Chromium against a real Uvicorn server holding the
example shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, LiveServer, log_in


@pytest.mark.browser
def test_toil_logged_from_the_form_shows_in_the_ratio_and_the_chart(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    page = tab.page
    page.goto(f"{live_server.base_url}/login")
    log_in(page)
    page.get_by_role("link", name="Toil", exact=True).click()
    form = page.get_by_role("form", name="Log toil")
    form.get_by_label("Task").fill("reindex search by hand")
    form.get_by_label("How long").fill("2h")
    form.get_by_label("Category").fill("reindex")
    form.get_by_label("Team").fill("storefront")
    form.get_by_role("button", name="Log toil").click()
    expect(page.get_by_role("status")).to_have_text("Toil logged.")
    expect(page.locator("#toil-entries")).to_contain_text("reindex search by hand")
    expect(page.locator('#toil-ratio tr[data-team="storefront"]')).to_contain_text("2.0")
    expect(page.get_by_role("img", name="Toil hours by category")).to_contain_text("reindex")

    form.get_by_label("Task").fill("too long")
    form.get_by_label("How long").fill("30h")
    form.get_by_label("Category").fill("reindex")
    form.get_by_label("Team").fill("storefront")
    form.get_by_role("button", name="Log toil").click()
    expect(page.locator("main")).to_contain_text("more than a day")
