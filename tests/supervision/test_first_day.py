"""Obligations start at 交办 (issue 21, must show 1). On the seeded demo (2026-06-30) a task created by
hand, one imported from the blank template and one re-assigned today, each starting months back, run
through the scheduler's own job on that day and the next four working days: no ladder step, no
document, no overdue or reminder email about them (the 签收 reminder aside), not on the overdue list;
their task pages name the first report owed. The demo's designed overdue items are still there."""
from __future__ import annotations

import io
from datetime import date, datetime, time

import openpyxl
from sqlalchemy import select

from tests.imports.test_import_flow import draft_id_from, post_review, review_form, upload
from tracker.auth.models import User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.imports.template import template_xlsx
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import Notification, NotificationKind
from tracker.supervision.models import LadderStep, Receipt, ReceiptState, SupervisionDocument
from tracker.supervision.services import sign_receipt
from tracker.tasks.models import Task
from tracker.overdue.queries import overdue_list
from tracker.units.models import Unit

DAY = date(2026, 6, 30)
NEXT_WORKING_DAYS = [date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3), date(2026, 7, 6)]


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def _plan() -> Plan:
    return db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))


def _create_by_hand(coordinator) -> int:
    plan = _plan()
    response = coordinator.post(f"/plans/{plan.id}/tasks/new", {
        "number": "17", "title": "建设人工智能应用示范场景", "text": "", "group_id": 0, "parent_id": 0,
        "lead_unit_id": _unit("区经委").id, "cooperating_unit_ids": [_unit("区科委").id],
        "start_on": "2026-01-01", "due_on": "2026-12-31", "reporting_cycle": "monthly", "report_day": 25,
        "status": "in_progress", "progress": 10}, token_from=f"/plans/{plan.id}/tasks/new")
    assert response.status_code == 302, response.text[:2000]
    return db.session.scalar(select(Task.id).where(Task.title == "建设人工智能应用示范场景"))


def _import_from_template(coordinator) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook["任务分解表"]
    sheet["A1"] = "青浦区2026年数字化转型任务分解表"
    sheet.append([1, "一、数字政府", "推进一网通办", "提升政务服务事项全程网办比例。", "区发改委", "区科委", "2026年12月底前",
                  "每季度最后一个月的30日前", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    draft_id = draft_id_from(upload(coordinator, "plan", "数字化转型任务分解表.xlsx", buffer.getvalue()))
    fields = review_form(coordinator.get(f"/imports/{draft_id}").text)
    fields["task-0-start_on"] = ["2026-01-01"]  # 开始日期 months back
    fields["task-0-cycle"] = ["quarterly"]
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[:3000]
    task = db.session.scalar(select(Task).where(Task.title == "推进一网通办"))
    assert task.start_on == date(2026, 1, 1) and task.reporting_cycle.value == "quarterly"
    assert task.plan.status.value == "active"
    return task.id


def _reassign(coordinator) -> int:
    task = db.session.scalar(select(Task).where(Task.plan_id == _plan().id, Task.number == "7"))
    assert task.start_on < date(2026, 1, 1)  # 区经委's task, its June report designed missing
    response = coordinator.post(f"/tasks/{task.id}/reassign", {"lead_unit_id": _unit("区科委").id,
                                                              "version": task.version}, token_from=f"/tasks/{task.id}")
    assert response.status_code == 302
    return task.id


def _scheduler_runs(day: date) -> None:
    for hour in (9, 14):  # the job runs all day; the 09:00 run sends the day's reminders
        run_reminders(datetime.combine(day, time(hour, 5), BEIJING))


def _what_they_got(task_ids: list[int], titles: list[str]) -> tuple[list, list, list]:
    steps = list(db.session.scalars(select(LadderStep).where(LadderStep.task_id.in_(task_ids))))
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id.in_(task_ids))))
    messages = [(n.kind.value, n.subject) for n in db.session.scalars(select(Notification))
                if n.kind not in (NotificationKind.receipt_due, NotificationKind.task_assigned)  # 签收, 交办: wanted
                and (n.task_id in task_ids or any(title in n.body_text for title in titles))]
    return steps, documents, messages


