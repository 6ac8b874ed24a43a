"""工作台 (workbench) sections: small provider functions, one or more per role.

A provider is a function ``provider(user, today) -> Section | None`` registered for the roles it
serves with ``@provides(Role.unit, ...)``; the page shows the sections of the user's role in
registration order (a provider returns None to show nothing). Each item is a label, a count and the
URL of the existing list it counts, and the count comes from the same query function that list uses,
so the number on the 工作台 is the number of rows behind its link:

- unit: ``tracker.workbench.lists.unit_task_ids`` (我的任务 ``?show=…``) and
  ``tracker.updates.queries.returned_awaiting_resubmission`` (我的任务 ``?show=returned``);
- coordinator and admin: ``tracker.updates.queries.review_queue`` (/reviews), the overdue list's rows
  (``tracker.overdue.queries.overdue_count``, a COUNT of the stored list's own SELECT, and
  ``tracker.proposals.queries.overdue_list_items``: /overdue, /overdue?kind=task, /overdue?kind=report), the
  outbox's failed rows (/admin/outbox?state=failed);
- leader: the overdue list as above and ``tracker.reports.snapshots.city_dashboard`` (/dashboard: the
  red rows of its action-group and lead-unit tables).

Everything here is indexed reads of stored rows (the overdue list is kept as rows, the city-wide
dashboard as a snapshot): a coordinator's 工作台 never computes the state of every task.

Adding a section (e.g. 签收 pending, extension or closure requests, the latest 通报)::

    from tracker.workbench.services import Item, Section, provides

    @provides(Role.coordinator, Role.admin)
    def extension_requests(user, today):
        count = pending_extension_count()           # the same function the list page counts with
        return Section(_l("延期申请"), [Item(_l("待审批的延期申请"), count, url_for("…"))], key="extensions")

in any module imported at start-up (the provider runs on every view of ``/``: keep it to a few
indexed statements).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tracker.auth.models import Role
from tracker.common.fragments import FragmentCache
from tracker.extensions import db

Provider = Callable[[object, date], "Section | None"]
PROVIDERS: list[tuple[tuple[Role, ...], Provider]] = []


@dataclass(frozen=True)
class Item:
    """One line of a section: ``count`` rows are on the list at ``url``; ``note`` is shown beside it
    (e.g. the report day); ``tone`` is the Bootstrap colour of a count that is not 0."""

    label: str
    count: int
    url: str
    note: str = ""
    tone: str = "danger"


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    key: str = ""


def provides(*roles: Role):
    """Registers a provider for ``roles``; returns it unchanged."""

    def register(provider: Provider) -> Provider:
        PROVIDERS.append((roles, provider))
        return provider

    return register


def sections_for(user, today: date) -> list[Section]:
    """The sections of ``user``'s role, in registration order."""
    sections = []
    for roles, provider in PROVIDERS:
        if user.role in roles:
            section = provider(user, today)
            if section is not None:
                sections.append(section)
    return sections


# ---------------------------------------------------------------------------------------------------------
# Units (责任单位)
# ---------------------------------------------------------------------------------------------------------

@provides(Role.unit)
def unit_reports(user, today: date) -> Section:
    """本期应报送 with the report days, and the returned reports to fix."""
    from tracker.common.filters import format_date
    from tracker.overdue.queries import reports_due_this_period
    from tracker.workbench.lists import REPORT_DUE
    from tracker.updates.queries import returned_awaiting_resubmission

    due = reports_due_this_period(user.unit_id, today)
    days = sorted({period.report_due_on for _task, period in due})
    note = str(_l("报送日：%(days)s", days=", ".join(format_date(day) for day in days[:3]))) if days else ""
    returned = returned_awaiting_resubmission(user.unit_id)
    return Section(_l("进展报送"), [
        Item(_l("本期应报送"), len(due), url_for("tasks.mine", show=REPORT_DUE), note, tone="primary"),
        Item(_l("被退回待修改"), len(returned), url_for("tasks.mine", show="returned")),
    ], key="unit-reports")


