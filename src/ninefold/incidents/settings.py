"""The domain's declarative sections as `ninefold apply` writes them and the domain reads
them: severities and root causes fall back to the built-in ones while none are declared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.declared import RowKind
from ninefold.errors import Invalid
from ninefold.incidents.model import Severity
from ninefold.incidents.schemas import (
    DEFAULT_ROOT_CAUSES,
    DEFAULT_SEVERITIES,
    DeclareRuleSpec,
    RootCauseSpec,
    SeveritySpec,
    StakeholderSpec,
)
from ninefold.incidents.tables import IncidentSetting
from ninefold.spec import Spec

S = TypeVar("S", bound=Spec)


@dataclass(frozen=True)
class Declared(Generic[S]):
    section: str
    spec: type[S]

    def rows(self, session: Session) -> list[IncidentSetting]:
        return list(
            session.scalars(
                select(IncidentSetting)
                .where(IncidentSetting.section == self.section)
                .order_by(IncidentSetting.id)
            )
        )

    def spec_of(self, row: IncidentSetting) -> S:
        return self.spec.model_validate(row.spec)

    def write(
        self,
        session: Session,
        spec: S,
        managed_by: str,
        now: datetime,
        row: IncidentSetting | None = None,
    ) -> IncidentSetting:
        if row is None:
            row = IncidentSetting(section=self.section, name=str(spec.name))  # type: ignore[attr-defined]
            session.add(row)
        row.spec = spec.model_dump(mode="json")
        row.managed_by = managed_by
        row.touch(now)
        session.flush()
        return row

    def all(self, session: Session) -> list[S]:
        return [self.spec_of(row) for row in self.rows(session)]

    def kind(self, name: str) -> RowKind:
        return RowKind(name, self.rows, self.spec_of, self.write)


SEVERITIES = Declared("severities", SeveritySpec)
ROOT_CAUSES = Declared("root_causes", RootCauseSpec)
DECLARE_RULES = Declared("declare_rules", DeclareRuleSpec)
STAKEHOLDERS = Declared("stakeholders", StakeholderSpec)


def severities(session: Session) -> dict[Severity, SeveritySpec]:
    declared = SEVERITIES.all(session) or list(DEFAULT_SEVERITIES)
    return {spec.name: spec for spec in declared}


def severity(session: Session, name: Severity, field: str = "severity") -> SeveritySpec:
    """The configured severity, or a 422 naming those there are."""
    known = severities(session)
    if name not in known:
        raise Invalid(
            f"severity {name} is not configured; configured: {', '.join(sorted(known))}",
            field=field,
        )
    return known[name]


def root_causes(session: Session) -> dict[str, RootCauseSpec]:
    declared = ROOT_CAUSES.all(session) or list(DEFAULT_ROOT_CAUSES)
    return {spec.name: spec for spec in declared}


def check_category(session: Session, name: str | None, field: str = "category") -> None:
    known = root_causes(session)
    if name is not None and name not in known:
        raise Invalid(
            f"root-cause category {name!r} is not configured; configured: "
            + ", ".join(sorted(known)),
            field=field,
        )
