"""Delivers pending outbox rows (email over SMTP, webhook calls over HTTP), retrying failures with
exponential backoff."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import select, update

from tracker.common.upsert import on_postgresql
from tracker.extensions import db
from tracker.reminders.models import DeliveryChannel, DeliveryState, Notification
from tracker.webhooks.delivery import WebhookError, WebhookPoster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    security: str  # none | starttls | ssl
    username: str
    password: str
    sender: str
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config) -> "SmtpSettings | None":
        if not config.get("MAIL_SERVER"):
            return None
        return cls(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                   (config.get("MAIL_SECURITY") or "none").lower(), config.get("MAIL_USERNAME") or "",
                   config.get("MAIL_PASSWORD") or "", config.get("MAIL_SENDER") or "duban@localhost")


class SmtpMailer:
    """One SMTP connection per send pass."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            connection = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if s.username:
            connection.login(s.username, s.password)
        return connection

    def send(self, notification: Notification) -> None:
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = formataddr(("督办系统", self.settings.sender))
        message["To"] = notification.recipient_email
        message["Message-ID"] = make_msgid(idstring=f"duban-{notification.id}")
        message["X-Duban-Key"] = notification.idempotency_key
        message.set_content(notification.body_text)
        message.add_alternative(notification.body_html, subtype="html")
        if self.connection is None:
            self.connection = self._connect()
        self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at ``MAIL_RETRY_MAX_SECONDS`` (an hour by default)."""
    base = current_app.config.get("MAIL_RETRY_BASE_SECONDS", 60)
    cap = current_app.config.get("MAIL_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


CLAIM_LEASE = timedelta(minutes=10)


def _claim(at: datetime, batch: int, channels: list[DeliveryChannel]) -> list[Notification]:
    """Rows this sender may deliver now; no other sender gets the same rows.

    PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, held until the batch commits. SQLite has no row
    locks: each row is leased by a conditional UPDATE of its next attempt time (committed at once),
    so a second process finds it taken; if this process dies, the lease runs out and it is retried."""
    query = (select(Notification)
             .where(Notification.state == DeliveryState.pending, Notification.next_attempt_at <= at,
                    Notification.channel.in_(channels))
             .order_by(Notification.id).limit(batch))
    if on_postgresql():
        return list(db.session.scalars(query.with_for_update(skip_locked=True)))
    candidates = db.session.execute(query.with_only_columns(Notification.id, Notification.next_attempt_at)).all()
    claimed = []
    for notification_id, next_attempt_at in candidates:
        taken = db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state == DeliveryState.pending,
                   Notification.next_attempt_at == next_attempt_at)
            .values(next_attempt_at=at + CLAIM_LEASE)).rowcount
        if taken:
            claimed.append(notification_id)
    db.session.commit()
    return list(db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                                   .order_by(Notification.id))) if claimed else []


def send_pending(at: datetime, mailer=None, batch: int = 200, poster=None) -> SendResult:
    """One send pass as of ``at``: commits after each batch. Without SMTP settings no email is sent
    (mail stays in the outbox, visible in the app); webhook calls go out either way."""
    result = SendResult()
    if mailer is None:
        settings = SmtpSettings.from_config(current_app.config)
        mailer = SmtpMailer(settings) if settings is not None else None
    poster = poster or WebhookPoster(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 10))
    channels = [DeliveryChannel.webhook] + ([DeliveryChannel.email] if mailer is not None else [])
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 40)
    try:
        while True:
            rows = _claim(at, batch, channels)
            if not rows:
                break
            for row in rows:
                sender = mailer if row.channel == DeliveryChannel.email else poster
                try:
                    sender.send(row)
                except (smtplib.SMTPException, OSError, WebhookError) as error:
                    if sender is mailer:
                        mailer.close()
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:1000]
                    if row.attempts >= max_attempts:
                        row.state = DeliveryState.failed
                        result.failed += 1
                    else:
                        row.next_attempt_at = at + backoff(row.attempts)
                        result.retried += 1
                    result.errors.append(row.last_error)
                    continue
                row.attempts += 1
                row.state, row.sent_at, row.last_error = DeliveryState.sent, at, ""
                result.sent += 1
            db.session.commit()
            if len(rows) < batch:
                break
    finally:
        if mailer is not None:
            mailer.close()
        db.session.rollback()
    if result.retried or result.failed:
        log.warning("outbox: %d sent, %d to retry, %d failed (%s)", result.sent, result.retried, result.failed,
                    result.errors[-1] if result.errors else "")
    return result


def retry_failed(notification_ids: list[int], at: datetime) -> int:
    """An admin puts failed emails back in the queue."""
    rows = db.session.scalars(select(Notification).where(Notification.id.in_(notification_ids),
                                                         Notification.state == DeliveryState.failed))
    count = 0
    for row in rows:
        row.state, row.attempts, row.next_attempt_at = DeliveryState.pending, 0, at
        count += 1
    return count
