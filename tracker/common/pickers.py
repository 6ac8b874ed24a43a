"""Filter menus of units and plans (单位/方案筛选): a plain ``<select>`` while the list is short, a search
box with suggestions when it is long. A city has ~2,000 units and ~2,500 plans: every option on every
page view cost the overdue list about 100 ms and 320 KB. The suggestions come from ``/units/lookup``
and ``/plans/lookup`` (``tracker/static/picker.js``); the form still submits ``unit_id`` / ``plan_id``.
The menus themselves live with their data: tracker/units/pickers.py and tracker/plans/pickers.py."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db

LOOKUP_LIMIT = 20  # suggestions per search


@dataclass(frozen=True)
class Picker:
    name: str  # the form field: unit_id, plan_id
    choices: list[tuple[int, str]] | None  # None: too many for a menu, search instead
    selected_id: int | None
    selected_label: str
    lookup_url: str


def _menu_limit() -> int:
    return current_app.config.get("PICKER_MENU_LIMIT", 200)


def menu_picker(name: str, query, selected_id: int | None, lookup_url: str, sort_key=None) -> Picker:
    """``query`` selects (id, label, …) in menu order, or in ``sort_key`` order of its rows."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if total <= _menu_limit():
        rows = list(db.session.execute(query))
        if sort_key is not None:
            rows.sort(key=sort_key)
        choices = [(row[0], row[1]) for row in rows]
        label = next((text for id_, text in choices if id_ == selected_id), "")
        return Picker(name, choices, selected_id, label, lookup_url)
    label = ""
    if selected_id:
        subquery = query.order_by(None).subquery()
        label = db.session.scalar(select(subquery.c[1]).where(subquery.c[0] == selected_id)) or ""
    return Picker(name, None, selected_id if label else None, label, lookup_url)


def search_text(text: str) -> str:
    return text.replace("\x00", "").strip()[:60]


def contains_text(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
