"""Benchmark (g): the DORA table of every team over a million changes, and `change record`
through the API.

The history: 500 services of 25 teams, one year of changes (production and staging, some
failed or cancelled, rollbacks recorded or recognised as redeploys of earlier versions,
hotfixes, incidents caused and fixed) and three commits a change on average, seeded. It is
bulk-loaded straight into the `changes` and `change_commits` tables of a migrated database,
with the columns `chain.decide` derives (`role`, `undoes_id`, `fixes_deploy_id`) decided per
service here, as `service.record` would have left them: going through `record` a million
times would measure the loading, not the report.

- The DORA table: `dora_report.report` for a quarter with a row per team (the whole call: the
  catalog read, the deploys and commits loaded, the figures of the quarter and of the one
  before), against one DuckDB query computing the same figures from the same rows, held in
  DuckDB's memory: the least the aggregate can cost. Every figure of every team must agree.
- Recording: changes POSTed one at a time to a real `ninefold serve` on loopback (one client,
  then two at once), into the database holding the history, against the same rows written by
  one executemany per table in one transaction of that database.
"""

from __future__ import annotations

import bisect
import math
import os
import sqlite3
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, delete, func, insert, select

from bench.measure import Spread, ratio
from bench.storm_stack import (
    HOST,
    free_port,
    postgres_problem,
    process_cpu,
    recreate_database,
    serving,
)
from ninefold import migrations
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.catalog import service as catalog
from ninefold.catalog.schemas import ServiceSpec, TeamSpec
from ninefold.changes import chain
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection, report
from ninefold.changes.schemas import DoraFigures, DoraReport
from ninefold.changes.tables import Change, ChangeCommit
from ninefold.db import make_engine, make_session_factory, unit_of_work

