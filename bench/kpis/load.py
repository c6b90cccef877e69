"""Bulk-loading benchmark (h)'s history into the tables of a migrated SQLite database.

Every column the service layer fills in is written, as benchmark (g) does: going through the
use cases millions of times would measure the loading, not the report. The instants are
written as SQLAlchemy's SQLite form keeps them, since Ninefold compares them as text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine

from bench.kpis.history import History
from bench.kpis.world import (
    HISTORY_START,
    HOUR,
    MINUTE,
    NONE,
    RULES,
    SEVERITIES,
    US,
    Ints,
    to_us,
)

CHUNK = 100_000


def _stamps(us: Ints) -> list[str | None]:
    """Instants as SQLAlchemy's SQLite form keeps them (UTC, no zone, always six digits of
    microseconds, which its comparisons rely on); None for NONE."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()
    return [
        None if u == NONE else f"{t[:10]} {t[11:]}" for t, u in zip(text, us.tolist(), strict=True)
    ]


def _stamp(us: int) -> str | None:
    return _stamps(np.array([us], dtype=np.int64))[0]


def _bulk(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
            batch = []
    if batch:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)


TABLES = (
    "changes",
    "change_commits",
    "incidents",
    "incident_groups",
    "postmortems",
    "action_items",
    "alert_groups",
    "alert_group_events",
    "pages",
    "notifications",
)


def load(engine: Engine, h: History, user_ids: dict[str, int]) -> None:
    """Bulk-load the history in one transaction as benchmark (g) does: the plain indexes of
    the tables dropped and built again afterwards from their own definitions, the foreign-key
    checks off while loading (the rows are consistent by construction)."""
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        listed = ", ".join(f"'{t}'" for t in TABLES)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND tbl_name IN ({listed}) AND sql IS NOT NULL"
        )
        indexes: list[tuple[str, str]] = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        _load_changes(cursor, h)
        _load_incidents(cursor, h)
        _load_paging(cursor, h, user_ids)
        for _, definition in indexes:
            cursor.execute(definition)
        connection.commit()
        cursor.execute("ANALYZE")
        connection.commit()
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()


def _load_changes(cursor: Any, h: History) -> None:
    d, cat = h.deploys, h.world.cat
    finished = _stamps(d.finished)
    started = _stamps(d.finished - 10 * MINUTE)
    recorded = _stamps(d.finished + 2 * US)
    counts = np.bincount(d.commit_change, minlength=len(d.role)).tolist()
    service = d.service.tolist()
    columns = (
        "id", "service", "kind", "environment", "production", "version", "external_id",
        "content_hash", "author", "description", "url", "started_at", "finished_at", "outcome",
        "rollback", "reverts_id", "hotfix", "hotfix_of_id", "fixes_incident", "caused_incident",
        "freeze", "source", "recorded_by", "recorded_at", "commit_count", "role", "undoes_id",
        "fixes_deploy_id",
    )  # fmt: skip
    _bulk(
        cursor,
        "changes",
        columns,
        (
            (
                k + 1,
                cat.services[service[k]],
                "deploy",
                "production",
                True,
                d.version[k],
                f"ci-{k + 1}",
                f"{k + 1:064x}",
                f"dev-{k % 2000:04d}",
                "",
                "",
                started[k],
                finished[k],
                "success",
                d.rollback[k],
                d.reverts[k],
                d.hotfix[k],
                None,
                None,
                d.caused_incident[k],
                None,
                "api",
                "bench",
                recorded[k],
                counts[k],
                d.role[k],
                d.undoes[k],
                d.fixes_deploy[k],
            )
            for k in range(len(d.role))
        ),
    )
    authored = _stamps(d.commit_authored)
    change = d.commit_change.tolist()
    firsts = np.cumsum(counts) - np.array(counts)
    position = (np.arange(len(change)) - np.repeat(firsts, counts)).tolist()
    _bulk(
        cursor,
        "change_commits",
        ("id", "change_id", "position", "sha", "authored_at", "author", "title"),
        (
            (
                k + 1,
                change[k] + 1,
                position[k],
                f"{k + 1:040x}",
                authored[k],
                f"dev-{change[k] % 2000:04d}",
                f"commit {position[k]} of change {change[k] + 1}",
            )
            for k in range(len(change))
        ),
    )


