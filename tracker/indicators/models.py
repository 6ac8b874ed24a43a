"""KPI targets (指标) of a plan and the readings (指标填报) units submit for review."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db
from tracker.updates.models import ReviewState, StoredFileColumns

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.plans.models import Plan
    from tracker.tasks.models import Task
    from tracker.units.models import Unit

# Statistical figures (亿元 with decimals, shares in %) must not pick up binary rounding errors.
VALUE_TYPE = Numeric(18, 4)


class Direction(str, enum.Enum):
    higher = "higher"  # 越大越好, e.g. 规模以上工业总产值
    lower = "lower"  # 越小越好, e.g. 单位产值能耗


class Indicator(db.Model):
    """A quantitative target (指标) of a plan, e.g. "规模以上工业总产值 170亿元 by 2026"."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    responsible_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"),
                                                               index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_of_measure: Mapped[str] = mapped_column(String(20), default="")  # 计量单位: 亿元, 家, 个, %
    baseline: Mapped[Decimal] = mapped_column(VALUE_TYPE, default=Decimal(0))  # 基期值
    baseline_on: Mapped[Optional[date]]  # 基期; the plan's start when empty
    target_value: Mapped[Decimal] = mapped_column(VALUE_TYPE)  # 目标值
    target_on: Mapped[date]  # 目标年限
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 16), default=Direction.higher)
    note: Mapped[str] = mapped_column(Text, default="")  # 口径说明
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped["Plan"] = relationship()
    task: Mapped[Optional["Task"]] = relationship()
    responsible_unit: Mapped[Optional["Unit"]] = relationship()
    readings: Mapped[list["IndicatorReading"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan",
        order_by="(IndicatorReading.period, IndicatorReading.id)")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name


class IndicatorReading(db.Model):
    """A value a unit reports for one month (指标填报), reviewed like a status update."""

    __tablename__ = "indicator_readings"
    __table_args__ = (
        Index("ix_indicator_readings_indicator_period", "indicator_id", "period"),
        Index("ix_indicator_readings_review_state", "review_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(10))  # "2026-06": the month the value stands for
    value: Mapped[Decimal] = mapped_column(VALUE_TYPE)
    source_note: Mapped[str] = mapped_column(Text, default="")  # 数据来源
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_state: Mapped[ReviewState] = mapped_column(str_enum(ReviewState, 16), default=ReviewState.submitted)
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    indicator: Mapped[Indicator] = relationship(back_populates="readings")
    unit: Mapped["Unit"] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewer_id])
    evidence: Mapped[list["IndicatorEvidenceFile"]] = relationship(
        back_populates="reading", cascade="all, delete-orphan", order_by="IndicatorEvidenceFile.id")

    __mapper_args__ = {"version_id_col": version}


class IndicatorEvidenceFile(StoredFileColumns, db.Model):
    """Evidence (佐证材料) attached to a reading; stored like status-update evidence."""

    __tablename__ = "indicator_evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("indicator_readings.id", ondelete="CASCADE"), index=True)

    reading: Mapped[IndicatorReading] = relationship(back_populates="evidence")
