"""Changes where people look for them: the service page, the SLO burn-down, an alert group's
page, the change's own page and the DORA page, rendered by the app (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.db import make_session_factory
from ninefold.settings import Settings
from tests.factories import EXAMPLES, load_examples, make_token, make_user
from tests.integration.test_web import log_in, parse
from tests.support.clock import FrozenClock


@pytest.fixture
def web(
    tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A viewer's browser and an admin's API token, on the example shop with sample SLO data."""
    load_examples(engine, now=clock())
    make_user(engine, "ada", Role.VIEWER, now=clock())
    make_user(engine, "root", Role.ADMIN, now=clock())
    token = {"Authorization": f"Bearer {make_token(engine, 'root', Role.ADMIN, now=clock())}"}
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=EXAMPLES, slo_source="sample"
    )
    with TestClient(create_app(settings, engine, clock)) as client:
        assert log_in(client, "ada").status_code == 303
        yield client, token


def record(client: TestClient, token: dict[str, str], clock: FrozenClock, **body: Any) -> int:
    hours = body.pop("hours_ago")
    body.setdefault("finished_at", (clock() - timedelta(hours=hours)).isoformat())
    answer = client.post("/api/v1/changes", json=body, headers=token)
    assert answer.status_code == 201, answer.text
    change_id: int = answer.json()["change"]["id"]
    return change_id


def test_a_deploy_shows_on_the_service_page_the_burn_down_and_its_own_page(
    web: tuple[TestClient, dict[str, str]], clock: FrozenClock
) -> None:
    client, token = web
    commit = {"sha": "ab" * 20, "authored_at": (clock() - timedelta(hours=30)).isoformat()}
    mine = record(client, token, clock, service="checkout", version="v42", hours_ago=48,
                  commits=[commit])  # fmt: skip
    dependency = record(client, token, clock, service="payments", version="p7", hours_ago=24)
    elsewhere = record(client, token, clock, service="search", version="s1", hours_ago=24)
    service_page = parse(client.get("/services/checkout"))
    listed = [r.attrs["data-change"] for r in service_page.one("table", id="service-changes")
              .find_all("tr") if "data-change" in r.attrs]  # fmt: skip
    assert listed == [str(dependency), str(mine)]
    burn = parse(client.get("/slos/checkout/availability"))
    marks = [line.attrs["data-change"] for line in burn.find_all("line")
             if "data-change" in line.attrs]  # fmt: skip
    assert marks == [f"#{mine} checkout v42", f"#{dependency} payments p7"]
    assert f"#{elsewhere}" not in " ".join(marks)
    change = parse(client.get(f"/changes/{mine}"))
    assert "abababababab" in change.one("table", id="commits").text


def test_an_alert_groups_page_lists_the_changes_of_the_day_before(
    web: tuple[TestClient, dict[str, str]], engine: Engine, clock: FrozenClock
) -> None:
    client, token = web
    before = record(client, token, clock, service="checkout", version="v9", hours_ago=2)
    too_early = record(client, token, clock, service="checkout", version="v8", hours_ago=25)
    with make_session_factory(engine)() as session:
        path = integrations.intake_path(integrations.get_row(session, "deploy-bot"))
    alert = {"title": "Checkout errors", "status": "firing", "labels": {"alertname": "Errors"}}
    group = client.post(path, json=alert).json()["groups"][0]
    page = parse(client.get(f"/alerts/{group}"))
    rows = [r.attrs["data-change"] for r in page.one("table", id="group-changes").find_all("tr")
            if "data-change" in r.attrs]  # fmt: skip
    assert rows == [str(before)]
    lines = [line.attrs["data-change"] for line in page.find_all("line")
             if "data-change" in line.attrs]  # fmt: skip
    assert f"#{before} checkout v9" in lines
    assert f"#{too_early} checkout v8" not in lines


def test_the_dora_page_shows_the_figures_and_the_charts(
    web: tuple[TestClient, dict[str, str]], clock: FrozenClock
) -> None:
    client, token = web
    for hours, version in ((72, "v1"), (48, "v2"), (47, "v1")):
        record(client, token, clock, service="checkout", version=version, hours_ago=hours)
    page = parse(client.get("/dora", params={"by": "service"}))
    overall = page.one(id="dora-overall")
    # Two deploys (v1, v2); v1 again is a rollback of v2: half the deploys failed.
    assert overall.one(**{"data-figure": "change-failure-rate"}).text == "50.0%"
    assert overall.one(**{"data-figure": "recovery"}).text == "1 h 00 min"
    row = page.one("tr", **{"data-row": "checkout"})
    assert row.find_all("td")[1].text == "2"
    bars = [r.attrs["data-value"] for r in page.find_all("rect") if "data-value" in r.attrs]
    assert "2" in bars
