"""One page of a list, the same shape on every list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

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
