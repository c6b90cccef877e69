"""Error budget policies: the config section that says when releases must wait.

```yaml
budget_policies:
  - name: strict
    services: [checkout, payments]      # empty: every service
    deny_when:
      budget_remaining_below: 0.0       # the budget is spent
      burn_rates_above:                 # burning fast right now
        - window: 1h
          factor: 10
    allow_labels: [security, rollback]  # changes that may always go
    freeze_windows:
      - start: 2026-12-21T00:00:00Z
        end: 2027-01-04T00:00:00Z
        reason: Holiday freeze
```
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field, field_validator, model_validator

from ninefold.slos.spec.durations import parse_duration
from ninefold.spec import Name, NameSet, Spec


class BurnLimit(Spec):
    window: str = Field(description="A window the status reports, e.g. 1h or 6h.")
    factor: float = Field(
        gt=0, description="Deny when the burn rate over the window is above this."
    )

    @field_validator("window")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class DenyWhen(Spec):
    budget_remaining_below: float | None = Field(
        default=0.0,
        description="Deny when an SLO's remaining budget share is below this (0: spent).",
    )
    burn_rates_above: list[BurnLimit] = Field(
        default_factory=list, description="Deny when any of these burn rates is exceeded."
    )


class FreezeWindow(Spec):
    start: AwareDatetime = Field(description="Start, with a time zone (2026-12-21T00:00:00Z).")
    end: AwareDatetime = Field(description="End, with a time zone.")
    reason: str = Field(default="", max_length=200, description="Shown with the decision.")

    @model_validator(mode="after")
    def _ordered(self) -> FreezeWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


class BudgetPolicySpec(Spec):
    """When releases of a service must wait for its error budget, and what may go anyway."""

    name: Name = Field(description="Unique name of the policy.")
    services: NameSet = Field(
        default_factory=list, description="Services it governs; empty means every service."
    )
    deny_when: DenyWhen = Field(default_factory=DenyWhen, description="What denies a release.")
    allow_labels: NameSet = Field(
        default_factory=list,
        description="Change labels that are always allowed (e.g. security, rollback).",
    )
    freeze_windows: list[FreezeWindow] = Field(
        default_factory=list, description="Dated ranges in which releases are denied."
    )
