"""The four reports through the API, the web UI and the command line (SQLite and
PostgreSQL), each in every format, and their delivery by the worker to a real SMTP server:
monthly to a team once its month has ended, a handoff to the outgoing and incoming person,
each once."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.db import make_session_factory
from ninefold.jobs import worker
from ninefold.settings import Settings
from tests.integration.test_web import log_in, parse
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
APRIL_2 = datetime(2026, 4, 2, tzinfo=UTC)


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str], clock: FrozenClock) -> TestClient:
    """Incidents of 13 February (checkout, 100 min), 10 March (checkout, 80 min) and 13 March
    (search, 40 min), all SEV2, with a root cause."""
    clock.set(APRIL_2)
    client.headers.update(admin_headers)
    for start, minutes, service, cause in (
        (T0 - timedelta(days=25), 100, "checkout", "software-bug"),
        (T0, 80, "checkout", "software-bug"),
        (T0 + timedelta(days=3), 40, "search", "capacity"),
    ):
        number = client.post(
            "/api/v1/incidents",
            json={"title": f"{service} down", "severity": "SEV2", "services": [service],
                  "impact_start": start.isoformat()},
        ).json()["id"]  # fmt: skip
        client.patch(f"/api/v1/incidents/{number}", json={"category": cause})
        end = (start + timedelta(minutes=minutes)).isoformat()
        client.patch(
            f"/api/v1/incidents/{number}/instants", json={"mitigated": end, "resolved": end}
        )
    return client


def section(report: dict[str, Any], heading: str) -> dict[str, Any]:
    return next(s for s in report["sections"] if s["heading"] == heading)


def test_the_monthly_report_in_json_holds_the_kpi_figures_and_the_incidents(
    api: TestClient,
) -> None:
    """March: incidents 2 (80 min) and 3 (40 min); MTTR 60 against February's 100."""
    report = api.get("/api/v1/reports/monthly", params={"period": "2026-03"}).json()
    assert (report["title"], report["partial"]) == ("Monthly reliability report, 2026-03", False)
    assert (report["start"], report["end"]) == (
        "2026-03-01T00:00:00+00:00",
        "2026-04-01T00:00:00+00:00",
    )
    kpis = {r["kpi"]: r for r in section(report, "KPIs against their targets")["tables"][0]["rows"]}
    mttr = kpis["Time to recover (mean)"]
    assert (mttr["value"], mttr["before"], mttr["change"], mttr["meets"]) == (
        {"value": 60.0, "unit": "minutes"},
        {"value": 100.0, "unit": "minutes"},
        -0.4,
        "yes",
    )
    incidents = section(report, "Incidents")
    assert incidents["text"] == ["2 incidents began in the period: 2 SEV2."]
    assert [(r["incident"], r["impact"]) for r in incidents["tables"][0]["rows"]] == [
        ("#2 checkout down", 80.0),
        ("#3 search down", 40.0),
    ]
    charts = {c["title"]: c for c in section(report, "KPIs against their targets")["charts"]}
    points = charts["Time to recover (mean): 60.0 minutes"]["points"]
    assert [p["value"] for p in points][-2:] == [100.0, 60.0]
    assert len(points) == 6


def test_the_quarterly_report_has_mttr_by_severity_root_causes_and_dora(api: TestClient) -> None:
    """Q1 2026: the three incidents, SEV2: MTTR mean (100 + 80 + 40) / 3, median 80. Root
    causes: software-bug 2 (180 min), capacity 1 (40 min). Incident 2 recurs (checkout's
    software-bug of 13 February, within 90 days): 1 of 3 significant."""
    report = api.get("/api/v1/reports/quarterly", params={"period": "2026-Q1"}).json()
    [sev1, sev2, *_] = section(report, "Time to recover by severity")["tables"][0]["rows"]
    assert sev1["incidents"] == 0
    assert sev1["mttr_mean"] is None
    assert (sev2["incidents"], sev2["mttr_median"]) == (3, 80.0)
    assert sev2["mttr_mean"] == pytest.approx(220 / 3)
    causes = section(report, "Top root causes")
    assert [
        (r["root_cause"], r["incidents"], r["customer_impact"]) for r in causes["tables"][0]["rows"]
    ] == [
        ("software-bug", 2, 180.0),
        ("capacity", 1, 40.0),
    ]
    assert causes["text"] == [
        "Recurrence: 1 of 3 significant incidents repeated a root cause of their service "
        "within 90 days (#2)."
    ]
    dora = {r["figure"]: r["value"] for r in section(report, "Changes (DORA)")["tables"][0]["rows"]}
    assert dora["Deploys"] == {"value": 0, "unit": "count"}
    assert dora["Change failure rate"] == {"value": None, "unit": "ratio"}  # no deploy: no data


