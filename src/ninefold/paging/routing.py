"""Which route an alert group takes, and which service it belongs to.

Routes are tried in order and the first whose matchers all hold wins; the default route takes
the rest, and the group is flagged unrouted so that someone adds the route it lacked. The
labels routes see are the group's common labels plus `service` and `severity` as Ninefold read
them (from `ninefold_service`, `service`, `job` ... or the integration), so a route can say
`service="checkout"` whichever label the source used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ninefold.paging.schemas import RouteSpec
from ninefold.paging.silences.matchers import matches_all


@dataclass(frozen=True)
class Routing:
    route: RouteSpec | None
    unrouted: bool

    @property
    def policy(self) -> str | None:
        return self.route.policy if self.route else None


def route_labels(labels: Mapping[str, str], service: str | None, severity: str) -> dict[str, str]:
    seen = dict(labels)
    if service:
        seen.setdefault("service", service)
    if severity:
        seen.setdefault("severity", severity)
    return seen


def choose(routes: Sequence[RouteSpec], labels: Mapping[str, str]) -> Routing:
    fallback = None
    for route in routes:
        if route.default:
            fallback = fallback or route
        elif matches_all(route.parsed(), dict(labels)):
            return Routing(route, unrouted=False)
    return Routing(fallback, unrouted=True)


def service_by_labels(
    labels: Mapping[str, str], services: Mapping[str, Mapping[str, str]]
) -> str | None:
    """The catalog service whose routing labels all appear on the alert; the most specific
    (most labels) when several do, by name on a tie. Services without labels never match."""
    fits = [
        (len(wanted), name)
        for name, wanted in services.items()
        if wanted and all(labels.get(k) == v for k, v in wanted.items())
    ]
    if not fits:
        return None
    most = max(count for count, _ in fits)
    return min(name for count, name in fits if count == most)
