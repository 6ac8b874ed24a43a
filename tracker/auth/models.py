"""Users and roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table
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
    admin = "admin"  # 系统管理员: plans, units, settings (三员分立: not accounts, not the logs)
    coordinator = "coordinator"  # 督办/协调办公室
    unit = "unit"  # 责任单位 user, belongs to exactly one unit
    leader = "leader"  # 领导: reads everything, changes nothing
    security_admin = "security_admin"  # 安全管理员: accounts and roles only
    audit_admin = "audit_admin"  # 审计管理员: alone reads the audit log and the login log


# 三员分立: the security and audit administrators work only on their own pages.
SEPARATED_ADMINS = (Role.security_admin, Role.audit_admin)


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
    # Bumped by an account edit only (a compare-and-set in ``update_user``), never by a login: of two security
    # administrators saving the same account from the same read, the second is told and changes nothing.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Optional["Unit"]] = relationship()
    overseen_units: Mapped[list["Unit"]] = relationship(secondary=leader_units, order_by="Unit.short_name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def __str__(self) -> str:
        return self.display_name


class LoginSession(db.Model):
    """登录会话: one row per login; the session cookie names it (tracker/auth/sessions.py). A session whose
    row is ended (logout, a password change, a role or unit change, deactivation, 结束全部会话) is refused
    at its next request, whichever device or copied cookie sends it."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # secrets.token_urlsafe(32)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class PasswordHistory(db.Model):
    """密码历史: the hashes of an account's recent passwords (等保: no reuse of the last N)."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginOutcome(str, enum.Enum):
    success = "success"  # 登录成功
    failure = "failure"  # 密码错误或登录名不存在
    locked = "locked"  # 本次失败使账户被锁定
    blocked = "blocked"  # 账户锁定中、地址受限或已停用：未核对密码即拒绝
    logout = "logout"  # 退出


class LoginEvent(db.Model):
    """登录日志: every login attempt, lock and logout with address and user agent (等保三级 安全审计).

    Also the shared store of the login limits: failed attempts per address are counted here, so every
    web worker and every host sees the same count (tracker/auth/limits.py)."""

    __tablename__ = "login_events"
    __table_args__ = (Index("ix_login_events_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    login: Mapped[str] = mapped_column(String(80), default="")  # as typed (for unknown logins too)
    outcome: Mapped[LoginOutcome] = mapped_column(str_enum(LoginOutcome, 12))
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[Optional["User"]] = relationship()
