"""Outgoing webhooks (群机器人推送): a WeCom or DingTalk group robot, or a generic signed JSON endpoint,
subscribed to reminder and review events. Deliveries go through the email outbox (``notifications``)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db
from tracker.outbox.models import Notification

if TYPE_CHECKING:
    from tracker.units.models import Unit


class WebhookFormat(str, enum.Enum):
    wecom = "wecom"  # 企业微信群机器人: {"msgtype": "markdown", "markdown": {"content": …}}
    dingtalk = "dingtalk"  # 钉钉自定义机器人: {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, 加签
    generic = "generic"  # JSON event, HMAC-SHA256 signature header


class Webhook(db.Model):
    """One robot or endpoint. ``events`` lists the notification kinds it receives; ``unit_id`` limits
    it to one unit's tasks (a bureau's own group), empty means every unit (the 督查室 group)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    format: Mapped[WebhookFormat] = mapped_column(str_enum(WebhookFormat, 16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[str] = mapped_column(String(1000), default="")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Optional["Unit"]] = relationship()
    # The outbox rows calling this robot; ``Notification.webhook`` from the outbox's side (the outbox sits
    # below webhooks and does not import them). Deleting a robot leaves its rows (webhook_id SET NULL).
    notifications: Mapped[list[Notification]] = relationship(backref=backref("webhook"), passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def event_list(self) -> list[str]:
        return [event for event in self.events.split(",") if event]

    @property
    def masked_url(self) -> str:
        """The address without its key or token (the robot's secret part)."""
        base, _sep, query = self.url.partition("?")
        return f"{base}?…" if query else base

    def __str__(self) -> str:
        return self.name
