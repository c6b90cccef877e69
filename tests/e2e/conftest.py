"""A real server and a real browser for the end-to-end tests.

Each test module gets one Uvicorn server on a free loopback port (its own migrated SQLite
database with the example shop and an admin who has a password) and one headless Chromium;
each test gets a fresh browser context, so no cookies leak from one test into the next.

The server's clock is the module's `FrozenClock` (`live_server.clock`), started at the
process's time: tests that write data, run jobs or compute what a page should show read the
same instant the pages do, and move it when they need time to pass. The browser keeps its
own clock, which nothing on the pages depends on (cookies carry a Max-Age, not a date).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright
from sqlalchemy import Engine, select

from ninefold import migrations
from ninefold.alerts.tables import AlertGroup, Integration
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.db import make_engine, make_session_factory
from ninefold.settings import Settings
from tests.factories import EXAMPLES, PASSWORD, load_examples, make_token, make_user
from tests.support.clock import FrozenClock
from tests.support.live_server import serving
from tests.support.paging import alertmanager_body

ROOT = Path(__file__).parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = "ada"
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    base_url: str
    engine: Engine
    admin_token: str
    clock: FrozenClock


@dataclass
class BrowserPage:
    """A page plus every JavaScript dialog (alert, confirm, prompt) it tried to open and
    every Content-Security-Policy violation the browser reported on it."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def record(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def watch_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(f"{self.page.url}: {message.text}")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{data_dir / 'ninefold.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    clock = FrozenClock()
    load_examples(engine, now=clock())
    make_user(engine, ADMIN, Role.ADMIN, now=clock())
    token = make_token(engine, ADMIN, Role.ADMIN, now=clock())

    settings = Settings(
        data_dir=data_dir, database_url=url, config_dir=EXAMPLES, slo_source="sample"
    )
    app = create_app(settings, engine, clock)
    try:
        with serving(app) as url:
            yield LiveServer(url, engine, token, clock)
    finally:
        engine.dispose()


def chromium_environment() -> dict[str, str] | None:
    """Chromium's environment: this process's, except in the faked-clock runs.

    There Python runs with its monotonic clock left real (scripts/_python.sh,
    `with_faked_clock`), a setting under which Chromium's timers never fire; Chromium gets
    libfaketime's default instead, both clocks faked, and not the monotonic-sleep fix that is
    for Python (docs/architecture.md, "How the tests hold time")."""
    if "FAKETIME_DONT_FAKE_MONOTONIC" not in os.environ:
        return None
    environment = {k: v for k, v in os.environ.items() if k != "FAKETIME_DONT_FAKE_MONOTONIC"}
    preload = os.environ.get("LD_PRELOAD", "").split(":")
    environment["LD_PRELOAD"] = ":".join(p for p in preload if "monotonic_sleep" not in p)
    return environment


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            env=chromium_environment(),
        )
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[BrowserPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watched = BrowserPage(page)
    page.on("dialog", watched.record)
    page.on("console", watched.watch_console)
    yield watched
    context.close()
    # Every page every browser test opens runs under the policy: what it needs (htmx, the
    # forms, the charts, Swagger UI) must not be something the policy refuses.
    assert watched.refused == []


def log_in(page: Page, name: str = ADMIN, password: str = PASSWORD) -> None:
    """Fill and send the login form of the page the browser is on."""
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def open_group(live_server: LiveServer, alertname: str, service: str, summary: str) -> int:
    """An alert group opened as Alertmanager would open it, three minutes ago: its id."""
    with make_session_factory(live_server.engine)() as session:
        key = session.scalars(select(Integration.key).where(Integration.name == "prometheus")).one()
    body = alertmanager_body(
        alertname,
        starts_at=live_server.clock() - timedelta(minutes=3),
        service=service,
        summary=summary,
    )
    intake = f"{live_server.base_url}/api/v1/integrations/alertmanager/{key}"
    assert httpx.post(intake, json=body).status_code == 200
    with make_session_factory(live_server.engine)() as session:
        found = session.scalars(select(AlertGroup.id).order_by(AlertGroup.id.desc())).first()
    assert found is not None
    return found
