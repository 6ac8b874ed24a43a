"""Excel round trip for progress (进展报送表): a unit downloads its tasks, fills the four columns, uploads; each
filled row becomes a status update through the web submission's service, with a per-row result table. A file
with refused rows writes nothing unless the unit chooses "只导入有效的行"."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task
from tracker.updates.models import ReviewState, StatusUpdate

TODAY = date(2026, 6, 30)


def unit_user(login: str = "jingwei") -> User:
    return db.session.scalar(select(User).where(User.login == login))


def download(unit) -> openpyxl.Workbook:
    response = unit.get("/imports/progress.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(book) -> list[list]:
    return [list(row) for row in book["进展报送"].iter_rows(min_row=2, values_only=True)]


def upload(unit, book, valid_rows_only: bool = False):
    out = io.BytesIO()
    book.save(out)
    data = {"document": (io.BytesIO(out.getvalue()), "进展报送表.xlsx")}
    if valid_rows_only:
        data["valid_rows_only"] = "y"
    response = unit.post("/imports/progress", data=data, token_from="/imports/progress",
                         content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/imports/progress")
    return unit.get("/imports/progress").text


def fill(book, index: int, progress: str, percent, problems: str = "", next_steps: str = "") -> None:
    sheet = book["进展报送"]
    row = index + 2
    sheet.cell(row, 7, progress)
    sheet.cell(row, 8, percent)
    sheet.cell(row, 9, problems)
    sheet.cell(row, 10, next_steps)


def updates_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StatusUpdate))


def other_units_task(user: User) -> Task:
    for task in db.session.scalars(select(Task).join(Plan).where(Plan.status == PlanStatus.active)):
        if task.lead_unit_id != user.unit_id and all(u.id != user.unit_id for u in task.cooperating_units):
            return task
    raise AssertionError("no task of another unit")


def test_download_fill_upload_submits_updates_as_the_web_form_does(seeded, browser, on_date):
    on_date(TODAY)
    unit = browser("jingwei")
    user = unit_user()
    book = download(unit)
    rows = rows_of(book)
    tasks = {f"{t.plan_id}-{t.number}": t for t in db.session.scalars(select(Task))}
    assert rows and all(tasks[row[0]].lead_unit_id == user.unit_id or
                        any(u.id == user.unit_id for u in tasks[row[0]].cooperating_units) for row in rows)
    assert [row[3] for row in rows] == [tasks[row[0]].title for row in rows]
    fill(book, 0, "已完成方案编制并报区政府审议。", 60, "资金尚未到位。", "7月底前完成招标。")
    fill(book, 1, "已召开推进会。", "45%")
    before = updates_count()
    page = upload(unit, book)
    assert "已提交2条进展，等待督办审核。" in page and "已写入2条进展。" in page
    assert page.count('data-accepted="yes"') == 2 and 'data-accepted="no"' not in page
    db.session.remove()
    assert updates_count() == before + 2
    created = list(db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc()).limit(2)))
    first = next(u for u in created if u.progress_text == "已完成方案编制并报区政府审议。")
    assert (first.task_id, first.unit_id, first.author_id, first.percent, first.problems, first.next_steps,
            first.review_state, first.period) == (
        tasks[rows[0][0]].id, user.unit_id, user.id, 60, "资金尚未到位。", "7月底前完成招标。",
        ReviewState.submitted, rows[0][5])
    assert next(u for u in created if u.progress_text == "已召开推进会。").percent == 45
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "update.submitted", AuditEvent.object_id == first.id)) == 1
    # the coordinator finds it in the review queue like any web submission
    assert "已完成方案编制并报区政府审议。" in browser("coordinator").get("/reviews").text


def test_wrong_task_number_120_percent_and_another_units_task_are_refused_row_by_row(seeded, browser, on_date):
    on_date(TODAY)
    unit = browser("jingwei")
    user = unit_user()
    book = download(unit)
    sheet = book["进展报送"]
    fill(book, 0, "按计划推进。", 50)  # a valid row
    fill(book, 1, "超额完成。", 120)
    sheet.append(["999-1", "", "", "不存在的任务", "", "2026-06", "已推进。", 30, "", ""])
    other = other_units_task(user)
    sheet.append([f"{other.plan_id}-{other.number}", "", "", other.title, "", "2026-06", "代为报送。", 30, "", ""])
    before = updates_count()
    page = upload(unit, book)
    assert "有3行未通过检查，本次未写入任何进展。" in page and "未写入任何进展。" in page
    assert page.count('data-accepted="no"') == 3
    assert "完成进度须在0至100之间。" in page
    assert "任务编号“999-1”不存在。" in page
    assert "您的单位不是该任务的牵头或配合单位。" in page
    assert "可以导入（因有被拒绝的行，本次未写入）。" in page
    db.session.remove()
    assert updates_count() == before
    # "只导入有效的行": only the valid row is written
    page = upload(unit, book, valid_rows_only=True)
    assert "已写入1条进展。" in page and "3行未通过检查。" in page
    db.session.remove()
    assert updates_count() == before + 1
    assert db.session.scalar(select(StatusUpdate).order_by(StatusUpdate.id.desc())).progress_text == "按计划推进。"


def test_a_file_that_is_no_progress_sheet_gets_a_clear_message_and_writes_nothing(seeded, browser, on_date):
    on_date(TODAY)
    unit = browser("jingwei")
    book = openpyxl.Workbook()
    book.active.append(["序号", "任务", "进展"])
    book.active.append([1, "某任务", "已推进"])
    before = updates_count()
    out = io.BytesIO()
    book.save(out)
    response = unit.post("/imports/progress", data={"document": (io.BytesIO(out.getvalue()), "x.xlsx")},
                         token_from="/imports/progress", content_type="multipart/form-data")
    assert response.status_code == 302
    assert "这不是进展报送表" in unit.get("/imports/progress").text
    db.session.remove()
    assert updates_count() == before


def test_only_unit_accounts_use_the_progress_sheet(seeded, browser):
    assert browser("coordinator").get("/imports/progress.xlsx").status_code == 403
    assert browser("coordinator").get("/imports/progress").status_code == 403
