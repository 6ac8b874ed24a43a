"""督查通报 (the monthly supervision bulletin); the scoring rule of a plan (考评规则) is in tracker/reports/models.py.

A bulletin is drafted from the month's figures, edited, then issued with a number from the per-year
sequence (督查通报〔2026〕3号); once issued it is kept read-only: its figures (JSON) and final text are
what the Word file is built from."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User

BULLETIN_PREFIX = "督查通报"


class BulletinState(str, enum.Enum):
    draft = "draft"  # 草稿
    issued = "issued"  # 已印发


class Bulletin(db.Model):
    """One month's 督查通报: the figures it was drafted from, its text, and its number once issued."""

    __tablename__ = "bulletins"
    __table_args__ = (UniqueConstraint("month"), UniqueConstraint("prefix", "year", "serial"))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-06"
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)  # bulletins.figures.month_figures(), frozen
    state: Mapped[BulletinState] = mapped_column(str_enum(BulletinState, 12), default=BulletinState.draft)
    prefix: Mapped[str] = mapped_column(String(12), default=BULLETIN_PREFIX)
    year: Mapped[Optional[int]]
    serial: Mapped[Optional[int]]
    drafted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    issued_on: Mapped[Optional[date]]
    version: Mapped[int] = mapped_column(default=1)

    drafted_by: Mapped[Optional["User"]] = relationship(foreign_keys=[drafted_by_id])
    edited_by: Mapped[Optional["User"]] = relationship(foreign_keys=[edited_by_id])
    issued_by: Mapped[Optional["User"]] = relationship(foreign_keys=[issued_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str | None:
        """督查通报〔2026〕3号 once issued, None for a draft."""
        return f"{self.prefix}〔{self.year}〕{self.serial}号" if self.serial is not None else None

    @property
    def is_issued(self) -> bool:
        return self.state == BulletinState.issued
