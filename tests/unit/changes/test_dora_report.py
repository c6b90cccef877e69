"""The DORA table per group: each group counts its own deploys, judged on incident links
made over every deploy of the selection's neighbourhood."""

from __future__ import annotations

from datetime import UTC, datetime

from ninefold.changes import dora
from ninefold.changes.dora import Deploy, Incident, Period
from ninefold.changes.dora_report import Loaded, neighbourhood, table

DAY = datetime(2026, 3, 3, tzinfo=UTC)
MARCH = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC))
GRAPH = {"web": ["db"], "db": [], "mail": [], "api": ["web"]}


def test_the_neighbourhood_is_the_services_their_dependents_and_what_those_need() -> None:
    """web: itself, api (depends on web), and db (web needs it); not mail."""
    assert neighbourhood({"web"}, GRAPH) == {"web", "api", "db"}


def test_per_team_a_deploy_fails_only_when_the_incident_is_linked_to_it() -> None:
    """web (storefront) deployed at 09:00, db (platform) at 10:00; an incident on web at
    11:00 is linked to the last deploy of web or db before it: db's. Per team: storefront 0
    of 1 failed, platform 1 of 1."""
    deploys = [Deploy(1, "web", DAY.replace(hour=9)), Deploy(2, "db", DAY.replace(hour=10))]
    incidents = [Incident(7, "web", DAY.replace(hour=11), DAY.replace(hour=12))]
    loaded = Loaded(
        MARCH,
        {"web": ("storefront", 1), "db": ("platform", 1)},
        deploys,
        GRAPH,
        incidents,
        dora.incident_links(deploys, incidents, GRAPH),
    )
    rates = {row.name: row.current.change_failure_rate for row in table(loaded, "team").rows}
    assert rates == {"platform": 1.0, "storefront": 0.0}
