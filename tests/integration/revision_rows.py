"""Ninefold's schema revisions, and rows as each revision's tables took them.

Each row is written once, in the columns of the revision that made its table (or, for a row
showing a later column, of that revision), leaving out the columns it leaves NULL; a database
at any later revision takes it as it is, since every column a migration adds is nullable or
has a default. The rows hang together as a small paging history: a team, two people, a
token, an alert paged, acknowledged, resolved, declared an incident, a silence, a deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from alembic.script import ScriptDirectory

from ninefold import migrations
from ninefold.auth.passwords import digest

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOKEN = "nf_upgrade-test-token-0123456789abcdef"


def revisions() -> list[str]:
    """Every revision, oldest first, as Alembic's script directory has them."""
    scripts = list(ScriptDirectory(str(migrations.HERE)).walk_revisions())
    return [script.revision for script in reversed(scripts)]


def earlier_revisions() -> list[str]:
    """Every revision before the head."""
    return revisions()[:-1]


@dataclass(frozen=True)
class Row:
    since: str  # the first revision whose tables take this row
    table: str
    values: dict[str, Any]


def row(since: str, table: str, **values: Any) -> Row:
    return Row(since, table, values)


MADE = {"managed_by": "config", "created_at": T, "updated_at": T}  # by `apply`, at T
GROUP = {  # an alert group of the Alertmanager integration, paged, acknowledged and resolved
    "integration_id": 1,
    "severity": "critical",
    "state": "resolved",
    "created_at": T,
    "acknowledged_at": T + timedelta(minutes=2),
    "acknowledged_by": "priya",
    "resolved_at": T + timedelta(minutes=30),
    "resolved_by": "priya",
    "truncated_alerts": 0,
}
CHECKOUT_LABELS = {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"}
LAYER = {
    "name": "weekly",
    "participants": ["priya", "diego"],
    "shift_length": 1,
    "shift_unit": "weeks",
    "handoff": "09:00:00",
    "start": "2026-01-05",
    "time_zone": None,
    "restrictions": [],
}
STEP = {"users": [], "schedules": ["payments-primary"], "teams": [], "wait_minutes": 10}

ROWS = [
    row(
        "0001",
        "teams",
        **MADE,
        id=1,
        name="payments",
        display_name="Payments",
        description="Checkout and payments.",
        chat_channel="#payments",
    ),
    *(
        row(
            "0001",
            "users",
            **MADE,
            id=number,
            name=name,
            full_name=name.title(),
            email=f"{name}@shop.example",
            chat_handle=f"@{name}",
            phone="+49 30 5550101",
            time_zone="Europe/Berlin",
            role=role,
            disabled=False,
        )
        for number, name, role in [(1, "priya", "admin"), (2, "diego", "responder")]
    ),
    row("0001", "team_members", team_id=1, user_id=1),
    row("0001", "team_members", team_id=1, user_id=2),
    row("0001", "user_scopes", user_id=2, team_name="payments"),
    *(
        row(
            "0001",
            "services",
            **MADE,
            id=number,
            name=name,
            display_name=name.title(),
            description="",
            tier=tier,
            owner_team_id=1,
            lifecycle="production",
            repository=f"https://git.shop.example/{name}",
            runbooks=[],
            dashboards=[],
            labels={"job": name},
        )
        for number, name, tier in [(1, "checkout", 0), (2, "payments-api", 1)]
    ),
    row("0001", "service_dependencies", service_id=1, depends_on_id=2),
    row(
        "0001",
        "api_tokens",
        id=1,
        user_id=1,
        name="laptop",
        role="admin",
        prefix=TOKEN[:10],
        token_hash=digest(TOKEN),
        created_at=T,
    ),
    row(
        "0001",
        "audit_log",
        id=1,
        at=T,
        actor="config:ops",
        via="config",
        action="create",
        object_kind="service",
        object_name="checkout",
        after={"tier": 0},
    ),
    row("0001", "login_failures", id=1, key="diego|127.0.0.1", at=T),
    row(
        "0002",
        "gate_decisions",
        id=1,
        at=T,
        service="checkout",
        verdict="allow",
        labels=["env=production"],
        reasons=[],
        evidence={"budget_remaining": 0.8},
        actor="ci",
    ),
    row(
        "0003",
        "integrations",
        **MADE,
        id=1,
        name="prometheus",
        kind="alertmanager",
        description="",
        key="k" * 32,
        group_by=[],
        heartbeat_armed=False,
        heartbeat_checks=0,
    ),
    row(
        "0003",
        "alert_groups",
        **GROUP,
        id=1,
        group_key='{}:{alertname="CheckoutErrors"}',
        title="Checkout fails 12% of requests",
        service="checkout",
        labels=CHECKOUT_LABELS,
    ),
    row(
        "0003",
        "alert_group_events",
        id=1,
        group_id=1,
        at=T,
        kind="triggered",
        actor="source:prometheus",
        detail={"group_key": '{}:{alertname="CheckoutErrors"}'},
    ),
    row(
        "0003",
        "alerts",
        id=1,
        integration_id=1,
        group_id=1,
        fingerprint="fp-checkout",
        status="resolved",
        labels=CHECKOUT_LABELS,
        annotations={"summary": "Checkout fails 12% of requests"},
        starts_at=T - timedelta(minutes=1),
        ends_at=T + timedelta(minutes=29),
        generator_url="http://prometheus.test/graph",
        first_seen=T,
        last_seen=T + timedelta(minutes=30),
    ),
    row(
        "0003",
        "alert_deliveries",
        id=1,
        integration_id=1,
        fingerprint="fp-checkout",
        status="firing",
        starts_at=T - timedelta(minutes=1),
        received_at=T,
        alert={"status": "firing", "labels": CHECKOUT_LABELS},
        envelope={"version": "4", "receiver": "ninefold"},
    ),
    row(
        "0003",
        "jobs",
        id=1,
        kind="escalation.step",
        payload={"group_id": 1, "sequence": 1},
        dedup_key="escalation.step:1:1",
        due_at=T,
        created_at=T,
        attempts=1,
        max_attempts=10,
        finished_at=T,
        outcome="done",
    ),
    row(
        "0004",
        "escalation_policies",
        **MADE,
        id=1,
        name="payments",
        description="",
        steps=[STEP],
        repeat=0,
    ),
    row(
        "0004",
        "routes",
        **MADE,
        id=1,
        name="all",
        position=0,
        matchers=[],
        policy="payments",
        is_default=True,
    ),
    row(
        "0004",
        "schedules",
        **MADE,
        id=1,
        name="payments-primary",
        description="",
        team="payments",
        time_zone="Europe/Berlin",
        layers=[LAYER],
        override_version=1,
    ),
    row(
        "0004",
        "schedule_overrides",
        id=1,
        schedule_id=1,
        kind="replace",
        starts_at=T + timedelta(days=1),
        ends_at=T + timedelta(days=2),
        person="diego",
        replaces="priya",
        reason="dentist",
        created_by="priya",
        created_at=T,
    ),
    row(
        "0004",
        "escalations",
        id=1,
        group_id=1,
        route="all",
        unrouted=False,
        policy="payments",
        round=1,
        level=0,
        pass_number=0,
        step=1,
        sequence=1,
        state="stopped",
        started_at=T,
    ),
    row(
        "0004",
        "pages",
        id=1,
        group_id=1,
        sequence=1,
        step=1,
        policy="payments",
        user_id=1,
        user_name="priya",
        reason="on call in payments-primary",
        paged_at=T,
        time_zone="Europe/Berlin",
        local_time="Mon 10:00",
        period="working",
    ),
    row(
        "0004",
        "notifications",
        id=1,
        page_id=1,
        group_id=1,
        user_id=1,
        contact="email",
        kind="email",
        address="priya@shop.example",
        idempotency_key="ninefold-page-1-email",
        due_at=T,
        status="sent",
        attempts=1,
        sent_at=T,
        error="",
    ),
    row(
        "0005",
        "silences",
        id=1,
        matchers=['service="search"'],
        starts_at=T,
        ends_at=T + timedelta(hours=2),
        reason="reindexing",
        created_by="priya",
        created_at=T,
    ),
    row(
        "0005",
        "maintenance_windows",
        id=1,
        service="checkout",
        starts_at=T + timedelta(days=1),
        ends_at=T + timedelta(days=1, hours=1),
        at_end="quiet",
        reason="database upgrade",
        created_by="priya",
        created_at=T,
    ),
    row(
        "0005",
        "alert_groups",
        **GROUP,
        id=2,
        group_key='{}:{alertname="DiskFlaps"}',
        title="Disk flaps",
        service="payments-api",
        labels={"alertname": "DiskFlaps", "service": "payments-api"},
        flapping=True,
        flapping_since=T + timedelta(minutes=10),
    ),
    row("0006", "environments", **MADE, id=1, name="production", production=True, description=""),
    row(
        "0006",
        "changes",
        id=1,
        service="checkout",
        kind="deploy",
        environment="production",
        production=True,
        version="v41",
        content_hash="0" * 64,
        author="priya",
        description="",
        url="",
        finished_at=T - timedelta(hours=1),
        outcome="success",
        rollback=False,
        hotfix=False,
        source="api",
        recorded_by="ci",
        recorded_at=T - timedelta(hours=1),
        commit_count=0,
        role="deploy",
    ),
    row(
        "0007",
        "incidents",
        id=1,
        title="Checkout fails",
        severity="SEV2",
        status="resolved",
        services=["checkout"],
        summary="",
        caused_by_change=1,
        declared_at=T + timedelta(minutes=5),
        declared_by="priya",
        declared_via="api",
        impact_start=T - timedelta(minutes=1),
        detected_at=T,
        acknowledged_at=T + timedelta(minutes=2),
        mitigated_at=T + timedelta(minutes=20),
        resolved_at=T + timedelta(minutes=30),
        impact_end=T + timedelta(minutes=25),
        reopened=0,
        updated_at=T + timedelta(minutes=30),
    ),
    row("0007", "incident_groups", group_id=1, incident_id=1, linked_at=T, linked_by="priya"),
    row(
        "0007",
        "incident_events",
        id=1,
        incident_id=1,
        at=T + timedelta(minutes=5),
        kind="declared",
        actor="priya",
        text="",
        detail={"severity": "SEV2", "via": "api"},
    ),
    row(
        "0007",
        "action_items",
        id=1,
        incident_id=1,
        kind="prevent",
        title="Alert on checkout latency before errors",
        owner="priya",
        team="payments",
        priority="high",
        due=date(2026, 2, 1),
        status="open",
        url="",
        created_at=T + timedelta(hours=1),
        created_by="priya",
    ),
    row(
        "0008",
        "alert_groups",
        **GROUP,
        id=3,
        group_key="imported:PQ1",
        title="Payments API down (from PagerDuty)",
        service="payments-api",
        labels={},
        external_id="pagerduty:PQ1",
    ),
]

# What an upgrade gives the columns added after a row was written; any other column a row
# leaves out reads back NULL.
LATER_DEFAULTS: dict[tuple[str, str], Any] = {
    ("users", "contact_methods"): [],
    ("users", "notification_rules"): [],
    ("teams", "time_zone"): "UTC",
    ("teams", "holidays"): [],
    ("alert_groups", "flapping"): False,
    ("pages", "shadow"): False,
}


def rows_at(revision: str) -> list[Row]:
    """The rows a database at `revision` takes, in an order that satisfies foreign keys."""
    order = revisions()
    return [row for row in ROWS if order.index(row.since) <= order.index(revision)]
