"""Queueing webhook calls in the outbox, in the transaction of the event that causes them."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.common.clock import utcnow
from tracker.common.locales import parsed_locale
from tracker.extensions import db
from tracker.outbox.models import DeliveryChannel, Notification, NotificationKind
from tracker.outbox.services import absolute_url, insert_once, render_email, render_messages, resolved
from tracker.webhooks.messages import WebhookMessage, render_payload
from tracker.webhooks.models import Webhook

LOCALE = "zh_CN"  # group robots speak the district's language

SCOPE_ANY = "any"  # webhooks of every unit, and those of the named units
SCOPE_UNITS = "units"  # only webhooks limited to one of the named units
SCOPE_ALL_UNITS = "all"  # only webhooks that follow every unit


class WebhookDirectory:
    """The enabled webhooks, read once per reminder scan (or per event when none is given)."""

    def __init__(self) -> None:
        self._hooks: list[Webhook] | None = None

    @property
    def hooks(self) -> list[Webhook]:
        if self._hooks is None:
            self._hooks = list(db.session.scalars(select(Webhook).where(Webhook.enabled.is_(True))
                                                  .order_by(Webhook.id)))
        return self._hooks

    def subscribers(self, kind: NotificationKind, unit_ids: Iterable[int | None], scope: str) -> list[Webhook]:
        if not self.hooks:
            return []
        units = {unit_id for unit_id in unit_ids if unit_id}
        chosen = []
        for hook in self.hooks:
            if kind.value not in hook.event_list:
                continue
            if hook.unit_id is None and scope != SCOPE_UNITS or hook.unit_id in units and scope != SCOPE_ALL_UNITS:
                chosen.append(hook)
        return chosen


def publish(kind: NotificationKind, key: str, *, unit_ids: Iterable[int | None] = (), path: str = "/",
            at: datetime | None = None, task_id: int | None = None, scope: str = SCOPE_ANY,
            directory: WebhookDirectory | None = None, template: str | None = None, **context) -> int:
    """Queues one call per subscribed webhook (key ``webhook:<id>:<key>``, so each is sent once);
    returns how many were new. The text is the event's email text in Chinese, or ``template``
    (a text template whose first line is the title)."""
    hooks = (directory or WebhookDirectory()).subscribers(kind, unit_ids, scope)
    queued = set(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.idempotency_key.in_([f"webhook:{hook.id}:{key}"[:200] for hook in hooks])))) if hooks else set()
    hooks = [hook for hook in hooks if f"webhook:{hook.id}:{key}"[:200] not in queued]  # a repeated run renders nothing
    if not hooks:
        return 0
    context = resolved(context)
    if template:
        title, _sep, text = render_messages((template,), LOCALE, **context)[0].strip().partition("\n")
    else:
        title, text, _html = render_email(kind, LOCALE, **context)
    message = WebhookMessage(event=kind.value, title=title, text=text.strip(), link=absolute_url(path),
                             data={"task_id": task_id, "unit_ids": sorted({u for u in unit_ids if u})})
    added = 0
    for hook in hooks:
        delivery_key = f"webhook:{hook.id}:{key}"
        with force_locale(parsed_locale(LOCALE)):
            payload = render_payload(hook.format, message, key=delivery_key, at=at or utcnow())
        added += insert_once(delivery_key, kind, channel=DeliveryChannel.webhook, subject=title, at=at,
                             recipient_email=_("群机器人：%(name)s", name=hook.name)[:200], webhook_id=hook.id,
                             recipient_unit_id=hook.unit_id, task_id=task_id, locale=LOCALE, body_text=text,
                             body_html="", payload=payload)
    return added
