"""Issue 21: every generated file carries the app's clock and the office as its author. The files said
two "todays" (an xlsx "created" on the machine's date beside "截至2026-06-30"; a docx by "python-docx",
created 2013). Each file the app offers is downloaded and opened, and its properties read."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import docx
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.auth.models import User
from tracker.bulletins.services import draft_bulletin
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.supervision.models import SupervisionDocument
from tracker.tasks.models import Task

MOMENT = datetime(2026, 6, 30, 10, 0, tzinfo=BEIJING)
MOMENT_UTC = MOMENT.astimezone(timezone.utc)
OFFICE = "督查督办办公室"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def test_every_generated_file_carries_the_app_clock_and_the_office(seeded, app, browser):
    app.config["NOW"] = "2026-06-30T10:00"
    run_reminders(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))  # issues the ladder's documents
    plan_id = db.session.scalar(select(Plan.id).where(Plan.doc_number == "青府发〔2025〕40号"))
    task_3 = db.session.scalar(select(Task.id).where(Task.plan_id == plan_id, Task.number == "3"))
    document_id = db.session.scalar(select(SupervisionDocument.id).order_by(SupervisionDocument.id))
    coordinator_user = db.session.scalar(select(User).where(User.login == "coordinator"))
    bulletin_id = draft_bulletin(coordinator_user, month_key="2026-06", today=MOMENT.date()).id
    db.session.commit()
    assert document_id is not None

    coordinator = browser("coordinator")
    workbooks = (f"/plans/{plan_id}/ledger.xlsx", "/overdue.xlsx", "/units/scoreboard.xlsx", "/imports/template.xlsx")
    for path in workbooks:
        response = coordinator.get(path)
        assert response.status_code == 200, path
        properties = load_workbook(io.BytesIO(response.data)).properties
        assert properties.creator == OFFICE, (path, properties.creator)
        assert _utc(properties.created) == MOMENT_UTC and _utc(properties.modified) == MOMENT_UTC, path
    documents = (f"/plans/{plan_id}/report.docx?period=2026-06", f"/tasks/{task_3}/notice.docx",
                 f"/documents/{document_id}.docx", f"/bulletins/{bulletin_id}.docx")
    for path in documents:
        response = coordinator.get(path, follow_redirects=True)
        assert response.status_code == 200 and response.data[:2] == b"PK", path
        properties = docx.Document(io.BytesIO(response.data)).core_properties
        assert properties.author == OFFICE and properties.last_modified_by == OFFICE, (path, properties.author)
        assert _utc(properties.created) == MOMENT_UTC and _utc(properties.modified) == MOMENT_UTC, path
        assert "python-docx" not in (properties.comments + properties.title)


def test_the_office_named_by_the_setting_signs_the_files(seeded, app, browser):
    app.config["NOW"] = "2026-06-30T10:00"
    app.config["SUPERVISION_ISSUER"] = "青浦区人民政府办公室督查科"
    plan_id = db.session.scalar(select(Plan.id).where(Plan.doc_number == "青府发〔2025〕40号"))
    coordinator = browser("coordinator")
    ledger = load_workbook(io.BytesIO(coordinator.get(f"/plans/{plan_id}/ledger.xlsx").data))
    assert ledger.properties.creator == "青浦区人民政府办公室督查科"
    report = docx.Document(io.BytesIO(coordinator.get(f"/plans/{plan_id}/report.docx?period=2026-06").data))
    assert report.core_properties.author == "青浦区人民政府办公室督查科"
