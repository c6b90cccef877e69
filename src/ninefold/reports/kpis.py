"""The KPI table of a period and a selection, read from the database: every record the
figures need is loaded once, for the period and the one before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal
from ninefold.capacity import service as capacity
from ninefold.catalog import service as catalog
from ninefold.changes import dora
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import (
    Selection,
    link_candidates,
    load_deploys,
    neighbourhood,
    services_of,
)
from ninefold.changes.links import DEFAULT_WINDOW
from ninefold.dr import service as dr
from ninefold.incidents import dora_feed
from ninefold.incidents.model import Severity
from ninefold.oncall import service as schedules
from ninefold.readiness import facts
from ninefold.reports import oncall_load, paging_kpis, records, table
from ninefold.reports.catalogue import Target
from ninefold.reports.schemas import (
    KpiOut,
    KpiTable,
    LeftOut,
    RuleQualityOut,
    ScheduleLoadOut,
    ShareOut,
)
from ninefold.runbooks import coverage as runbook_coverage
from ninefold.runbooks import service as runbooks
from ninefold.settings import Settings
from ninefold.toil import service as toil


def load(
    session: Session,
    period: Period,
    selection: Selection,
    history: int = 2,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> table.Loaded:
    """The records of `history` periods ending with `period` (at least it and the one
    before), read for the selection's services where a record has one (alert groups and
    their pages, deploys), the rest whole and narrowed after what must see everything
    (recurrence, the incident links of DORA) has what it needs. The runbooks are read as
    they stood at each period's end (now, for a period not over). With `settings`, the
    resources' series are read where they live (files, Prometheus) for the capacity KPIs."""
    owners = services_of(session, selection)
    start, end = table.periods_ending(period, max(history, 2))[0].start, period.end
    graph = catalog.dependency_graph(session)
    chosen = None if selection == Selection() else set(owners)
    # A shift starting in the period may end after it: its pages count (pages per shift).
    paging = records.paging_records(session, start, end + records.SHIFT_MARGIN, chosen)
    linked = sorted(owners if chosen is None else neighbourhood(chosen, graph))
    # The links look a window past the end: an incident just after it belongs to a deploy
    # just after it, not to the period's last.
    since, until = start - DEFAULT_WINDOW, end + DEFAULT_WINDOW
    deploys = load_deploys(session, linked, since, until)
    dora_incidents = dora_feed.incidents(session, since, until)
    periods = table.periods_ending(period, max(history, 2))
    instants = {p.end: table.runbook_instant(p, now) for p in periods}
    loaded = table.Loaded(
        incidents=records.incident_records(session, start, end),
        items=records.item_records(session, start, end),
        groups=paging.groups,
        pages=paging.pages,
        shifts=records.shift_records(session, start, end),
        deploys=deploys,
        dora_incidents=dora_incidents,
        depends_on=graph,
        links=dora.incident_links(
            [*deploys, *link_candidates(session, linked, since, until)],
            dora_incidents,
            graph,
        ),
        runbooks={end: tuple(runbooks.kept(session, at)) for end, at in instants.items()},
        paged_rules={
            end: tuple(runbook_coverage.paged_rules(session, at - runbook_coverage.WINDOW, at))
            for end, at in instants.items()
        },
        now=now,
        toil=toil.records(session, start.date(), end.date()),
        runs=toil.runs(session, start, end),
        teams={t.name: len(t.members) for t in catalog.all_teams(session)},
        service_teams={name: team for name, (team, _) in owners.items()},
        drills=[d for d in dr.drills(session) if start.date() <= d.ran_on <= end.date()],
        capacity=(
            []
            if settings is None
            else capacity.readings(
                session, settings.config_dir, settings.prometheus_url, now or period.end
            )
        ),
        monitored={} if settings is None else facts.monitored(session, settings.config_dir),
    )
    return loaded if chosen is None else loaded.narrowed(chosen, selection.team)


def describe(selection: Selection) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("team", selection.team),
            ("service", selection.service),
            ("tier", selection.tier),
        )
        if value is not None
    ]
    return ", ".join(parts) or "all services"


