"""Pagination for every list that can grow long: ``?page=N``, a fixed page size, a count query."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select

from tracker.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    param: str = "page"  # the query-string argument of this list's page (two lists on one page: two names)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_PAGE = 1_000_000  # beyond any list: a larger ?page= is shown as the last page, not an overflowing OFFSET


def _requested_page(param: str = "page") -> int:
    raw = request.args.get(param, "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def count_of(query) -> int:
    """How many rows ``query`` gives (its order and loader options left out)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def paginate(query, per_page: int | None = None, *, rows: bool = False, param: str = "page") -> Page:
    """The requested page of ``query`` (ORM entities, or plain rows with ``rows=True``), counted by a
    separate COUNT(*); a page number past the end shows the last page. ``param``: the query-string
    argument holding the page number (``page``; another name for a second list on the same page)."""
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    total = count_of(query)
    page = min(_requested_page(param), max(1, -(-total // per_page)))
    limited = query.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.execute(limited).all() if rows else db.session.scalars(limited))
    return Page(items, page, per_page, total, param)


def paginate_rows(query, per_page: int | None = None, *, param: str = "page", entities: bool = False) -> Page:
    """The requested page of a query of plain rows, counted by ``COUNT(*) OVER ()`` in the same
    statement: for a query whose rows are expensive to find (the overdue list), it runs once, not twice.
    ``entities``: the query selects one ORM entity, and the page holds the entities, not rows."""
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    page = _requested_page(param)
    counted = query.add_columns(func.count().over().label("rows_in_total"))
    items = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    if items:
        total = items[0].rows_in_total
    elif page == 1:  # nothing at all
        total = 0
    else:
        total = count_of(query)  # past the end: show the last page
        page = max(1, -(-total // per_page))
        items = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all() if total else []
    return Page([row[0] for row in items] if entities else items, page, per_page, total, param)


def page_of(items: list, per_page: int | None = None, *, param: str = "page") -> Page:
    """The requested page of a list already in memory (a page number past the end shows the last page)."""
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    total = len(items)
    page = min(_requested_page(param), max(1, -(-total // per_page)))
    return Page(items[(page - 1) * per_page:page * per_page], page, per_page, total, param)
