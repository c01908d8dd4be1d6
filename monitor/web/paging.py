"""Real pagination for every list: a count, a page of rows, and links to the others.

No list silently stops: each says how many rows there are and which of them it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from monitor.web.core import Ctx

PAGE_SIZE = 50
MAX_PAGE = 10**6


@dataclass(frozen=True)
class Page:
    """One page of a list: which (1-based), how big, of how many rows, and its links."""

    number: int
    size: int
    total: int
    path: str
    params: tuple[tuple[str, str], ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)

    def url(self, number: int) -> str:
        query = [(k, v) for k, v in self.params if k != "page"] + [("page", str(number))]
        return f"{self.path}?{urlencode(query)}"

    @property
    def previous(self) -> str:
        return self.url(self.number - 1) if self.number > 1 else ""

    @property
    def next(self) -> str:
        return self.url(self.number + 1) if self.number < self.pages else ""


def requested_page(ctx: Ctx) -> int:
    raw = ctx.request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def paginate(ctx: Ctx, query: Any, size: int = PAGE_SIZE) -> tuple[list[Any], Page]:
    """The requested page of ``query``'s rows (the last page if it asks past the end)."""
    total = ctx.db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    params = tuple(ctx.request.query_params.multi_items())
    page = Page(requested_page(ctx), size, total, ctx.request.url.path, params)
    if page.number > page.pages:
        page = Page(page.pages, size, total, page.path, params)
    rows = list(ctx.db.execute(query.limit(size).offset((page.number - 1) * size)))
    return rows, page
