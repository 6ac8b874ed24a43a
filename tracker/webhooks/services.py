"""Managing webhooks (群机器人): create, edit, delete, send a test message."""
from __future__ import annotations

import urllib.parse

from flask_babel import gettext as _

from tracker.audit.services import diff, record
from tracker.access import permissions
from tracker.common.clock import utcnow
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.outbox.models import NotificationKind
from tracker.outbox.services import absolute_url
from tracker.units.models import Unit
from tracker.webhooks.delivery import WebhookError, WebhookPoster
from tracker.webhooks.messages import WebhookMessage, render_payload
from tracker.webhooks.models import Webhook, WebhookFormat

FIELDS = ("name", "format", "url", "secret", "events", "unit_id", "enabled")
EVENTS = [kind.value for kind in NotificationKind]


def _check(actor) -> None:
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有督办人员可以管理群机器人。"))


def _valid_url(url: str) -> str:
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ValidationFailed(_("推送地址须是以 http:// 或 https:// 开头的完整网址。"))
    return url


def save_webhook(actor, webhook: Webhook | None, *, name: str, format: WebhookFormat, url: str, secret: str = "",
                 events: list[str], unit_id: int | None = None, enabled: bool = True,
                 expected_version: int | None = None) -> Webhook:
    """Creates (``webhook`` None) or edits a webhook, with its audit event. The generic format signs
    every call, so it needs a secret; a DingTalk secret (SEC…) turns on 加签."""
    _check(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写名称。"))
    unknown = [event for event in events if event not in EVENTS]
    if unknown or not events:
        raise ValidationFailed(_("请至少选择一个推送事件。"))
    secret = secret.strip()
    if format == WebhookFormat.generic and len(secret) < 16:
        raise ValidationFailed(_("通用JSON格式须设置至少16个字符的签名密钥。"))
    if unit_id and db.session.get(Unit, unit_id) is None:
        raise ValidationFailed(_("所选单位不存在。"))
    values = {"name": name, "format": format, "url": _valid_url(url), "secret": secret,
              "events": ",".join(event for event in EVENTS if event in events), "unit_id": unit_id or None,
              "enabled": bool(enabled)}
    audit_values = {**values, "url": "…", "secret": "…" if secret else ""}  # robot keys stay out of the audit trail
    if webhook is None:
        webhook = Webhook(**values)
        db.session.add(webhook)
        record(actor, "webhook.created", webhook, changes=audit_values, summary=name)
        return webhook
    check_version(webhook, expected_version, {field: getattr(webhook, field) for field in ("name", "events")})
    before = {field: getattr(webhook, field) for field in FIELDS}
    for field, value in values.items():
        setattr(webhook, field, value)
    changes = diff(before, values)
    for hidden in ("url", "secret"):
        if hidden in changes:
            changes[hidden] = ["…", "…"]
    record(actor, "webhook.updated", webhook, changes=changes, summary=name)
    return webhook


def delete_webhook(actor, webhook: Webhook, expected_version: int | None = None) -> None:
    """Removes a webhook; its delivered calls stay in the outbox, pending ones fail as "webhook deleted"."""
    _check(actor)
    check_version(webhook, expected_version, {"name": webhook.name})
    record(actor, "webhook.deleted", webhook, changes={"name": webhook.name}, summary=webhook.name)
    db.session.delete(webhook)


def send_test_message(actor, webhook: Webhook, poster: WebhookPoster | None = None) -> str:
    """Posts a test message now (not through the outbox) and returns the error, or "" on success; the
    audit trail records who tested and what came back."""
    _check(actor)
    message = WebhookMessage(event="test", title=_("督办系统测试消息"),
                             text=_("这是来自督办系统的测试消息：群机器人“%(name)s”已可接收推送。", name=webhook.name),
                             link=absolute_url("/"))
    key = f"webhook:{webhook.id}:test:{utcnow().isoformat()}"
    try:
        (poster or WebhookPoster()).post(webhook, render_payload(webhook.format, message, key=key, at=utcnow()),
                                         event="test", delivery=key)
        problem = ""
    except (OSError, WebhookError) as error:
        problem = f"{type(error).__name__}: {error}"[:300]
    record(actor, "webhook.tested", webhook, changes={"result": problem or "ok"}, summary=webhook.name)
    return problem
