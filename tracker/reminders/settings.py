"""Per-plan reminder settings (提醒设置) with validated edits."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import diff, record
from tracker.common.errors import ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.reminders.models import ReminderSettings

DEFAULTS = {"report_due_offsets": "3,0", "deadline_offsets": "10,5,1", "escalate_after_days": 5,
            "overdue_digest_enabled": True}


@dataclass(frozen=True)
class EffectiveSettings:
    report_due_offsets: tuple[int, ...]
    deadline_offsets: tuple[int, ...]
    escalate_after_days: int
    overdue_digest_enabled: bool


def parse_offsets(raw: str) -> tuple[int, ...]:
    """"10,5,1" → (10, 5, 1): distinct working-day offsets 0..60, largest first."""
    values = set()
    for token in raw.replace("，", ",").replace(" ", ",").split(","):
        if not token.strip():
            continue
        if not token.strip().isdigit() or not 0 <= int(token) <= 60:
            raise ValidationFailed(_("提醒天数须为0至60之间的整数，用逗号分隔：“%(raw)s”。", raw=raw))
        values.add(int(token))
    return tuple(sorted(values, reverse=True))


def settings_by_plan() -> dict[int, EffectiveSettings]:
    return {row.plan_id: _effective(row) for row in db.session.scalars(select(ReminderSettings))}


def _effective(row: ReminderSettings | None) -> EffectiveSettings:
    values = DEFAULTS if row is None else {key: getattr(row, key) for key in DEFAULTS}
    return EffectiveSettings(parse_offsets(values["report_due_offsets"]), parse_offsets(values["deadline_offsets"]),
                             values["escalate_after_days"], values["overdue_digest_enabled"])


@lru_cache(maxsize=1)
def _defaults() -> EffectiveSettings:
    return _effective(None)


def settings_for(plan_id: int, cache: dict[int, EffectiveSettings] | None = None) -> EffectiveSettings:
    if cache is not None:
        return cache.get(plan_id) or _defaults()
    return _effective(db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == plan_id)))


def save_settings(actor, plan, *, report_due_offsets: str, deadline_offsets: str, escalate_after_days: int,
                  overdue_digest_enabled: bool, expected_version: int | None = None) -> ReminderSettings:
    values = {"report_due_offsets": ",".join(map(str, parse_offsets(report_due_offsets))),
              "deadline_offsets": ",".join(map(str, parse_offsets(deadline_offsets))),
              "escalate_after_days": escalate_after_days, "overdue_digest_enabled": overdue_digest_enabled}
    if not 1 <= escalate_after_days <= 100:
        raise ValidationFailed(_("升级天数须在1至100之间。"))
    row = db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == plan.id))
    if row is None:
        row = ReminderSettings(plan_id=plan.id, **values)
        db.session.add(row)
        before = DEFAULTS
    else:
        before = {key: getattr(row, key) for key in DEFAULTS}
        check_version(row, expected_version, before)
        for key, value in values.items():
            setattr(row, key, value)
    record(actor, "reminders.settings", row, changes=diff(before, values), summary=plan.title)
    return row