def _load_incidents(cursor: Any, h: History) -> None:
    i, cat = h.incidents, h.world.cat
    stamps = {
        name: _stamps(getattr(i, name))
        for name in (
            "declared",
            "impact_start",
            "detected",
            "acknowledged",
            "mitigated",
            "resolved",
            "impact_end",
            "reviewed",
        )
    }
    status = [
        "resolved" if r != NONE else ("monitoring" if m != NONE else "investigating")
        for r, m in zip(i.resolved.tolist(), i.mitigated.tolist(), strict=True)
    ]
    columns = (
        "id", "title", "severity", "status", "services", "summary", "category",
        "caused_by_change", "declared_at", "declared_by", "declared_via", "impact_start",
        "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "impact_end",
        "reopened", "external_id", "provider", "updated_at",
    )  # fmt: skip
    severity = i.severity.tolist()
    _bulk(
        cursor,
        "incidents",
        columns,
        (
            (
                k + 1,
                f"Incident {k + 1}",
                SEVERITIES[severity[k]],
                status[k],
                json.dumps([cat.services[s] for s in i.services[k]]),
                "",
                i.category[k],
                i.caused_by_change[k],
                stamps["declared"][k],
                "bench",
                "hand",
                stamps["impact_start"][k],
                stamps["detected"][k],
                stamps["acknowledged"][k],
                stamps["mitigated"][k],
                stamps["resolved"][k],
                stamps["impact_end"][k],
                0,
                None,
                None,
                stamps["resolved"][k] or stamps["declared"][k],
            )
            for k in range(i.count)
        ),
    )
    p = h.paging
    opened = _stamps(p.opened)
    _bulk(
        cursor,
        "incident_groups",
        ("group_id", "incident_id", "linked_at", "linked_by"),
        ((g, k, opened[g - 1], "bench") for g, k in sorted(p.incident.items())),
    )
    pm = np.flatnonzero(i.postmortem).tolist()
    _bulk(
        cursor,
        "postmortems",
        (
            "incident_id",
            "state",
            "title",
            "sections",
            "reviewers",
            "budget",
            "created_at",
            "updated_at",
            "in_review_at",
            "reviewed_at",
            "reviewed_by",
            "published_at",
        ),
        (
            (
                k + 1,
                "reviewed" if stamps["reviewed"][k] else "draft",
                f"Postmortem of incident {k + 1}",
                "{}",
                "[]",
                "[]",
                _stamp(int(i.resolved[k]) + HOUR),
                stamps["reviewed"][k] or _stamp(int(i.resolved[k]) + HOUR),
                stamps["reviewed"][k],
                stamps["reviewed"][k],
                "bench" if stamps["reviewed"][k] else None,
                None,
            )
            for k in pm
        ),
    )
    items = h.items
    created = _stamps(items.created)
    _bulk(
        cursor,
        "action_items",
        (
            "id",
            "incident_id",
            "kind",
            "title",
            "owner",
            "team",
            "priority",
            "due",
            "status",
            "url",
            "created_at",
            "created_by",
            "closed_on",
            "reminded_for",
        ),
        (
            (
                k + 1,
                items.incident[k],
                "prevent",
                f"Action item {k + 1}",
                None,
                items.team[k],
                "medium",
                items.due[k].isoformat(),
                "open" if items.closed_on[k] is None else "done",
                "",
                created[k],
                "bench",
                None if items.closed_on[k] is None else items.closed_on[k].isoformat(),
                None,
            )
            for k in range(len(items.due))
        ),
    )


