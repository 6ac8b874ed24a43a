"""工作台 sections of 建议提案办理 (tracker/proposals/clock.py, key_items.py): a unit's and a coordinator's
deadlines due soon and overdue (答复, 协办意见, 会签), the 延期申请 to decide, a leader's 重点提案. Each count
is the rows of /proposals/deadlines?show=…, read by the same functions."""
from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Role
from tracker.access.permissions import can_read_everything
from tracker.proposals.clock import pending_extension_count, rows_for
from tracker.proposals.key_items import leader_key_count
from tracker.workbench.services import OVERDUE_COUNTS, Item, Section, provides


def clock_counts(user, today: date) -> tuple[int, int]:
    """(due soon, overdue) of the deadlines ``user`` follows (``rows_for``), kept per web process under the
    overdue list's stamp as the 工作台's overdue counts are (``OVERDUE_COUNTS``: any change to an item is an
    audit event, a new stamp): a city coordinator's 1,000 items' clocks are not worked out at every view."""
    from tracker.overdue.queries import kept

    def count() -> tuple[int, int]:
        rows = rows_for(user, today)
        overdue = sum(1 for row in rows if row.overdue)
        return len(rows) - overdue, overdue

    reader = "all" if can_read_everything(user) else user.unit_id
    return kept(OVERDUE_COUNTS, today, ("proposal-clock", reader), count)


def _clock_items(user, today: date) -> list[Item]:
    soon, overdue = clock_counts(user, today)
    return [Item(_l("即将到期"), soon, url_for("proposals.deadlines_page", show="soon"), tone="warning"),
            Item(_l("已逾期"), overdue, url_for("proposals.deadlines_page", show="overdue"))]


@provides(Role.unit)
def unit_proposal_clock(user, today: date) -> Section | None:
    """The unit's deadlines on items (答复, 协办意见, 会签); nothing for a unit with none due."""
    items = _clock_items(user, today)
    if not any(item.count for item in items):
        return None
    return Section(_l("提案办理时限"), items, key="proposal-clock")


@provides(Role.coordinator, Role.admin)
def coordinator_proposal_clock(user, today: date) -> Section:
    return Section(_l("提案办理时限"), [
        *_clock_items(user, today),
        Item(_l("待审批的延期申请"), pending_extension_count(), url_for("proposals.deadlines_page", show="extensions"),
             tone="primary"),
    ], key="proposal-clock")


@provides(Role.leader)
def leader_key_items(user, today: date) -> Section:
    return Section(_l("重点提案"), [
        Item(_l("我督办的未答复重点提案"), leader_key_count(user.id), url_for("proposals.deadlines_page", show="key"),
             tone="primary"),
        *_clock_items(user, today),
    ], key="proposal-key")
