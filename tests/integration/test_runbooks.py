"""Runbooks end to end (SQLite and PostgreSQL): written by `apply` from the examples'
`runbooks/`, read by the API, the CLI and the pages, tested, linked from an alert group's page
and its notifications; coverage counts the alert rules that paged, from imported history, as a
hand count does; `ninefold check` names each bad file at its line."""

from __future__ import annotations

import getpass
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.auth.model import Role
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.db import make_session_factory, unit_of_work
from ninefold.paging.notifications.messages import Renderer
from ninefold.paging.tables import Notification
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.conftest import bearer
from tests.integration.test_web import csrf_token, log_in
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def opened(key: str, alertname: str, service: str | None, day: int, *people: str) -> dict[str, Any]:
    return {
        "id": key,
        "alertname": alertname,
        "service": service,
        "severity": "critical",
        "opened_at": f"2025-12-{day:02d}T10:00:00Z",
        "resolved_at": f"2025-12-{day:02d}T11:00:00Z",
        "notifications": [
            {"user": p, "at": f"2025-12-{day:02d}T10:0{i}:00Z", "via": "email"}
            for i, p in enumerate(people)
        ],
    }


HISTORY = {
    "alert_groups": [
        # Covered: checkout-latency names CheckoutLatencyHigh for checkout; 3 pages.
        opened("h-1", "CheckoutLatencyHigh", "checkout", 2, "priya", "diego"),
        opened("h-2", "CheckoutLatencyHigh", "checkout", 9, "priya"),
        # Covered by payments-provider-errors; 1 page.
        opened("h-3", "PaymentsProviderErrors", "payments", 3, "diego"),
        # Not covered: no runbook names them. Kafka 4 pages, search (tier 1) 2, disk 1.
        opened("h-4", "KafkaConsumerLagSpike", "kafka", 4, "priya", "diego"),
        opened("h-5", "KafkaConsumerLagSpike", "kafka", 5, "priya", "diego"),
        opened("h-6", "SearchLatencyHigh", "search", 6, "diego", "priya"),
        opened("h-7", "DiskAlmostFull", None, 7, "diego"),
        # Paged before the 90 days: not counted.
        {**opened("h-8", "CatalogIndexStale", "catalog", 1, "priya"), "opened_at":
         "2025-09-01T10:00:00Z", "resolved_at": "2025-09-01T11:00:00Z", "notifications": [
             {"user": "priya", "at": "2025-09-01T10:00:00Z", "via": "email"}]},
    ]
}  # fmt: skip


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    load_examples(engine, now=clock())
    make_user(engine, "root", Role.ADMIN, now=clock())
    make_user(engine, "val", Role.VIEWER, now=clock())
    history = tmp_path / "history.json"
    history.write_text(json.dumps(HISTORY))
    variables = {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}
    done = ninefold(
        "import", "pages", history, "--integration", "prometheus", env=variables, clock=clock
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return variables


def test_the_api_lists_shows_and_tests_runbooks(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    admin = bearer(engine, "root", Role.ADMIN, clock())
    listed = client.get("/api/v1/runbooks", headers=admin).json()
    assert [r["name"] for r in listed["items"]] == sorted(
        p.stem for p in (EXAMPLES / "runbooks").glob("*.md")
    )
    gateway = next(r for r in listed["items"] if r["name"] == "api-gateway-errors")
    # Reviewed 2026-01-15 (after NOW), review every 90 days by default: fresh to April 15.
    assert (gateway["fresh"], gateway["due"], gateway["owner"]) == (True, "2026-04-15", "platform")
    postgres = next(r for r in listed["items"] if r["name"] == "postgres-replication-lag")
    assert (postgres["fresh"], postgres["last_tested"], postgres["owner"]) == (
        False,
        None,
        "platform",
    )
    stale = client.get("/api/v1/runbooks", params={"stale": "true"}, headers=admin).json()
    assert "api-gateway-errors" not in [r["name"] for r in stale["items"]]

    viewer = bearer(engine, "val", Role.VIEWER, clock())
    refused = client.post(
        "/api/v1/runbooks/postgres-replication-lag/tests", json={}, headers=viewer
    )
    assert refused.status_code == 403
    assert client.post("/api/v1/runbooks/nope/tests", json={}, headers=admin).status_code == 404
    clock.set(datetime(2026, 1, 2, 9, 30, tzinfo=UTC))
    made = client.post(
        "/api/v1/runbooks/postgres-replication-lag/tests",
        json={"note": "failover drill on staging"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert (made.json()["by"], made.json()["source"]) == ("root", "api")
    shown = client.get("/api/v1/runbooks/postgres-replication-lag", headers=admin).json()
    # review_days 60 from the test's day.
    assert (shown["fresh"], shown["last_tested"], shown["due"]) == (
        True,
        "2026-01-02",
        "2026-03-03",
    )
    assert [t["note"] for t in shown["tests"]] == ["failover drill on staging"]
    assert "## Triage" in shown["body"]
    audit = client.get("/api/v1/audit", params={"kind": "runbook"}, headers=admin).json()
    assert [(e["action"], e["object_name"]) for e in audit["items"] if e["action"] == "test"] == [
        ("test", "postgres-replication-lag")
    ]


def test_coverage_counts_the_rules_that_paged_in_ninety_days(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    admin = bearer(engine, "root", Role.ADMIN, clock())
    found = client.get("/api/v1/runbooks/coverage", headers=admin).json()
    # Rules that paged since 2025-10-03: CheckoutLatencyHigh/checkout and
    # PaymentsProviderErrors/payments (covered), KafkaConsumerLagSpike/kafka,
    # SearchLatencyHigh/search, DiskAlmostFull (none): 2 of 5. Tier 0-1 (examples: checkout 0,
    # payments 0, search 1; kafka 1?) read from the catalog below.
    assert (found["rules"], found["covered"]) == (5, 2)
    assert found["coverage"] == pytest.approx(0.4)
    assert [(r["alertname"], r["service"], r["pages"]) for r in found["uncovered"]] == [
        ("KafkaConsumerLagSpike", "kafka", 4),
        ("SearchLatencyHigh", "search", 2),
        ("DiskAlmostFull", None, 1),
    ]
    tiers = {
        s["name"]: s["tier"]
        for s in client.get("/api/v1/services", params={"limit": 100}, headers=admin).json()[
            "items"
        ]
    }
    critical = [s for s in ("checkout", "payments", "kafka", "search") if tiers[s] <= 1]
    covered_critical = [s for s in critical if s in ("checkout", "payments")]
    assert found["critical_coverage"] == pytest.approx(len(covered_critical) / len(critical))
    wider = client.get("/api/v1/runbooks/coverage", params={"days": 200}, headers=admin).json()
    assert (wider["rules"], wider["covered"]) == (6, 2)

    printed = ninefold("runbook", "coverage", env=env, clock=clock)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith(
        "2 of 5 alert rules that paged in the last 90 days have a runbook: 40%"
    )
    assert re.search(r"KafkaConsumerLagSpike\s*│\s*kafka\s*│\s*\d\s*│\s*4", printed.stdout)


def test_the_cli_records_a_test_and_lists_what_is_stale(
    env: dict[str, str], engine: Engine, clock: FrozenClock
) -> None:
    before = ninefold("runbook", "list", "--stale", env=env, clock=clock)
    assert "redis-memory" in before.stdout
    assert "api-gateway-errors" not in before.stdout
    done = ninefold(
        "runbook",
        "tested",
        "redis-memory",
        "--by",
        "priya",
        "--note",
        "drill",
        env=env,
        clock=clock,
    )
    assert done.stdout == "recorded a test of redis-memory by priya at 2026-01-01 00:00 UTC\n"
    after = ninefold("runbook", "list", "--stale", env=env, clock=clock)
    assert "redis-memory" not in after.stdout
    shown = ninefold("runbook", "show", "redis-memory", env=env, clock=clock)
    assert "last tested 2026-01-01, fresh (review every 180 days)" in shown.stdout
    assert "tested 2026-01-01 00:00 UTC by priya: drill" in shown.stdout
    missing = ninefold("runbook", "tested", "nope", env=env, clock=clock)
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: no runbook 'nope'")


def test_pages_show_the_runbook_record_a_test_and_the_alert_groups_link_to_it(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    make_user(engine, "rita", Role.RESPONDER, now=clock())
    assert log_in(client, "rita").status_code == 303
    listing = client.get("/runbooks")
    assert listing.status_code == 200
    assert "2 of 5 alert rules that paged" in listing.text
    assert listing.text.index("KafkaConsumerLagSpike") < listing.text.index("SearchLatencyHigh")
    page = client.get("/runbooks/checkout-latency")
    assert "<h2>Triage</h2>" in page.text
    assert 'id="stale"' in page.text
    token = csrf_token(client, "/runbooks/checkout-latency")
    form = {CSRF_FORM_FIELD: token, "note": "game day <b>ok</b>"}
    done = client.post("/runbooks/checkout-latency/tests", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/runbooks/checkout-latency?done=tested",
    )
    after = client.get(done.headers["location"]).text
    assert 'id="stale"' not in after
    assert "by rita (web): game day &lt;b&gt;ok&lt;/b&gt;" in after

    with unit_of_work(make_session_factory(engine)) as session:
        note = session.scalars(select(Notification).order_by(Notification.id)).first()
        assert note is not None
        group_id = note.group_id
        message = Renderer("https://nf.example")(session, note, clock())
    # h-1, CheckoutLatencyHigh without a runbook_url annotation: Ninefold's runbook.
    assert ("Runbook", "https://nf.example/runbooks/checkout-latency") in message.links
    group = client.get(f"/alerts/{group_id}")
    assert '<a href="/runbooks/checkout-latency">Checkout is slow or failing</a>' in group.text


def test_check_names_each_bad_runbook_and_rule_at_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLES, config)
    rules = config / "rules" / "shop.yaml"
    rules.write_text(rules.read_text().replace("runbooks/redis-memory", "runbooks/redis-mem"))
    redis = config / "runbooks" / "redis-memory.md"
    redis.write_text(
        redis.read_text()
        .replace("[RedisMemoryHigh]", "[RedisMemoryHigh, NoSuchAlert]")
        .replace("service: redis", "service: rediss")
    )
    (config / "runbooks" / "broken.md").write_text("---\nservice: [\n---\n# x\n")
    (config / "runbooks" / "Bad Name.md").write_text("# x\n")
    found = ninefold("check", config)
    assert found.returncode == 1
    lines = found.stderr.splitlines()
    where = {
        line.split(": ", 2)[0].removeprefix(str(config) + "/") for line in lines if ": " in line
    }
    assert {
        "rules/shop.yaml:39",
        "runbooks/broken.md:2",
        "runbooks/broken.md:4",
        "runbooks/redis-memory.md:2",
        "runbooks/redis-memory.md:3",
        "runbooks/Bad Name.md",
    } <= where, found.stderr


def test_a_runbook_used_in_an_incident_is_a_test_of_it_and_on_its_timeline(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    admin = bearer(engine, "root", Role.ADMIN, clock())
    with unit_of_work(make_session_factory(engine)) as session:
        sent = session.scalars(select(Notification).order_by(Notification.id)).all()
        group_ids = sorted({n.group_id for n in sent})
    # The imported groups that paged; h-3 is PaymentsProviderErrors on payments.
    groups = {
        g["id"]: g
        for g in client.get("/api/v1/alert-groups", params={"limit": 100}, headers=admin).json()[
            "items"
        ]
        if g["id"] in group_ids
    }
    payments = next(i for i, g in groups.items() if g["service"] == "payments")
    declared = client.post(
        "/api/v1/incidents", json={"severity": "SEV2", "groups": [payments]}, headers=admin
    )
    assert declared.status_code == 201, declared.text
    incident = declared.json()["id"]
    fitting = client.get(f"/api/v1/incidents/{incident}/runbooks", headers=admin).json()
    assert [r["name"] for r in fitting["items"]] == ["payments-provider-errors"]

    clock.set(datetime(2026, 1, 1, 0, 20, tzinfo=UTC))
    used = client.post(
        f"/api/v1/incidents/{incident}/runbooks",
        json={"runbook": "payments-provider-errors", "note": "failed over to eu-west"},
        headers=admin,
    )
    assert used.status_code == 201, used.text
    assert (used.json()["source"], used.json()["incident_id"]) == ("incident", incident)
    unknown = client.post(
        f"/api/v1/incidents/{incident}/runbooks", json={"runbook": "nope"}, headers=admin
    )
    assert unknown.status_code == 404
    shown = client.get("/api/v1/runbooks/payments-provider-errors", headers=admin).json()
    assert (shown["fresh"], shown["last_tested"]) == (True, "2026-01-01")
    timeline = client.get(f"/api/v1/incidents/{incident}", headers=admin).json()["timeline"]
    assert "Runbook payments-provider-errors used: failed over to eu-west" in [
        e["text"] for e in timeline
    ]

    by_cli = ninefold(
        "incident", "runbook", str(incident), "payments-provider-errors", env=env, clock=clock
    )
    assert by_cli.stdout == f"incident {incident}: used runbook payments-provider-errors\n"
    make_user(engine, "rita", Role.RESPONDER, now=clock())
    assert log_in(client, "rita").status_code == 303
    page = client.get(f"/incidents/{incident}").text
    assert '<option value="payments-provider-errors">' in page
    form = {
        CSRF_FORM_FIELD: csrf_token(client, f"/incidents/{incident}"),
        "runbook": "payments-provider-errors",
        "note": "by the page",
    }
    done = client.post(f"/incidents/{incident}/runbooks", data=form, follow_redirects=False)
    assert done.headers["location"] == f"/incidents/{incident}?done=runbook"
    tests = client.get("/api/v1/runbooks/payments-provider-errors", headers=admin).json()["tests"]
    assert [(t["source"], t["by"], t["incident_id"]) for t in tests] == [
        ("incident", "rita", incident),
        ("incident", "cli:" + getpass.getuser(), incident),
        ("incident", "root", incident),
    ]