def test_every_report_comes_in_every_format(api: TestClient) -> None:
    for kind, period in (("monthly", "2026-03"), ("quarterly", "2026-Q1"), ("weekly", "2026-W11")):
        base = f"/api/v1/reports/{kind}"
        markdown = api.get(base, params={"period": period, "format": "markdown"})
        assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
        assert markdown.text.startswith("# ")
        html = api.get(base, params={"period": period, "format": "html"})
        assert html.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>" in html.text
        pdf = api.get(base, params={"period": period, "format": "pdf"})
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        assert f'attachment; filename="{kind}-' in pdf.headers["content-disposition"]
    monthly = api.get("/api/v1/reports/monthly", params={"period": "2026-03", "format": "markdown"})
    assert "| [Time to recover (mean)](" in monthly.text
    assert "| 60.0 minutes | 100.0 minutes | -40.0% | change ≤ -15% | yes |" in monthly.text
    html = api.get("/api/v1/reports/monthly", params={"period": "2026-03", "format": "html"}).text
    assert html.count("<svg") == 6


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("monthly", {"period": "2026-13"}, "written like 2026-11"),
        ("weekly", {"period": "2026-W54"}, "2026 has no ISO week 54"),
        ("quarterly", {"period": "2026-11"}, "written like 2026-Q4"),
        ("monthly", {"team": "nobody"}, "unknown team 'nobody'"),
        ("yearly", {}, "weekly"),
        ("monthly", {"format": "docx"}, "markdown"),
        ("handoff", {"schedule": "nope"}, "no schedule named 'nope'"),
        ("handoff", {}, "name one with schedule"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    api: TestClient, path: str, params: dict[str, str], words: str
) -> None:
    answer = api.get(f"/api/v1/reports/{path}", params=params)
    assert answer.status_code in (404, 422), answer.text
    assert words in answer.text


def test_a_period_that_has_not_ended_is_marked_partial(api: TestClient) -> None:
    report = api.get("/api/v1/reports/monthly", params={"period": "2026-04"}).json()
    assert report["partial"] is True
    text = api.get(
        "/api/v1/reports/monthly", params={"period": "2026-04", "format": "markdown"}
    ).text
    assert "(partial: the period has not ended)" in text.splitlines()[2]


