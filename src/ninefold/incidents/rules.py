"""Declare rules, pure: which rule, if any, declares an incident for an alert group as it
stands now. The first matching rule in the order of the configuration wins; a group declares
once, since the incident it declares takes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ninefold.incidents.schemas import DeclareRuleSpec


@dataclass(frozen=True)
class GroupFacts:
    """What the rules read of an open alert group."""

    id: int
    service: str | None
    tier: int | None
    severity: str
    slo: bool
    """Its alerts come from an SLO's burn-rate rules."""
    opened_at: datetime
    acknowledged: bool
    paged: bool


def matches(rule: DeclareRuleSpec, group: GroupFacts, now: datetime) -> bool:
    when = rule.when
    if when.slo_alert and not group.slo:
        return False
    if when.unacknowledged_minutes is not None and (
        group.acknowledged
        or not group.paged
        or now - group.opened_at < timedelta(minutes=when.unacknowledged_minutes)
    ):
        return False
    if when.severities and group.severity not in when.severities:
        return False
    if when.tiers and group.tier not in when.tiers:
        return False
    return not when.services or group.service in when.services


def first_match(
    rules: Sequence[DeclareRuleSpec], group: GroupFacts, now: datetime
) -> DeclareRuleSpec | None:
    return next((rule for rule in rules if matches(rule, group, now)), None)


def horizon(rules: Sequence[DeclareRuleSpec]) -> timedelta:
    """How far back the sweep looks for open groups: a day past the longest wait, so that a
    worker that was down for a while still declares what it missed."""
    longest = max((r.when.unacknowledged_minutes or 0 for r in rules), default=0)
    return timedelta(minutes=longest) + timedelta(days=1)
