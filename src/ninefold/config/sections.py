"""The sections a configuration file may hold, and the schema of each.

A later capability adds its section here (schedules, escalation policies, ...); `check`,
`apply` and the configuration reference pick it up from this one table.
"""

from __future__ import annotations

from pydantic import BaseModel

from ninefold.alerts.schemas import IntegrationSpec
from ninefold.auth.schemas import UserSpec
from ninefold.catalog.schemas import ServiceSpec, TeamSpec
from ninefold.oncall.specs import ScheduleSpec
from ninefold.paging.specs import EscalationPolicySpec, RouteSpec
from ninefold.slos.policy import BudgetPolicySpec

SECTIONS: dict[str, type[BaseModel]] = {
    "users": UserSpec,
    "teams": TeamSpec,
    "services": ServiceSpec,
    "budget_policies": BudgetPolicySpec,
    "integrations": IntegrationSpec,
    "schedules": ScheduleSpec,
    "escalation_policies": EscalationPolicySpec,
    "routes": RouteSpec,
}

# Subdirectories read by their own loaders (SLO specs, runbooks), not as sections.
SUBDIRECTORIES_OF_OTHER_FORMATS = ("slos", "runbooks")
