"""Plans: list, plan page (tasks grouped by action group), plan and group editing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.common.pagination import paginate
from tracker.common.clock import today
from tracker.common.fragments import FragmentCache
from tracker.common.labels import choices
from tracker.access.permissions import (can_read_everything, can_view_plan, is_manager, require,
                                        visible_task_condition)
from tracker.plans.pickers import plan_matches
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.plans.forms import GroupForm, PlanForm
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus
from tracker.plans.services import save_group, save_plan
from tracker.tasks.models import Task
from tracker.overdue.queries import kept, report_status

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/")
@login_required
def index():
    query = select(Plan).order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc())
    if not can_read_everything(current_user):
        query = query.where(Plan.status != PlanStatus.draft)
    page = paginate(query)  # a city has ~2,500 plans
    return render_template("plans/index.html", plans=page.items, page=page)


@bp.get("/lookup")
@login_required
def lookup():
    """Suggestions for the plan search box of long filter menus (tracker/common/pickers.py); drafts only
    for those who may see them."""
    drafts = can_read_everything(current_user) and request.args.get("drafts") != "0"
    return jsonify(items=plan_matches(request.args.get("q", ""), active_only=request.args.get("active") == "1",
                                      drafts=drafts))


PLAN_CONTENT = FragmentCache(size=256)  # rendered plan pages, per web process


@bp.get("/<int:plan_id>")
@login_required
def detail(plan_id: int):
    """A plan's page: its tasks by action group with their state and reports.

    The page below the menu bar is rendered once per state of the data, plan, reader, day and language
    (``PLAN_CONTENT``, as the overdue list, 我的任务 and the ledger keep theirs): every change it shows is an
    audit event, and the stamp of the stored overdue list carries the newest one."""
    plan = get_or_404(Plan, plan_id)
    if not can_view_plan(current_user, plan):
        abort(403)

    def render_content() -> Markup:
        tasks = list(db.session.scalars(
            select(Task).where(Task.plan_id == plan.id, visible_task_condition(current_user))
            .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units))
            .order_by(Task.sort_key)))
        by_group: dict[int | None, list[Task]] = {}
        for task in tasks:
            by_group.setdefault(task.group_id, []).append(task)
        return Markup(render_template("plans/_detail_content.html", plan=plan, by_group=by_group,
                                      reports=report_status(tasks, today()), today=today()))

    reader = ("all", is_manager(current_user)) if can_read_everything(current_user) else (
        "unit", current_user.unit_id, is_manager(current_user))
    content = kept(PLAN_CONTENT, today(), (str(get_locale()), plan.id, reader), render_content)
    return render_template("plans/detail.html", plan=plan, content=content)


def _plan_form(plan: Plan | None) -> PlanForm:
    form = PlanForm(obj=plan)
    form.kind.choices, form.status.choices = choices(PlanKind), choices(PlanStatus)
    if request.method == "GET" and plan is not None:
        form.kind.data, form.status.data, form.version.data = plan.kind.value, plan.status.value, plan.version
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit(plan_id: int | None = None):
    plan = get_or_404(Plan, plan_id) if plan_id else None
    form = _plan_form(plan)
    if form.validate_on_submit():
        saved, error = run_service(
            save_plan, current_user, plan, title=form.title.data, short_name=form.short_name.data or "", doc_number=form.doc_number.data or "",
            issuer=form.issuer.data or "", issued_on=form.issued_on.data, period_start=form.period_start.data,
            period_end=form.period_end.data, kind=PlanKind(form.kind.data), status=PlanStatus(form.status.data),
            source_text=form.source_text.data or None, is_public=bool(form.is_public.data),
            expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("方案已保存。"), "success")
            return redirect(url_for("plans.detail", plan_id=saved.id))
        if getattr(error, "current", None):
            return render_template("plans/form.html", form=form, plan=plan, conflict=error.current), 409
    return render_template("plans/form.html", form=form, plan=plan)


@bp.route("/<int:plan_id>/groups/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/groups/<int:group_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit_group(plan_id: int, group_id: int | None = None):
    plan = get_or_404(Plan, plan_id)
    group = get_or_404(ActionGroup, group_id) if group_id else None
    if group is not None and group.plan_id != plan.id:
        abort(404)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        _saved, error = run_service(save_group, current_user, plan, group, number=form.number.data or "",
                                    title=form.title.data, position=form.position.data)
        if error is None:
            flash(_("行动已保存。"), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/group_form.html", form=form, plan=plan, group=group)
