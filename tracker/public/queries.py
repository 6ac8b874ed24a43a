"""What the public progress pages (政务公开) show, and only that.

A plan is public when it is marked 主动公开 (``Plan.is_public``) and is not a draft. Its page shows the
plan, its action groups and tasks with their number, title, lead unit, due date, state and progress,
and the latest accepted lead-unit report's text (its first ``SUMMARY_CHARACTERS`` characters). Never
shown: review comments (内部意见), returned or pending reports, problems and next steps, evidence,
cooperating units' reports, and people: no user, author or reviewer name, no contact person, phone
or email address. The report text is written by a unit for the coordinators, so before it is shown
every phone number and email address in it is masked, and so is every name of a person the
database knows (users' display names, units' contact persons).

States shown: 已完成, 暂缓, 逾期, 未开始, 推进中; the internal "at risk" (预警) judgement of the
dashboard (``tracker.reports.queries``, the one definition of a task's state) is shown as 推进中.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.reports import queries as report_queries
from tracker.tasks.models import Task
from tracker.updates.queries import last_accepted_updates
from tracker.units.models import Unit

SUMMARY_CHARACTERS = 200
MASK = "＊＊＊"
PUBLIC_STATES = {report_queries.AT_RISK: report_queries.ON_TRACK}  # internal judgements shown as 推进中
CONTACT_PATTERNS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"  # mobile numbers
    r"|(?<!\d)(?:0\d{2,3}[\s-]?)?[2-9]\d{6,7}(?:-\d{1,5})?(?!\d)"  # landlines, extensions
)


def public_plan_condition():
    return (Plan.is_public.is_(True)) & (Plan.status != PlanStatus.draft)


def public_plans() -> list[Plan]:
    """Plans marked 主动公开 that are not drafts, newest first."""
    return list(db.session.scalars(select(Plan).where(public_plan_condition())
                                   .order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc())))


def public_plan(plan_id: int) -> Plan | None:
    """The plan if it may be shown publicly, else None (the page answers 404 either way)."""
    if not 0 < plan_id <= 2_147_483_647:
        return None
    return db.session.scalar(select(Plan).where(Plan.id == plan_id, public_plan_condition()))


@dataclass(frozen=True)
class PublicTask:
    number: str
    title: str
    lead_unit: str
    due_on: date | None
    state: str
    progress: int
    summary: str
    summary_period: str | None


@dataclass(frozen=True)
class PublicGroup:
    label: str
    tasks: list[PublicTask]


def _people_pattern(unit_ids: set[int]) -> re.Pattern | None:
    """Every person's name the database knows for these units and for the staff who review (users'
    display names, units' contact persons), longest first."""
    names = set(db.session.scalars(select(User.display_name).where(
        (User.unit_id.in_(unit_ids)) | (User.unit_id.is_(None)))))
    names |= set(db.session.scalars(select(Unit.contact_person).where(Unit.id.in_(unit_ids))))
    names = sorted({name.strip() for name in names if name and len(name.strip()) >= 2}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))) if names else None


def masked(text: str, people: re.Pattern | None) -> str:
    """``text`` with phone numbers, email addresses and known people's names replaced by ``MASK``."""
    text = CONTACT_PATTERNS.sub(MASK, text)
    return people.sub(MASK, text) if people is not None else text


def summary_of(text: str, people: re.Pattern | None) -> str:
    text = masked(" ".join(text.split()), people)
    return text if len(text) <= SUMMARY_CHARACTERS else text[:SUMMARY_CHARACTERS] + "…"


def public_groups(plan: Plan, today: date) -> list[PublicGroup]:
    """The plan's top-level tasks by action group, in plan order, as the public page shows them."""
    tasks = list(db.session.scalars(select(Task).where(Task.plan_id == plan.id)
                                    .options(selectinload(Task.lead_unit)).order_by(Task.sort_key, Task.id)))
    states = report_queries.task_states(today, report_queries.Scope(plan_id=plan.id, include_inactive_plan=True))
    accepted = last_accepted_updates([task.id for task in tasks])
    people = _people_pattern({task.lead_unit_id for task in tasks})
    by_group: dict[int | None, list[PublicTask]] = {}
    for task in tasks:
        update = accepted.get(task.id)
        state = states.get(task.id, report_queries.NOT_STARTED)
        by_group.setdefault(task.group_id, []).append(PublicTask(
            task.number, task.title, task.lead_unit.name, task.due_on, PUBLIC_STATES.get(state, state), task.progress,
            summary_of(update.progress_text, people) if update else "", update.period if update else None))
    groups = [PublicGroup(group.label, by_group[group.id]) for group in plan.groups if group.id in by_group]
    if None in by_group:
        groups.append(PublicGroup("", by_group[None]))
    return groups