def test_a_task_created_imported_or_reassigned_today_starts_clean(seeded, on_date, browser):
    on_date(DAY)
    coordinator = browser("coordinator")
    created, imported, reassigned = _create_by_hand(coordinator), _import_from_template(coordinator), \
        _reassign(coordinator)
    task_ids = [created, imported, reassigned]
    titles = [db.session.get(Task, task_id).title for task_id in task_ids]

    for day in [DAY, *NEXT_WORKING_DAYS]:
        on_date(day)
        if day == NEXT_WORKING_DAYS[0]:  # each unit signs for its task on the next day
            for receipt in db.session.scalars(select(Receipt).where(Receipt.task_id.in_(task_ids),
                                                                    Receipt.state == ReceiptState.pending)):
                signer = db.session.scalar(select(User).where(User.unit_id == receipt.unit_id).order_by(User.id))
                sign_receipt(signer, receipt)
            db.session.commit()
        _scheduler_runs(day)
        steps, documents, messages = _what_they_got(task_ids, titles)
        assert steps == [] and documents == [] and messages == [], (day, steps, documents, messages)
        on_list = {row.task.id for row in overdue_list(day)}
        assert not on_list & set(task_ids), day
        page = browser("coordinator").get("/overdue").text  # a new login each day: sessions end when idle
        assert "逾期清单" in page, day
        assert not any(title in page for title in titles), day

    # Each task page names the first report owed: the first period whose report day comes after 交办
    # (06-30) plus the 签收时限 (07-02).
    on_date(DAY)
    coordinator = browser("coordinator")
    for task_id, first in ((created, "2026-07"), (imported, "2026-Q3"), (reassigned, "2026-07")):
        page = coordinator.get(f"/tasks/{task_id}").text
        section = page[page.index('id="first-report"'):][:400]
        assert "首次报送" in page and first in section, (task_id, section)
        assert "逾期" not in page[page.index("<h1"):page.index("</h1>")]  # no 逾期 badge on its heading


def test_the_demos_designed_overdue_items_are_still_overdue(seeded, on_date, browser):
    on_date(DAY)
    rows = overdue_list(DAY)
    late = sorted((row.task.number for row in rows if row.kind == "task"), key=int)
    missing = sorted((row.task.number for row in rows if row.kind == "report"), key=int)
    assert late == ["3", "11", "12", "15"]
    assert missing == ["3", "7", "11", "13", "15"]
    # and the first scan climbs the ladder for them, as before
    _scheduler_runs(DAY)
    climbed = {db.session.get(Task, task_id).number
               for task_id in db.session.scalars(select(LadderStep.task_id).distinct())}
    assert {"3", "12", "15"} <= climbed


def test_a_due_date_before_assignment_escalates_only_after_the_sign_off_window(seeded, on_date, browser):
    """A task created today whose 完成时限 has already passed: not late within the 签收时限 (07-02), then
    late from that day on (its days counted from it), never for the months before 交办."""
    on_date(DAY)
    coordinator = browser("coordinator")
    plan = _plan()
    response = coordinator.post(f"/plans/{plan.id}/tasks/new", {
        "number": "18", "title": "补录的逾期事项", "text": "", "group_id": 0, "parent_id": 0,
        "lead_unit_id": _unit("区经委").id, "start_on": "2026-01-01", "due_on": "2026-03-31",
        "reporting_cycle": "once", "report_day": 25, "status": "in_progress", "progress": 0},
        token_from=f"/plans/{plan.id}/tasks/new")
    assert response.status_code == 302
    task_id = db.session.scalar(select(Task.id).where(Task.title == "补录的逾期事项"))
    for day in (DAY, date(2026, 7, 1), date(2026, 7, 2)):
        on_date(day)
        _scheduler_runs(day)
        assert task_id not in {row.task.id for row in overdue_list(day) if row.kind != "receipt"}
        assert db.session.scalar(select(LadderStep.id).where(LadderStep.task_id == task_id)) is None
    on_date(date(2026, 7, 3))
    late = [row for row in overdue_list(date(2026, 7, 3)) if row.task.id == task_id and row.kind == "task"]
    assert [(row.due_on, row.overdue_days) for row in late] == [(date(2026, 7, 2), 1)]


def test_a_refusing_unit_loses_no_points_and_its_task_does_not_escalate(seeded, on_date, browser):
    """退回交办: the refused task is on no overdue list and climbs no ladder while it waits to be
    re-assigned; the refusing unit's 考评 has nothing from it."""
    from tracker.reports.queries import unit_scores
    from tracker.reports.queries import Scope
    from tracker.supervision.services import refuse_receipt

    on_date(DAY)
    coordinator = browser("coordinator")
    task_id = _reassign(coordinator)  # task 7 to 区科委
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task_id, Receipt.state == ReceiptState.pending,
                                                      Receipt.role == "lead"))
    refuse_receipt(db.session.scalar(select(User).where(User.login == "kejiwei")), receipt, reason="不属于本单位职责",
                   suggested_unit_id=_unit("区经委").id)
    db.session.commit()
    # The July report (due 07-24) is not filed: it would be late from 07-27 if the task counted.
    for day in [date(2026, 7, 1), date(2026, 7, 3), date(2026, 7, 27), date(2026, 7, 28), date(2026, 8, 3)]:
        on_date(day)
        _scheduler_runs(day)
        assert task_id not in {row.task.id for row in overdue_list(day)}
    assert db.session.scalar(select(LadderStep.id).where(LadderStep.task_id == task_id)) is None
    after = unit_scores(date(2026, 8, 3), Scope()).get(_unit("区科委").id)
    own_steps = db.session.scalars(select(LadderStep).where(LadderStep.lead_unit_id == _unit("区科委").id)).all()
    assert own_steps and task_id not in {step.task_id for step in own_steps}
    # its other tasks' levels (each level of a task on a day once), nothing from task 7
    assert after.counts["levels"] == len({(step.task_id, step.level, step.reached_on) for step in own_steps})
    from tracker.common.deadlines import working_calendar

    # 区科委's one late task is its own task 12 (due 04-30): task 7 (due later) adds nothing
    assert after.counts["overdue_days"] == working_calendar().working_days_between(date(2026, 4, 30), date(2026, 8, 3))


