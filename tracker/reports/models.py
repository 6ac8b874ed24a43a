"""考评规则: the scoring rule of a plan, read by the scoreboard (tracker/reports/scoring.py) and edited on the
plan's scoring page (tracker/bulletins)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime
from tracker.extensions import db


class ScoringRule(db.Model):
    """考评规则 of a plan: points per counted item (a plan without a row uses ``DEFAULT_WEIGHTS``).

    加分: each on-time report, each closure verified on time; 扣分: each working day overdue, each
    return (退回), each approved extension, each level of the ladder reached."""

    __tablename__ = "scoring_rules"
    __table_args__ = (UniqueConstraint("plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    on_time_report: Mapped[float]
    overdue_day: Mapped[float]
    returned: Mapped[float]
    extension: Mapped[float]
    escalation: Mapped[float]
    closure_on_time: Mapped[float]
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
