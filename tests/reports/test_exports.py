"""Must show 2 and 3: the Excel ledger and overdue export, and the Word progress report and supervision
notice, open with openpyxl / python-docx and say what the screens say."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from seeds.xicen_plan import TASKS
from tracker.common.deadlines import overdue_days
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanStatus
from tracker.tasks.models import Task
from tracker.units.models import Unit

DAY = date(2026, 6, 30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def june_30(seeded, on_date):
    on_date(DAY)
    return db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))


def workbook(response):
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data)).active


def data_rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=4, values_only=True)]


def header(sheet) -> list[str]:
    return [cell.value for cell in sheet[3]]


def overdue_screen(html: str) -> set[tuple[str, str, int]]:
    return {(kind, number, int(days)) for number, kind, days in
            re.findall(r'data-task="(\d+)" data-kind="(\w+)">.*?overdue-days">(\d+)<', html, re.S)}


def kinds(value: str) -> str:
    return {"任务逾期": "task", "报送逾期": "report"}[value]


# --------------------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------------------

def test_task_ledger_has_the_sixteen_tasks_with_numbers_titles_and_lead_units(june_30, browser):
    sheet = workbook(browser("coordinator").get(f"/plans/{june_30.id}/ledger.xlsx"))
    assert sheet["A1"].value == f"{june_30.title}任务台账"
    assert "2026-06-30" in sheet["A2"].value
    assert header(sheet) == ["序号", "行动", "任务", "牵头单位", "配合单位", "原定时限", "调整后时限", "状态", "研判", "进度（%）",
                             "最近采纳的进展", "存在问题", "下一步计划", "逾期工作日数", "签收情况", "签收人", "签收时间",
                             "督办等级", "文书号", "反馈时限", "反馈状态", "延期次数", "核查人", "办结日期"]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["C"].width >= 20 and sheet.column_dimensions["K"].width >= 40
    rows = data_rows(sheet)
    assert len(rows) == 16
    assert [(str(r[0]), r[2], r[3]) for r in rows] == [(t["number"], t["title"], t["lead"]) for t in TASKS]

    by_number = {str(r[0]): r for r in rows}
    # Dates are real dates with a date format; long text wraps.
    due_cell = sheet.cell(row=4 + 2, column=6)  # task 3
    assert isinstance(due_cell.value, datetime) and due_cell.value.date() == date(2026, 3, 31)
    assert due_cell.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=4, column=11).alignment.wrap_text
    # Task 3: overdue, latest accepted update is May's, with its problems and next steps; never extended, so
    # its due date is the original one and the adjusted one is empty.
    task_3 = by_number["3"]
    assert task_3[1] == "（一）体制机制优化行动" and task_3[4] == "青西办、区财政局" and task_3[6] is None
    assert task_3[7] == "推进中" and task_3[8] == "逾期" and task_3[9] == 85
    assert task_3[10].startswith("【2026-05】第三家区级国资平台审计评估报告已出具")
    assert task_3[11].startswith("股权划转方案尚待审议") and task_3[12].startswith("6月完成股权划转审议")
    assert task_3[13] == overdue_days(date(2026, 3, 31), DAY)
    assert by_number["1"][8] == "已完成" and by_number["1"][13] is None
    assert by_number["16"][10] in ("", None)  # nothing accepted yet


def test_ledger_screen_filters_apply_to_the_export(june_30, browser):
    coordinator = browser("coordinator")
    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    group = db.session.scalar(select(ActionGroup).where(ActionGroup.title == "科创生态培育行动"))
    for query in (f"unit_id={keji.id}", f"group_id={group.id}", "state=overdue", f"group_id={group.id}&state=at_risk"):
        screen = coordinator.get(f"/plans/{june_30.id}/ledger?{query}")
        assert screen.status_code == 200
        shown = re.findall(r'data-task="(\d+)"', screen.text)
        assert f'/plans/{june_30.id}/ledger.xlsx?' in screen.text  # the export link carries the filters
        rows = data_rows(workbook(coordinator.get(f"/plans/{june_30.id}/ledger.xlsx?{query}")))
        assert [str(r[0]) for r in rows] == shown, query
    rows = data_rows(workbook(coordinator.get(f"/plans/{june_30.id}/ledger.xlsx?unit_id={keji.id}")))
    assert {str(r[0]) for r in rows} == {"4", "5", "9", "10", "12"}
    rows = data_rows(workbook(coordinator.get(f"/plans/{june_30.id}/ledger.xlsx?state=overdue")))
    assert {str(r[0]) for r in rows} == {"3", "11", "12", "15"}


def test_unit_user_ledger_lists_only_their_tasks(june_30, browser):
    unit_user = browser("jinrongban")  # 区金融办: leads 14, cooperates on 9
    rows = data_rows(workbook(unit_user.get(f"/plans/{june_30.id}/ledger.xlsx")))
    assert {str(r[0]) for r in rows} == {"9", "14"}
    plan = db.session.get(Plan, june_30.id)
    plan.status = PlanStatus.draft
    db.session.commit()
    assert unit_user.get(f"/plans/{june_30.id}/ledger.xlsx").status_code == 403
    assert browser("coordinator").get(f"/plans/{june_30.id}/ledger.xlsx").status_code == 200


def test_overdue_export_matches_the_overdue_screen_for_the_same_filters(june_30, browser):
    leader = browser("leader")
    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    group = db.session.scalar(select(ActionGroup).where(ActionGroup.title == "科创生态培育行动"))
    for query in ("", f"plan_id={june_30.id}", f"unit_id={keji.id}", f"plan_id={june_30.id}&group_id={group.id}",
                  "unit_id=abc"):
        screen = overdue_screen(leader.get(f"/overdue?{query}").text)
        sheet = workbook(leader.get(f"/overdue.xlsx?{query}"))
        assert header(sheet)[:8] == ["类型", "方案", "序号", "任务", "牵头单位", "报送周期", "应完成/应报送日期", "逾期工作日数"]
        exported = {(kinds(r[0]), str(r[2]), r[7]) for r in data_rows(sheet)}
        assert exported == screen, query
        assert len(data_rows(sheet)) == len(screen)
    assert len(overdue_screen(leader.get("/overdue").text)) == 9  # 4 late tasks + 5 missing June reports


def test_scoreboard_export_follows_the_screen_order(june_30, browser):
    leader = browser("leader")
    screen = re.findall(r'<tr data-unit="([^"]+)">', leader.get("/units/scoreboard?sort=unit&dir=asc").text)
    rows = data_rows(workbook(leader.get("/units/scoreboard.xlsx?sort=unit&dir=asc")))
    assert [r[1] for r in rows] == screen
    assert [r[0] for r in rows] == list(range(1, len(screen) + 1))


# --------------------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------------------

def document(response):
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == DOCX
    return Document(io.BytesIO(response.data))


def test_progress_report_has_every_group_and_task_heading(june_30, browser):
    doc = document(browser("leader").get(f"/plans/{june_30.id}/report.docx?period=2026-06"))
    paragraphs = [p.text for p in doc.paragraphs]
    headings = {p.text for p in doc.paragraphs if p.style.name.startswith("Heading")}
    assert paragraphs[0] == f"关于{june_30.title}推进情况的报告"
    assert "青府发〔2025〕40号" in paragraphs[1] and "2026年6月" in paragraphs[1]
    for task in TASKS:
        assert f"{task['number']}. {task['title']}" in headings
    for group in ("（一）体制机制优化行动", "（六）科创生态培育行动"):
        assert group in headings
    body = "\n".join(paragraphs)
    assert "已完成2项" in body and "逾期4项" in body and "存在风险2项" in body
    assert "复旦大学西岑园联合研发中心签约落地" in body  # task 4's accepted June report
    assert "本期进展（2026-06）：本期未报送。" in body  # task 3, 7, 11, 15
    assert "（本期报送已退回修改，尚未重新报送。）" in body  # task 13
    assert paragraphs[-1] == "2026年6月30日"


@pytest.mark.parametrize("period", ["garbage", "2026-13", "2026-6", "1999-01", "2026-06-01"])
def test_progress_report_rejects_a_bad_period_with_a_message(june_30, browser, period):
    response = browser("leader").get(f"/plans/{june_30.id}/report.docx?period={period}")
    assert response.status_code == 400
    assert "报告期" in response.text and "2026-06" in response.text


def test_progress_report_for_unknown_plan_is_404_and_refused_to_unit_users(june_30, browser):
    assert browser("leader").get("/plans/9999/report.docx?period=2026-06").status_code == 404
    assert browser("kejiwei").get(f"/plans/{june_30.id}/report.docx?period=2026-06").status_code == 403


def _issued_notice(client, task_id: int):
    """The task's 督办通知单, issued through the register of documents and opened by the task's button."""
    assert client.post(f"/tasks/{task_id}/documents", {"submit": "1"},
                       token_from=f"/tasks/{task_id}/notice.docx").status_code == 302
    response = client.get(f"/tasks/{task_id}/notice.docx")
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def test_supervision_notice_names_the_task_unit_and_days_overdue(june_30, browser):
    task = db.session.scalar(select(Task).where(Task.number == "3"))
    lead_unit_name = task.lead_unit.name
    doc = document(_issued_notice(browser("coordinator"), task.id))
    paragraphs = [p.text for p in doc.paragraphs]
    body = "\n".join(paragraphs)
    days = overdue_days(date(2026, 3, 31), DAY)
    assert paragraphs[0] == "督办通知单"
    assert re.search(r"督办〔2026〕\d+号", paragraphs[1])
    assert paragraphs[3] == f"{lead_unit_name}："  # addressed to the lead unit
    assert "完善运营机制" in body and f"已逾期{days}个工作日" in body and "2026年3月31日" in body
    assert "第三家区级国资平台审计评估报告已出具" in body  # latest accepted progress
    assert "2026年6月30日" in paragraphs
    assert "抄送：青西办、区财政局。" in body


def test_supervision_notice_for_a_missing_report_and_refusals(june_30, browser):
    coordinator = browser("coordinator")
    task_7 = db.session.scalar(select(Task).where(Task.number == "7"))  # on time, but June report missing
    body = "\n".join(p.text for p in document(_issued_notice(coordinator, task_7.id)).paragraphs)
    assert "打造高性能复合材料特色产业" in body and "2026-06" in body and "尚未报送" in body
    task_4 = db.session.scalar(select(Task).where(Task.number == "4"))  # nothing overdue
    response = coordinator.get(f"/tasks/{task_4.id}/notice.docx")
    assert response.status_code == 400 and "没有逾期事项" in response.text
    assert coordinator.get("/tasks/9999/notice.docx").status_code == 404
    # Every unit on the task opens it (青浦科创集团 cooperates on task 7); a unit not on it is refused.
    assert browser("kechuangjituan").get(f"/tasks/{task_7.id}/notice.docx").status_code == 302
    assert browser("shujuju").get(f"/tasks/{task_7.id}/notice.docx").status_code == 403


def test_ledger_screen_is_printable_and_offers_notices(june_30, browser):
    page = browser("leader").get(f"/plans/{june_30.id}/ledger")
    assert page.status_code == 200
    assert 'class="row g-2 mb-3 filters d-print-none"' in page.text  # filters hidden in print
    task_3 = db.session.scalar(select(Task).where(Task.number == "3"))
    assert f"/tasks/{task_3.id}/notice.docx" in page.text


def test_the_ledger_screen_shows_a_page_at_a_time_and_the_export_has_every_task(june_30, browser, app, monkeypatch):
    """A plan's 任务台账 is paged (a city plan's 252 tasks were a 314 KB page); the Excel keeps them all, and its
    link does not carry the page number."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    coordinator = browser("coordinator")
    everything = [str(row[0]) for row in data_rows(workbook(coordinator.get(f"/plans/{june_30.id}/ledger.xlsx")))]
    assert len(everything) > 10
    shown = []
    for number in (1, 2, 3):
        screen = coordinator.get(f"/plans/{june_30.id}/ledger?page={number}")
        assert screen.status_code == 200
        rows = re.findall(r'data-task="(\d+)"', screen.text)
        assert len(rows) == 5
        assert f"共{len(everything)}项" in screen.text
        assert f'/plans/{june_30.id}/ledger.xlsx"' in screen.text  # no ?page= on the export link
        shown += rows
    assert shown == everything[:15]
    unit_user = browser("jinrongban")  # a unit's ledger is its own tasks, paged the same way
    assert re.findall(r'data-task="(\d+)"', unit_user.get(f"/plans/{june_30.id}/ledger").text) == ["9", "14"]


