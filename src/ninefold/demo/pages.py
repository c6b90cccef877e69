"""90 days of paging for `ninefold demo`, so that the KPI page, alert quality and the on-call
load have a history to show.

It is written as a document of `ninefold import pages`' JSON form and goes in through the
import's own code, as a team's history from another tool would. Coherent with the rest of the
demo: the alerts are the example services', routed by the example routes, and page whoever
the example schedules had on call then (a second step when nobody answered in the step's
wait); each sample SLO incident of `demo.incidents` starts with its fast-burn alert group,
which the incident links. Most pages are acknowledged within minutes, some only after the
escalation, a few never; most answers are "yes", but two rules (Redis memory, Kafka lag)
are mostly "no" or resolve by themselves, so alert quality flags them "tune or delete". Pages
fall at any hour, so off-hours and sleep-hours pages show. Each shift of the schedules in
the 90 days comes in as history too.

Seeded by the rule and the day, and keyed by id (`demo:...`): starting the demo again imports
only what is new, and nothing that has not ended yet.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.catalog import service as catalog
from ninefold.oncall import service as schedules
from ninefold.oncall.schedule import Schedule
from ninefold.paging import history, history_import, policies
from ninefold.paging.routing import choose, route_labels
from ninefold.paging.schemas import StepSpec
from ninefold.slos.sources.sample import INCIDENT_LENGTH, incident_starts

DAYS = 90
INTEGRATION = "prometheus"
IMPORTER = Principal("demo", Role.ADMIN, "demo")
MARGIN = timedelta(days=14)
"""How far before the 90 days the schedules are laid out, so the first shift keeps its
real start."""


@dataclass(frozen=True)
class Rule:
    """An alert rule and how its pages tend to go."""

    alertname: str
    service: str
    severity: str
    per_week: float
    actionable: float
    """Of the answers yes or no, the share of yes."""
    any_hour: float
    """The share firing at any hour; the rest in the working day of those it pages."""
    self_resolving: float
    """The share whose alerts resolve within minutes, before anyone acknowledges."""


RULES = (
    Rule("CheckoutLatencyHigh", "checkout", "warning", 2.0, 0.85, 0.3, 0.05),
    Rule("PaymentsProviderErrors", "payments", "critical", 1.2, 0.9, 0.4, 0.05),
    Rule("CartSessionStoreSlow", "cart", "warning", 1.0, 0.8, 0.3, 0.1),
    Rule("InventorySyncLagging", "inventory", "warning", 1.0, 0.75, 0.3, 0.1),
    Rule("PostgresReplicationLag", "postgres", "critical", 1.0, 0.9, 0.5, 0.05),
    Rule("RedisMemoryHigh", "redis", "warning", 4.0, 0.15, 0.5, 0.3),
    Rule("KafkaConsumerLagSpike", "kafka", "warning", 3.5, 0.1, 0.6, 0.6),
    Rule("ApiGatewayHighErrorRate", "api-gateway", "critical", 0.8, 0.9, 0.4, 0.05),
    Rule("WebFrontend5xx", "web", "critical", 1.0, 0.85, 0.3, 0.05),
    Rule("SearchLatencyHigh", "search", "warning", 1.5, 0.6, 0.3, 0.15),
    Rule("CatalogIndexStale", "catalog", "warning", 0.7, 0.8, 0.2, 0.1),
)


def incident_key(service: str, slo: str, began: datetime) -> str:
    """The id a sample incident and its alert group share."""
    return f"demo:{service}:{slo}:{began:%Y%m%d%H%M}"


class OnCall:
    """Who the example routes and policies page, at any instant of the history: the schedules
    are laid out once for all of it (escalation asks the database at each step; the demo
    would ask it thousands of times)."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.session = session
        self.routes = [policies.route_spec(row) for row in policies.route_rows(session)]
        rows = schedules.all_rows(session)
        self.models: dict[str, Schedule] = {
            row.name: schedules.model(session, row, start, end) for row in rows
        }
        self.zones = {row.name: ZoneInfo(row.time_zone) for row in rows}
        self.teams: dict[str, list[str]] = {}
        self.routed: dict[tuple[str, str], Sequence[StepSpec]] = {}

    def steps(self, service: str, severity: str) -> Sequence[StepSpec]:
        """The steps of the policy an alert of `service` and `severity` is routed to."""
        key = (service, severity)
        if key not in self.routed:
            routing = choose(self.routes, route_labels({}, service, severity))
            row = policies.find_policy(self.session, routing.policy or "")
            self.routed[key] = policies.policy_spec(row).steps if row is not None else []
        return self.routed[key]

    def zone(self, service: str, severity: str) -> ZoneInfo:
        """Where the people first paged for a service live: their schedule's zone."""
        steps = self.steps(service, severity)
        names = steps[0].schedules if steps else []
        return self.zones.get(names[0], ZoneInfo("UTC")) if names else ZoneInfo("UTC")

    def people(self, step: StepSpec, at: datetime) -> list[str]:
        found = dict.fromkeys(step.users)
        for name in step.schedules:
            model = self.models.get(name)
            found |= dict.fromkeys(model.who(at) if model is not None else ())
        for name in step.teams:
            if name not in self.teams:
                team = catalog.find_team(self.session, name)
                self.teams[name] = sorted(m.user.name for m in team.members) if team else []
            found |= dict.fromkeys(self.teams[name])
        return list(found)


