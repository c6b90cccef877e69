"""One page of a list, the same shape on every list endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Items matching the filters, on all pages.")
    limit: int
    offset: int


def every(page_at: Callable[[int], Page[T]]) -> list[T]:
    """Every item of a listing, page after page: `page_at(offset)` gives the page at `offset`.

    For the command line and the pages that show a whole list; the API answers one page."""
    found: list[T] = []
    while True:
        page = page_at(len(found))
        found += page.items
        if not page.items or len(found) >= page.total:
            return found


def paged(
    session: Session, query: Select[Any], out: Callable[[Any], T], *, limit: int, offset: int
) -> Page[T]:
    """One page of a query's rows, each turned into its answer by `out`, and the total."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(limit).offset(offset))
    return Page[T](items=[out(row) for row in rows], total=total, limit=limit, offset=offset)


def page_of(found: Sequence[T], *, limit: int, offset: int) -> Page[T]:
    """One page of a list computed whole (figures per rule, per schedule)."""
    return Page[T](
        items=list(found[offset : offset + limit]), total=len(found), limit=limit, offset=offset
    )
