"""Reminder screens: my notifications, the outbox (admins), per-plan settings, holiday maintenance."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from tracker.auth.models import Role
from tracker.common.clock import today, utcnow
from tracker.common.pagination import paginate
from tracker.access.permissions import is_manager, is_system_admin, require
from tracker.common.web import MAX_ID, expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.forms import HolidayYearForm, ReminderSettingsForm, RetryForm
from tracker.outbox.models import DeliveryState, Notification
from tracker.reminders.models import ReminderSettings
from tracker.reminders.sender import retry_failed
from tracker.reminders.settings import DEFAULTS, save_settings
from tracker.workcalendar.services import save_year, year_overview

bp = Blueprint("reminders", __name__)


@bp.get("/notifications")
@login_required
def mine():
    """Every notification sent to me, or to my unit's addresses."""
    mine_condition = Notification.recipient_user_id == current_user.id
    if current_user.role == Role.unit:
        mine_condition = or_(mine_condition, Notification.recipient_unit_id == current_user.unit_id)
    page = paginate(select(Notification).where(mine_condition).order_by(Notification.id.desc()))
    return render_template("reminders/notifications.html", page=page, title=_("我的通知"), show_state=False)


@bp.get("/admin/outbox")
@require(is_manager)
def outbox():
    state = request.args.get("state", "")
    query = select(Notification).order_by(Notification.id.desc())
    if state in {s.value for s in DeliveryState}:
        query = query.where(Notification.state == state)
    counts = dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    return render_template("reminders/notifications.html", page=paginate(query), title=_("邮件发件箱"),
                           show_state=True, counts={getattr(k, "value", k): v for k, v in counts.items()},
                           state=state, retry_form=RetryForm())


@bp.post("/admin/outbox/<int:notification_id>/retry")
@require(is_system_admin)
def retry(notification_id: int):
    form = RetryForm()
    if form.validate_on_submit():
        known = [notification_id] if notification_id <= MAX_ID else []  # a larger id cannot exist, nor be queried
        count, error = run_service(retry_failed, known, utcnow())
        if error is None:
            flash(_("已重新加入发送队列。") if count else _("只有发送失败的邮件可以重新发送。"), "success" if count else "warning")
    return redirect(url_for("reminders.outbox", state="failed"))


@bp.route("/plans/<int:plan_id>/reminders", methods=["GET", "POST"])
@require(is_manager)
def plan_settings(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    row = db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == plan.id))
    form = ReminderSettingsForm(obj=row, data=None if row else DEFAULTS)
    if request.method == "GET" and row is not None:
        form.version.data = row.version
    if form.validate_on_submit():
        _saved, error = run_service(
            save_settings, current_user, plan, report_due_offsets=form.report_due_offsets.data,
            deadline_offsets=form.deadline_offsets.data, escalate_after_days=form.escalate_after_days.data,
            overdue_digest_enabled=form.overdue_digest_enabled.data,
            expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("提醒设置已保存，下次运行即按新设置提醒。"), "success")
            return redirect(url_for("reminders.plan_settings", plan_id=plan.id))
    return render_template("reminders/settings.html", form=form, plan=plan)


@bp.route("/admin/calendar", methods=["GET", "POST"])
@require(is_manager)
def calendar():
    raw_year = request.args.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today().year
    overview = year_overview(year)
    form = HolidayYearForm(data=None if request.method == "POST" else overview)
    if form.validate_on_submit():
        _saved, error = run_service(save_year, current_user, year, holidays=form.holidays.data or "",
                                    makeup_workdays=form.makeup_workdays.data or "")
        if error is None:
            flash(_("%(year)d年节假日已保存。", year=year), "success")
            return redirect(url_for("reminders.calendar", year=year))
    next_years = [today().year + offset for offset in (-1, 0, 1, 2)]
    unknown = [y for y in next_years if year_overview(y)["source"] == "weekends_only"]
    return render_template("reminders/calendar.html", form=form, overview=overview, year=year,
                           years=next_years, unknown_years=unknown, first_day=date(year, 1, 1))
