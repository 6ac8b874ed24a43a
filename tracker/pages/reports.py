"""Leadership views: dashboard (仪表盘), unit scoreboard (单位排名), task ledger (任务台账) and the Excel and
Word documents handed upwards (台账、逾期清单、推进情况报告、督办通知单).

Who sees what: leaders, coordinators and admins see everything here. A unit user may open a plan's ledger
(screen and Excel) but it lists only the tasks that user sees (their unit leads or cooperates); the
dashboard, scoreboard, overdue export and Word documents are refused (403) to unit users.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from tracker.common.clock import today
from tracker.common.fragments import FragmentCache
from tracker.common.export_text import one_line
from tracker.common.pagination import page_of
from tracker.plans.pickers import plan_picker
from tracker.units.pickers import unit_picker
from tracker.access.permissions import can_read_everything, can_view_overdue, is_manager, require
from tracker.common.web import bad_request, download, get_or_404
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanStatus
from tracker.reports import charts, exports
from tracker.reports.queries import (AT_RISK_PROGRESS_BELOW, AT_RISK_WORKING_DAYS, OVERDUE, RAG_LABELS,
                                     SCOREBOARD_SORTS, STATE_COLORS, STATE_LABELS, STATES, Scope, StateCounts,
                                     dashboard_figures, ledger_page, ledger_rows, parse_month, progress_report,
                                     ranking_basis, sort_scoreboard, state_label)
from tracker.reports.snapshots import city_dashboard, city_scoreboard, plan_scoreboard
from tracker.supervision.queries import ladder_level_label, receipt_state_label, reply_state_label
from tracker.tasks.models import Task
from tracker.overdue.queries import kept, overdue_kinds, overdue_list
from tracker.proposals.queries import overdue_list_items
from tracker.tasks.queries import OverdueFilters
from tracker.tasks.forms import overdue_filters
from tracker.units.models import Unit

bp = Blueprint("reports", __name__)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def _state_arg() -> str | None:
    state = request.args.get("state", "")
    return state if state in STATES else None


def _scope_plan(plan_id: int | None) -> Plan | None:
    """The plan a dashboard view is limited to; 404 for an unknown id."""
    return get_or_404(Plan, plan_id) if plan_id else None


def _active_plans(plan: Plan | None):
    """The plan menu: a search box once there are many (a city has ~2,000 active plans)."""
    return plan_picker(plan.id if plan else None, active_only=True)


def _filter_note(filters: OverdueFilters, state: str | None = None, with_plan: bool = True) -> str:
    """The filters in words, printed on exports so the reader knows what the list covers."""
    parts = []
    if with_plan and filters.plan_id and (plan := db.session.get(Plan, filters.plan_id)):
        parts.append(_("方案：%(name)s", name=plan.title))
    if filters.group_id and (group := db.session.get(ActionGroup, filters.group_id)):
        parts.append(_("行动：%(name)s", name=group.label))
    if filters.unit_id and (unit := db.session.get(Unit, filters.unit_id)):
        parts.append(_("牵头单位：%(name)s", name=unit.short_name))
    if state:
        parts.append(_("研判：%(name)s", name=state_label(state)))
    return "；".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------------------

def _state_series(counts: StateCounts) -> list[tuple[str, float]]:
    return [(state, counts.counts[state]) for state in counts.shown_states()]


def _dashboard_charts(counts: StateCounts, by_group, by_unit, points) -> dict:
    shown = counts.shown_states()
    colors = {state: STATE_COLORS[state] for state in shown}
    names = {state: state_label(state) for state in shown}
    months = [point.month for point in points]
    ticks = charts.month_ticks(months)
    return {
        "states": charts.bar_chart([(state_label(state), [(state, counts.counts[state])]) for state in shown],
                                   colors, names, label_width=80),
        "groups": charts.bar_chart([(row.label, _state_series(row.states)) for row in by_group], colors, names,
                                   label_width=170),
        "units": charts.bar_chart([(row.label, _state_series(row.states)) for row in by_unit], colors, names,
                                  label_width=110),
        "overdue_trend": charts.xy_chart(columns=[(month, point.overdue) for month, point in zip(months, points)],
                                         column_name=_("月末逾期任务数"), x_min=-0.5, x_max=len(points) - 0.5,
                                         x_ticks=ticks, height=220),
        "rate_trend": charts.xy_chart(
            series=[charts.Series(_("按期报送率"), "#1565c0",
                                  [(index, point.on_time_rate) for index, point in enumerate(points)
                                   if point.on_time_rate is not None])],
            x_min=-0.5, x_max=len(points) - 0.5, x_ticks=ticks, y_max=100, y_suffix="%", height=220),
    }


@bp.get("/dashboard")
@require(can_read_everything)
def dashboard():
    plan = _scope_plan(_int_arg("plan_id"))
    if plan is not None and plan.status != PlanStatus.active:
        flash(_("该方案不在实施中，仪表盘只统计实施中的方案。"), "info")
    day = today()
    figures = dashboard_figures(day, Scope(plan_id=plan.id)) if plan else city_dashboard(day)
    return render_template(
        "reports/dashboard.html", plan=plan, plans=_active_plans(plan), today=day, figures=figures,
        counts=figures.counts, by_group=figures.by_group, by_unit=figures.by_unit, trend=figures.trend,
        charts=_dashboard_charts(figures.counts, figures.by_group, figures.by_unit, figures.trend),
        state_labels=STATE_LABELS, state_colors=STATE_COLORS, rag_labels=RAG_LABELS,
        at_risk_days=AT_RISK_WORKING_DAYS, at_risk_progress=AT_RISK_PROGRESS_BELOW,
        multi_plan=len({row.plan.id for row in figures.by_group if row.plan}) > 1)


# ---------------------------------------------------------------------------------------------------------
# Task lists: drill-down across plans and a plan's ledger
# ---------------------------------------------------------------------------------------------------------

def _list_context(scope: Scope, plan: Plan | None):
    groups = list(db.session.scalars(select(ActionGroup).where(ActionGroup.plan_id == plan.id)
                                     .order_by(ActionGroup.position))) if plan else []
    return {"groups": groups, "units": unit_picker(scope.unit_id), "scope": scope, "state_labels": STATE_LABELS,
            "states": STATES, "today": today(), "overdue_state": OVERDUE,
            "ladder_level_label": ladder_level_label, "reply_state_label": reply_state_label,
            "receipt_state_label": receipt_state_label}


@bp.get("/dashboard/tasks")
@require(can_read_everything)
def task_list():
    """Drill-down from the dashboard and scoreboard: tasks of active plans by group, lead unit or state."""
    plan = _scope_plan(_int_arg("plan_id"))
    scope = Scope(plan_id=plan.id if plan else None, group_id=_int_arg("group_id"), unit_id=_int_arg("unit_id"),
                  state=_state_arg())
    page = ledger_page(today(), scope)
    return render_template("reports/ledger.html", rows=page.items, page=page, plan=plan, plans=_active_plans(plan),
                           drill_down=True,
                           filter_note=_filter_note(scope.filters, scope.state), **_list_context(scope, plan))


def _ledger_scope(plan: Plan) -> Scope:
    if plan.status == PlanStatus.draft and not is_manager(current_user):
        abort(403)
    return Scope(plan_id=plan.id, group_id=_int_arg("group_id"), unit_id=_int_arg("unit_id"), state=_state_arg(),
                 include_inactive_plan=True)


def _ledger_rows(plan: Plan, scope: Scope):
    # Unit users get the ledger of the tasks they see, not a 403: it is their own working list too.
    return ledger_rows(today(), scope, user=None if can_read_everything(current_user) else current_user)


LEDGER_CONTENT = FragmentCache(size=256)  # rendered plan ledgers, per web process


@bp.get("/plans/<int:plan_id>/ledger")
@login_required
def ledger(plan_id: int):
    """任务台账 of a plan, 50 tasks a page (the Excel has them all).

    The page below the menu bar is rendered once per state of the data, plan, reader (every task, or a unit's
    own), day, language and query (``LEDGER_CONTENT``, as the overdue list and 我的任务 keep theirs): every
    change the ledger shows (a task, a report, a receipt, a ladder step, a document, an extension, a
    closure) is an audit event, and the stamp of the stored overdue list carries the newest one."""
    plan = get_or_404(Plan, plan_id)
    scope = _ledger_scope(plan)
    reads_all = can_read_everything(current_user)

    def render_content() -> Markup:
        page = ledger_page(today(), scope) if reads_all else page_of(_ledger_rows(plan, scope))
        return Markup(render_template(
            "reports/_ledger_content.html", rows=page.items, page=page, plan=plan, drill_down=False,
            filter_note=_filter_note(scope.filters, scope.state, with_plan=False),
            export_args={key: value for key, value in request.args.items() if key != "page"},
            **_list_context(scope, plan)))

    reader = "all" if reads_all else current_user.unit_id
    content = kept(LEDGER_CONTENT, today(),
                   (str(get_locale()), plan.id, reader, tuple(sorted(request.args.items(multi=True)))), render_content)
    return render_template("reports/ledger.html", content=content, plan=plan, drill_down=False)


@bp.get("/plans/<int:plan_id>/ledger.xlsx")
@login_required
def ledger_xlsx(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    scope = _ledger_scope(plan)
    body = exports.task_ledger_xlsx(plan.title, _ledger_rows(plan, scope), today(),
                                    _filter_note(scope.filters, scope.state, with_plan=False))
    return download(body, exports.XLSX_MIMETYPE, f"任务台账-{plan.id}-{today().isoformat()}.xlsx")


@bp.get("/overdue.xlsx")
@require(can_view_overdue)
def overdue_export():
    """The overdue list (逾期清单) as Excel: same query and same filters as the /overdue screen."""
    filters, kinds = overdue_filters(), overdue_kinds(request.args.get("kind"))
    body = exports.overdue_xlsx(overdue_list(today(), filters, kinds), today(), _filter_note(filters),
                                proposals=overdue_list_items(filters, whole_list=len(kinds) > 1))
    return download(body, exports.XLSX_MIMETYPE, f"逾期清单-{today().isoformat()}.xlsx")


# ---------------------------------------------------------------------------------------------------------
# Unit scoreboard
# ---------------------------------------------------------------------------------------------------------

def _scoreboard_args():
    plan = _scope_plan(_int_arg("plan_id"))
    basis = ranking_basis(plan.id if plan else None)  # 考评 when the plan has scoring rules
    sort = request.args.get("sort", basis)
    sort = sort if sort in SCOREBOARD_SORTS else basis
    descending = request.args.get("dir", "asc" if sort == "unit" else "desc") != "asc"
    return plan, sort, descending, basis


def _scoreboard_rows(plan, sort: str, descending: bool):
    """(rows in the reader's order, when computed: None for a plan's live figures). City-wide: the stored
    snapshot; a plan's: kept while nothing changed (tracker/reports/snapshots.py)."""
    if plan is not None:
        return sort_scoreboard(plan_scoreboard(today(), plan.id).rows, sort, descending), None
    figures = city_scoreboard(today())
    return sort_scoreboard(figures.rows, sort, descending), figures.computed_at


