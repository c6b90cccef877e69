"""Imports every domain's tables so that Base.metadata is complete (for Alembic and tests)."""

from ninefold.alerts import tables as alert_tables
from ninefold.auth import tables as auth_tables
from ninefold.catalog import tables as catalog_tables
from ninefold.oncall import tables as oncall_tables
from ninefold.paging import tables as paging_tables
from ninefold.slos import tables as slo_tables
from ninefold.worker import tables as worker_tables

__all__ = [
    "alert_tables",
    "auth_tables",
    "catalog_tables",
    "oncall_tables",
    "paging_tables",
    "slo_tables",
    "worker_tables",
]
