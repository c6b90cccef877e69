"""How `ninefold apply` writes the `teams` and `services` sections.

Services go in dependency order (a service's dependencies must exist when it is written), and
neither a team that still owns a service nor a service that others still need is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.catalog import model
from ninefold.catalog.service import (
    ensure_service_unneeded,
    ensure_team_owns_nothing,
    service_spec,
    team_spec,
    write_service,
    write_team,
)
from ninefold.catalog.tables import Service, Team
from ninefold.declared import RowKind


def _teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def _services(session: Session) -> list[Service]:
    return list(session.scalars(select(Service).order_by(Service.name)))


@dataclass(frozen=True)
class ServiceKind(RowKind):
    """Services are written dependencies first."""

    def write(
        self, session: Session, specs: list[Any], wanted: set[str], managed_by: str, now: datetime
    ) -> None:
        by_name = {spec.name: spec for spec in specs}
        rows = {row.name: row for row in self.rows(session)}
        graph = {name: spec.depends_on for name, spec in by_name.items()}
        for name in model.topological_order(graph):
            if name in wanted:
                write_service(session, by_name[name], managed_by, now, rows.get(name))


TEAMS = RowKind(
    "team",
    _teams,
    team_spec,
    write_team,
    ready_to_delete=lambda session, row, _names: ensure_team_owns_nothing(session, row),
)
SERVICES = ServiceKind(
    "service",
    _services,
    service_spec,
    write_service,
    ready_to_delete=ensure_service_unneeded,
)
