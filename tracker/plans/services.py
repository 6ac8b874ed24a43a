"""Plans (方案) and action groups (行动): creation and edits."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.audit.services import diff, record
from tracker.common import events
from tracker.common.errors import ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus

PLAN_FIELDS = ("title", "short_name", "doc_number", "issuer", "issued_on", "period_start", "period_end", "kind", "status",
               "is_public", "source_text")


def save_plan(actor, plan: Plan | None, *, title: str, short_name: str = "", doc_number: str = "", issuer: str = "",
              issued_on: date | None = None, period_start: date | None = None, period_end: date | None = None,
              kind: PlanKind = PlanKind.action_plan, status: PlanStatus = PlanStatus.draft,
              source_text: str | None = None, is_public: bool | None = None,
              expected_version: int | None = None, today: date | None = None) -> Plan:
    """Creates or edits a plan; ``is_public`` is 主动公开 (the plan's page on /public, tracker/public/), kept as
    it is when None. Made active (实施), its open tasks are assigned (交办) to their units."""
    if not title.strip():
        raise ValidationFailed(_("请填写方案标题。"))
    if period_start and period_end and period_end < period_start:
        raise ValidationFailed(_("实施期限的结束日期不能早于开始日期。"))
    values = {"title": title.strip(), "short_name": short_name.strip(), "doc_number": doc_number.strip(), "issuer": issuer.strip(),
              "issued_on": issued_on, "period_start": period_start, "period_end": period_end, "kind": kind,
              "status": status, "is_public": bool(is_public if is_public is not None else plan is not None and plan.is_public),
              "source_text": source_text}
    if plan is None:
        plan = Plan(**values)
        db.session.add(plan)
        record(actor, "plan.created", plan, changes={k: v for k, v in values.items() if k != "source_text"},
               summary=plan.title)
        return plan
    before = {field: getattr(plan, field) for field in PLAN_FIELDS if field != "source_text"}
    check_version(plan, expected_version, before)
    for field, value in values.items():
        setattr(plan, field, value)
    changes = diff(before, values)
    changes.pop("source_text", None)
    record(actor, "plan.updated", plan, changes=changes, summary=plan.title)
    if status == PlanStatus.active and before["status"] != PlanStatus.active:
        from tracker.common.clock import today as clock_today

        db.session.flush()
        events.plan_activated.send(plan, actor=actor, today=today or clock_today())  # 交办 (supervision)
    return plan


def save_group(actor, plan: Plan, group: ActionGroup | None, *, number: str, title: str,
               position: int | None = None) -> ActionGroup:
    if not title.strip():
        raise ValidationFailed(_("请填写行动名称。"))
    if group is None:
        if position is None:
            position = (db.session.scalar(select(func.max(ActionGroup.position))
                                          .where(ActionGroup.plan_id == plan.id)) or 0) + 1
        elif db.session.scalar(select(ActionGroup.id).where(ActionGroup.plan_id == plan.id,
                                                            ActionGroup.position == position)) is not None:
            raise ValidationFailed(_("排序%(n)d已被其他行动使用。", n=position))
        group = ActionGroup(plan=plan, number=number.strip(), title=title.strip(), position=position)
        db.session.add(group)
        record(actor, "group.created", group, changes={"number": group.number, "title": group.title},
               summary=group.label)
        return group
    before = {"number": group.number, "title": group.title}
    group.number, group.title = number.strip(), title.strip()
    record(actor, "group.updated", group, changes=diff(before, {"number": group.number, "title": group.title}),
           summary=group.label)
    return group
