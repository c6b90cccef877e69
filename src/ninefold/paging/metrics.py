"""Whether paging reaches people, on `/metrics`: notifications sent and failed by channel, and
how long each alert group waited for its first notification.

Read from the database, so every server reports the same (docs/operations.md). The wait is a
gauge histogram of the groups opened in the last hour (`WINDOW`): one pass over that hour's
groups, their pages and notifications, through the indexes, whatever the history holds;
counting every group ever at every scrape would read the whole notification table (2.3 s for
a million notifications on PostgreSQL, measured; the window: 12 ms). The totals by channel do
read the whole table, so they are recounted at most once a minute (`TOTALS_TTL`, 0.3 to 0.5 s
a million).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import ColumnElement, Float, case, extract, func, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from ninefold import conventions as c
from ninefold.adapters.channels import CHANNELS
from ninefold.alerts import groups
from ninefold.clock import Clock
from ninefold.observability import Refreshed
from ninefold.paging.notifications.delivery import FAILED, SENT
from ninefold.paging.tables import Notification, Page
from ninefold.settings import Settings

WINDOW = timedelta(hours=1)
BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
"""Seconds: a first page is due within seconds, late after a minute, lost after the hour."""
TOTALS_TTL = timedelta(minutes=1)


@dataclass(frozen=True)
class Waits:
    """Of the groups opened in the window that have notified someone: how many waited at most
    each bound of `BUCKETS` (cumulative), in all, and the seconds they waited together."""

    at_most: tuple[int, ...] = (0,) * len(BUCKETS)
    count: int = 0
    seconds: float = 0.0


def first_notification_waits(session: Session, now: datetime) -> Waits:
    """From each group's opening (the accept of its first alert) to its first notification
    sent to someone on call (shadows aside), counted per bucket by the database."""
    opened = groups.opened_at_since(now - WINDOW).subquery()
    first = (
        select(opened.c.id, opened.c.created_at, func.min(Notification.sent_at).label("sent_at"))
        .join(Page, Page.group_id == opened.c.id)
        .join(Notification, Notification.page_id == Page.id)
        .where(Page.shadow.is_(False), Notification.sent_at.is_not(None))
        .group_by(opened.c.id, opened.c.created_at)
        .subquery()
    )
    wait = _seconds_between(session, first.c.sent_at, first.c.created_at)
    counts = [func.sum(case((wait <= bound, 1), else_=0)) for bound in BUCKETS]
    row = session.execute(select(*counts, func.count(), func.sum(wait)).select_from(first)).one()
    *at_most, count, seconds = row
    return Waits(tuple(int(n or 0) for n in at_most), int(count), float(seconds or 0.0))


def _seconds_between(
    session: Session, later: ColumnElement[datetime], earlier: ColumnElement[datetime]
) -> ColumnElement[float]:
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(extract("epoch", later - earlier), Float)
    # SQLite keeps instants as UTC text; julianday counts days, fractions included.
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def totals(session: Session) -> dict[tuple[str, str], int]:
    """Notifications sent and failed for good, by channel and status."""
    query = (
        select(Notification.kind, Notification.status, func.count())
        .where(Notification.status.in_((SENT, FAILED)))
        .group_by(Notification.kind, Notification.status)
    )
    return {(kind, status): int(count) for kind, status, count in session.execute(query)}


@dataclass(frozen=True)
class Sample:
    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    waits: Waits = field(default_factory=Waits)


def families(sample: Sample) -> list[Metric]:
    """Every channel has both counters from the start, at 0 until it sends: a counter first
    seen at 1 would hide its first failure from `increase()`."""
    sent = CounterMetricFamily(
        c.METRIC_NOTIFICATIONS_SENT, "Notifications sent, by channel", labels=["channel"]
    )
    failed = CounterMetricFamily(
        c.METRIC_NOTIFICATIONS_FAILED,
        "Notifications that failed for good (not retried any more), by channel",
        labels=["channel"],
    )
    for channel in sorted(set(CHANNELS) | {kind for kind, _ in sample.totals}):
        sent.add_metric([channel], sample.totals.get((channel, SENT), 0))
        failed.add_metric([channel], sample.totals.get((channel, FAILED), 0))
    waits = sample.waits
    buckets = [(str(b), n) for b, n in zip(BUCKETS, waits.at_most, strict=True)]
    histogram = GaugeHistogramMetricFamily(
        c.METRIC_FIRST_NOTIFICATION,
        "Alert groups opened in the last hour, by the seconds from their opening to their "
        "first notification sent (those not notified yet left out)",
        buckets=[*buckets, ("+Inf", waits.count)],
        gsum_value=waits.seconds,
    )
    return [sent, failed, histogram]


class PagingCollector(Collector):
    def __init__(self, factory: sessionmaker[Session], clock: Clock) -> None:
        self.factory = factory
        self.clock = clock
        self.totals = Refreshed(self._totals, clock, TOTALS_TTL)

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        counted = self.totals()
        with self.factory() as session:
            waits = first_notification_waits(session, now)
        yield from families(Sample(counted, waits))

    def describe(self) -> Iterator[Metric]:
        """What it exports, without reading the database (registering calls it)."""
        return iter(families(Sample()))

    def _totals(self, _now: datetime) -> dict[tuple[str, str], int]:
        with self.factory() as session:
            return totals(session)


def collector(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> Collector:  # noqa: ARG001
    return PagingCollector(factory, clock)
