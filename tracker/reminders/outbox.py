"""The outbox: queue a rendered email (or webhook call) once per idempotency key; never talk to SMTP here."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale

from tracker.common.clock import utcnow
from tracker.common.upsert import insert
from tracker.extensions import db
from tracker.reminders.models import DeliveryChannel, DeliveryState, Notification, NotificationKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str = "zh_CN"
    user_id: int | None = None
    unit_id: int | None = None


def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def render_email(kind: NotificationKind, locale: str, subject: str | None = None, **context) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language, from templates/email/<kind>.txt|.html."""
    with force_locale(locale):
        context = {**context, "url": absolute_url}
        subject_text = render_template(f"email/{kind.value}.subject.txt", **context).strip()
        text = render_template(f"email/{kind.value}.txt", **context)
        html = render_template(f"email/{kind.value}.html", **context)
    return subject or subject_text, text, html


def queue(kind: NotificationKind, key: str, recipient: Recipient, *, task_id: int | None = None,
          at: datetime | None = None, **context) -> bool:
    """Adds the email to the outbox unless its key is already there; True when it was added.

    INSERT … ON CONFLICT DO NOTHING keeps two racing schedulers from queueing the same email twice."""
    subject, text, html = render_email(kind, recipient.locale, **context)
    added = insert_once(key, kind, recipient_email=recipient.email, recipient_user_id=recipient.user_id,
                        recipient_unit_id=recipient.unit_id, task_id=task_id, locale=recipient.locale,
                        subject=subject, body_text=text, body_html=html, at=at)
    if added and not current_app.config.get("MAIL_SERVER"):
        log.info("outbox (no SMTP configured): to=%s subject=%s", recipient.email, subject)
    return added


def insert_once(key: str, kind: NotificationKind, *, subject: str, at: datetime | None = None,
                channel: DeliveryChannel = DeliveryChannel.email, **values) -> bool:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING; True when the row is new. Every outbox
    row, email or webhook, is written here."""
    at = at or utcnow()
    row = dict(idempotency_key=key[:200], kind=kind.value, channel=channel.value, subject=subject[:300],
               created_at=at, state=DeliveryState.pending.value, attempts=0, next_attempt_at=at, last_error="",
               **values)
    statement = (insert(Notification.__table__).values(**row)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(Notification.__table__.c.id))
    return db.session.execute(statement).scalar() is not None
