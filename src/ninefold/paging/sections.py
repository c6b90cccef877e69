"""How `ninefold apply` writes the `escalation_policies` and `routes` sections. Routes are
tried in the order written: a route's place in the files is its position."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.paging.policies import (
    policy_rows,
    policy_spec,
    route_rows,
    route_spec,
    write_policy,
    write_route,
)

ESCALATION_POLICIES = RowKind("escalation_policy", policy_rows, policy_spec, write_policy)
ROUTES = RowKind("route", route_rows, route_spec, write_route, ordered=True)