YEAR_START = datetime(2025, 12, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 12, 1, tzinfo=UTC)
QUARTER = Period(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
SERVICES = 500
TEAMS = 25
COMMITS_PER_CHANGE = 3
REPORT_RUNS = 3  # timed reports per database, after one uncounted
QUERY_RUNS = 5  # timed DuckDB queries, after one uncounted
FLOOR_RUNS = 5
CLIENTS = 2  # the concurrent recording
ADMIN = Principal("bench", Role.ADMIN, "config")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/ninefold_bench_changes"
KINDS = ("deploy", "config", "infrastructure", "feature_flag")
OUTCOMES = ("success", "failed", "cancelled")
US = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHANGE_COLUMNS = (
    "id",
    "service",
    "kind",
    "environment",
    "production",
    "version",
    "external_id",
    "content_hash",
    "author",
    "description",
    "url",
    "started_at",
    "finished_at",
    "outcome",
    "rollback",
    "reverts_id",
    "hotfix",
    "hotfix_of_id",
    "fixes_incident",
    "caused_incident",
    "freeze",
    "source",
    "recorded_by",
    "recorded_at",
    "commit_count",
    "role",
    "undoes_id",
    "fixes_deploy_id",
)
COMMIT_COLUMNS = ("id", "change_id", "position", "sha", "authored_at", "author", "title")

Ints = npt.NDArray[np.int64]


def _us(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def _instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


# --- the history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    services: list[str]
    owners: list[str]
    tiers: list[int]

    @property
    def teams(self) -> list[str]:
        return sorted(set(self.owners))


def make_catalog(seed: int) -> Catalog:
    """Most teams own a random share of the services; the last two own four quiet services
    each, so that the frequency bands below "on demand" come up in the table too."""
    rng = np.random.default_rng(seed)
    teams = [f"team-{k:02d}" for k in range(1, TEAMS + 1)]
    busy = SERVICES - 8
    owners = [teams[int(k)] for k in rng.integers(0, TEAMS - 2, busy)]
    owners += [teams[-2]] * 4 + [teams[-1]] * 4
    tiers = [int(t) for t in rng.choice(4, SERVICES, p=[0.1, 0.3, 0.4, 0.2])]
    return Catalog([f"svc-{k:03d}" for k in range(1, SERVICES + 1)], owners, tiers)


@dataclass
class History:
    """The changes in id order (ids 1..n, in order of finish) and their commits, as columns."""

    service: Ints  # index into the catalog
    finished: Ints  # microseconds since the epoch
    started: Ints
    production: npt.NDArray[np.bool_]
    kind: Ints
    outcome: Ints
    version: list[str]
    rollback: list[bool]
    reverts: list[int | None]
    hotfix: list[bool]
    hotfix_of: list[int | None]
    fixes_incident: list[int | None]
    caused_incident: list[int | None]
    author: Ints
    role: list[str | None]
    undoes: list[int | None]
    fixes_deploy: list[int | None]
    commit_count: Ints
    commit_change: Ints  # index of the change (id - 1)
    commit_position: Ints
    commit_authored: Ints
    commit_sha: list[str]

    @property
    def changes(self) -> int:
        return len(self.service)

    @property
    def commits(self) -> int:
        return len(self.commit_change)

    def counts(self) -> dict[str, int]:
        in_chain = sum(1 for role in self.role if role is not None)
        rollbacks = sum(1 for role in self.role if role == "rollback")
        return {
            "changes": self.changes,
            "commits": self.commits,
            "production": int(self.production.sum()),
            "in_chain": in_chain,
            "deploys": in_chain - rollbacks,
            "rollbacks": rollbacks,
            "recorded_rollbacks": sum(self.rollback),
            "hotfixes": sum(self.hotfix),
            "caused_incident": sum(1 for i in self.caused_incident if i is not None),
            "fixes_incident": sum(1 for i in self.fixes_incident if i is not None),
        }


def make_history(changes: int, cat: Catalog, seed: int) -> History:
    """A seeded year of changes. Of the successful production deploys, 3% redeploy the
    version before the live one (recognised as rollbacks), 1% are recorded as rollbacks (half
    naming the deploy they undo), 3% are hotfixes (a fifth naming the deploy before the
    previous one), 1% redeploy the live version, the rest deploy a new version."""
    rng = np.random.default_rng(seed + 1)
    quiet = [round(changes * 6e-5)] * 4 + [round(changes * 8e-6)] * 4
    weights = rng.lognormal(0.0, 1.0, SERVICES - len(quiet))
    counts = np.concatenate([rng.multinomial(changes - sum(quiet), weights / weights.sum()), quiet])
    service = np.repeat(np.arange(SERVICES, dtype=np.int64), counts)
    start, span = _us(YEAR_START), _us(YEAR_END) - _us(YEAR_START)
    finished = rng.integers(0, span, changes, dtype=np.int64)
    order = np.argsort(finished, kind="stable")
    service, finished = service[order], finished[order] + start
    started = finished - rng.integers(60 * US, 1800 * US, changes, dtype=np.int64)
    production = rng.random(changes) < 0.8
    kind = rng.choice(4, changes, p=[0.94, 0.03, 0.02, 0.01]).astype(np.int64)
    outcome = rng.choice(3, changes, p=[0.92, 0.06, 0.02]).astype(np.int64)
    in_chain = production & (kind == 0) & (outcome == 0)
    caused_mask = production & (rng.random(changes) < 0.02)
    caused_ids = np.cumsum(caused_mask)
    fixes_mask = production & (rng.random(changes) < 0.01)
    fixes_ids = rng.integers(1, max(2, int(caused_ids[-1]) + 1), changes)

    service_list, chained = service.tolist(), in_chain.tolist()
    version, rollback, reverts, hotfix, hotfix_of = _versions(
        service_list, chained, rng.random(changes).tolist(), rng.random(changes).tolist()
    )
    role, undoes, fixes_deploy = _decided(
        service_list, finished.tolist(), chained, version, rollback, reverts, hotfix, hotfix_of
    )

    commit_count = rng.multinomial(changes * COMMITS_PER_CHANGE, np.full(changes, 1 / changes))
    commit_change = np.repeat(np.arange(changes, dtype=np.int64), commit_count)
    total = len(commit_change)
    firsts = np.cumsum(commit_count) - commit_count
    position = np.arange(total, dtype=np.int64) - np.repeat(firsts, commit_count)
    lead = (rng.lognormal(math.log(20 * 3600), 1.3, total) * US).astype(np.int64)
    late = rng.random(total) < 0.01  # authored after the deploy: kept, not in lead time
    lead[late] = -rng.integers(1, 3600 * US, int(late.sum()), dtype=np.int64)
    hexes = rng.bytes(20 * total).hex()
    return History(
        service=service,
        finished=finished,
        started=started,
        production=production,
        kind=kind,
        outcome=outcome,
        version=version,
        rollback=rollback,
        reverts=reverts,
        hotfix=hotfix,
        hotfix_of=hotfix_of,
        fixes_incident=[int(i) if m else None for i, m in zip(fixes_ids, fixes_mask, strict=True)],
        caused_incident=[
            int(i) if m else None for i, m in zip(caused_ids, caused_mask, strict=True)
        ],
        author=rng.integers(0, 2000, changes, dtype=np.int64),
        role=role,
        undoes=undoes,
        fixes_deploy=fixes_deploy,
        commit_count=commit_count.astype(np.int64),
        commit_change=commit_change,
        commit_position=position,
        commit_authored=finished[commit_change] - lead,
        commit_sha=[hexes[k : k + 40] for k in range(0, 40 * total, 40)],
    )


def _versions(
    service: list[int], in_chain: list[bool], action: list[float], pick: list[float]
) -> tuple[list[str], list[bool], list[int | None], list[bool], list[int | None]]:
    """Each change's version and what CI said of it, walking every service's changes in
    order of finish (see make_history). Changes outside the chain carry the version the
    service's next deploy will bring."""
    count = len(service)
    version = [""] * count
    rollback, hotfix = [False] * count, [False] * count
    reverts: list[int | None] = [None] * count
    hotfix_of: list[int | None] = [None] * count
    seen: list[list[int]] = [[] for _ in range(SERVICES)]  # versions deployed, ascending
    live = [0] * SERVICES  # 0: none yet
    upcoming = [1] * SERVICES
    last = [0] * SERVICES  # the latest two real deploys' ids (0: none)
    before_last = [0] * SERVICES
    for index in range(count):
        s = service[index]
        if not in_chain[index]:
            version[index] = f"1.{upcoming[s]}.0"
            continue
        now, u, chosen = live[s], action[index], 0
        at = bisect.bisect_left(seen[s], now)
        earlier = seen[s][at - 1] if now and at > 0 else 0
        if u < 0.03 and earlier:
            chosen = earlier
        elif u < 0.04 and now:
            chosen = earlier or now
            rollback[index] = True
            if pick[index] < 0.5 and last[s]:
                reverts[index] = last[s]
        else:
            if u < 0.07 and now:
                hotfix[index] = True
                if pick[index] < 0.2 and before_last[s]:
                    hotfix_of[index] = before_last[s]
            if 0.07 <= u < 0.08 and now:
                chosen = now
            else:
                chosen = upcoming[s]
                upcoming[s] += 1
                seen[s].append(chosen)
            before_last[s], last[s] = last[s], index + 1
        version[index] = f"1.{chosen}.0"
        live[s] = chosen
    return version, rollback, reverts, hotfix, hotfix_of


def _decided(
    service: list[int],
    finished: list[int],
    in_chain: list[bool],
    version: list[str],
    rollback: list[bool],
    reverts: list[int | None],
    hotfix: list[bool],
    hotfix_of: list[int | None],
) -> tuple[list[str | None], list[int | None], list[int | None]]:
    """`role`, `undoes_id` and `fixes_deploy_id` of every change, as `service.rechain`
    leaves them: `chain.decide` over each service's successful production deploys."""
    links: dict[int, list[chain.Link]] = defaultdict(list)
    for index, s in enumerate(service):
        if in_chain[index]:
            links[s].append(
                chain.Link(
                    index + 1,
                    version[index],
                    _instant(finished[index]),
                    rollback[index],
                    reverts[index],
                    hotfix[index],
                    hotfix_of[index],
                )
            )
    count = len(service)
    role: list[str | None] = [None] * count
    undoes: list[int | None] = [None] * count
    fixes: list[int | None] = [None] * count
    for chain_links in links.values():
        for change_id, decided in chain.decide(chain_links).items():
            role[change_id - 1] = decided.role.value
            undoes[change_id - 1] = decided.undoes
            fixes[change_id - 1] = decided.fixes
    return role, undoes, fixes
