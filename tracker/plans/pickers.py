"""The plans' filter menu and its search suggestions (方案筛选, tracker/common/pickers.py)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select

from tracker.common.pickers import LOOKUP_LIMIT, Picker, contains_text, menu_picker, search_text
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus


def _plans(active_only: bool):
    query = select(Plan.id, Plan.title).order_by(Plan.id)
    return query.where(Plan.status == PlanStatus.active) if active_only else query


def plan_picker(selected_id: int | None, *, active_only: bool = False, drafts: bool = True,
                name: str = "plan_id") -> Picker:
    query = _plans(active_only)
    if not drafts:
        query = query.where(Plan.status != PlanStatus.draft)
    return menu_picker(name, query, selected_id, url_for("plans.lookup", active=1 if active_only else None,
                                                          drafts=None if drafts else 0))


def plan_matches(text: str, *, active_only: bool = False, drafts: bool = True) -> list[dict]:
    """Plans whose title or document number contains ``text``, newest first."""
    text = search_text(text)
    query = select(Plan.id, Plan.title, Plan.issuer).order_by(Plan.id.desc()).limit(LOOKUP_LIMIT)
    if active_only:
        query = query.where(Plan.status == PlanStatus.active)
    if not drafts:
        query = query.where(Plan.status != PlanStatus.draft)
    if text:
        query = query.where(or_(contains_text(Plan.title, text), contains_text(Plan.doc_number, text)))
    return [{"id": id_, "label": title, "note": issuer or ""} for id_, title, issuer in db.session.execute(query)]
