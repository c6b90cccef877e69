"""What benchmark (h) times of Ninefold: `kpi_table` for each team, a cProfile of one team's,
the KPI page through a real `ninefold serve`, and the quarterly report built.

Each call is timed whole and in a session (or a logged-in connection) of its own, as a
person's command or request would be.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from bench.kpis.world import NOW, PASSWORD, QUARTER
from bench.storm_stack import running, serve_env
from ninefold.changes.dora_report import Selection
from ninefold.db import make_session_factory
from ninefold.reports import kpis, reporting
from ninefold.reports.reporting import Wanted
from ninefold.reports.schemas import KpiTable
from ninefold.settings import Settings


def kpi_tables(
    engine: Engine, teams: Sequence[str]
) -> tuple[dict[str, float], dict[str, KpiTable]]:
    """`kpi_table` of the quarter for each team, each call whole in a session of its own."""
    factory = make_session_factory(engine)
    seconds: dict[str, float] = {}
    found: dict[str, KpiTable] = {}
    for team in teams:
        with factory() as session:
            start = time.perf_counter()
            found[team] = kpis.kpi_table(session, QUARTER, Selection(team=team), NOW, {})
            seconds[team] = time.perf_counter() - start
            session.rollback()
        print(f"(h)   {team}: {seconds[team]:.1f} s", flush=True)
    return seconds, found


PHASES = (
    ("records.incident_records", "incident_records"),
    ("  postmortems.review_of (per incident)", "review_of"),
    ("records.item_records", "item_records"),
    ("records.paging_records", "paging_records"),
    ("  groups.opened_between", "opened_between"),
    ("  groups.first_acks_and_answers", "first_acks_and_answers"),
    ("  escalation.first_notifications", "first_notifications"),
    ("records.shift_records", "shift_records"),
    ("dora_report.load_deploys", "load_deploys"),
    ("dora_feed.incidents", "incidents"),
    ("Loaded.narrowed", "narrowed"),
    ("table.rows (the figures, both quarters)", "rows"),
    ("  dora.figures (x6)", "figures"),
    ("    dora._incident_links", "_incident_links"),
    ("  paging_kpis.pages_per_shift (x2)", "pages_per_shift"),
    ("  incident_kpis.recurrence_rate (x2)", "recurrence_rate"),
)


@dataclass(frozen=True)
class Profile:
    team: str
    total_s: float
    phases: list[tuple[str, float]]
    top: str  # the profile's top functions by own time, as pstats prints them


def profile(engine: Engine, team: str) -> Profile:
    """cProfile over one team's `kpi_table` (slower than unprofiled: only the shares count)."""
    factory = make_session_factory(engine)
    profiler = cProfile.Profile()
    with factory() as session:
        profiler.enable()
        kpis.kpi_table(session, QUARTER, Selection(team=team), NOW, {})
        profiler.disable()
        session.rollback()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in raw.values())
    phases = []
    for label, name in PHASES:
        module = {"incidents": "dora_feed", "rows": "table", "figures": "dora"}.get(name)
        cumulative = sum(
            entry[3]
            for (path, _, function), entry in raw.items()
            if function == name and (module is None or path.endswith(f"{module}.py"))
        )
        phases.append((label, cumulative))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    text = out.getvalue()
    top = text[text.find("   ncalls") :] if "   ncalls" in text else text
    return Profile(team, total, phases, re.sub(r"/[^ ]*/site-packages/", "", top))


@contextmanager
def login(base: str) -> Iterator[httpx.Client]:
    """A client logged in through the login form, as a person's browser is."""
    with httpx.Client(base_url=base, timeout=3600, follow_redirects=False) as http:
        form = http.get("/login")
        token = http.cookies.get("ninefold_login_csrf")
        if form.status_code != 200 or token is None:
            raise RuntimeError(f"no login form: {form.status_code}")
        answer = http.post(
            "/login",
            data={"username": "bench", "password": PASSWORD, "next": "/", "csrf_token": token},
        )
        if answer.status_code != 303 or "ninefold_session" not in http.cookies:
            raise RuntimeError(f"could not log in: {answer.status_code} {answer.text[:300]}")
        yield http


@dataclass(frozen=True)
class Timed:
    """One whole call or request for one team: seconds, and its size or why it failed."""

    team: str
    seconds: float
    size: int = 0
    error: str | None = None


def kpi_page(url: str, teams: Sequence[str], work: Path) -> list[Timed]:
    """`GET /kpis` of the quarter for each of `teams` in turn through a real `ninefold serve
    --no-worker` on a loopback port, logged in: the page's time alone, with no worker running
    the history's jobs (overdue action items' reminders) beside it on the two cores. No
    uncounted request: at a minute or more each, a warm-up would change nothing (the
    database was just read whole)."""
    base, env = serve_env(work, url)
    found = []
    query = {"from": f"{QUARTER.start:%Y-%m-%d}", "to": f"{QUARTER.end:%Y-%m-%d}"}
    with running(env, work / "serve.log", [["serve", "--no-worker"]]):
        for team in teams:
            with login(base) as http:  # a connection of its own: a 500 may close one
                start = time.perf_counter()
                try:
                    answer = http.get("/kpis", params={**query, "team": team})
                    elapsed = time.perf_counter() - start
                    size, error = len(answer.content), None
                    if answer.status_code != 200:
                        error = f"{answer.status_code}: {_served_error(work / 'serve.log')}"
                except httpx.TransportError as exc:
                    elapsed = time.perf_counter() - start
                    size, error = 0, f"{type(exc).__name__}: {exc}"
            found.append(Timed(team, elapsed, size, error))
            print(f"(h)   GET /kpis?team={team}: {elapsed:.1f} s, {error or 'ok'}", flush=True)
    return found


def _served_error(log: Path) -> str:
    """The last exception line `serve` logged (it may log it just after answering)."""
    for _ in range(20):
        lines = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if re.match(r"^[a-zA-Z_.]+(Error|Exception): ", line)
        ]
        if lines:
            return lines[-1][:300]
        time.sleep(0.1)
    return "see serve.log"


def quarterly_reports(engine: Engine, url: str, work: Path, teams: Sequence[str]) -> list[Timed]:
    """`reporting.make` of the quarterly report of 2026-Q3 for each of `teams`, whole (the
    document built, as `ninefold report quarterly --team T --period 2026-Q3` and the Reports
    page build it; not rendered), each in a session of its own."""
    settings = Settings(data_dir=work, database_url=url, config_dir=work / "no-config")
    wanted = [Wanted("quarterly", Selection(team=team), "2026-Q3") for team in teams]
    factory = make_session_factory(engine)
    found = []
    for team, asked in zip(teams, wanted, strict=True):
        with factory() as session:
            start = time.perf_counter()
            try:
                report = reporting.make(session, settings, asked, NOW)
                error, size = None, len(report.sections)
            except Exception as exc:  # a failure at this size is a finding, not a crash
                error, size = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}", 0
            elapsed = time.perf_counter() - start
            session.rollback()
        found.append(Timed(team, elapsed, size, error))
        print(f"(h)   quarterly report of {team}: {elapsed:.1f} s, {error or 'ok'}", flush=True)
    return found
