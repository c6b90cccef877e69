"""Runbooks in the browser: an alert group's page links the runbook of its alert, which renders
as HTML, records a test from its form and stops being stale; the Runbooks page lists it.
Headless Chromium against a real Uvicorn server holding the example shop."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ninefold.alerts.tables import AlertGroup, Integration
from ninefold.db import make_session_factory
from tests.e2e.conftest import BrowserPage, LiveServer, log_in
from tests.support.paging import alertmanager_body


@pytest.mark.browser
def test_a_groups_runbook_is_read_and_tested_from_the_browser(
    live_server: LiveServer, tab: BrowserPage
) -> None:
    with make_session_factory(live_server.engine)() as session:
        key = session.scalars(select(Integration.key).where(Integration.name == "prometheus")).one()
    body = alertmanager_body(
        "RedisMemoryHigh",
        starts_at=live_server.clock() - timedelta(minutes=3),
        service="redis",
        summary="Redis memory above 90%",
    )
    intake = f"{live_server.base_url}/api/v1/integrations/alertmanager/{key}"
    assert httpx.post(intake, json=body).status_code == 200
    with make_session_factory(live_server.engine)() as session:
        group = session.scalars(select(AlertGroup.id).order_by(AlertGroup.id.desc())).first()

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
