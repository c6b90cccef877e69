"""Imports every domain's tables (`Domain.tables`) so that Base.metadata is complete, for
Alembic and the tests."""

from ninefold.domain import load
from ninefold.domains import DOMAINS

for _domain in DOMAINS:
    if _domain.tables:
        load(_domain.tables)
