"""The units' filter menu and its search suggestions (单位筛选, tracker/common/pickers.py)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select

from tracker.common.pickers import LOOKUP_LIMIT, Picker, contains_text, menu_picker, search_text
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.units.ordering import unit_sort_key


def unit_picker(selected_id: int | None, name: str = "unit_id") -> Picker:
    return menu_picker(name, select(Unit.id, Unit.short_name, Unit.kind).order_by(Unit.short_name), selected_id,
                        url_for("units.lookup"), sort_key=lambda row: unit_sort_key(row[2], row[1]))


def unit_matches(text: str) -> list[dict]:
    """Units whose short or full name contains ``text``, in the listing order (tracker/units/ordering.py)."""
    text = search_text(text)
    query = select(Unit.id, Unit.short_name, Unit.name, Unit.kind).order_by(Unit.short_name).limit(LOOKUP_LIMIT)
    if text:
        query = query.where(or_(contains_text(Unit.short_name, text), contains_text(Unit.name, text)))
    rows = sorted(db.session.execute(query), key=lambda row: unit_sort_key(row[3], row[1]))
    return [{"id": id_, "label": short_name, "note": name} for id_, short_name, name, _kind in rows]