def test_the_ledger_shows_a_change_at_once_though_its_page_is_kept(june_30, browser):
    """The rendered ledger is kept per state of the data (``LEDGER_CONTENT``): a closure verified after a view
    shows on the next view, and a unit reading after a coordinator gets its own tasks, not the kept page."""
    from tests.loop_helpers import close_task

    coordinator = browser("coordinator")
    path = f"/plans/{june_30.id}/ledger"

    def state_of(number: str, text: str) -> str:
        row = re.search(rf'<tr data-task="{number}".*?</tr>', text, re.S).group(0)
        return re.search(r'data-state="(\w+)"', row).group(1)

    task_11 = select(Task).where(Task.plan_id == june_30.id, Task.number == "11")
    plan_row = re.compile(rf'<a href="/tasks/{db.session.scalar(task_11).id}">.*?</tr>', re.S)
    before = coordinator.get(path).text
    assert state_of("11", before) == "overdue"
    assert "逾期" in plan_row.search(coordinator.get(f"/plans/{june_30.id}").text).group(0)  # the plan page, kept too
    close_task(db.session.scalar(task_11), DAY)
    db.session.commit()
    assert state_of("11", coordinator.get(path).text) == "completed"
    assert "逾期" not in plan_row.search(coordinator.get(f"/plans/{june_30.id}").text).group(0)
    assert re.findall(r'data-task="(\d+)"', browser("jinrongban").get(path).text) == ["9", "14"]
