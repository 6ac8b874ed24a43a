"""我的任务: every task the unit leads or cooperates on, a page at a time, with the state of its report."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task
from tracker.overdue.queries import REPORT_FILED_STATES, report_status
from tracker.updates.models import ReviewState, StatusUpdate

DAY = date(2026, 6, 30)


def _busiest_unit_user() -> tuple[User, list[int]]:
    """The unit user whose unit is involved in the most tasks of non-draft plans, with those tasks in plan order."""
    tasks = list(db.session.scalars(select(Task).join(Plan).where(Plan.status != PlanStatus.draft)
                                    .order_by(Task.plan_id, Task.sort_key, Task.id)))
    involved = Counter()
    for task in tasks:
        for unit_id in {task.lead_unit_id, *(unit.id for unit in task.cooperating_units)}:
            involved[unit_id] += 1
    users = db.session.scalars(select(User).where(User.role == Role.unit, User.unit_id.is_not(None)))
    user = max(users, key=lambda u: (involved[u.unit_id], -u.id))
    ids = [t.id for t in tasks if user.unit_id in {t.lead_unit_id, *(u.id for u in t.cooperating_units)}]
    return user, ids


def test_my_tasks_come_a_page_at_a_time_and_together_are_every_task_of_the_unit(app, seeded, on_date, browser):
    on_date(DAY)
    user, expected = _busiest_unit_user()
    assert len(expected) > 3  # the seed gives this unit more than a page of 3
    app.config["PAGE_SIZE"] = 3
    client = browser(user.login)
    pages = -(-len(expected) // 3)
    shown = []
    for page in range(1, pages + 1):
        html = client.get(f"/tasks/mine?page={page}").text
        assert f"共{len(expected)}项" in html and f"{page} / {pages}（" in html  # the pager
        table = html.split('<table class="table table-stack table-hover align-middle">')[1].split("</table>")[0]
        rows = [int(task_id) for task_id in re.findall(r'<td data-label="任务"><a href="/tasks/(\d+)">', table)]
        assert 0 < len(rows) <= 3
        shown += rows
    assert shown == expected  # in plan order, none twice, none missing


def test_a_report_counts_only_when_the_lead_unit_filed_it_for_the_latest_period(seeded, on_date):
    on_date(DAY)
    tasks = list(db.session.scalars(select(Task).order_by(Task.id)))
    status = report_status(tasks, DAY)
    filed_states = {ReviewState(state) for state in REPORT_FILED_STATES}
    checked = Counter()
    for task in tasks:
        period = status[task.id]["period"]
        if status[task.id]["filed"] is None:
            continue
        updates = db.session.scalars(select(StatusUpdate).where(StatusUpdate.task_id == task.id,
                                                                StatusUpdate.period == period.key))
        by_lead = [u for u in updates if u.unit_id == task.lead_unit_id and u.review_state in filed_states]
        assert status[task.id]["filed"] == bool(by_lead), task.number
        assert status[task.id]["overdue_days"] == 0 or not by_lead
        checked[status[task.id]["filed"]] += 1
    assert checked[True] and checked[False]  # the seed has both on this day

    # A cooperating unit's update for the period does not make the lead unit's report filed.
    task = next(t for t in tasks if status[t.id]["filed"] is False and t.cooperating_units)
    period = status[task.id]["period"]
    cooperating = task.cooperating_units[0]
    author = db.session.scalar(select(User).where(User.unit_id == cooperating.id))
    db.session.add(StatusUpdate(task_id=task.id, unit_id=cooperating.id, author_id=author.id, period=period.key,
                                progress_text="配合单位进展", percent=10, review_state=ReviewState.accepted))
    db.session.flush()
    assert report_status([task], DAY)[task.id]["filed"] is False


def _content(html: str) -> str:
    """The list below the menu bar (the page around it carries a CSRF token that changes by the second)."""
    return html.split('<h1 class="h3">', 1)[1].split("</table>", 1)[0]


def _row(html: str, task_id: int) -> str:
    return html.split(f'<tr data-task-id="{task_id}">', 1)[1].split("</tr>", 1)[0]


def test_the_kept_page_changes_as_soon_as_the_unit_files_a_report(app, seeded, on_date, browser, tmp_path):
    """With the stored overdue list on (production's default), each web process keeps the rendered list of
    a unit (tracker/pages/tasks.py ``MINE_CONTENT``): a repeated view renders nothing, and a report filed
    through the app (an audit event) shows at once, as a fresh rendering would show it."""
    from sqlalchemy import event

    from tracker.common.fragments import FragmentCache
    from tracker.pages import tasks as task_views
    from tracker.overdue.store import refresh_overdue_entries
    from tracker.updates.evidence import EvidenceStore
    from tracker.updates.services import submit_update

    on_date(DAY)
    app.config["OVERDUE_STORE"] = True
    refresh_overdue_entries(DAY, rebuild=True)
    kept = FragmentCache()
    task_views.MINE_CONTENT, original = kept, task_views.MINE_CONTENT
    try:
        tasks = list(db.session.scalars(select(Task).join(Plan).where(Plan.status == PlanStatus.active)
                                        .order_by(Task.id)))
        reports = report_status(tasks, DAY)
        task = next(t for t in tasks if reports[t.id]["filed"] is False)  # its latest report not filed yet
        task_id, period = task.id, reports[task.id]["period"].key
        user = db.session.scalar(select(User).where(User.role == Role.unit, User.unit_id == task.lead_unit_id)
                                 .order_by(User.id))
        user_id = user.id
        client = browser(user.login)
        before = client.get("/tasks/mine").text
        assert "未报送" in _row(before, task_id)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert _content(client.get("/tasks/mine").text) == _content(before)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert not any("FROM tasks" in statement for statement in statements)  # served from the kept page

        task = db.session.get(Task, task_id)
        unit_user = db.session.get(User, user_id)
        submit_update(unit_user, task, period=period, progress_text="本期进展", percent=50, today=DAY,
                      store=EvidenceStore(tmp_path), allowed_extensions=("pdf",), max_bytes=1000)
        db.session.commit()
        after = client.get("/tasks/mine").text
        assert "已报送" in _row(after, task_id) and "未报送" not in _row(after, task_id)
        kept.clear()
        fresh = client.get("/tasks/mine").text
        assert _content(fresh) == _content(after)  # what a fresh rendering shows
    finally:
        task_views.MINE_CONTENT = original
