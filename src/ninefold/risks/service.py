"""The risk register: risks kept (`ninefold apply` writes the `risks:` section; the API adds
and changes them too, as it does services), their reviews recorded, the register read with
its overdue flags and heat map."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth import service as accounts
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.conventions import MANAGED_BY_API
from ninefold.declared import spec_of_columns, write_columns
from ninefold.errors import Conflict, Invalid, NotFound
from ninefold.risks import model
from ninefold.risks.schemas import HeatMap, ReviewIn, ReviewOut, RiskOut, RiskPatch, RiskSpec
from ninefold.risks.tables import Risk, RiskReview
from ninefold.slos.spec.durations import parse_duration
from ninefold.spec import patched


def risk_rows(session: Session) -> list[Risk]:
    return list(session.scalars(select(Risk).order_by(Risk.name)))


def risk_spec(row: Risk) -> RiskSpec:
    return spec_of_columns(RiskSpec, row)


def write_risk(
    session: Session, spec: RiskSpec, managed_by: str, now: datetime, row: Risk | None
) -> Risk:
    if spec.service is not None and catalog.find_service(session, spec.service) is None:
        raise Invalid(f"risk {spec.name!r}: no service {spec.service!r}", field="service")
    if accounts.find_user(session, spec.owner) is None:
        raise Invalid(f"risk {spec.name!r}: no user {spec.owner!r}", field="owner")
    return write_columns(session, Risk, spec, managed_by, now, row)


def _row(session: Session, name: str) -> Risk:
    row = session.scalar(select(Risk).where(Risk.name == name))
    if row is None:
        raise NotFound(f"no risk named {name!r}")
    return row


def _last_reviews(session: Session) -> dict[int, date]:
    query = select(RiskReview.risk_id, func.max(RiskReview.reviewed_on)).group_by(
        RiskReview.risk_id
    )
    return {int(risk_id): day for risk_id, day in session.execute(query)}


def _risk(row: Risk, reviewed: date | None) -> model.Risk:
    return model.Risk(
        row.name,
        row.likelihood,
        row.impact,
        row.status,
        row.due,
        parse_duration(row.review_every),
        reviewed or row.created_at.date(),
    )


def _out(row: Risk, reviewed: date | None, today: date) -> RiskOut:
    risk = _risk(row, reviewed)
    return RiskOut(
        **risk_spec(row).model_dump(),
        score=risk.score,
        band=model.band(risk.score),
        last_review=reviewed,
        review_due=risk.review_due,
        review_overdue=risk.review_overdue(today),
        mitigation_overdue=risk.mitigation_overdue(today),
        declared_at=row.created_at,
    )


def register(
    session: Session,
    today: date,
    service: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> list[RiskOut]:
    """The risks, highest score first; `overdue`: those whose review or mitigation is."""
    reviewed = _last_reviews(session)
    found = [_out(row, reviewed.get(row.id), today) for row in risk_rows(session)]
    found = [
        r
        for r in found
        if (service is None or r.service == service)
        and (status is None or r.status == status)
        and (not overdue or r.review_overdue or r.mitigation_overdue)
    ]
    return sorted(found, key=lambda r: (-r.score, r.name))


def get(session: Session, name: str, today: date) -> RiskOut:
    row = _row(session, name)
    return _out(row, _last_reviews(session).get(row.id), today)


def heat_map(session: Session) -> HeatMap:
    reviewed = _last_reviews(session)
    risks = [_risk(row, reviewed.get(row.id)) for row in risk_rows(session)]
    return HeatMap(cells=model.heat_map(risks))


def create(session: Session, actor: Principal, spec: RiskSpec, now: datetime) -> RiskOut:
    require_responder(actor, "add risks")
    if session.scalar(select(Risk.id).where(Risk.name == spec.name)) is not None:
        raise Conflict(f"a risk named {spec.name!r} already exists", field="name")
    row = write_risk(session, spec, MANAGED_BY_API, now, None)
    audit.record(
        session, actor, now, "create", "risk", spec.name, None, spec.model_dump(mode="json")
    )
    return _out(row, None, now.date())


def update(
    session: Session, actor: Principal, name: str, changes: RiskPatch, now: datetime
) -> RiskOut:
    """Change a risk (JSON Merge Patch); one the configuration declares is changed back by
    the next `ninefold apply`, as a service is."""
    require_responder(actor, "change risks")
    row = _row(session, name)
    before = risk_spec(row)
    spec = patched(before, changes)
    write_risk(session, spec, row.managed_by, now, row)
    audit.record(session, actor, now, "update", "risk", name, before.model_dump(mode="json"),
                 spec.model_dump(mode="json"))  # fmt: skip
    return get(session, name, now.date())


def review(
    session: Session, actor: Principal, name: str, body: ReviewIn, now: datetime
) -> ReviewOut:
    """A review today: the next is due a `review_every` later."""
    require_responder(actor, "review risks")
    row = _row(session, name)
    found = RiskReview(
        risk_id=row.id,
        reviewed_on=now.date(),
        reviewed_by=actor.name,
        note=body.note,
        recorded_at=now,
    )
    session.add(found)
    session.flush()
    return ReviewOut(
        risk=name, reviewed_on=found.reviewed_on, reviewed_by=actor.name, note=body.note
    )


def reviews(session: Session, name: str) -> list[ReviewOut]:
    row = _row(session, name)
    query = (
        select(RiskReview)
        .where(RiskReview.risk_id == row.id)
        .order_by(RiskReview.reviewed_on.desc(), RiskReview.id.desc())
    )
    return [
        ReviewOut(risk=name, reviewed_on=r.reviewed_on, reviewed_by=r.reviewed_by, note=r.note)
        for r in session.scalars(query)
    ]
