"""Webhook screens (群机器人推送): list with recent deliveries, create/edit, delete, test message."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tracker.common.labels import choices, label
from tracker.access.permissions import is_manager, require
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.outbox.models import DeliveryChannel, Notification
from tracker.units.models import Unit
from tracker.webhooks.forms import WebhookActionForm, WebhookForm
from tracker.webhooks.models import Webhook, WebhookFormat
from tracker.webhooks.services import EVENTS, delete_webhook, save_webhook, send_test_message
from tracker.units.ordering import sorted_units

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

DEFAULT_EVENTS = ["overdue_digest", "escalation", "update_returned", "update_resubmitted"]


@bp.get("/")
@require(is_manager)
def index():
    hooks = list(db.session.scalars(select(Webhook).order_by(Webhook.id)))
    counts: dict[int, dict[str, int]] = {}
    for webhook_id, state, count in db.session.execute(
            select(Notification.webhook_id, Notification.state, func.count())
            .where(Notification.channel == DeliveryChannel.webhook, Notification.webhook_id.is_not(None))
            .group_by(Notification.webhook_id, Notification.state)):
        counts.setdefault(webhook_id, {})[state.value] = count
    return render_template("webhooks/index.html", hooks=hooks, counts=counts, action_form=WebhookActionForm())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:webhook_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit(webhook_id: int | None = None):
    webhook = get_or_404(Webhook, webhook_id) if webhook_id else None
    form = WebhookForm(obj=webhook)
    form.format.choices = choices(WebhookFormat)
    form.events.choices = [(event, label(event)) for event in EVENTS]
    units = sorted_units(db.session.scalars(select(Unit)))
    form.unit_id.choices = [(0, _("全部单位"))] + [(unit.id, unit.short_name) for unit in units]
    if request.method == "GET":
        if webhook is not None:
            form.format.data, form.events.data = webhook.format.value, webhook.event_list
            form.unit_id.data, form.version.data = webhook.unit_id or 0, webhook.version
        else:
            form.events.data = DEFAULT_EVENTS
    if form.validate_on_submit():
        saved, error = run_service(
            save_webhook, current_user, webhook, name=form.name.data, format=WebhookFormat(form.format.data),
            url=form.url.data, secret=form.secret.data or "", events=form.events.data, unit_id=form.unit_id.data,
            enabled=form.enabled.data, expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("群机器人“%(name)s”已保存。", name=saved.name), "success")
            return redirect(url_for("webhooks.index"))
    return render_template("webhooks/form.html", form=form, webhook=webhook)


@bp.post("/<int:webhook_id>/delete")
@require(is_manager)
def delete(webhook_id: int):
    webhook = get_or_404(Webhook, webhook_id)
    form = WebhookActionForm()
    if form.validate_on_submit():
        name = webhook.name
        _done, error = run_service(delete_webhook, current_user, webhook, expected_version(form.version.data))
        if error is None:
            flash(_("群机器人“%(name)s”已删除。", name=name), "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:webhook_id>/test")
@require(is_manager)
def test(webhook_id: int):
    webhook = get_or_404(Webhook, webhook_id)
    if WebhookActionForm().validate_on_submit():
        problem, error = run_service(send_test_message, current_user, webhook)
        if error is None:
            if problem:
                flash(_("测试消息发送失败：%(error)s", error=problem), "danger")
            else:
                flash(_("测试消息已发送到“%(name)s”。", name=webhook.name), "success")
    return redirect(url_for("webhooks.index"))
