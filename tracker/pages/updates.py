"""Submitting updates, resubmitting after 退回, the review queue, evidence downloads."""
from __future__ import annotations

import re

from sqlalchemy import select
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.common.clock import today
from tracker.common.filters import period_label
from tracker.access.permissions import can_review_updates, can_submit_update, can_view_task, ensure, require
from tracker.extensions import db
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.tasks.models import Task
from tracker.updates.forms import ReviewForm, UpdateForm
from tracker.updates.models import EvidenceFile, StatusUpdate
from tracker.plans.pickers import plan_picker
from tracker.units.pickers import unit_picker
from tracker.updates.queries import previous_accepted_percents, review_periods
from tracker.updates.queries import review_queue as pending_reviews
from tracker.common.pagination import paginate
from tracker.updates.services import accept_updates, reportable_periods, review_update, submit_update
from tracker.updates.uploads import evidence_store, incoming_files, send_evidence, upload_limits

bp = Blueprint("updates", __name__)


def _update_form(task: Task, previous: StatusUpdate | None) -> UpdateForm:
    form = UpdateForm(obj=previous)
    keys = [period.key for period in reportable_periods(task, today())]
    if previous is not None and previous.period not in keys:
        keys.append(previous.period)
    form.period.choices = [(key, period_label(key)) for key in keys]
    if request.method == "GET" and previous is None:
        form.percent.data = task.progress
    return form


def _submit(task: Task, previous: StatusUpdate | None):
    ensure(can_submit_update(current_user, task))
    form = _update_form(task, previous)
    if form.validate_on_submit():
        store = evidence_store()
        _saved, error = run_service(
            submit_update, current_user, task, period=form.period.data, progress_text=form.progress_text.data,
            percent=form.percent.data, problems=form.problems.data or "", next_steps=form.next_steps.data or "",
            files=incoming_files(), today=today(), store=store, **upload_limits(), resubmission_of=previous,
            on_failure=store.discard_saved)
        if error is None:
            flash(_("进展已提交，等待督办审核。"), "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
    status = 400 if request.method == "POST" else 200
    return render_template("updates/form.html", form=form, task=task, previous=previous), status


@bp.route("/tasks/<int:task_id>/updates/new", methods=["GET", "POST"])
@login_required
def submit(task_id: int):
    return _submit(get_or_404(Task, task_id), None)


@bp.route("/updates/<int:update_id>/resubmit", methods=["GET", "POST"])
@login_required
def resubmit(update_id: int):
    previous = get_or_404(StatusUpdate, update_id)
    if previous.unit_id != current_user.unit_id:
        abort(403)
    return _submit(previous.task, previous)


BATCH_LIMIT = 200  # updates accepted by one press of 采纳所选


def _queue_filters(source) -> dict:
    """The queue's filters (方案, 报送单位, 报送周期) from the query string or the batch form; bad values are ignored."""
    def number(name):
        value = source.get(name, "")
        return int(value) if value.isdigit() and 0 < int(value) <= 2_147_483_647 else None

    period = source.get("period", "")
    return {"plan_id": number("plan_id"), "unit_id": number("unit_id"),
            "period": period if re.fullmatch(r"\d{4}-(?:\d{2}|Q[1-4])|final", period) else None}


@bp.get("/reviews")
@require(can_review_updates)
def review_queue():
    filters = _queue_filters(request.args)
    page = paginate(pending_reviews(**filters))
    # One form for the page: each card adds its update's version (50 forms cost 30 ms to build and render).
    return render_template("updates/queue.html", updates=page.items, page=page, form=ReviewForm(formdata=None),
                           filters=filters, previous=previous_accepted_percents(page.items),
                           plans=plan_picker(filters["plan_id"]), units=unit_picker(filters["unit_id"]),
                           periods=review_periods())


@bp.post("/reviews/accept")
@require(can_review_updates)
def accept_selected():
    """批量采纳: the checked updates of the queue, each with the version its card showed."""
    form = ReviewForm()
    filters = {key: value for key, value in _queue_filters(request.form).items() if value}
    back = url_for("updates.review_queue", **filters)
    if not form.validate_on_submit():
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
        return redirect(back)
    ids = list(dict.fromkeys(int(value) for value in request.form.getlist("update_id")
                             if value.isdigit() and 0 < int(value) <= 2_147_483_647))
    if len(ids) > BATCH_LIMIT:
        flash(_("一次最多采纳%(n)d条报送。", n=BATCH_LIMIT), "danger")
        return redirect(back)
    found = {update.id: update for update in db.session.scalars(select(StatusUpdate).where(StatusUpdate.id.in_(ids)))}
    if len(found) != len(ids):
        flash(_("所选报送中有已不存在的记录，请刷新后重试。"), "danger")
        return redirect(back)
    selected = [(found[update_id], expected_version(request.form.get(f"version_{update_id}"))) for update_id in ids]
    if any(version is None for _update, version in selected):
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
        return redirect(back)
    done, error = run_service(accept_updates, current_user, selected, today=today())
    if error is None:
        flash(_("已采纳%(n)d条报送。", n=len(done)), "success")
    return redirect(back)


@bp.post("/updates/<int:update_id>/review")
@require(can_review_updates)
def review(update_id: int):
    update = get_or_404(StatusUpdate, update_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
        return redirect(url_for("updates.review_queue"))
    decision = "accept" if form.accept.data else "return"
    version = form.version.data
    _saved, error = run_service(review_update, current_user, update, decision=decision,
                                comment=form.comment.data or "", today=today(),
                                expected_version=expected_version(version))
    if error is None:
        flash(_("已采纳该报送。") if decision == "accept" else _("已退回该报送。"), "success")
    back = request.form.get("next", "")  # the task page the review was made on, nothing else (no CR/LF either)
    return redirect(back if re.fullmatch(r"/tasks/\d+", back) else url_for("updates.review_queue"))


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    file = get_or_404(EvidenceFile, evidence_id)
    ensure(can_view_task(current_user, file.update.task))
    return send_evidence(file)
