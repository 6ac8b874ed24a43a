"""KPI targets (指标): defining them, readings (指标填报) through the same review loop as status updates,
and progress towards the target (目标完成度) against the expected path (序时进度).

Progress = (latest accepted value − baseline) ÷ (target − baseline), so it reads the same way for
"higher is better" and "lower is better" targets. The expected value on a day is the straight line from
the baseline (基期值, on the baseline date) to the target (目标值, on the target date).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import diff, record
from tracker.auth.models import Role
from tracker.access import permissions
from tracker.common.clock import utcnow
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.indicators.models import Direction, Indicator, IndicatorEvidenceFile, IndicatorReading
from tracker.plans.models import Plan
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.evidence import EvidenceStore, IncomingFile, check_file
from tracker.updates.models import ReviewState

INDICATOR_FIELDS = ("name", "unit_of_measure", "baseline", "baseline_on", "target_value", "target_on", "direction",
                    "task_id", "responsible_unit_id", "note")
MAX_FILES_PER_READING = 10
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


# ---------------------------------------------------------------------------------------------------------
# Who may do what with an indicator (built on tracker.access.permissions)
# ---------------------------------------------------------------------------------------------------------

def reporting_unit_ids(indicator: Indicator) -> set[int]:
    """Units that report readings: the responsible unit (责任单位) and the linked task's lead unit."""
    ids = {indicator.responsible_unit_id} if indicator.responsible_unit_id else set()
    if indicator.task is not None:
        ids.add(indicator.task.lead_unit_id)
    return ids


def can_submit_reading(user, indicator: Indicator) -> bool:
    """A unit user of the responsible unit, or of the lead unit of the linked task."""
    if indicator.task is not None and permissions.unit_involvement(user, indicator.task) == "lead":
        return True
    return (user.is_authenticated and user.role == Role.unit and user.unit_id is not None
            and user.unit_id == indicator.responsible_unit_id)


def can_view_indicator(user, indicator: Indicator) -> bool:
    if permissions.can_read_everything(user) or can_submit_reading(user, indicator):
        return True
    return indicator.task is not None and permissions.can_view_task(user, indicator.task)


# ---------------------------------------------------------------------------------------------------------
# Values and periods
# ---------------------------------------------------------------------------------------------------------

def parse_value(raw, field_label: str) -> Decimal:
    """A decimal from a form or seed value; ValidationFailed with the field's name otherwise."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("“%(field)s”须为数字。", field=field_label)) from None
    if not value.is_finite() or abs(value) >= Decimal("1e13"):
        raise ValidationFailed(_("“%(field)s”须为数字。", field=field_label))
    return value.quantize(Decimal("0.0001"))


def format_value(value: Decimal | float | None) -> str:
    """170.0000 → "170", 46.5000 → "46.5"; "—" for none."""
    if value is None:
        return "—"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def period_end(key: str) -> date | None:
    """Last day of the month a reading period ("2026-06") stands for; None if the key is malformed."""
    match = _PERIOD.match(key or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def reading_periods(today: date, count: int = 12) -> list[str]:
    """Months a unit may report on: the current one and the ``count - 1`` before it, newest first."""
    keys, year, month = [], today.year, today.month
    for _index in range(count):
        keys.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys


# ---------------------------------------------------------------------------------------------------------
# Defining indicators
# ---------------------------------------------------------------------------------------------------------

def _plain(values: dict) -> dict:
    """Audit changes are JSON: decimals as their shortest text."""
    return {key: format_value(value) if isinstance(value, Decimal) else value for key, value in values.items()}


def _snapshot(indicator: Indicator) -> dict:
    return _plain({field: getattr(indicator, field) for field in INDICATOR_FIELDS})


def save_indicator(actor, plan: Plan, indicator: Indicator | None = None, *, name: str, unit_of_measure: str,
                   baseline, target_value, target_on: date | None, direction: Direction = Direction.higher,
                   baseline_on: date | None = None, task_id: int | None = None,
                   responsible_unit_id: int | None = None, note: str = "",
                   expected_version: int | None = None) -> Indicator:
    """Creates (``indicator`` None) or edits a plan's indicator; coordinators only."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有督办人员可以设置指标。"))
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写指标名称。"))
    baseline, target_value = parse_value(baseline, _("基期值")), parse_value(target_value, _("目标值"))
    if target_on is None:
        raise ValidationFailed(_("请填写目标年限。"))
    if baseline_on is not None and baseline_on >= target_on:
        raise ValidationFailed(_("基期日期须早于目标日期。"))
    clash = db.session.scalar(select(Indicator.id).where(Indicator.plan_id == plan.id, Indicator.name == name))
    if clash is not None and (indicator is None or clash != indicator.id):
        raise ValidationFailed(_("本方案中已有名为“%(name)s”的指标。", name=name))
    if task_id is not None:
        task = db.session.get(Task, task_id)
        if task is None or task.plan_id != plan.id:
            raise ValidationFailed(_("关联任务不属于本方案。"))
    if responsible_unit_id is not None and db.session.get(Unit, responsible_unit_id) is None:
        raise ValidationFailed(_("请选择责任单位。"))
    if responsible_unit_id is None and task_id is None:
        raise ValidationFailed(_("请选择责任单位或关联任务，以便确定由谁填报。"))
    values = {"name": name, "unit_of_measure": unit_of_measure.strip(), "baseline": baseline,
              "baseline_on": baseline_on, "target_value": target_value, "target_on": target_on,
              "direction": direction, "task_id": task_id, "responsible_unit_id": responsible_unit_id,
              "note": note.strip()}
    if indicator is None:
        indicator = Indicator(plan=plan, **values)
        db.session.add(indicator)
        record(actor, "indicator.created", indicator, task_id=task_id, changes=_plain(values), summary=name)
        return indicator
    check_version(indicator, expected_version, INDICATOR_FIELDS)
    before = _snapshot(indicator)
    for field, value in values.items():
        setattr(indicator, field, value)
    record(actor, "indicator.updated", indicator, task_id=task_id, changes=diff(before, _plain(values)),
           summary=name)
    return indicator


