"""Holiday maintenance (节假日维护): official holidays and 调休 makeup working days per year."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime
from tracker.extensions import db


class HolidayYear(db.Model):
    """One year's rules, overriding the chinese-calendar library (which knows up to 2026)."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(Text, default="")  # ISO dates, one per line
    makeup_workdays: Mapped[str] = mapped_column(Text, default="")  # 调休上班日, ISO dates
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