@provides(Role.unit)
def unit_deadlines(user, today: date) -> Section:
    """Tasks due within 10 working days, overdue tasks, missing reports."""
    from tracker.workbench.lists import DUE_SOON, MISSING_REPORTS, OVERDUE_TASKS, unit_task_ids

    return Section(_l("时限提醒"), [
        Item(_l("10个工作日内到期"), len(unit_task_ids(user.unit_id, DUE_SOON, today)),
             url_for("tasks.mine", show=DUE_SOON), tone="warning"),
        Item(_l("逾期任务"), len(unit_task_ids(user.unit_id, OVERDUE_TASKS, today)),
             url_for("tasks.mine", show=OVERDUE_TASKS)),
        Item(_l("逾期未报送"), len(unit_task_ids(user.unit_id, MISSING_REPORTS, today)),
             url_for("tasks.mine", show=MISSING_REPORTS)),
    ], key="unit-deadlines")


# ---------------------------------------------------------------------------------------------------------
# Coordinators (督办) and admins
# ---------------------------------------------------------------------------------------------------------

def _query_count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


# The overdue list's counts per web process, under the stored list's stamp (its data version: the newest
# audit event, so any change to a task, a report, a proposal's reply, 协办意见 or 会签 makes a new key) and
# the day, as /overdue keeps its rendered rows: a repeated 工作台 reads one row instead of every item's clock.
OVERDUE_COUNTS = FragmentCache(64)


def overdue_counts(today: date) -> tuple[int, int, int, int]:
    """(overdue tasks, missing reports, overdue proposal replies, 协办意见 and 会签 past their deadline): the
    rows of the whole overdue list (/overdue), read the way the list reads them."""
    from tracker.overdue.queries import kept, overdue_count
    from tracker.tasks.queries import OverdueFilters
    from tracker.proposals.queries import overdue_list_items

    def count() -> tuple[int, int, int, int]:
        proposals = overdue_list_items(OverdueFilters())
        return (overdue_count(today, OverdueFilters(), "task"), overdue_count(today, OverdueFilters(), "report"),
                len(proposals.replies), len(proposals.obligations))

    return kept(OVERDUE_COUNTS, today, (), count)


def _overdue_items(today: date) -> list[Item]:
    """The whole overdue list, and its overdue tasks and missing reports each (``/overdue?kind=…``)."""
    tasks, reports, replies, obligations = overdue_counts(today)
    detail = (_l("逾期任务%(tasks)d项，逾期未报送%(reports)d项，答复逾期%(replies)d项，协办意见和会签逾期%(obligations)d项",
                 tasks=tasks, reports=reports, replies=replies, obligations=obligations) if obligations else
              _l("逾期任务%(tasks)d项，逾期未报送%(reports)d项，答复逾期%(replies)d项",
                 tasks=tasks, reports=reports, replies=replies))
    return [Item(_l("逾期清单"), tasks + reports + replies + obligations, url_for("tasks.overdue"), str(detail)),
            Item(_l("逾期任务"), tasks, url_for("tasks.overdue", kind="task")),
            Item(_l("逾期未报送"), reports, url_for("tasks.overdue", kind="report"))]


@provides(Role.coordinator, Role.admin)
def coordinator_review(user, today: date) -> Section:
    """Updates to review, overdue tasks, the overdue list, failed emails."""
    from tracker.outbox.models import DeliveryState, Notification
    from tracker.updates.queries import review_queue

    failed = db.session.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.state == DeliveryState.failed))
    return Section(_l("督办事项"), [
        Item(_l("待审核的报送"), _query_count(review_queue()), url_for("updates.review_queue"), tone="primary"),
        *_overdue_items(today),
        Item(_l("发送失败的邮件"), failed, url_for("reminders.outbox", state=DeliveryState.failed.value)),
    ], key="coordinator")


# ---------------------------------------------------------------------------------------------------------
# Leaders (领导)
# ---------------------------------------------------------------------------------------------------------

@provides(Role.leader)
def leader_overview(user, today: date) -> Section:
    """The overdue list, and the red action groups and lead units of the city-wide dashboard."""
    from tracker.reports.queries import RED
    from tracker.reports.snapshots import city_dashboard

    figures = city_dashboard(today)
    return Section(_l("全局概况"), [
        *_overdue_items(today),
        Item(_l("红色行动"), sum(1 for row in figures.by_group if row.states.rag == RED),
             url_for("reports.dashboard", _anchor="by-group")),
        Item(_l("红色牵头单位"), sum(1 for row in figures.by_unit if row.states.rag == RED),
             url_for("reports.dashboard", _anchor="by-unit")),
    ], key="leader")