def kpi_table(
    session: Session,
    period: Period,
    selection: Selection,
    now: datetime,
    targets: dict[str, Target] | None = None,
    severity: Severity | None = None,
    history: int = 2,
    settings: Settings | None = None,
) -> KpiTable:
    loaded = load(session, period, selection, history, now, settings)
    return table_for(loaded, period, selection, now, targets, severity, history)


def table_for(
    loaded: table.Loaded,
    period: Period,
    selection: Selection,
    now: datetime,
    targets: dict[str, Target] | None,
    severity: Severity | None,
    history: int,
) -> KpiTable:
    """The table of loaded records, its incident KPIs of one severity if given."""
    words = describe(selection) + (f", {severity} incidents" if severity else "")
    return table_of(table.of_severity(loaded, severity), period, words, now, targets, history)


def table_of(
    loaded: table.Loaded,
    period: Period,
    selection: str,
    now: datetime,
    targets: dict[str, Target] | None,
    history: int,
) -> KpiTable:
    """The KPI table of loaded records (reports show more of the same records)."""
    return KpiTable(
        start=period.start,
        end=period.end,
        previous_start=period.previous().start,
        partial=period.end > now,
        selection=selection,
        rows=[
            KpiOut(
                key=row.kpi.key,
                title=row.kpi.title,
                unit=row.kpi.unit,
                records=row.kpi.records,
                value=row.value,
                previous=row.previous,
                change=row.change,
                target=row.target.describe(row.kpi.unit),
                meets=row.meets,
                details=row.details,
                counted=[str(ref) for ref in row.counted],
                hits=[str(ref) for ref in row.hits],
                left_out=[LeftOut(ref=str(left.ref), why=left.why) for left in row.left_out],
                history=list(row.history),
            )
            for row in table.rows(loaded, period, targets, history)
        ],
    )


def alert_quality(
    session: Session, period: Period, selection: Selection, min_pages: int
) -> list[RuleQualityOut]:
    return rules_of(load(session, period, selection), period, min_pages)


def rules_of(loaded: table.Loaded, period: Period, min_pages: int) -> list[RuleQualityOut]:
    return [
        RuleQualityOut(
            alertname=q.talker.alertname,
            service=q.talker.service,
            pages=q.talker.pages,
            actionable_ratio=q.talker.actionable.value,
            answered=q.talker.actionable.denominator,
            mtta_p50_minutes=q.talker.ack.durations.p50,
            noise_ratio=q.noise.value,
            off_hours_pages=q.off_hours_pages,
            sleep_hours_pages=q.sleep_hours_pages,
            resolve_p50_minutes=q.resolve.p50,
            flapped=q.flapped,
            tune_or_delete=q.tune_or_delete,
            evidence=q.evidence,
            groups=[int(ref) for ref in q.noise.counted],
        )
        for q in paging_kpis.alert_quality(loaded.groups, loaded.pages, period, min_pages)
    ]


def oncall_loads(
    session: Session, period: Period, team: str | None, reader: Principal
) -> list[ScheduleLoadOut]:
    """Each schedule's load (of `team`'s schedules, or all), as `reader` may see it."""
    owners = {row.name: row.team for row in schedules.all_rows(session)}
    if team is not None:
        services_of(session, Selection(team=team))
        owners = {name: owner for name, owner in owners.items() if owner == team}
    paging = records.paging_records(session, period.start, period.end, shadows=True)
    shifts = records.shift_records(session, period.start, period.end, shadows=True)
    found = oncall_load.load(shifts, paging.pages, period, owners)
    return [
        ScheduleLoadOut(
            schedule=load.schedule,
            team=load.team,
            hours=load.hours,
            pages=load.pages,
            pages_per_hour=load.pages_per_hour,
            off_hours_pages=load.off_hours_pages,
            sleep_hours_pages=load.sleep_hours_pages,
            spread=load.spread,
            participants=load.participants,
            people=[ShareOut(**vars(share)) for share in load.people],
        )
        for load in oncall_load.seen_by(found, reader)
    ]
