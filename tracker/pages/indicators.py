"""Indicator pages (指标): list, indicator page with history and expected path, readings and their review."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.sentences import register_value_labels
from tracker.common.clock import today
from tracker.plans.pickers import plan_picker
from tracker.access.permissions import can_review_updates, ensure, is_manager, require
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.indicators.forms import IndicatorForm, ReadingForm, ReadingReviewForm
from tracker.indicators.models import Direction, Indicator, IndicatorEvidenceFile, IndicatorReading
from tracker.indicators.services import (PROGRESS_LABELS, accepted_readings, can_submit_reading,
                                         can_view_indicator, expected_value, format_value, period_end, progress,
                                         reading_periods, review_reading, save_indicator, start_of,
                                         submit_reading, visible_indicators)
from tracker.plans.models import Plan
from tracker.reports import charts
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.uploads import evidence_store, incoming_files, send_evidence, upload_limits
from tracker.updates.models import ReviewState
from tracker.units.ordering import sorted_units

bp = Blueprint("indicators", __name__)

DIRECTION_LABELS = {Direction.higher.value: _l("越大越好"), Direction.lower.value: _l("越小越好")}
register_value_labels("direction", DIRECTION_LABELS)  # the history of an indicator says 越大越好


@bp.app_template_global("indicator_value")
def indicator_value(value, unit_of_measure: str = "") -> str:
    text = format_value(value)
    return f"{text}{unit_of_measure}" if value is not None else text


@bp.get("/indicators")
@login_required
def index():
    raw = request.args.get("plan_id", "")
    plan_id = int(raw) if raw.isdigit() else None
    indicators = visible_indicators(current_user, plan_id)
    day = today()
    plans = plan_picker(plan_id, drafts=False)
    pending = {indicator.id: sum(r.review_state == ReviewState.submitted for r in indicator.readings)
               for indicator in indicators}
    return render_template("indicators/index.html", indicators=indicators, plans=plans, plan_id=plan_id,
                           progress={i.id: progress(i, day) for i in indicators}, pending=pending,
                           progress_labels=PROGRESS_LABELS, today=day)


def _quarter_ticks(start: date, end: date) -> list[tuple[float, str]]:
    ticks, year, month = [], start.year, ((start.month - 1) // 6) * 6 + 1
    while date(year, month, 1) <= end:
        day = date(year, month, 1)
        if day >= start:
            ticks.append((day.toordinal(), f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 7 else (year, 7)
    return ticks


def history_chart(indicator: Indicator, readings: list[IndicatorReading]) -> charts.XYChart:
    """Expected path (序时进度) from baseline to target, actual accepted values, and the target line."""
    start = start_of(indicator)
    points = [(start.toordinal(), float(indicator.baseline))]
    points += [(period_end(r.period).toordinal(), float(r.value)) for r in readings]
    end = max([indicator.target_on.toordinal()] + [x for x, _y in points])
    unit = indicator.unit_of_measure
    actual_labels = [_("基期 %(v)s", v=indicator_value(indicator.baseline, unit))]
    actual_labels += [f"{r.period}：{indicator_value(r.value, unit)}" for r in readings]
    values = [y for _x, y in points] + [float(indicator.target_value)]
    return charts.xy_chart(
        series=[charts.Series(_("序时进度"), "#757575", [(start.toordinal(), float(indicator.baseline)),
                                                      (indicator.target_on.toordinal(),
                                                       float(indicator.target_value))], dashed=True),
                charts.Series(_("实际值"), "#1565c0", points, labels=actual_labels)],
        x_min=start.toordinal(), x_max=end, x_ticks=_quarter_ticks(start, date.fromordinal(end)),
        y_min=min(0.0, min(values)), y_suffix="",
        reference=[(float(indicator.target_value), _("目标 %(v)s", v=indicator_value(indicator.target_value, unit)),
                    "#b71c1c")],
        width=620, height=280)


@bp.get("/indicators/<int:indicator_id>")
@login_required
def detail(indicator_id: int):
    indicator = db.session.scalar(
        select(Indicator).where(Indicator.id == indicator_id)
        .options(selectinload(Indicator.readings).selectinload(IndicatorReading.unit),
                 selectinload(Indicator.readings).selectinload(IndicatorReading.author),
                 selectinload(Indicator.readings).selectinload(IndicatorReading.evidence)))
    if indicator is None:
        abort(404)
    ensure(can_view_indicator(current_user, indicator))
    day = today()
    readings = accepted_readings(indicator)
    history = [(r, expected_value(indicator, period_end(r.period))) for r in readings]
    all_readings = sorted(indicator.readings, key=lambda r: (r.submitted_at, r.id), reverse=True)
    pending = [r for r in all_readings if r.review_state == ReviewState.submitted]
    review = ReadingReviewForm(formdata=None) if can_review_updates(current_user) else None  # one for every card
    return render_template("indicators/detail.html", indicator=indicator, progress=progress(indicator, day),
                           progress_labels=PROGRESS_LABELS, history=history, readings=all_readings,
                           pending=pending, review=review, chart=history_chart(indicator, readings), today=day,
                           can_submit=can_submit_reading(current_user, indicator),
                           direction_label=DIRECTION_LABELS[indicator.direction.value])


@bp.route("/indicators/<int:indicator_id>/readings/new", methods=["GET", "POST"])
@login_required
def submit(indicator_id: int):
    indicator = get_or_404(Indicator, indicator_id)
    ensure(can_submit_reading(current_user, indicator))
    form = ReadingForm()
    form.period.choices = [(key, key) for key in reading_periods(today())]
    if form.validate_on_submit():
        store = evidence_store()
        _saved, error = run_service(
            submit_reading, current_user, indicator, period=form.period.data, value=form.value.data,
            source_note=form.source_note.data or "", files=incoming_files(), today=today(), store=store,
            **upload_limits(), on_failure=store.discard_saved)
        if error is None:
            flash(_("指标数值已提交，等待督办审核。"), "success")
            return redirect(url_for("indicators.detail", indicator_id=indicator.id))
    status = 400 if request.method == "POST" else 200
    return render_template("indicators/reading_form.html", form=form, indicator=indicator), status


@bp.post("/indicators/readings/<int:reading_id>/review")
@require(can_review_updates)
def review(reading_id: int):
    reading = get_or_404(IndicatorReading, reading_id)
    form = ReadingReviewForm()
    target = url_for("indicators.detail", indicator_id=reading.indicator_id)
    if not form.validate_on_submit():
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
        return redirect(target)
    decision = "accept" if form.accept.data else "return"
    version = form.version.data
    _saved, error = run_service(review_reading, current_user, reading, decision=decision,
                                comment=form.comment.data or "",
                                expected_version=expected_version(version))
    if error is None:
        flash(_("已采纳该填报。") if decision == "accept" else _("已退回该填报。"), "success")
    return redirect(target)


@bp.get("/indicators/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    file = get_or_404(IndicatorEvidenceFile, evidence_id)
    ensure(can_view_indicator(current_user, file.reading.indicator))
    return send_evidence(file)


def _indicator_form(plan: Plan, indicator: Indicator | None) -> IndicatorForm:
    form = IndicatorForm(obj=indicator)
    form.direction.choices = [(key, text) for key, text in DIRECTION_LABELS.items()]
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.sort_key))
    form.task_id.choices = [(0, "—")] + [(task.id, task.label) for task in tasks]
    units = sorted_units(db.session.scalars(select(Unit)))
    form.responsible_unit_id.choices = [(0, "—")] + [(unit.id, unit.short_name) for unit in units]
    if request.method == "GET" and indicator is not None:
        form.baseline.data = format_value(indicator.baseline)
        form.target_value.data = format_value(indicator.target_value)
        form.direction.data = indicator.direction.value
        form.task_id.data = indicator.task_id or 0
        form.responsible_unit_id.data = indicator.responsible_unit_id or 0
        form.version.data = indicator.version
    return form


@bp.route("/plans/<int:plan_id>/indicators/new", methods=["GET", "POST"])
@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit(plan_id: int | None = None, indicator_id: int | None = None):
    indicator = get_or_404(Indicator, indicator_id) if indicator_id else None
    plan = indicator.plan if indicator else get_or_404(Plan, plan_id)
    form = _indicator_form(plan, indicator)
    if form.validate_on_submit():
        saved, error = run_service(
            save_indicator, current_user, plan, indicator, name=form.name.data,
            unit_of_measure=form.unit_of_measure.data or "", baseline=form.baseline.data,
            target_value=form.target_value.data, target_on=form.target_on.data,
            direction=Direction(form.direction.data), baseline_on=form.baseline_on.data,
            task_id=form.task_id.data or None, responsible_unit_id=form.responsible_unit_id.data or None,
            note=form.note.data or "",
            expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("指标已保存。"), "success")
            return redirect(url_for("indicators.detail", indicator_id=saved.id))
        if getattr(error, "current", None):
            return render_template("indicators/form.html", form=form, plan=plan, indicator=indicator,
                                   conflict=error.current), 409
        return render_template("indicators/form.html", form=form, plan=plan, indicator=indicator), 400
    return render_template("indicators/form.html", form=form, plan=plan, indicator=indicator)