@bp.get("/units/scoreboard")
@require(can_read_everything)
def unit_scoreboard():
    plan, sort, descending, basis = _scoreboard_args()
    rows, computed_at = _scoreboard_rows(plan, sort, descending)
    page = page_of(rows)  # a city has ~2,000 units with figures: one page at a time, ranks kept
    chart = charts.bar_chart([(row.unit.short_name, [("rate", row.on_time_rate or 0)]) for row in page.items],
                             {"rate": "#1565c0"}, {"rate": _("按期报送率")}, label_width=110, max_value=100,
                             suffix="%")
    from tracker.reports.scoring import COMPONENTS

    return render_template("reports/scoreboard.html", rows=page.items, page=page, plan=plan, plans=_active_plans(plan),
                           sort=sort, descending=descending, today=today(), chart=chart, score_components=COMPONENTS,
                           basis=basis, computed_at=computed_at,
                           first_rank=(page.page - 1) * page.per_page)


@bp.get("/units/scoreboard.xlsx")
@require(can_read_everything)
def unit_scoreboard_xlsx():
    plan, sort, descending, _basis = _scoreboard_args()
    rows, _computed_at = _scoreboard_rows(plan, sort, descending)
    note = _("方案：%(name)s", name=plan.title) if plan else _("全部实施中的方案")
    return download(exports.scoreboard_xlsx(rows, today(), note), exports.XLSX_MIMETYPE,
                     f"单位排名-{today().isoformat()}.xlsx")


