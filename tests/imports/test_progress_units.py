"""督办代报: a coordinator downloads the tasks of several units (by plan and/or lead unit) as one 进展报送表 and
uploads it filled; each row becomes the lead unit's status update entered on its behalf, checked as a web
submission, recorded with the coordinator as its author and shown as 代报 in the task's history. Wrong task
numbers, a percent of 120 and a task outside the file's scope are refused row by row, nothing written unless
"只导入有效的行". Only coordinators may do it (``permissions.can_report_on_behalf``)."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.errors import PermissionDenied
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task, TaskStatus
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.updates.services import submit_update_on_behalf

TODAY = date(2026, 6, 30)


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def updates_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StatusUpdate))


def open_task_led_by(unit_id: int) -> Task:
    return db.session.scalar(select(Task).join(Plan).where(
        Plan.status == PlanStatus.active, Task.lead_unit_id == unit_id,
        Task.status.notin_([TaskStatus.completed, TaskStatus.suspended])).order_by(Task.id))


def task_led_by_another(unit_id: int) -> Task:
    return db.session.scalar(select(Task).join(Plan).where(
        Plan.status == PlanStatus.active, Task.lead_unit_id != unit_id,
        Task.status.notin_([TaskStatus.completed, TaskStatus.suspended])).order_by(Task.id))


def download(coordinator, **scope) -> openpyxl.Workbook:
    query = "&".join(f"{key}={value}" for key, value in scope.items())
    response = coordinator.get(f"/imports/progress/units.xlsx?{query}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(book) -> list[list]:
    return [list(row) for row in book["进展报送"].iter_rows(min_row=2, values_only=True)]


def fill(book, index: int, progress: str, percent) -> None:
    sheet = book["进展报送"]
    sheet.cell(index + 2, 7, progress)
    sheet.cell(index + 2, 8, percent)


def upload(coordinator, book, valid_rows_only: bool = False) -> str:
    out = io.BytesIO()
    book.save(out)
    data = {"document": (io.BytesIO(out.getvalue()), "进展报送表.xlsx")}
    if valid_rows_only:
        data["valid_rows_only"] = "y"
    response = coordinator.post("/imports/progress/units", data=data, token_from="/imports/progress/units",
                                content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/imports/progress/units")
    return coordinator.get("/imports/progress/units").text


def test_only_coordinators_may_report_on_a_units_behalf(seeded, on_date):
    on_date(TODAY)
    unit_account = user("jingwei")
    task = open_task_led_by(unit_account.unit_id)
    for login in ("jingwei", "admin", "leader"):
        with pytest.raises(PermissionDenied):
            submit_update_on_behalf(user(login), task, period="2026-06", progress_text="代报。", percent=10,
                                    today=TODAY)
    update = submit_update_on_behalf(user("coordinator"), task, period=_period(task), progress_text="代报的进展。",
                                     percent=10, today=TODAY)
    db.session.commit()
    assert (update.unit_id, update.author_id, update.on_behalf, update.review_state) == (
        task.lead_unit_id, user("coordinator").id, True, ReviewState.submitted)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update.submitted",
                                                       AuditEvent.object_id == update.id))
    assert event is not None and event.changes["on_behalf"] is True


def _period(task: Task) -> str:
    from tracker.updates.services import reportable_periods

    return reportable_periods(task, TODAY)[0].key


def test_coordinator_downloads_a_units_tasks_fills_and_uploads_them_as_代报(seeded, browser, on_date):
    on_date(TODAY)
    coordinator = browser("coordinator")
    unit_id = user("jingwei").unit_id
    book = download(coordinator, unit=unit_id)
    rows = rows_of(book)
    tasks = {f"{t.plan_id}-{t.number}": t for t in db.session.scalars(select(Task))}
    assert len(rows) >= 2 and all(tasks[row[0]].lead_unit_id == unit_id for row in rows)
    assert book["进展报送"].cell(1, 5).value == "牵头单位" and book["范围"].sheet_state == "hidden"
    fill(book, 0, "督办收集：已完成招标。", 70)
    fill(book, 1, "督办收集：已开工。", "30%")
    before = updates_count()
    page = upload(coordinator, book)
    assert "已写入2条进展。" in page and page.count('data-accepted="yes"') == 2
    db.session.remove()
    assert updates_count() == before + 2
    created = db.session.scalar(select(StatusUpdate).where(StatusUpdate.progress_text == "督办收集：已完成招标。"))
    assert (created.task_id, created.unit_id, created.author_id, created.percent, created.review_state) == (
        tasks[rows[0][0]].id, unit_id, user("coordinator").id, 70, ReviewState.submitted)
    # visible in the task's history as entered by the coordinator, and waiting in the review queue
    history = browser("jingwei").get(f"/tasks/{created.task_id}").text
    assert "督办收集：已完成招标。" in history and "督办代报" in history
    assert "督办收集：已开工。" in coordinator.get("/reviews").text


def test_wrong_number_120_percent_and_a_task_outside_the_scope_are_refused_row_by_row(seeded, browser, on_date):
    on_date(TODAY)
    coordinator = browser("coordinator")
    unit_id = user("jingwei").unit_id
    book = download(coordinator, unit=unit_id)
    sheet = book["进展报送"]
    fill(book, 0, "按计划推进。", 50)  # a valid row
    fill(book, 1, "超额完成。", 120)
    sheet.append(["999-1", "", "", "不存在的任务", "", "2026-06", "已推进。", 30, "", ""])
    outside = task_led_by_another(unit_id)
    sheet.append([f"{outside.plan_id}-{outside.number}", "", "", outside.title, "", _period(outside),
                  "不在范围内。", 30, "", ""])
    before = updates_count()
    page = upload(coordinator, book)
    assert "有3行未通过检查，本次未写入任何进展。" in page and page.count('data-accepted="no"') == 3
    assert "完成进度须在0至100之间。" in page
    assert "任务编号“999-1”不存在。" in page
    assert "该任务不在本表的范围内（下载时所选的方案或单位）。" in page
    db.session.remove()
    assert updates_count() == before
    page = upload(coordinator, book, valid_rows_only=True)
    assert "已写入1条进展。" in page and "3行未通过检查。" in page
    db.session.remove()
    assert updates_count() == before + 1
    assert db.session.scalar(select(StatusUpdate).order_by(StatusUpdate.id.desc())).progress_text == "按计划推进。"


def test_a_plan_scope_and_a_sheet_without_scope(seeded, browser, on_date):
    on_date(TODAY)
    coordinator = browser("coordinator")
    plan = db.session.scalar(select(Plan).where(Plan.status == PlanStatus.active).order_by(Plan.id))
    rows = rows_of(download(coordinator, plan=plan.id))
    assert rows and {row[0].split("-")[0] for row in rows} == {str(plan.id)}
    # a unit's own sheet (no 范围) is not a coordinator's sheet: a clear message, nothing written
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "进展报送"
    sheet.append(["任务编号", "方案", "序号", "任务", "本单位", "报送周期", "本期进展", "完成进度（%）", "存在问题", "下一步"])
    sheet.append([rows[0][0], "", "", "", "", rows[0][5], "已推进。", 10, "", ""])
    before = updates_count()
    page = upload(coordinator, book)
    assert "缺少“范围”表" in page
    db.session.remove()
    assert updates_count() == before


def test_units_and_admins_cannot_open_the_coordinators_sheet(seeded, browser):
    for login in ("jingwei", "admin", "leader"):
        assert browser(login).get("/imports/progress/units").status_code == 403
        assert browser(login).get("/imports/progress/units.xlsx").status_code == 403
    assert browser("coordinator").get("/imports/progress/units").status_code == 200
