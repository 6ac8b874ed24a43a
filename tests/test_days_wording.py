"""Issue 21: one wording of days everywhere. Days overdue are working days, and every page, email,
export and document says so ("逾期N个工作日", "逾期工作日数"); the task page said "逾期62天" and the
exports "逾期天数"."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import docx
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import NotificationKind
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)
CALENDAR_DAYS = re.compile(r"逾期\s*\d+\s*天|逾期天数")


def _ids():
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == "3"))
    return plan.id, task.id


def test_pages_say_working_days(seeded, on_date, browser):
    on_date(DAY)
    plan_id, task_id = _ids()
    coordinator = browser("coordinator")
    task_page = coordinator.get(f"/tasks/{task_id}").text  # task 3: its June report is missing
    assert re.search(r"逾期\d+个工作日", task_page)
    for path in (f"/tasks/{task_id}", f"/plans/{plan_id}", "/overdue", f"/plans/{plan_id}/ledger", "/tasks/mine"):
        page = coordinator.get(path).text
        assert not CALENDAR_DAYS.search(page), (path, CALENDAR_DAYS.search(page).group(0))
    assert "逾期工作日数" in coordinator.get("/overdue").text
    unit_page = browser("kechuangjituan").get("/tasks/mine").text  # leads task 3
    assert not CALENDAR_DAYS.search(unit_page)


def test_exports_and_documents_say_working_days(seeded, on_date, browser):
    on_date(DAY)
    plan_id, task_id = _ids()
    coordinator = browser("coordinator")
    for path in ("/overdue.xlsx", f"/plans/{plan_id}/ledger.xlsx"):
        sheet = load_workbook(io.BytesIO(coordinator.get(path).data)).active
        assert "逾期工作日数" in [cell.value for cell in sheet[3]], path
        assert not any(CALENDAR_DAYS.search(str(cell.value)) for cell in sheet[3] if cell.value), path
    csv = coordinator.get("/overdue.csv").data.decode("utf-8-sig")
    assert "逾期工作日数" in csv.splitlines()[0] and not CALENDAR_DAYS.search(csv)
    report = docx.Document(io.BytesIO(coordinator.get(f"/plans/{plan_id}/report.docx?period=2026-06").data))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    assert re.search(r"已逾期\d+个工作日", text) and not CALENDAR_DAYS.search(text)


def test_emails_say_working_days(seeded, on_date):
    from tracker.outbox.models import Notification

    on_date(DAY)
    run_reminders(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))
    emails = list(db.session.scalars(select(Notification)))
    digests = [email for email in emails if email.kind == NotificationKind.overdue_digest]
    assert digests and all("逾期工作日数" in email.body_html for email in digests)
    assert any(re.search(r"逾期\d+个工作日", email.body_text) for email in digests)
    for email in emails:
        for text in (email.subject, email.body_text, email.body_html):
            assert not CALENDAR_DAYS.search(text), (email.kind, CALENDAR_DAYS.search(text).group(0))