# ---------------------------------------------------------------------------------------------------------
# Word documents
# ---------------------------------------------------------------------------------------------------------

def _issuer() -> str:
    return current_app.config.get("SUPERVISION_ISSUER") or _("督查督办办公室")


@bp.get("/plans/<int:plan_id>/report.docx")
@require(can_read_everything)
def progress_report_docx(plan_id: int):
    """推进情况报告 for ``?period=YYYY-MM`` (default: the current month)."""
    plan = get_or_404(Plan, plan_id)
    day = today()
    key = request.args.get("period") or day.strftime("%Y-%m")
    month = parse_month(key)
    if month is None:
        return bad_request(_("报告期“%(period)s”格式不正确，应为年-月，例如 2026-06。", period=key[:20]))
    sections = progress_report(plan, month, day)
    counts = StateCounts()
    for _group, entries in sections:
        for entry in entries:
            counts.counts[entry.state] += 1
    body = exports.progress_report_docx(
        plan=plan, month=month, sections=sections, counts=counts, today=day, issuer=_issuer(),
        doc_number_line=_("（%(number)s）报告期：%(month)s", number=plan.doc_number or plan.title,
                          month=exports.chinese_month(month)))
    return download(body, exports.DOCX_MIMETYPE, f"推进情况报告-{plan.id}-{key}.docx")


@bp.get("/tasks/<int:task_id>/notice.docx")
@login_required
def supervision_notice(task_id: int):
    """The task's 督办通知单 button (task page, ledger): it opens the task's latest document in the register
    of documents; a task without one offers a coordinator to issue one through the register (never a
    number of its own). Every unit on the task may open it."""
    from flask import redirect, url_for

    from tracker.access.permissions import can_view_task, ensure
    from tracker.supervision.forms import IssueDocumentForm
    from tracker.supervision.register import latest_document

    task = get_or_404(Task, task_id)
    ensure(can_view_task(current_user, task))
    document = latest_document(task)
    if document is not None:
        return redirect(url_for("supervision.document", document_id=document.id))
    day = today()
    rows = [row for row in overdue_list(day, OverdueFilters(plan_id=task.plan_id, unit_id=task.lead_unit_id))
            if row.task.id == task.id and row.kind in ("task", "report")]
    if not rows:
        return bad_request(_("任务“%(task)s”目前没有逾期事项，无需发出督办通知单。", task=task.label))
    return render_template("supervision/issue_for_task.html", task=task, row=rows[0],
                           form=IssueDocumentForm(formdata=None)), 200

