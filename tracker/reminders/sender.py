"""Delivers pending outbox rows (email over SMTP, webhook calls over HTTP), retrying failures with
exponential backoff."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
import hashlib
from email.utils import formataddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from tracker.common.upsert import on_postgresql
from tracker.extensions import db
from tracker.outbox.models import DeliveryChannel, DeliveryState, Notification
from tracker.webhooks.delivery import WebhookError, WebhookPoster

log = logging.getLogger(__name__)


def message_id(idempotency_key: str, base_url: str = "") -> str:
    """The Message-ID of the email with this idempotency key: the same on every attempt, so a copy sent
    again after a crash (the SMTP server had it, the outbox did not yet know) is recognisably the same
    message, and a mail server or client that drops duplicate Message-IDs drops it."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@duban.{host}>"


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

    def __init__(self, settings: SmtpSettings, base_url: str = ""):
        self.settings = settings
        self.base_url = base_url
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
        message["Message-ID"] = message_id(notification.idempotency_key, self.base_url)
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


def claim_lease() -> timedelta:
    """How long a claimed message is left to the sender that claimed it (MAIL_CLAIM_MINUTES, 10 by
    default): a claim older than this is taken again, its sender presumed dead."""
    return timedelta(minutes=current_app.config.get("MAIL_CLAIM_MINUTES", 10))


def _claim(at: datetime, batch: int, channels: list[DeliveryChannel]) -> list[Notification]:
    """Claims the rows this sender delivers next, and commits the claim before any is sent.

    A claim sets ``claimed_at`` (发送中) and moves ``next_attempt_at`` a lease ahead by a conditional
    UPDATE (still pending, still due as read), so a second sender finds each row taken; on PostgreSQL
    the candidates are read FOR UPDATE SKIP LOCKED, so two senders do not even try the same rows. If
    this sender dies, its claims run out after the lease and the rows are delivered again. The rows
    come back detached (with their webhook), so committing each outcome reloads nothing."""
    query = (select(Notification.id, Notification.next_attempt_at)
             .where(Notification.state == DeliveryState.pending, Notification.next_attempt_at <= at,
                    Notification.channel.in_(channels))
             .order_by(Notification.id).limit(batch))
    claim = dict(next_attempt_at=at + claim_lease(), claimed_at=at)
    if on_postgresql():  # the candidates stay locked until the claim commits: one UPDATE for them all
        ids = list(db.session.scalars(query.with_only_columns(Notification.id).with_for_update(skip_locked=True)))
        claimed = list(db.session.scalars(update(Notification).where(Notification.id.in_(ids))
                                          .values(**claim).returning(Notification.id)
                                          .execution_options(synchronize_session=False))) if ids else []
        candidates = []
    else:
        claimed, candidates = [], db.session.execute(query).all()
    for notification_id, next_attempt_at in candidates:
        taken = db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state == DeliveryState.pending,
                   Notification.next_attempt_at == next_attempt_at)
            .values(**claim)).rowcount
        if taken:
            claimed.append(notification_id)
    db.session.commit()
    if not claimed:
        return []
    rows = list(db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                                   .options(selectinload(Notification.webhook)).order_by(Notification.id)))
    for row in rows:  # detached before the commit, so that the loaded values stay
        for obj in (row, row.webhook):
            if obj is not None and obj in db.session:
                db.session.expunge(obj)
    db.session.commit()
    return rows


def _record(row: Notification, **values) -> None:
    """One message's outcome, committed at once (not with its batch): a crash after it cannot send it again."""
    db.session.execute(update(Notification).where(Notification.id == row.id).values(claimed_at=None, **values))
    db.session.commit()


def send_pending(at: datetime, mailer=None, batch: int = 200, poster=None) -> SendResult:
    """One send pass as of ``at``. Each message is claimed (committed) before it is handed to SMTP or
    the webhook, and its outcome committed right after: a crash duplicates at most the message in
    flight, which goes out again after the claim lease with the same Message-ID. Without SMTP settings
    no email is sent (mail stays in the outbox, visible in the app); webhook calls go out either way."""
    result = SendResult()
    if mailer is None:
        settings = SmtpSettings.from_config(current_app.config)
        mailer = SmtpMailer(settings, current_app.config.get("BASE_URL", "")) if settings is not None else None
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
                    attempts, last_error = row.attempts + 1, f"{type(error).__name__}: {error}"[:1000]
                    if attempts >= max_attempts:
                        _record(row, attempts=attempts, last_error=last_error, state=DeliveryState.failed)
                        result.failed += 1
                    else:
                        _record(row, attempts=attempts, last_error=last_error, next_attempt_at=at + backoff(attempts))
                        result.retried += 1
                    result.errors.append(last_error)
                    continue
                _record(row, attempts=row.attempts + 1, state=DeliveryState.sent, sent_at=at, last_error="")
                result.sent += 1
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
