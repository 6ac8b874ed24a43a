"""Task pages: 我的任务, task page, task editing, the overdue list (逾期清单) and its CSV export."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.audit.sentences import describe
from tracker.auth.models import Role
from tracker.common.clock import today
from tracker.common.export_text import csv_row
from tracker.common.fragments import FragmentCache
from tracker.common.labels import choices, label
from tracker.common.pagination import paginate
from tracker.plans.pickers import plan_picker
from tracker.units.pickers import unit_picker
from tracker.access.permissions import (can_view_overdue, can_view_task, ensure, is_manager, require,
                                        unit_involvement)
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan
from tracker.reminders.models import Escalation
from tracker.tasks.forms import TaskForm
from tracker.tasks.models import ReportingCycle, Task, TaskStatus
from tracker.tasks.obligations import assignment_from_receipts
from tracker.proposals.queries import items_possible, overdue_list_items
from tracker.tasks.forms import overdue_filters
from tracker.overdue.queries import kept, overdue_kinds, overdue_list, overdue_page, overdue_stamp, report_status
from tracker.tasks.queries import tasks_for_unit
from tracker.workbench.lists import UNIT_TASK_LISTS, unit_task_ids
from tracker.tasks.services import save_task
from tracker.supervision.ladder import LEVEL_LABELS
from tracker.supervision.queries import task_loop
from tracker.supervision.forms import loop_forms
from tracker.units.models import Unit
from tracker.updates.queries import returned_awaiting_resubmission
from tracker.updates.services import task_updates
from tracker.units.ordering import sorted_units

bp = Blueprint("tasks", __name__)
HISTORY_SHOWN = 20  # updates and history entries shown on a task page before "显示全部"
OVERDUE_CONTENT = FragmentCache()  # rendered pages of the overdue list, per web process
MINE_CONTENT = FragmentCache(size=512)  # rendered pages of 我的任务, per unit, per web process


@bp.get("/tasks/mine")
@require(lambda user: user.role == Role.unit)
def mine():
    """我的任务; ``?show=`` narrows it to one of the lists the unit's 工作台 counts (``UNIT_TASK_LISTS``), or
    to the returned reports (``returned``).

    The page below the menu bar is rendered once per unit, state of the data, day, language and query
    (``MINE_CONTENT``, as the overdue list's): every change it shows (a task edited or re-assigned, a
    report filed, accepted or returned, a receipt signed, a plan issued, a unit renamed) is an audit
    event, and the stamp of the stored overdue list carries the newest one. All users of a unit see the
    same list."""
    show = request.args.get("show", "")
    unit_id = current_user.unit_id

    def render_content() -> Markup:
        nonlocal show
        query = tasks_for_unit(unit_id)
        if show in UNIT_TASK_LISTS:
            query = query.where(Task.id.in_(unit_task_ids(unit_id, show, today()) or [0]))
        elif show != "returned":
            show = ""
        page = paginate(query)
        tasks = page.items if show != "returned" else []
        returned = returned_awaiting_resubmission(unit_id)
        return Markup(render_template("tasks/_mine_content.html", page=page, reports=report_status(tasks, today()),
                                      returned=returned, today=today(), show=show,
                                      involvement={t.id: unit_involvement(current_user, t) for t in tasks}))

    content = kept(MINE_CONTENT, today(), (unit_id, str(get_locale()), tuple(sorted(request.args.items(multi=True)))),
                   render_content)
    return render_template("tasks/mine.html", content=content)


@bp.get("/tasks/<int:task_id>")
@login_required
def detail(task_id: int):
    task = get_or_404(Task, task_id)
    ensure(can_view_task(current_user, task))
    # A long history is folded past its latest entries (?history=all shows everything): the page costs the
    # same for a task with 10 updates as for one with 500.
    shown = None if request.args.get("history") == "all" else HISTORY_SHOWN
    events = select(AuditEvent).where(AuditEvent.task_id == task.id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    audit_trail = describe(db.session.scalars(events.limit(shown + 1) if shown else events))
    updates = task_updates(task, limit=shown + 1 if shown else None)
    folded = bool(shown) and (len(updates) > shown or len(audit_trail) > shown)
    updates, audit_trail = (updates[:shown], audit_trail[:shown]) if shown else (updates, audit_trail)
    escalations = list(db.session.scalars(select(Escalation).where(Escalation.task_id == task.id)
                                          .order_by(Escalation.escalated_on.desc())))
    workflow = task_loop(task)
    assignment = {task.id: assignment_from_receipts(task, workflow.receipts)}  # 交办: from the receipts shown
    return render_template("tasks/detail.html", task=task, updates=updates, audit_trail=audit_trail, folded=folded,
                           history_shown=shown,
                           escalations=escalations, workflow=workflow, loop_forms=loop_forms(task, workflow), ladder_labels=LEVEL_LABELS,
                           report=report_status([task], today(), assignment)[task.id], today=today(),
                           involvement=unit_involvement(current_user, task))


def _task_form(plan: Plan, task: Task | None) -> TaskForm:
    form = TaskForm(obj=task)
    units = sorted_units(db.session.scalars(select(Unit)))
    form.lead_unit_id.choices = [(unit.id, unit.short_name) for unit in units]
    form.cooperating_unit_ids.choices = [(unit.id, unit.short_name) for unit in units]
    form.group_id.choices = [(0, "—")] + [(group.id, group.label) for group in plan.groups]
    siblings = db.session.scalars(select(Task).where(Task.plan_id == plan.id, Task.id != (task.id if task else 0))
                                  .order_by(Task.sort_key))
    form.parent_id.choices = [(0, "—")] + [(other.id, other.label) for other in siblings]
    form.reporting_cycle.choices, form.status.choices = choices(ReportingCycle), choices(TaskStatus)
    if request.method == "GET" and task is not None:
        form.group_id.data, form.parent_id.data = task.group_id or 0, task.parent_id or 0
        form.cooperating_unit_ids.data = [unit.id for unit in task.cooperating_units]
        form.reporting_cycle.data, form.status.data = task.reporting_cycle.value, task.status.value
        form.version.data = task.version
    return form


@bp.route("/plans/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit(plan_id: int | None = None, task_id: int | None = None):
    task = get_or_404(Task, task_id) if task_id else None
    plan = task.plan if task else get_or_404(Plan, plan_id)
    form = _task_form(plan, task)
    if form.validate_on_submit():
        saved, error = run_service(
            save_task, current_user, plan, task, number=form.number.data, title=form.title.data,
            text=form.text.data or "", group_id=form.group_id.data or None, parent_id=form.parent_id.data or None,
            lead_unit_id=form.lead_unit_id.data, cooperating_unit_ids=form.cooperating_unit_ids.data or [],
            start_on=form.start_on.data, due_on=form.due_on.data,
            reporting_cycle=ReportingCycle(form.reporting_cycle.data), report_day=form.report_day.data,
            status=TaskStatus(form.status.data), progress=form.progress.data or 0, today=today(),
            expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("任务已保存。"), "success")
            return redirect(url_for("tasks.detail", task_id=saved.id))
        if getattr(error, "current", None):
            return render_template("tasks/form.html", form=form, plan=plan, task=task, conflict=error.current), 409
    return render_template("tasks/form.html", form=form, plan=plan, task=task)


@bp.get("/overdue")
@require(can_view_overdue)
def overdue():
    filters = overdue_filters()
    kinds = overdue_kinds(request.args.get("kind"))  # ?kind=task|report|receipt: one kind only (the 工作台 links)

    def render_content() -> Markup:
        groups = list(db.session.scalars(select(ActionGroup).where(ActionGroup.plan_id == filters.plan_id)
                                         .order_by(ActionGroup.position))) if filters.plan_id else []
        # The proposals' part (replies, 协办意见 and 会签 overdue) follows the rows on the first page only: a
        # city's hundreds of overdue items were rendered again below every page of tasks.
        whole_list = len(kinds) > 1
        first_page = request.args.get("page", 1, type=int) <= 1
        items = overdue_list_items(filters, whole_list=whole_list and first_page)
        on_first_page = None if first_page or not items_possible(filters, whole_list) else url_for(
            "tasks.overdue", **{key: value for key, value in request.args.items() if key != "page"})
        return Markup(render_template(
            "tasks/_overdue_content.html", page=overdue_page(today(), filters, refresh=stamp is None, kinds=kinds),
            filters=filters, proposals=items.replies, obligations=items.obligations, proposals_on=on_first_page,
            kind=kinds[0] if len(kinds) == 1 else "", plans=plan_picker(filters.plan_id, active_only=True),
            groups=groups, units=unit_picker(filters.unit_id), today=today()))

    # The page below the menu bar (filters, rows, overdue replies) is rendered once per state of the
    # stored list, filters, page and language (tracker/common/fragments.py): every change to tasks,
    # plans, units or proposals is an audit event, and the stamp carries the newest one.
    stamp = overdue_stamp(today())
    content = render_content() if stamp is None else OVERDUE_CONTENT.get_or_render(
        (stamp, today(), str(get_locale()), tuple(sorted(request.args.items(multi=True)))), render_content)
    return render_template("tasks/overdue.html", content=content)


@bp.get("/overdue.csv")
@require(can_view_overdue)
def overdue_csv():
    filters, kinds = overdue_filters(), overdue_kinds(request.args.get("kind"))  # what /overdue shows
    rows = overdue_list(today(), filters, kinds)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row([_("类型"), _("方案"), _("序号"), _("任务"), _("牵头单位"), _("报送周期"), _("应完成/应报送日期"),
                     _("逾期工作日数"), _("最近采纳的进展"), _("进度（%）")]))
    for row in rows:
        writer.writerow(csv_row([label(row.kind), row.task.plan.title, row.task.number, row.task.title,
                                 row.task.lead_unit.short_name, row.period or "", row.due_on.isoformat(),
                                 row.overdue_days, row.last_accepted.progress_text if row.last_accepted else "",
                                 row.task.progress]))
    for kind, meeting, number, title, unit, due_on, days in overdue_list_items(
            filters, whole_list=len(kinds) > 1).export_lines():  # 答复逾期, 协办意见逾期, 会签逾期
        writer.writerow(csv_row([kind, meeting, number, title, unit, "", due_on.isoformat(), days, "", ""]))
    body = "\ufeff" + buffer.getvalue()  # BOM so that Excel opens UTF-8 correctly
    filename = f"overdue-{today().isoformat()}.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