# ---------------------------------------------------------------------------------------------------------
# Readings and their review
# ---------------------------------------------------------------------------------------------------------

def submit_reading(actor, indicator: Indicator, *, period: str, value, source_note: str = "",
                   files: list[IncomingFile] = (), today: date, store: EvidenceStore,
                   allowed_extensions: tuple[str, ...], max_bytes: int) -> IndicatorReading:
    """A unit reports the indicator's value for a month; it waits for a coordinator's review (待审核)."""
    if not can_submit_reading(actor, indicator):
        raise PermissionDenied(_("您的单位不是该指标的责任单位。"))
    end = period_end(period)
    if end is None:
        raise ValidationFailed(_("填报月份“%(period)s”不正确，应为年-月，例如 2026-06。", period=period))
    if end.replace(day=1) > today:
        raise ValidationFailed(_("不能填报未来月份的数值。"))
    amount = parse_value(value, _("数值"))
    if not source_note.strip():
        raise ValidationFailed(_("请填写数据来源。"))
    if len(files) > MAX_FILES_PER_READING:
        raise ValidationFailed(_("每次最多上传%(n)d个附件。", n=MAX_FILES_PER_READING))
    pending = db.session.scalar(select(IndicatorReading.id).where(
        IndicatorReading.indicator_id == indicator.id, IndicatorReading.period == period,
        IndicatorReading.review_state == ReviewState.submitted))
    if pending is not None:
        raise ValidationFailed(_("%(period)s已有待审核的填报，请等待审核后再提交。", period=period))
    extensions = [check_file(incoming, allowed_extensions, max_bytes) for incoming in files]
    reading = IndicatorReading(indicator=indicator, unit_id=actor.unit_id, author_id=actor.id, period=period,
                               value=amount, source_note=source_note.strip(), submitted_at=utcnow())
    db.session.add(reading)
    try:
        for incoming, extension in zip(files, extensions):
            reading.evidence.append(IndicatorEvidenceFile(**store.save(incoming, extension)))
        record(actor, "indicator_reading.submitted", reading, task_id=indicator.task_id,
               changes={"indicator": indicator.name, "period": period, "value": format_value(amount),
                        "evidence": [e.original_name for e in reading.evidence]},
               summary=f"{indicator.name} {period}：{format_value(amount)}{indicator.unit_of_measure}")
    except Exception:
        store.discard_saved()
        raise
    return reading


def review_reading(actor, reading: IndicatorReading, *, decision: str, comment: str = "",
                   expected_version: int | None = None) -> IndicatorReading:
    """A coordinator accepts a reading (it then counts towards progress) or returns it with a comment."""
    if not permissions.can_review_updates(actor):
        raise PermissionDenied(_("只有督办人员可以审核指标填报。"))
    check_version(reading, expected_version, ("period", "value", "source_note", "review_state", "review_comment"))
    if reading.review_state != ReviewState.submitted:
        raise ValidationFailed(_("该填报已审核，不能重复审核。"))
    if decision not in ("accept", "return"):
        raise ValidationFailed(_("请选择采纳或退回。"))
    if decision == "return" and not comment.strip():
        raise ValidationFailed(_("退回时必须填写审核意见。"))
    reading.review_state = ReviewState.accepted if decision == "accept" else ReviewState.returned
    reading.review_comment = comment.strip()
    reading.reviewer_id = actor.id
    reading.reviewed_at = utcnow()
    record(actor, f"indicator_reading.{reading.review_state.value}", reading, task_id=reading.indicator.task_id,
           changes={"review_state": ["submitted", reading.review_state.value], "comment": reading.review_comment},
           summary=reading.review_comment or reading.indicator.name)
    return reading


