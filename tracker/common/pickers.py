"""Filter menus of units and plans (单位/方案筛选): a plain ``<select>`` while the list is short, a search
box with suggestions when it is long. A city has ~2,000 units and ~2,500 plans: every option on every
page view cost the overdue list about 100 ms and 320 KB. The suggestions come from ``/units/lookup``
and ``/plans/lookup`` (``tracker/static/picker.js``); the form still submits ``unit_id`` / ``plan_id``."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, or_, select

from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.units.models import Unit
from tracker.units.ordering import unit_sort_key

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


def _picker(name: str, query, selected_id: int | None, lookup_url: str, sort_key=None) -> Picker:
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


def _plans(active_only: bool):
    query = select(Plan.id, Plan.title).order_by(Plan.id)
    return query.where(Plan.status == PlanStatus.active) if active_only else query


def unit_picker(selected_id: int | None, name: str = "unit_id") -> Picker:
    return _picker(name, select(Unit.id, Unit.short_name, Unit.kind).order_by(Unit.short_name), selected_id,
                   url_for("units.lookup"), sort_key=lambda row: unit_sort_key(row[2], row[1]))


def plan_picker(selected_id: int | None, *, active_only: bool = False, drafts: bool = True,
                name: str = "plan_id") -> Picker:
    query = _plans(active_only)
    if not drafts:
        query = query.where(Plan.status != PlanStatus.draft)
    return _picker(name, query, selected_id, url_for("plans.lookup", active=1 if active_only else None,
                                                     drafts=None if drafts else 0))


def _search_text(text: str) -> str:
    return text.replace("\x00", "").strip()[:60]


def _contains(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def unit_matches(text: str) -> list[dict]:
    """Units whose short or full name contains ``text``, in the listing order (tracker/units/ordering.py)."""
    text = _search_text(text)
    query = select(Unit.id, Unit.short_name, Unit.name, Unit.kind).order_by(Unit.short_name).limit(LOOKUP_LIMIT)
    if text:
        query = query.where(or_(_contains(Unit.short_name, text), _contains(Unit.name, text)))
    rows = sorted(db.session.execute(query), key=lambda row: unit_sort_key(row[3], row[1]))
    return [{"id": id_, "label": short_name, "note": name} for id_, short_name, name, _kind in rows]


def plan_matches(text: str, *, active_only: bool = False, drafts: bool = True) -> list[dict]:
    """Plans whose title or document number contains ``text``, newest first."""
    text = _search_text(text)
    query = select(Plan.id, Plan.title, Plan.issuer).order_by(Plan.id.desc()).limit(LOOKUP_LIMIT)
    if active_only:
        query = query.where(Plan.status == PlanStatus.active)
    if not drafts:
        query = query.where(Plan.status != PlanStatus.draft)
    if text:
        query = query.where(or_(_contains(Plan.title, text), _contains(Plan.doc_number, text)))
    return [{"id": id_, "label": title, "note": issuer or ""} for id_, title, issuer in db.session.execute(query)]
