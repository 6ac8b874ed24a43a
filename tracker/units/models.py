"""Units (单位): district bureaus, towns, state-owned companies, municipal commissions."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db


class UnitKind(str, enum.Enum):
    district_bureau = "district_bureau"  # 区级委办局
    town = "town"  # 镇/街道
    state_owned_company = "state_owned_company"  # 区属国企
    municipal_commission = "municipal_commission"  # 市级部门
    other = "other"


class Unit(db.Model):
    """A responsible unit (责任单位): leads or cooperates on tasks, handles proposals."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind), default=UnitKind.district_bureau)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    contact_person: Mapped[str] = mapped_column(String(60), default="")
    # One address per line; every line is validated by the form and the service.
    notification_emails: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # 单位主要负责人: the 催办单 of the escalation ladder goes to this address.
    head_name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    head_email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: two coordinators editing the unit at once, the second is told (issue 22).
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Optional["Unit"]] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.notification_emails.splitlines() if line.strip()]

    def __str__(self) -> str:
        return self.short_name or self.name


class UnitAlias(db.Model):
    """Another name a unit is written under in documents (别名), e.g. 区发改局 for 区发展和改革委员会:
    plan imports match it like the unit's own names."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped["Unit"] = relationship()