def seed_pages(
    session: Session, now: datetime, slos: Mapping[tuple[str, str], str]
) -> history_import.Report:
    """Import the history of the 90 days before `now` not imported yet. `slos` are the
    (service, name) pairs whose sample incidents open alert groups, with the name of the
    alert their generated rules raise."""
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    if catalog.find_service(session, "checkout") is None:
        return history_import.Report()  # not the example shop: nothing to page about
    on_call = OnCall(session, start - MARGIN, now + timedelta(days=1))
    groups = [g for g in _groups(on_call, start, now, slos) if g["resolved_at"] <= now]
    document = {
        "alert_groups": [_dumped(g) for g in sorted(groups, key=lambda g: g["opened_at"])],
        "shifts": list(_shifts(on_call, start, now)),
    }
    records = history.records_of(document, "demo", now)
    return history_import.import_records(session, IMPORTER, records, history.JSON, now, INTEGRATION)


def _dumped(group: dict[str, Any]) -> dict[str, Any]:
    """Instants as ISO 8601, as the JSON form has them."""

    def iso(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, list):
            return [iso(v) for v in value]
        if isinstance(value, dict):
            return {k: iso(v) for k, v in value.items()}
        return value

    return {key: iso(value) for key, value in group.items()}


def _groups(
    on_call: OnCall, start: datetime, now: datetime, slos: Mapping[tuple[str, str], str]
) -> Iterator[dict[str, Any]]:
    day = start
    while day < now:
        for rule in RULES:
            yield from _day(on_call, rule, day)
        day += timedelta(days=1)
    for (svc, name), alertname in slos.items():
        for began in incident_starts(svc, name, start, now - timedelta(hours=2)):
            yield _burn(on_call, svc, name, alertname, began)


def _day(on_call: OnCall, rule: Rule, day: datetime) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"pages:{rule.alertname}:{day:%Y-%m-%d}")  # noqa: S311 (sample data)
    count = sum(rng.random() < rule.per_week / 7 / 3 for _ in range(3))
    midnight = datetime.combine(day.date(), time(), on_call.zone(rule.service, rule.severity))
    for number in range(count):
        hours = rng.uniform(0, 24) if rng.random() < rule.any_hour else rng.uniform(8, 18)
        opened = (midnight + timedelta(hours=hours)).astimezone(UTC)
        key = f"demo:{rule.alertname}:{opened:%Y%m%d%H%M}:{number}"
        group = _lived(on_call, rule, opened, rng)
        if group is not None:
            yield {"id": key, **group}


