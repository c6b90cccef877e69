"""What the schedule API tests share: two schedules, users of every role, small helpers.

Fixed ranges in March 2026 span Berlin's clock change (29 March).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.auth import service as auth_service
from ninefold.auth.model import Role
from ninefold.auth.schemas import UserSpec
from ninefold.auth.tables import AuditEntry
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service
from ninefold.oncall.schemas import LayerSpec, RestrictionSpec, ScheduleSpec
from tests.factories import OPERATOR

API = "/api/v1"
START = "2026-03-23T00:00:00Z"  # a Monday, the week before Berlin's change (29 March)
END = "2026-04-06T00:00:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


PRIMARY = ScheduleSpec(
    name="primary",
    team="core",
    time_zone="Europe/Berlin",
    layers=[
        LayerSpec(
            name="daily",
            participants=["alice", "bob", "carol"],
            shift_unit="days",
            handoff=time(9),
            start=date(2026, 1, 5),
        )
    ],
)
# Business hours only: nights and weekends are gaps.
OFFICE = ScheduleSpec(
    name="office",
    time_zone="Europe/Berlin",
    layers=[
        LayerSpec(
            name="weekly",
            participants=["bob", "alice"],
            start=date(2026, 1, 5),
            restrictions=[
                RestrictionSpec(
                    days=["mon", "tue", "wed", "thu", "fri"], start=time(9), end=time(17)
                )
            ],
        )
    ],
)


def seed(engine: Engine, now: datetime) -> dict[str, dict[str, str]]:
    """Users, the two schedules, and the headers each user authenticates with, made at `now`
    (one transaction: every test makes them)."""
    roles = {"root": Role.ADMIN, "alice": Role.RESPONDER, "bob": Role.RESPONDER}
    roles |= {"carol": Role.RESPONDER, "vic": Role.VIEWER, "edge-only": Role.RESPONDER}
    headers = {}
    with unit_of_work(make_session_factory(engine)) as session:
        for name, role in roles.items():
            spec = UserSpec(name=name, role=role, scope=["edge"] if name == "edge-only" else [])
            auth_service.create_user(session, OPERATOR, spec, now)
            secret = auth_service.create_token(session, OPERATOR, name, role, now).secret
            headers[name] = {"Authorization": f"Bearer {secret}"}
        service.write(session, PRIMARY, "config", now)
        service.write(session, OFFICE, "config", now)
    return headers


def post_override(
    client: TestClient, headers: dict[str, str], schedule: str = "primary", **body: Any
) -> Any:
    return client.post(f"{API}/schedules/{schedule}/overrides", json=body, headers=headers)


def error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["error"]["field"]


def audit_entries(engine: Engine) -> list[AuditEntry]:
    with make_session_factory(engine)() as session:
        query = select(AuditEntry).where(AuditEntry.object_kind == "schedule_override")
        return list(session.scalars(query.order_by(AuditEntry.id)))
