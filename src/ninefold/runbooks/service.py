"""Runbooks kept, found and tested: written by `ninefold apply` from the files, read by the
API, the pages, the notifications (`for_alert`) and the KPIs (`kept`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.declared import spec_of_columns, write_columns
from ninefold.errors import Invalid, NotFound
from ninefold.runbooks import model
from ninefold.runbooks.schemas import (
    RunbookDetail,
    RunbookOut,
    RunbookSpec,
    TestOut,
    TestSource,
)
from ninefold.runbooks.tables import Runbook, RunbookTest


def all_rows(session: Session) -> list[Runbook]:
    return list(session.scalars(select(Runbook).order_by(Runbook.name)))


def spec_of(row: Runbook) -> RunbookSpec:
    return spec_of_columns(RunbookSpec, row)


def write_row(
    session: Session, spec: RunbookSpec, managed_by: str, now: datetime, row: Runbook | None
) -> Runbook:
    if catalog.find_service(session, spec.service) is None:
        raise Invalid(f"runbook {spec.name!r}: no service {spec.service!r}")
    if spec.owner is not None and catalog.find_team(session, spec.owner) is None:
        raise Invalid(f"runbook {spec.name!r}: no team {spec.owner!r}")
    return write_columns(session, Runbook, spec, managed_by, now, row)


def _row(session: Session, name: str) -> Runbook:
    row = session.scalar(select(Runbook).where(Runbook.name == name))
    if row is None:
        raise NotFound(f"no runbook {name!r}")
    return row


def _tests(session: Session, ids: list[int]) -> dict[int, list[RunbookTest]]:
    found: dict[int, list[RunbookTest]] = defaultdict(list)
    if ids:
        query = (
            select(RunbookTest)
            .where(RunbookTest.runbook_id.in_(ids))
            .order_by(RunbookTest.tested_at.desc(), RunbookTest.id.desc())
        )
        for test in session.scalars(query):
            found[test.runbook_id].append(test)
    return found


def _kept(row: Runbook, tests: list[RunbookTest]) -> model.Kept:
    return model.Kept(
        name=row.name,
        service=row.service,
        alerts=tuple(row.alerts),
        review_days=row.review_days,
        last_tested=model.latest(row.last_tested, (t.tested_at for t in tests)),
        last_reviewed=row.last_reviewed,
    )


def kept(session: Session, until: datetime | None = None) -> list[model.Kept]:
    """Every runbook as freshness and coverage read it; with `until`, as it stood then: the
    runbooks written before it, with the tests recorded before it."""
    rows = [r for r in all_rows(session) if until is None or r.created_at < until]
    tests = _tests(session, [r.id for r in rows])
    return [
        _kept(r, [t for t in tests[r.id] if until is None or t.tested_at < until]) for r in rows
    ]


def _owners(session: Session) -> dict[str, str]:
    return {s.name: s.owner for s in catalog.all_services(session)}


def _out(
    row: Runbook, tests: list[RunbookTest], now: datetime, owners: dict[str, str]
) -> RunbookOut:
    found = _kept(row, tests)
    return RunbookOut(
        name=row.name,
        title=row.title,
        service=row.service,
        alerts=list(row.alerts),
        owner=row.owner if row.owner is not None else owners.get(row.service),
        path=row.path,
        review_days=row.review_days,
        last_tested=found.last_tested,
        last_reviewed=row.last_reviewed,
        fresh=found.fresh(now.date()),
        due=found.due(),
    )


def _test_out(test: RunbookTest, runbook: str) -> TestOut:
    return TestOut(
        id=test.id,
        runbook=runbook,
        tested_at=test.tested_at,
        by=test.by,
        source=test.source,
        incident_id=test.incident_id,
        note=test.note,
    )


def list_runbooks(
    session: Session, now: datetime, service: str | None = None, stale: bool | None = None
) -> list[RunbookOut]:
    rows = [r for r in all_rows(session) if service is None or r.service == service]
    tests, owners = _tests(session, [r.id for r in rows]), _owners(session)
    found = [_out(r, tests[r.id], now, owners) for r in rows]
    return [r for r in found if stale is None or r.fresh is not stale]


def get_runbook(session: Session, name: str, now: datetime) -> RunbookDetail:
    row = _row(session, name)
    tests = _tests(session, [row.id])[row.id]
    out = _out(row, tests, now, _owners(session))
    return RunbookDetail(
        **out.model_dump(), body=row.body, tests=[_test_out(t, row.name) for t in tests]
    )


def names_for_alert(session: Session, alertname: str, service: str | None) -> list[str]:
    """The names of the runbooks covering an alert rule: what a page's message links to, read
    in one small query (a storm sends thousands)."""
    rows = session.execute(select(Runbook.name, Runbook.service, Runbook.alerts))
    return sorted(n for n, s, alerts in rows if model.covers(alerts, s, alertname, service))


def for_alert(
    session: Session, alertname: str, service: str | None, now: datetime
) -> list[RunbookOut]:
    """The runbooks covering an alert rule (see `model.Kept.covers`), for the pages and
    messages of its alert groups."""
    rows = session.scalars(select(Runbook).order_by(Runbook.name))
    found = [r for r in rows if model.covers(r.alerts, r.service, alertname, service)]
    if not found:
        return []
    tests, owners = _tests(session, [r.id for r in found]), _owners(session)
    return [_out(r, tests[r.id], now, owners) for r in found]


def record_test(
    session: Session,
    actor: Principal,
    name: str,
    now: datetime,
    source: TestSource,
    note: str = "",
    incident_id: int | None = None,
) -> TestOut:
    """A test of a runbook by `actor`: a drill, or its use in an incident (`incident_id`).
    Responders and admins record them; it counts for freshness from `now`."""
    require_responder(actor, "record a runbook test")
    row = _row(session, name)
    test = RunbookTest(
        runbook_id=row.id,
        tested_at=now,
        by=actor.name,
        source=source,
        incident_id=incident_id,
        note=note,
    )
    session.add(test)
    session.flush()
    after = {"source": source, "note": note, "incident": incident_id}
    audit.record(session, actor, now, "test", "runbook", name, None, after)
    return _test_out(test, name)