def test_the_command_line_writes_the_same_report(
    api: TestClient, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    env = {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}
    args = ("report", "monthly", "--period", "2026-03")
    as_json = ninefold(*args, "--format", "json", env=env, clock=clock)
    assert as_json.returncode == 0, as_json.stderr
    expected = api.get("/api/v1/reports/monthly", params={"period": "2026-03"}).json()
    assert json.loads(as_json.stdout) == expected
    pdf = tmp_path / "march.pdf"
    written = ninefold(*args, "--format", "pdf", "--output", pdf, env=env, clock=clock)
    assert written.stderr == f"Monthly reliability report, 2026-03 written to {pdf}\n"
    assert pdf.read_bytes().startswith(b"%PDF-")
    wrong = ninefold("report", "monthly", "--period", "March", env=env, clock=clock)
    assert (wrong.returncode, wrong.stderr) == (
        1,
        "error: a monthly report's period is written like 2026-11, not 'March'\n",
    )


def test_the_reports_page_links_every_report_in_every_format(
    api: TestClient, engine: Engine
) -> None:
    with TestClient(api.app) as browser:
        assert log_in(browser, "root").status_code == 303
        page = parse(browser.get("/reports?team=payments&period=2026-03"))
        row = page.one("tr", **{"data-report": "monthly"})
        links = [a.attrs["href"] for a in row.find_all("a")]
        assert links == [
            f"/reports/monthly?team=payments&period=2026-03&format={f}"
            for f in ("markdown", "html", "pdf", "json")
        ]
        html = browser.get(links[1])
        assert html.status_code == 200
        assert "Monthly reliability report, 2026-03" in html.text
        # Its own style is allowed by its hash, and nothing else inline.
        style = html.text.split("<style>")[1].split("</style>")[0]
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        [policy] = html.headers.get_list("content-security-policy")
        assert f"style-src 'self' 'sha256-{digest}'" in policy
        assert "script-src 'self';" in policy
        assert browser.get(links[2]).content.startswith(b"%PDF-")


@pytest.fixture
def delivering(settings: Settings, smtp_sink: SmtpSink, tmp_path: Path) -> Settings:
    """Deliveries as code: every handoff of payments-primary, and storefront's monthly report
    to the storefront team and to maria."""
    config = tmp_path / "deliveries"
    config.mkdir()
    (config / "reports.yaml").write_text(
        "report_deliveries:\n"
        "  - name: payments-handoff\n    report: handoff\n    schedules: [payments-primary]\n"
        "  - name: storefront-monthly\n    report: monthly\n    team: storefront\n"
        "    to: [storefront, maria]\n"
    )
    update = {"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
              "public_url": "http://ninefold.test", "config_dir": config}  # fmt: skip
    return settings.model_copy(update=update)


def test_the_worker_emails_each_handoff_and_each_month_once(
    api: TestClient, engine: Engine, delivering: Settings, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """payments-primary hands over Mondays at 09:00 in Chicago: on 6 April 2026 (summer
    time) at 14:00 UTC, from priya to diego (weekly from 5 January: priya, diego, ...; the
    13th week since is diego's). The
    sweep after it mails both, once however often it runs; one 2 hours late sends nothing.
    The storefront monthly report of March goes to its members and maria once April has
    begun."""
    the_worker = worker(make_session_factory(engine), delivering, clock, timedelta(minutes=2))

    def run() -> None:
        while the_worker.run_once():
            pass

    def mails(subject: str) -> list[str]:
        return sorted(m["To"] for m in smtp_sink.messages if m["Subject"].startswith(subject))

    clock.set(datetime(2026, 4, 6, 13, 55, tzinfo=UTC))
    run()
    assert mails("On-call handoff") == []
    assert mails("Monthly reliability report, 2026-03") == [
        "amelia@shop.example",
        "kenji@shop.example",
        "maria@shop.example",
        "sam@shop.example",
    ]
    for minutes in (5, 10, 15):
        clock.set(datetime(2026, 4, 6, 14, minutes, tzinfo=UTC))
        run()
    assert mails("On-call handoff of payments-primary") == [
        "diego@shop.example",
        "priya@shop.example",
    ]
    assert len(mails("Monthly reliability report")) == 4
    mail = next(m for m in smtp_sink.messages if m["Subject"].startswith("On-call handoff"))
    assert mail["Subject"] == (
        "On-call handoff of payments-primary: schedule payments-primary (payments), "
        "from priya to diego"
    )
    text = mail.get_body(("plain",)).get_content()
    assert "## Pages of the shift" in text
    assert "http://ninefold.test/reports/handoff?schedule=payments-primary" in text
    clock.set(datetime(2026, 4, 13, 16, 5, tzinfo=UTC))  # two hours after the next handoff
    run()
    assert len(mails("On-call handoff")) == 2


def test_check_names_deliveries_that_name_nothing_or_no_one(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "reports.yaml").write_text(
        "report_deliveries:\n"
        "  - name: weekly\n    report: weekly\n    team: nobody\n    to: [ghost]\n"
        "  - name: silent\n    report: monthly\n"
        "  - name: handoffs\n    report: handoff\n    schedules: [nope]\n"
    )
    checked = ninefold("check", config, env={"NINEFOLD_DATA_DIR": str(tmp_path)})
    said = checked.stdout + checked.stderr
    assert checked.returncode == 1
    assert "reports.yaml:4: report_deliveries[0].team: no team named 'nobody'" in said
    assert "reports.yaml:5: report_deliveries[0].to[0]: no user or team named 'ghost'" in said
    assert "report_deliveries[1]: name who receives it in `to` (users or teams)" in said
    assert "report_deliveries[2].schedules[0]: no schedule named 'nope'" in said
