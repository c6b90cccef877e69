"""DR tests recorded with their follow-ups, the tier policies (`ninefold apply` writes the
`dr_tiers:` section) and the DR report: readiness per tier and each service's standing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth import service as accounts
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.declared import spec_of_columns, write_columns
from ninefold.dr import model
from ninefold.dr.schemas import (
    DrReport,
    DrTestIn,
    DrTestOut,
    DrTierSpec,
    ServiceDr,
    TierReadiness,
    seconds_of,
)
from ninefold.dr.tables import DrFollowUp, DrTest, DrTier
from ninefold.errors import Invalid, NotFound
from ninefold.incidents import action_items
from ninefold.incidents.schemas import ActionItemIn, ActionItemOut
from ninefold.slos.spec.durations import format_duration


def tier_rows(session: Session) -> list[DrTier]:
    return list(session.scalars(select(DrTier).order_by(DrTier.tier)))


def tier_spec(row: DrTier) -> DrTierSpec:
    return spec_of_columns(DrTierSpec, row)


def write_tier(
    session: Session, spec: DrTierSpec, managed_by: str, now: datetime, row: DrTier | None
) -> DrTier:
    return write_columns(session, DrTier, spec, managed_by, now, row)


def policies(session: Session) -> list[model.TierPolicy]:
    """Every tier's policy: the declared ones, the built-in defaults for the others."""
    declared = [
        model.TierPolicy(
            row.tier,
            timedelta(seconds=seconds_of(row.rto)),
            timedelta(seconds=seconds_of(row.rpo)),
            None if row.test_every is None else timedelta(seconds=seconds_of(row.test_every)),
        )
        for row in tier_rows(session)
    ]
    return [model.policy_of(declared, tier) for tier in range(4)]


def record(session: Session, actor: Principal, body: DrTestIn, now: datetime) -> DrTestOut:
    """A test is held to the tier of its most critical service; targets not given are that
    tier's. Its follow-ups become action items of the team owning its first service."""
    require_responder(actor, "record DR tests")
    tiers = {}
    for name in body.services:
        found = catalog.find_service(session, name)
        if found is None:
            raise Invalid(f"no service named {name!r}", field="services")
        tiers[name] = found.tier
    for person in body.participants:
        if accounts.find_user(session, person) is None:
            raise Invalid(f"no user named {person!r}", field="participants")
    ran_on = body.ran_on or now.date()
    if ran_on > now.date():
        raise Invalid(f"{ran_on} is in the future; record a test once it has run", field="ran_on")
    tier = model.tier_of(tiers.values())
    policy = model.policy_of(policies(session), tier)
    row = DrTest(
        scenario=body.scenario,
        kind=body.kind,
        services=list(body.services),
        tier=tier,
        ran_on=ran_on,
        rto_target_s=_seconds(body.rto_target, policy.rto),
        rpo_target_s=_seconds(body.rpo_target, policy.rpo),
        rto_measured_s=seconds_of(body.rto_measured),
        rpo_measured_s=seconds_of(body.rpo_measured),
        evidence=list(body.evidence),
        participants=list(body.participants),
        notes=body.notes,
        recorded_by=actor.name,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    for item in body.follow_ups:
        add_follow_up(session, actor, row, item, now)
    after = {"scenario": row.scenario, "services": row.services, "ran_on": str(ran_on)}
    audit.record(session, actor, now, "create", "dr_test", str(row.id), None, after)
    return out(session, row, now.date())


def _seconds(given: str | None, default: timedelta) -> int:
    return seconds_of(given) if given is not None else int(default.total_seconds())


def add_follow_up(
    session: Session, actor: Principal, test: DrTest, body: ActionItemIn, now: datetime
) -> ActionItemOut:
    team = catalog.owning_team(session, test.services[0])
    item = action_items.add_follow_up(session, actor, team, body, now)
    session.add(DrFollowUp(dr_test_id=test.id, action_item_id=item.id))
    session.flush()
    return action_items.out(item, now.date())


def get_row(session: Session, test_id: int) -> DrTest:
    row = session.get(DrTest, test_id)
    if row is None:
        raise NotFound(f"no DR test {test_id}")
    return row


def drill(row: DrTest) -> model.Drill:
    return model.Drill(
        row.id,
        row.tier,
        tuple(row.services),
        row.ran_on,
        timedelta(seconds=row.rto_target_s),
        timedelta(seconds=row.rpo_target_s),
        timedelta(seconds=row.rto_measured_s),
        timedelta(seconds=row.rpo_measured_s),
    )


def out(session: Session, row: DrTest, today: date) -> DrTestOut:
    ids = session.scalars(
        select(DrFollowUp.action_item_id).where(DrFollowUp.dr_test_id == row.id)
    ).all()
    judged = drill(row)
    return DrTestOut(
        id=row.id,
        scenario=row.scenario,
        kind=row.kind,
        services=row.services,
        tier=row.tier,
        ran_on=row.ran_on,
        rto_target=_spelled(row.rto_target_s),
        rpo_target=_spelled(row.rpo_target_s),
        rto_measured=_spelled(row.rto_measured_s),
        rpo_measured=_spelled(row.rpo_measured_s),
        rto_met=judged.rto_met,
        rpo_met=judged.rpo_met,
        passed=judged.passed,
        evidence=row.evidence,
        participants=row.participants,
        notes=row.notes,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        follow_ups=action_items.listed(session, list(ids), today),
    )


def _spelled(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds)) if seconds else "0s"


