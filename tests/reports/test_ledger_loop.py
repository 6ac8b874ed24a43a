"""Issue 21: the plan ledger is a 督办台账. Its page and its Excel carry the loop of each task: 签收 (who,
when), 督办等级, 文书号, 反馈时限 and 反馈状态, 原定/调整后时限 and 延期次数, 办结 (核查人, 日期); cells are
read by their column labels, as a reader of the file or the page finds them."""
from __future__ import annotations

import io
from datetime import date, datetime

import lxml.html
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.loop_helpers import close_task
from tracker.auth.models import User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.supervision.models import Receipt, ReceiptState, SupervisionDocument
from tracker.supervision.services import decide_extension, reassign, request_extension, sign_receipt
from tracker.tasks.models import Task
from tracker.units.models import Unit

DAY = date(2026, 6, 30)


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


@pytest.fixture
def loop_plan(seeded, app):
    """The demo on 2026-06-30 10:00 after the morning's scan, with task 7 re-assigned to 区科委 and signed,
    extended once, task 5 closed (销号), and task 10 re-assigned and waiting for its 签收."""
    app.config["NOW"] = "2026-06-30T10:00"
    run_reminders(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))  # task 3 (due 03-31) climbs to level 4
    coordinator, keji = _user("coordinator"), db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    task_7 = _task("7")
    reassign(coordinator, task_7, lead_unit_id=keji.id, today=DAY)
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task_7.id, Receipt.unit_id == keji.id,
                                                      Receipt.state == ReceiptState.pending))
    sign_receipt(_user("kejiwei"), receipt)
    original_7 = task_7.due_on
    extension = request_extension(_user("kejiwei"), task_7, requested_due_on=date(2027, 3, 31), reason="资金推迟",
                                  today=DAY)
    decide_extension(coordinator, extension, approve=True, due_on=date(2027, 4, 30), today=DAY)
    close_task(_task("5"), DAY)
    task_10 = _task("10")
    reassign(coordinator, task_10, lead_unit_id=db.session.scalar(select(Unit).where(Unit.short_name == "区经委")).id,
             today=DAY)
    db.session.commit()
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    return plan.id, original_7


def _sheet_by_label(response) -> dict[str, dict[str, object]]:
    """The ledger's rows by task number, each a mapping of column label → cell value."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[3]]
    return {str(row[0]): dict(zip(header, row)) for row in sheet.iter_rows(min_row=4, values_only=True)}


def _page_by_label(html: str) -> dict[str, dict[str, str]]:
    """The ledger page's rows by task number, each a mapping of column label → the cell's text."""
    table = lxml.html.fromstring(html).get_element_by_id("ledger-table")
    header = [" ".join(th.text_content().split()) for th in table.xpath("./thead/tr/th")]
    return {tr.get("data-task"): dict(zip(header, (" ".join(" ".join(td.itertext()).split()) for td in tr.xpath("./td"))))
            for tr in table.xpath("./tbody/tr[@data-task]")}


def test_the_ledger_xlsx_carries_the_loop_of_each_task(loop_plan, browser):
    plan_id, original_7 = loop_plan
    rows = _sheet_by_label(browser("coordinator").get(f"/plans/{plan_id}/ledger.xlsx"))
    kejiwei = _user("kejiwei").display_name
    # 签收: who and when; extension: original and adjusted due dates, count.
    seven = rows["7"]
    assert seven["牵头单位"] == "区科委" and seven["签收情况"] == "已签收" and seven["签收人"] == kejiwei
    assert seven["签收时间"] == datetime(2026, 6, 30, 10, 0)
    assert seven["原定时限"].date() == original_7 and seven["调整后时限"].date() == date(2027, 4, 30)
    assert seven["延期次数"] == 1
    # A task re-assigned today waits for its 签收.
    assert rows["10"]["签收情况"] == "待签收" and rows["10"]["签收人"] is None
    # A task that reached the ladder: its level, its document's number, reply date and state.
    three = rows["3"]
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == _task("3").id)
                                 .order_by(SupervisionDocument.id.desc()))
    assert three["督办等级"] == "第4级（通报）"
    assert three["文书号"] == document.number and three["文书号"].startswith("督办〔2026〕")
    assert three["反馈时限"].date() == document.reply_by and three["反馈状态"] == "待反馈"
    assert three["逾期工作日数"] > 15 and three["延期次数"] == 0 and three["调整后时限"] is None
    # 办结: who verified and on which day.
    five = rows["5"]
    assert five["核查人"] == _user("coordinator").display_name and five["办结日期"].date() == DAY
    assert rows["6"]["核查人"] is None and rows["6"]["督办等级"] is None and rows["6"]["文书号"] is None


def test_the_ledger_page_carries_the_same_loop(loop_plan, browser):
    plan_id, original_7 = loop_plan
    rows = _page_by_label(browser("coordinator").get(f"/plans/{plan_id}/ledger").text)
    seven = rows["7"]
    assert seven["签收情况"].startswith("已签收") and _user("kejiwei").display_name in seven["签收情况"]
    assert "2026-06-30 10:00" in seven["签收情况"]
    assert seven["原定时限"] == original_7.isoformat() and seven["调整后时限"] == "2027-04-30"
    assert seven["延期次数"] == "1"
    assert rows["10"]["签收情况"] == "待签收 签收时限 2026-07-02"
    three = rows["3"]
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == _task("3").id)
                                 .order_by(SupervisionDocument.id.desc()))
    assert three["督办等级"] == "第4级（通报）" and three["文书号"] == document.number
    assert three["反馈时限"] == document.reply_by.isoformat() and three["反馈状态"] == "待反馈"
    assert int(three["逾期工作日数"]) > 15 and three["调整后时限"] == ""
    assert rows["5"]["办结"] == f"2026-06-30 核查人：{_user('coordinator').display_name}"
    assert rows["6"]["办结"] == "" and rows["6"]["督办等级"] == "" and rows["6"]["文书号"] == ""


def test_the_ledger_in_english_names_its_loop_columns(loop_plan, browser):
    plan_id, _original = loop_plan
    from tests.test_i18n import switch_language

    coordinator = browser("coordinator")
    switch_language(coordinator.client, "en", "/plans/")
    rows = _sheet_by_label(coordinator.get(f"/plans/{plan_id}/ledger.xlsx"))
    assert rows["7"]["Receipt"] and rows["7"]["Extensions"] == 1 and rows["5"]["Verified by"]
    assert rows["3"]["Working days overdue"] > 15
