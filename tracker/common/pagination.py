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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query, per_page: int | None = None) -> Page:
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)