def _load_paging(cursor: Any, h: History, user_ids: dict[str, int]) -> None:
    p, cat = h.paging, h.world.cat
    cursor.execute(
        "INSERT INTO integrations (id, name, kind, description, key, service, group_by, "
        "secret_env, heartbeat_seconds, last_ping_at, heartbeat_armed, heartbeat_checks, "
        "managed_by, created_at, updated_at) VALUES (1, 'alertmanager', 'alertmanager', '', "
        "'bench-key', NULL, '[]', NULL, NULL, NULL, 0, 0, 'api', ?, ?)",
        (_stamp(to_us(HISTORY_START)), _stamp(to_us(HISTORY_START))),
    )
    opened, acked, resolved = _stamps(p.opened), _stamps(p.acked), _stamps(p.resolved)
    service, rule = p.service.tolist(), p.rule.tolist()
    critical = p.critical.tolist()

    def groups() -> Iterator[tuple[Any, ...]]:
        for g in range(p.groups):
            name, svc = RULES[rule[g]], cat.services[service[g]]
            level = "critical" if critical[g] else "warning"
            labels = json.dumps({"alertname": name, "service": svc, "severity": level})
            yield (
                g + 1, 1, f"{name}|{svc}", None, name, svc, level, labels, "resolved",
                opened[g], acked[g], p.acked_by[g], resolved[g], p.resolver[g], 0, False, None,
            )  # fmt: skip

    _bulk(
        cursor,
        "alert_groups",
        (
            "id",
            "integration_id",
            "group_key",
            "open_key",
            "title",
            "service",
            "severity",
            "labels",
            "state",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "truncated_alerts",
            "flapping",
            "flapping_since",
        ),
        groups(),
    )
    paged_at = _stamps(np.array(p.page_at, dtype=np.int64))

    def events() -> Iterator[tuple[Any, ...]]:
        number = 0
        by_group: dict[int, list[int]] = defaultdict(list)
        for k, g in enumerate(p.page_group):
            by_group[g].append(k)
        answers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for g, at, word in p.answers:
            answers[g].append((at, word))
        for g in range(1, p.groups + 1):
            entries: list[tuple[str, str, str, str]] = [(opened[g - 1] or "", "opened", "", "{}")]
            for k in by_group.get(g, ()):
                detail = json.dumps({"user": p.page_user[k], "step": p.page_step[k]})
                entries.append((paged_at[k] or "", "paged", "", detail))
            if acked[g - 1] is not None:
                entries.append((acked[g - 1] or "", "acknowledged", p.acked_by[g - 1] or "", "{}"))
            entries.append((resolved[g - 1] or "", "resolved", p.resolver[g - 1], "{}"))
            for at, word in answers.get(g, ()):
                detail = json.dumps({"answer": word})
                entries.append((_stamp(at) or "", "actionable", "bench", detail))
            entries.sort()
            for at_text, kind, actor, detail in entries:
                number += 1
                yield (number, g, at_text, kind, actor, detail)

    _bulk(
        cursor, "alert_group_events", ("id", "group_id", "at", "kind", "actor", "detail"), events()
    )
    zones = {person: h.world.zone_of(person) for person in user_ids if person.startswith("u-")}

    def page_rows() -> Iterator[tuple[Any, ...]]:
        for k in range(p.pages):
            person = p.page_user[k]
            yield (
                k + 1, p.page_group[k], p.page_step[k] + 1, p.page_step[k],
                f"policy-{person.rsplit('-', 1)[0]}", user_ids[person], person, "on call",
                paged_at[k], zones[person], "", "working",
            )  # fmt: skip

    _bulk(
        cursor,
        "pages",
        (
            "id",
            "group_id",
            "sequence",
            "step",
            "policy",
            "user_id",
            "user_name",
            "reason",
            "paged_at",
            "time_zone",
            "local_time",
            "period",
        ),
        page_rows(),
    )
    rng = np.random.default_rng(len(p.page_at))
    first = (rng.uniform(0.5, 3.0, p.pages) * US).astype(np.int64)
    second = (rng.uniform(5, 20, p.pages) * US).astype(np.int64)
    sms = (rng.random(p.pages) < 0.3).tolist()
    at = np.array(p.page_at, dtype=np.int64)
    sent_first, sent_second = _stamps(at + first), _stamps(at + second)

    def notifications() -> Iterator[tuple[Any, ...]]:
        number = 0
        for k in range(p.pages):
            person = p.page_user[k]
            methods = [("email", sent_first[k])] + ([("sms", sent_second[k])] if sms[k] else [])
            for kind, sent in methods:
                number += 1
                yield (
                    number, k + 1, p.page_group[k], user_ids[person], kind, kind,
                    f"{person}@example.com" if kind == "email" else "+10000000000",
                    f"page-{k + 1}-{kind}", paged_at[k], "sent", 1, sent, "",
                )  # fmt: skip

    _bulk(
        cursor,
        "notifications",
        (
            "id",
            "page_id",
            "group_id",
            "user_id",
            "contact",
            "kind",
            "address",
            "idempotency_key",
            "due_at",
            "status",
            "attempts",
            "sent_at",
            "error",
        ),
        notifications(),
    )
