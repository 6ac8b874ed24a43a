"""Users and roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.units.models import Unit


# 分管单位: the units a leader oversees. A leader with none receives every escalation (督办升级); with
# some, only those of tasks led by one of them (a district's vice-mayor, not the whole city's).
leader_units = Table(
    "leader_units",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Role(str, enum.Enum):
    admin = "admin"
    coordinator = "coordinator"  # 督办/协调办公室
    unit = "unit"  # 责任单位 user, belongs to exactly one unit
    leader = "leader"  # 领导: reads everything, changes nothing


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'unit' AND unit_id IS NOT NULL) OR (role <> 'unit' AND unit_id IS NULL)",
            name="unit_role_has_unit",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    is_active_user: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Seeded demo accounts and admin resets must choose a new password (outside debug mode).
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    unit: Mapped[Optional["Unit"]] = relationship()
    overseen_units: Mapped[list["Unit"]] = relationship(secondary=leader_units, order_by="Unit.short_name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def __str__(self) -> str:
        return self.display_name
