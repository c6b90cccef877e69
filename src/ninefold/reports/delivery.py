"""Reports the worker emails on its own, configured as code (`report_deliveries`): a weekly,
monthly or quarterly report once its period has ended, and each handoff report of some
schedules as it happens, to the outgoing and incoming person.

A report goes out once per period (per handoff): its messages are keyed by the delivery's
name and the period, in the incidents domain's outbox, the one outbox of messages to people
(it sends them, retries them and records who could not be reached). The reports domain
still writes no record of its own. The email holds the report as Markdown and links to
its HTML and PDF in the web UI.

A worker that was down sends, when it is back, the last whole period's report (not the
ones before), and the handoffs of the last `HANDOFF_LOOKBACK` only: a stale handoff helps
no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from ninefold.auth.service import find_user
from ninefold.catalog import service as catalog
from ninefold.changes.dora_report import Selection
from ninefold.directory import read_sections
from ninefold.incidents import messages
from ninefold.oncall import service as schedules
from ninefold.reports import handoff, periods, records, reporting
from ninefold.reports.document import Report
from ninefold.reports.render import to_markdown
from ninefold.reports.schemas import ReportDeliverySpec
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, JobContext

JOB_SWEEP = "reports.delivery.sweep"
EVERY = timedelta(minutes=5)
HANDOFF_LOOKBACK = timedelta(hours=1)


def configured(config_dir: Path) -> list[ReportDeliverySpec]:
    """The deliveries of the configuration directory; none while it has errors in them."""
    if not Path(config_dir).is_dir():
        return []
    bundle = read_sections(Path(config_dir), {"report_deliveries": ReportDeliverySpec})
    if any(p.severity == "error" for p in bundle.problems):
        return []
    return list(bundle.specs("report_deliveries"))


def _people(session: Session, names: Iterable[str]) -> list[str]:
    """User names, a team's members in place of the team."""
    teams = {team.name: team.members for team in catalog.all_teams(session)}
    found: list[str] = []
    for name in names:
        found += teams.get(name, [name])
    return list(dict.fromkeys(found))


def _links(report: Report, query: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (title, f"/reports/{report.kind}?{urlencode({**query, 'format': fmt})}")
        for title, fmt in (("HTML", "html"), ("PDF", "pdf"))
    )


def _send(
    session: Session, report: Report, key: str, to: Iterable[str], query: dict[str, str],
    now: datetime, base_url: str,
) -> int:  # fmt: skip
    """Plan the report's email to each of `to`, keyed `key/name`."""
    subject, text = f"{report.title}: {report.selection}", to_markdown(report, base_url)
    sent = 0
    for name in to:
        user = find_user(session, name)
        if user is None:
            continue
        draft = messages.Draft("report", f"{key}/{name}", subject, text, _links(report, query))
        email = [a for a in messages.addresses_of(user) if a.kind == "email"]
        sent += messages.plan(session, draft, email or [messages.Address(name, "", "", "")], now)
    return sent


def deliver(session: Session, settings: Settings, spec: ReportDeliverySpec, now: datetime) -> int:
    if spec.report == "handoff":
        return deliver_handoffs(session, settings, spec, now)
    period = periods.last_whole(spec.report, now)
    name = periods.label(spec.report, period)
    key = f"report-{spec.name}-{name}"
    if messages.planned(session, f"{key}/"):
        return 0
    wanted = reporting.Wanted(spec.report, Selection(team=spec.team), name)
    report = reporting.make(session, settings, wanted, now)
    query = {"period": name, **({"team": spec.team} if spec.team else {})}
    return _send(session, report, key, _people(session, spec.to), query, now,
                 settings.resolved_public_url())  # fmt: skip


def deliver_handoffs(
    session: Session, settings: Settings, spec: ReportDeliverySpec, now: datetime
) -> int:
    names = spec.schedules or [
        row.name for row in schedules.all_rows(session) if spec.team in (None, row.team)
    ]
    since = now - HANDOFF_LOOKBACK
    shifts = records.shift_records(session, since, now, set(names))
    sent = 0
    for name in names:
        for found in handoff.handoffs(shifts, name, since, now):
            key = f"report-{spec.name}-{name}-{found.at:%Y%m%dT%H%MZ}"
            if messages.planned(session, f"{key}/"):
                continue
            report = handoff.report(session, found, now)
            to = [*found.outgoing, *found.incoming, *_people(session, spec.to)]
            query = {"schedule": name, "period": found.at.isoformat()}
            sent += _send(session, report, key, dict.fromkeys(to), query, now,
                          settings.resolved_public_url())  # fmt: skip
    return sent


def sweep(settings: Settings) -> Handler:
    def run(ctx: JobContext) -> None:
        for spec in configured(settings.config_dir):
            deliver(ctx.session, settings, spec, ctx.now)

    return run