def recorded(
    session: Session,
    start: date | None = None,
    end: date | None = None,
    service: str | None = None,
    tier: int | None = None,
) -> list[DrTest]:
    """Tests run in [start, end), newest first."""
    query = select(DrTest)
    if start is not None:
        query = query.where(DrTest.ran_on >= start)
    if end is not None:
        query = query.where(DrTest.ran_on < end)
    if tier is not None:
        query = query.where(DrTest.tier == tier)
    rows = session.scalars(query.order_by(DrTest.ran_on.desc(), DrTest.id.desc()))
    return [row for row in rows if service is None or service in row.services]


def drills(session: Session) -> list[model.Drill]:
    return [drill(row) for row in recorded(session)]


def service_standing(session: Session, today: date) -> list[ServiceDr]:
    """Every service against its tier's interval, overdue first."""
    return _standing(session, today, drills(session), policies(session))


def _standing(
    session: Session, today: date, every: list[model.Drill], known: list[model.TierPolicy]
) -> list[ServiceDr]:
    found = [
        model.service_status(s.name, s.tier, known[s.tier], every, today)
        for s in catalog.all_services(session)
    ]
    return [
        ServiceDr(
            service=s.service,
            tier=s.tier,
            last_test=s.last_test,
            last_pass=s.last_pass,
            due=s.due,
            overdue=s.overdue,
        )
        for s in sorted(found, key=lambda s: (not s.overdue, s.tier, s.service))
    ]


def report(session: Session, start: date, end: date, today: date) -> DrReport:
    """DR readiness per tier over the tests run in [start, end), with each tier's policy and
    its overdue services as of `today`."""
    if end <= start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})")
    every, known = drills(session), policies(session)
    readiness = {r.tier: r for r in model.readiness_by_tier(every, start, end)}
    standing = _standing(session, today, every, known)
    tiers = []
    for policy in known:
        found = readiness.get(policy.tier, model.Readiness(policy.tier, 0, 0))
        tiers.append(
            TierReadiness(
                tier=policy.tier,
                tests=found.tests,
                passed=found.passed,
                readiness=found.value,
                rto=format_duration(policy.rto),
                rpo=format_duration(policy.rpo),
                test_every=None
                if policy.test_every is None
                else format_duration(policy.test_every),
                overdue_services=[
                    s.service for s in standing if s.tier == policy.tier and s.overdue
                ],
            )
        )
    return DrReport(start=start, end=end, tiers=tiers, services=standing)