# ---------------------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------------------

@dataclass
class IndicatorProgress:
    """Where an indicator stands: latest accepted value, share of the way to target, and the expected path."""

    current: Decimal | None
    current_period: str | None
    percent: float | None  # 0–100 for the bar; None without an accepted reading
    raw_percent: float | None  # may exceed 100 (超额完成) or fall below 0 (倒退)
    expected_today: Decimal
    expected_percent: float
    achieved: bool
    behind: bool  # below the expected path (落后于序时进度)

    @property
    def state(self) -> str:
        if self.current is None:
            return "no_data"
        if self.achieved:
            return "achieved"
        return "behind" if self.behind else "on_track"


PROGRESS_LABELS = {"no_data": _l("尚无数据"), "achieved": _l("已达标"), "behind": _l("落后于序时进度"),
                   "on_track": _l("符合序时进度")}


def start_of(indicator: Indicator) -> date:
    """Baseline date: as given, else the plan's start or issue date, else the first day of the target year."""
    plan = indicator.plan
    return (indicator.baseline_on or (plan.period_start if plan else None) or (plan.issued_on if plan else None)
            or date(indicator.target_on.year, 1, 1))


def expected_value(indicator: Indicator, day: date) -> Decimal:
    """序时进度: the straight line from baseline to target, flat before and after."""
    start, end = start_of(indicator), indicator.target_on
    if day <= start or end <= start:
        return indicator.baseline if day < end else indicator.target_value
    if day >= end:
        return indicator.target_value
    share = Decimal((day - start).days) / Decimal((end - start).days)
    # Two decimals: the path is a yardstick, not a statistic; more digits only look precise.
    return (indicator.baseline + (indicator.target_value - indicator.baseline) * share).quantize(Decimal("0.01"))


def share_of_way(indicator: Indicator, value: Decimal) -> float:
    """(value − baseline) ÷ (target − baseline) in percent; 100/0 when baseline equals target."""
    span = indicator.target_value - indicator.baseline
    if span == 0:
        return 100.0 if meets_target(indicator, value) else 0.0
    return round(float((value - indicator.baseline) / span * 100), 1)


def meets_target(indicator: Indicator, value: Decimal) -> bool:
    if indicator.direction == Direction.lower:
        return value <= indicator.target_value
    return value >= indicator.target_value


def accepted_readings(indicator: Indicator) -> list[IndicatorReading]:
    """Accepted readings, one per month (the latest accepted wins), oldest month first."""
    by_period: dict[str, IndicatorReading] = {}
    for reading in sorted(indicator.readings, key=lambda r: (r.period, r.reviewed_at or r.submitted_at, r.id)):
        if reading.review_state == ReviewState.accepted:
            by_period[reading.period] = reading
    return [by_period[key] for key in sorted(by_period)]


def progress(indicator: Indicator, today: date) -> IndicatorProgress:
    readings = accepted_readings(indicator)
    expected = expected_value(indicator, today)
    expected_percent = max(0.0, min(100.0, share_of_way(indicator, expected)))
    if not readings:
        return IndicatorProgress(None, None, None, None, expected, expected_percent, False, False)
    latest = readings[-1]
    raw = share_of_way(indicator, latest.value)
    as_of = period_end(latest.period) or today
    behind_path = expected_value(indicator, as_of)
    behind = (latest.value < behind_path) if indicator.direction == Direction.higher else (latest.value > behind_path)
    return IndicatorProgress(latest.value, latest.period, max(0.0, min(100.0, raw)), raw, expected,
                             expected_percent, meets_target(indicator, latest.value), behind)


def visible_indicators(user, plan_id: int | None = None) -> list[Indicator]:
    """Indicators the user may see, with what the list needs loaded in a fixed number of queries."""
    query = (select(Indicator).options(selectinload(Indicator.readings), selectinload(Indicator.plan),
                                       selectinload(Indicator.responsible_unit),
                                       selectinload(Indicator.task).selectinload(Task.cooperating_units))
             .order_by(Indicator.plan_id, Indicator.id))
    if plan_id:
        query = query.where(Indicator.plan_id == plan_id)
    indicators = list(db.session.scalars(query))
    if permissions.can_read_everything(user):
        return indicators
    return [indicator for indicator in indicators if can_view_indicator(user, indicator)]
