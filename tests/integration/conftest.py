from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.clock import system_clock
from ninefold.settings import Settings
from tests.factories import EXAMPLES, load_examples, make_token, make_user
from tests.integration.prometheus_server import backfill_checkout, running_prometheus
from tests.support.clock import FrozenClock


@pytest.fixture
def settings(tmp_path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, max_body_bytes=64 * 1024)


@pytest.fixture
def client(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine, clock)) as test_client:
        yield test_client


@pytest.fixture
def shop(engine: Engine, clock: FrozenClock) -> Engine:
    """The example online shop, loaded as `ninefold apply examples/` would."""
    load_examples(engine, now=clock())
    return engine


@pytest.fixture
def admin_headers(shop: Engine, clock: FrozenClock) -> dict[str, str]:
    make_user(shop, "root", Role.ADMIN, now=clock())
    return bearer(shop, "root", Role.ADMIN, clock())


def bearer(engine: Engine, user: str, role: Role, now: datetime) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(engine, user, role, now=now)}"}


def examples_environment(
    tmp_path: Path, database_url: str, engine: Engine, now: datetime
) -> dict[str, str]:
    """The example shop loaded at `now`, and the environment of `ninefold` commands on it
    reading the examples' files (SLOs, capacity series), as `ninefold demo` does."""
    load_examples(engine, now=now)
    return {
        "NINEFOLD_DATA_DIR": str(tmp_path),
        "NINEFOLD_DATABASE_URL": database_url,
        "NINEFOLD_CONFIG_DIR": str(EXAMPLES),
    }


@pytest.fixture
def examples_api(
    env: dict[str, str], settings: Settings, engine: Engine, clock: FrozenClock
) -> Iterator[TestClient]:
    """The server reading the examples' files, its requests an admin's (ada); `env` is the
    test module's, which loads the example shop at its instant."""
    shop = settings.model_copy(update={"config_dir": EXAMPLES})
    with TestClient(create_app(shop, engine, clock)) as client:
        make_user(engine, "ada", Role.ADMIN, now=clock())
        client.headers.update(bearer(engine, "ada", Role.ADMIN, clock()))
        yield client


# --- a Prometheus with 35 days of checkout history and one known outage ------------------
# checkout serves 1,000 requests a minute with 0.05% errors, except a 30-minute outage ten
# days ago at 20% errors.

DAY_MINUTES = 1440
HISTORY = 35 * DAY_MINUTES
TRAFFIC = 1000.0
BASELINE_BAD = 0.5
OUTAGE_BAD = 200.0
OUTAGE_MINUTES = 30
OUTAGE_START = HISTORY - 10 * DAY_MINUTES  # index of the first outage minute


def checkout_history(end: int) -> dict[str, np.ndarray]:
    bad = np.full(HISTORY, BASELINE_BAD)
    bad[OUTAGE_START : OUTAGE_START + OUTAGE_MINUTES] = OUTAGE_BAD
    timestamps = end - 60 * np.arange(HISTORY)[::-1]
    return {"timestamps": timestamps, "bad": bad, "good": TRAFFIC - bad}


@pytest.fixture(scope="session")
def checkout_tsdb(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """The end of the history (epoch seconds) and its TSDB, built once per test run.

    Backfilling five weeks takes promtool a while, so the xdist workers of a run share one
    TSDB: the first to need it builds it under a lock in the run's temporary directory (the
    parent of each worker's own), the others read it; each worker serves a copy of its own.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    built = shared / "checkout-history"
    with (shared / "checkout-history.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "end").is_file():  # none yet, or a worker died while building it
            shutil.rmtree(built, ignore_errors=True)
            building = shared / f"checkout-history-{os.getpid()}"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            # Prometheus serves this history on the process clock, so the history ends there.
            end = (int(system_clock().timestamp()) // 60 - 5) * 60
            history = checkout_history(end)
            backfill_checkout(
                building, building / "tsdb", history["timestamps"], history["good"], history["bad"]
            )
            (building / "end").write_text(str(end))
            building.rename(built)
        return int((built / "end").read_text()), built / "tsdb"


@pytest.fixture(scope="session")
def history(checkout_tsdb: tuple[int, Path]) -> dict[str, np.ndarray]:
    return checkout_history(checkout_tsdb[0])


@pytest.fixture(scope="session")
def prometheus(
    checkout_tsdb: tuple[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    work = tmp_path_factory.mktemp("prometheus")
    shutil.copytree(checkout_tsdb[1], work / "tsdb")
    with running_prometheus(work / "tsdb", work) as url:
        yield url