def _lived(
    on_call: OnCall, rule: Rule, opened: datetime, rng: random.Random
) -> dict[str, Any] | None:
    """One group of `rule` opened at `opened`: who was paged, who acknowledged when, how it
    ended; None when nobody was on call to page."""
    steps = on_call.steps(rule.service, rule.severity)
    first = on_call.people(steps[0], opened) if steps else []
    if not first:
        return None
    paged = opened + timedelta(seconds=rng.uniform(5, 40))
    notifications = [{"user": p, "at": paged, "via": "email"} for p in first]
    escalated_at = paged + timedelta(minutes=steps[0].wait_minutes)
    second = on_call.people(steps[1], escalated_at) if len(steps) > 1 else first
    group: dict[str, Any] = {
        "alertname": rule.alertname,
        "title": f"{rule.alertname} on {rule.service}",
        "service": rule.service,
        "severity": rule.severity,
        "opened_at": opened,
        "notifications": notifications,
    }
    if rng.random() < rule.self_resolving:  # resolved at the source before anyone answered
        return group | {
            "resolved_at": paged + timedelta(minutes=rng.uniform(1.5, 9)),
            "resolved_by": "source",
        }
    luck = rng.random()
    if luck < 0.1:  # nobody acknowledged: escalated, then the alerts resolved
        notifications += [{"user": p, "at": escalated_at, "via": "email"} for p in second]
        return group | {
            "resolved_at": escalated_at + timedelta(minutes=rng.uniform(10, 60)),
            "resolved_by": "source",
        }
    if luck < 0.25:  # slow: acknowledged only after the escalation
        notifications += [{"user": p, "at": escalated_at, "via": "email"} for p in second]
        who = rng.choice(second)
        acked = escalated_at + timedelta(minutes=rng.uniform(1, 8))
    else:
        who = rng.choice(first)
        acked = paged + timedelta(minutes=rng.expovariate(1 / 2.5) + 0.3)
        acked = min(acked, escalated_at - timedelta(seconds=5))
    resolved = acked + timedelta(minutes=rng.uniform(5, 80))
    answer = rng.random()
    ended: dict[str, Any] = {
        "acknowledgements": [{"user": who, "at": acked}],
        "resolved_at": resolved,
        "resolved_by": who,
    }
    if answer < 0.05:
        ended["actionable"] = "unsure"
    elif answer < 0.92:
        ended["actionable"] = "yes" if rng.random() < rule.actionable else "no"
    return group | ended


def _burn(on_call: OnCall, svc: str, name: str, alertname: str, began: datetime) -> dict[str, Any]:
    """The fast-burn alert group of a sample incident: detected 3 minutes in, acknowledged
    3 minutes later (the instants the demo's incident records), resolved when it ends."""
    opened = began + timedelta(minutes=3)
    steps = on_call.steps(svc, "critical")
    first = on_call.people(steps[0], opened) if steps else []
    who = first[0] if first else None
    group: dict[str, Any] = {
        "id": incident_key(svc, name, began),
        "alertname": alertname,
        "title": f"{svc}: {name} SLO burning its error budget fast",
        "service": svc,
        "severity": "critical",
        "opened_at": opened,
        "notifications": [
            {"user": p, "at": opened + timedelta(seconds=20), "via": "email"} for p in first
        ],
        "resolved_at": began + INCIDENT_LENGTH,
        "resolved_by": who or "source",
    }
    if who is not None:
        group["acknowledgements"] = [{"user": who, "at": began + timedelta(minutes=6)}]
        group["actionable"] = "yes"
    return group


def _shifts(on_call: OnCall, start: datetime, now: datetime) -> Iterator[dict[str, str]]:
    """Every stretch of one person on call in one schedule that touches the 90 days and has
    ended, whole (one cut by the layout's start is left out)."""
    since = start - MARGIN
    for name, model in on_call.models.items():
        people = sorted({p for s in model.shifts(since, now) for p in s.people})
        for person in people:
            for shift in model.shifts_of(person, since, now):
                if since < shift.start and start < shift.end < now:
                    yield {
                        "schedule": name,
                        "user": person,
                        "start": shift.start.astimezone(UTC).isoformat(),
                        "end": shift.end.astimezone(UTC).isoformat(),
                    }