def test_a_task_late_and_missing_its_report_gets_one_message_per_scan_and_each_level_counts_once(seeded, on_date):
    """Tasks 3, 11 and 15 are late and their June reports missing: two episodes climb in the first scan,
    but each person hears once per task, in one message stating both, and 考评 counts each level of a
    task on a day once."""
    from collections import Counter

    from tracker.reports.queries import unit_scores
    from tracker.reports.queries import Scope

    on_date(DAY)
    _scheduler_runs(DAY)
    numbers = {"3", "11", "15"}
    tasks = {t.id: t for t in db.session.scalars(select(Task).where(Task.number.in_(numbers)))}
    episodes = {(s.task_id, s.kind) for s in db.session.scalars(select(LadderStep).where(LadderStep.task_id.in_(tasks)))}
    assert {tasks[task_id].number for task_id, kind in episodes if kind == "report"} == numbers  # both climbed
    assert {tasks[task_id].number for task_id, kind in episodes if kind == "task"} == numbers
    ladder_mail = [n for n in db.session.scalars(select(Notification).where(Notification.task_id.in_(tasks)))
                   if n.kind in (NotificationKind.ladder_reached, NotificationKind.document_issued)]
    per_person = Counter((n.task_id, n.recipient_email) for n in ladder_mail)
    assert ladder_mail and max(per_person.values()) == 1
    for message in ladder_mail:  # the one message names both the late task and the missing report
        assert "超过完成时限" in message.body_text and "未报送" in message.body_text, message.body_text

    steps = list(db.session.scalars(select(LadderStep)))
    expected = Counter()
    for task_id, level, day, unit_id in {(s.task_id, s.level, s.reached_on, s.lead_unit_id) for s in steps}:
        expected[unit_id] += 1
    scores = unit_scores(DAY, Scope())
    assert {unit_id: scores[unit_id].counts["levels"] for unit_id in expected} == dict(expected)
    assert len(steps) > sum(expected.values())  # some levels were reached by two episodes on the day


def test_a_plan_made_active_today_starts_clean(seeded, on_date, browser):
    """A plan drafted with a monthly task started in January and made active (实施) on 06-30: nothing
    about its task in the scans of that day and the next four working days; it owes 2026-07 first."""
    from tracker.plans.models import PlanStatus
    from tracker.plans.services import save_plan
    from tracker.tasks.services import save_task

    on_date(DAY)
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    plan = save_plan(coordinator, None, title="青浦区2026年营商环境改善方案", issued_on=date(2026, 1, 5),
                     period_start=date(2026, 1, 5), period_end=date(2026, 12, 31), status=PlanStatus.draft)
    db.session.flush()
    task = save_task(coordinator, plan, None, number="1", title="压缩企业开办时间", lead_unit_id=_unit("区发改委").id,
                     start_on=date(2026, 1, 5), due_on=date(2026, 12, 31), today=DAY)
    db.session.commit()
    plan = db.session.get(Plan, plan.id)
    save_plan(coordinator, plan, title=plan.title, issued_on=plan.issued_on, period_start=plan.period_start,
              period_end=plan.period_end, status=PlanStatus.active, expected_version=plan.version, today=DAY)
    db.session.commit()
    task_id = task.id
    assert db.session.scalar(select(Receipt.sign_by).where(Receipt.task_id == task_id)) == date(2026, 7, 2)
    for day in [DAY, *NEXT_WORKING_DAYS]:
        on_date(day)
        if day == NEXT_WORKING_DAYS[0]:
            receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task_id))
            sign_receipt(db.session.scalar(select(User).where(User.login == "fagaiwei")), receipt)
            db.session.commit()
        _scheduler_runs(day)
        steps, documents, messages = _what_they_got([task_id], ["压缩企业开办时间"])
        assert steps == [] and documents == [] and messages == [], (day, messages)
        assert task_id not in {row.task.id for row in overdue_list(day) if row.kind != "receipt"}
    assigned = db.session.scalars(select(Notification.task_id).where(Notification.kind == NotificationKind.task_assigned))
    assert task_id in set(assigned)  # what the unit hears of a new task: its 交办 notice, nothing overdue
    on_date(DAY)
    page = browser("coordinator").get(f"/tasks/{task_id}").text
    assert "2026-07" in page[page.index('id="first-report"'):][:200]
