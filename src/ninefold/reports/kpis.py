"""The KPI table of a period and a selection, read from the database: every record the
figures need is loaded once, for the period and the one before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection, load_deploys, services_of
from ninefold.changes.links import DEFAULT_WINDOW
from ninefold.incidents import dora_feed
from ninefold.incidents.model import Severity
from ninefold.reports import paging_kpis, records, table
from ninefold.reports.catalogue import Target
from ninefold.reports.schemas import KpiOut, KpiTable, LeftOut, RuleQualityOut


def load(session: Session, period: Period, selection: Selection) -> table.Loaded:
    owners = services_of(session, selection)
    start, end = period.previous().start, period.end
    paging = records.paging_records(session, start, end)
    loaded = table.Loaded(
        incidents=records.incident_records(session, start, end),
        items=records.item_records(session),
        groups=paging.groups,
        pages=paging.pages,
        shifts=records.shift_records(session, start, end),
        deploys=load_deploys(session, sorted(owners), start - DEFAULT_WINDOW, end),
        dora_incidents=dora_feed.incidents(session, start - DEFAULT_WINDOW, end + DEFAULT_WINDOW),
        depends_on=catalog.dependency_graph(session),
    )
    everything = selection == Selection()
    return loaded if everything else loaded.narrowed(set(owners), selection.team)


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
) -> KpiTable:
    loaded = table.of_severity(load(session, period, selection), severity)
    found = table.rows(loaded, period, targets)
    return KpiTable(
        start=period.start,
        end=period.end,
        previous_start=period.previous().start,
        partial=period.end > now,
        selection=describe(selection) + (f", {severity} incidents" if severity else ""),
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
            )
            for row in found
        ],
    )


def alert_quality(
    session: Session, period: Period, selection: Selection, min_pages: int
) -> list[RuleQualityOut]:
    loaded = load(session, period, selection)
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
            tune_or_delete=q.tune_or_delete,
            evidence=q.evidence,
            groups=[int(ref) for ref in q.noise.counted],
        )
        for q in paging_kpis.alert_quality(loaded.groups, loaded.pages, period, min_pages)
    ]
