"""What the runbooks domain's coverage counts, handed to its extension point
(`runbooks.coverage.PAGED_RULES`): each alert rule that paged in a window, with its pages."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.catalog import service as catalog
from ninefold.paging.escalation import first_notifications
from ninefold.runbooks.model import PagedRule

# A page comes after its group opened: a group opened a little before the window may page in it.
_OPENED_BEFORE = timedelta(days=1)


def paged_rules(session: Session, since: datetime, until: datetime) -> list[PagedRule]:
    """Each (alert name, service) with a page sent in [since, until): its pages are the
    first notifications of each person of each of its groups (KPIS.md's pages)."""
    ids = groups.opened_ids(since - _OPENED_BEFORE, until)
    sent = [group for group, _, at in first_notifications(session, ids) if since <= at < until]
    if not sent:
        return []
    rules = {
        row.id: (row.labels.get("alertname", row.title), row.service)
        for row in groups.opened_between(session, since - _OPENED_BEFORE, until)
    }
    tiers = {s.name: s.tier for s in catalog.all_services(session)}
    pages = Counter(rules[group] for group in sent if group in rules)
    return [
        PagedRule(alertname, service, tiers.get(service) if service else None, count)
        for (alertname, service), count in pages.items()
    ]
