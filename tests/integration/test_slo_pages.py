"""The SLO pages against a real Prometheus (35 days of backfilled checkout history with a
known outage): the page shows the numbers `slo status` computes for the same instant, draws
the burn-down, and a Prometheus that is down is shown on the SLO, never as a broken page."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.adapters.prometheus import PrometheusClient
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.settings import Settings
from ninefold.slos.sources.report import from_prometheus
from ninefold.slos.web.board import SloBoard
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.test_web import Node, log_in, parse
from tests.support.clock import FrozenClock


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example configuration with only the checkout SLO: the history serves only its
    metrics."""
    directory = tmp_path / "config"
    shutil.copytree(EXAMPLES, directory)
    for spec in (directory / "slos").iterdir():
        if spec.name != "checkout.yaml":
            spec.unlink()
    return directory


def _client(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[TestClient]:
    load_examples(engine, now=clock())
    make_user(engine, "ada", Role.VIEWER, now=clock())
    with TestClient(create_app(settings, engine, clock)) as client:
        assert log_in(client, "ada").status_code == 303
        yield client


@pytest.fixture
def live(
    prometheus: str,
    config: Path,
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    clock: FrozenClock,
) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=config, prometheus_url=prometheus
    )
    yield from _client(settings, engine, clock)


def _cell(row: Node, index: int) -> str:
    return row.find_all("td")[index].text


def test_the_slo_page_shows_what_slo_status_computes(
    live: TestClient, prometheus: str, clock: FrozenClock
) -> None:
    page = parse(live.get("/slos/checkout/availability"))
    board: SloBoard = live.app.state.slo_board  # type: ignore[attr-defined]
    snapshot = board.snapshot(clock())
    (view,) = snapshot.views
    with PrometheusClient(prometheus) as client:
        (report,) = from_prometheus(client, [view.slo], snapshot.at)
    found = report.status
    assert page.one(id="budget-remaining").text == f"{found.budget_remaining * 100:.1f}%"
    assert page.one(id="attainment").text == f"{found.attainment * 100:.3f}%"
    rows = page.one(id="burn-rates").find_all("tr")[1:]
    shown = {row.attrs["data-window"]: _cell(row, 1) for row in rows}
    assert len(shown) == len(found.burn_by_window)
    for window, burn in found.burn_by_window.items():
        label = {3600: "1h", 300: "5m", 86400: "1d"}.get(int(window.total_seconds()))
        if label:
            assert shown[label] == f"{burn:.2f}"
    line = page.one("polyline", data_series="remaining").attrs["points"]
    ys = [float(pair.split(",")[1]) for pair in line.split()]
    assert len(ys) > 100
    # The outage ten days ago spends budget at once: one step down much larger than the rest.
    drops = sorted(b - a for a, b in itertools.pairwise(ys))
    assert drops[-1] > 10 * max(drops[len(drops) // 2], 0.1)


def test_home_and_service_pages_list_the_slo_with_its_budget(live: TestClient) -> None:
    detail = parse(live.get("/slos/checkout/availability"))
    budget = detail.one(id="budget-remaining").text
    for path, table in (
        ("/", "home-slos"),
        ("/slos", "slos"),
        ("/services/checkout", "service-slos"),
    ):
        (row,) = (
            parse(live.get(path)).one(id=table).find_all("tr", data_slo="checkout/availability")
        )
        assert _cell(row, 3) == budget, path
        assert row.one("a").attrs["href"] == "/slos/checkout/availability"


def test_an_unknown_slo_is_404(live: TestClient) -> None:
    response = live.get("/slos/checkout/nope")
    assert response.status_code == 404
    assert "no SLO 'nope' of service 'checkout'" in parse(response).one("main").text


def test_prometheus_down_is_shown_on_the_slo(
    config: Path, tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock
) -> None:
    down = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=config, prometheus_url=down
    )
    for client in _client(settings, engine, clock):
        page = client.get("/slos/checkout/availability")
        assert page.status_code == 200
        error = parse(page).one(id="slo-error").text
        assert f"Prometheus at {down} is unreachable" in error
        (row,) = (
            parse(client.get("/slos"))
            .one(id="slos")
            .find_all("tr", data_slo="checkout/availability")
        )
        assert _cell(row, 3) == "no data"
        assert "unreachable" in _cell(row, 4)
