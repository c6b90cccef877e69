"""Reports: every KPI of KPIS.md computed from the other domains' records, each figure with
the records it counted and those it left out (being built: issue 16; the pure KPI functions
come first)."""

from ninefold.domain import Domain

DOMAIN = Domain(name="reports", package=__name__)
