"""DR tests and the tier policies they are judged by: the schemas of the `dr_tiers:`
section and of the API. Durations are written with their unit (`45m`, `4h`)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from ninefold.incidents.schemas import ActionItemIn, ActionItemOut
from ninefold.slos.spec.durations import parse_duration, spelled
from ninefold.spec import NameSet, Spec, Url

LONGEST = timedelta(days=3650)


def _duration(text: str) -> str:
    """As `spelled` keeps it, and at most ten years."""
    if parse_duration(text) > LONGEST:
        raise ValueError(f"{text!r} is more than ten years")
    return spelled(text)


def _measured(text: str) -> str:
    """A measurement may be zero (no data lost), written with a unit all the same."""
    return "0s" if re.fullmatch(r"0+[smhdw]", text.strip()) else _duration(text)


def seconds_of(text: str) -> int:
    """A checked duration (`Duration` or `Measured`) in whole seconds."""
    return 0 if text == "0s" else int(parse_duration(text) / timedelta(seconds=1))


Duration = Annotated[str, Field(max_length=32, examples=["45m", "4h"]), AfterValidator(_duration)]
Measured = Annotated[str, Field(max_length=32, examples=["0s", "5m"]), AfterValidator(_measured)]
Kind = Literal["tabletop", "failover", "restore", "full"]


class DrTierSpec(Spec):
    """The DR targets and test interval of a tier's services; a tier not declared keeps the
    built-in defaults (docs/dr.md)."""

    tier: int = Field(ge=0, le=3, description="The catalog tier these targets apply to.")
    rto: Duration = Field(description="Recovery time objective: back in service within it.")
    rpo: Duration = Field(description="Recovery point objective: at most this much data lost.")
    test_every: Duration | None = Field(
        default=None,
        description="A passing DR test is required at least this often (90d); none: not "
        "required for the tier.",
    )

    @property
    def name(self) -> str:
        """The tier is the object's identity in plans and in `ninefold apply`."""
        return f"tier-{self.tier}"


class DrTestIn(Spec):
    """A DR test or game day that was run, with what was measured."""

    scenario: str = Field(min_length=1, max_length=500, description="What was rehearsed.")
    kind: Kind = Field(description="tabletop, failover, restore or full.")
    services: NameSet = Field(min_length=1, description="The services it exercised.")
    ran_on: date | None = Field(default=None, description="YYYY-MM-DD; default today (UTC).")
    rto_target: Duration | None = Field(
        default=None, description="Default: the RTO of the most critical service's tier."
    )
    rpo_target: Duration | None = Field(
        default=None, description="Default: the RPO of the most critical service's tier."
    )
    rto_measured: Measured = Field(description="How long recovery took (45m).")
    rpo_measured: Measured = Field(
        description="How much data was lost, as time before the failure (5m; 0s for none)."
    )
    evidence: list[Url] = Field(default_factory=list, max_length=20, description="Links.")
    participants: NameSet = Field(default_factory=list, description="Users who took part.")
    notes: str = Field(default="", max_length=5000)
    follow_ups: list[ActionItemIn] = Field(
        default_factory=list,
        max_length=50,
        description="Action items it leaves, owned by the team of its first service; due by "
        "default 30 days after the test.",
    )


class DrTestOut(BaseModel):
    id: int
    scenario: str
    kind: Kind
    services: list[str]
    tier: int = Field(description="The most critical tier of its services.")
    ran_on: date
    rto_target: str
    rpo_target: str
    rto_measured: str
    rpo_measured: str
    rto_met: bool
    rpo_met: bool
    passed: bool = Field(description="Measured RTO and RPO both within their targets.")
    evidence: list[str]
    participants: list[str]
    notes: str
    recorded_by: str
    recorded_at: datetime
    follow_ups: list[ActionItemOut]


class ServiceDr(BaseModel):
    service: str
    tier: int
    last_test: date | None
    last_pass: date | None
    due: date | None = Field(description="The next passing test is due by; null: not required.")
    overdue: bool


class TierReadiness(BaseModel):
    tier: int
    tests: int
    passed: int
    readiness: float | None = Field(description="Passed over tests; no tests: null.")
    rto: str
    rpo: str
    test_every: str | None
    overdue_services: list[str]


class DrReport(BaseModel):
    start: date
    end: date
    tiers: list[TierReadiness]
    services: list[ServiceDr] = Field(description="Overdue first, then by tier and name.")
