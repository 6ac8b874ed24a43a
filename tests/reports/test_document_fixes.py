"""The documents as an office prints them: days overdue said as working days in the 督办通知单 and the
推进情况报告, black headings, page numbers in the footer, ledger rows tall enough for their wrapped text."""
from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.common.deadlines import overdue_days
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)


@pytest.fixture
def june_30(seeded, on_date):
    on_date(DAY)
    return db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))


def _docx(response) -> bytes:
    assert response.status_code == 200, response.text[:300]
    return response.data


def _notice(client, task_id: int):
    """The task's 督办通知单: issued through the register of documents, then opened by the task's button."""
    assert client.post(f"/tasks/{task_id}/documents", {"submit": "1"},
                       token_from=f"/tasks/{task_id}/notice.docx").status_code == 302
    response = client.get(f"/tasks/{task_id}/notice.docx")
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_notice_and_report_count_days_overdue_as_working_days(june_30, browser):
    coordinator = browser("coordinator")
    task_3 = db.session.scalar(select(Task).where(Task.number == "3"))
    working_days = overdue_days(task_3.due_on, DAY)
    assert working_days < (DAY - task_3.due_on).days  # the two counts differ: the wording matters
    notice = _text(_docx(_notice(coordinator, task_3.id)))
    report = _text(_docx(coordinator.get(f"/plans/{june_30.id}/report.docx?period=2026-06")))
    task_7 = db.session.scalar(select(Task).where(Task.number == "7"))  # a missing June report
    missing = _text(_docx(_notice(coordinator, task_7.id)))
    assert f"已逾期{working_days}个工作日" in notice
    assert f"已逾期{working_days}个工作日" in report
    assert re.search(r"已逾期\d+个工作日", missing)
    for text in (notice, report, missing):
        assert not re.search(r"逾期\d+天", text)


def _heading_colours(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("word/styles.xml").decode()
    found = []
    for style_id in ("Heading1", "Heading2"):
        block = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles, re.S).group(0)
        found += re.findall(r"<w:color [^>]*/>", block)
    return found


def test_report_headings_are_black_not_words_default_blue(june_30, browser):
    data = _docx(browser("leader").get(f"/plans/{june_30.id}/report.docx?period=2026-06"))
    colours = _heading_colours(data)
    assert colours and all('w:val="000000"' in c and "themeColor" not in c for c in colours), colours
    document = Document(io.BytesIO(data))
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert len(headings) >= 22
    for paragraph in headings:
        assert paragraph.style.font.color.rgb == (0, 0, 0)
        assert all(run.font.color.rgb in (None, (0, 0, 0)) for run in paragraph.runs)


@pytest.mark.parametrize("kind", ["report", "notice"])
def test_documents_have_page_numbers_in_the_footer(june_30, browser, kind):
    task_3 = db.session.scalar(select(Task).where(Task.number == "3"))
    coordinator = browser("coordinator")
    data = _docx(coordinator.get(f"/plans/{june_30.id}/report.docx?period=2026-06") if kind == "report"
                 else _notice(coordinator, task_3.id))
    document = Document(io.BytesIO(data))
    footer = document.sections[0].footer
    xml = footer._element.xml
    assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml
    assert footer.paragraphs[0].text.replace(" ", "") == "－1－"  # until Word fills in each page's number


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_ledger_rows_are_tall_enough_for_their_wrapped_text(june_30, browser):
    response = browser("coordinator").get(f"/plans/{june_30.id}/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [cell.value for cell in sheet[3]]
    progress_column = headers.index("最近采纳的进展") + 1
    width = sheet.column_dimensions[sheet.cell(row=3, column=progress_column).column_letter].width
    rows = list(range(4, sheet.max_row + 1))
    assert len(rows) == 16
    tallest_needed = 0
    for row in rows:
        height = sheet.row_dimensions[row].height
        assert height is not None and height >= 13, row  # every data row has a height
        text = sheet.cell(row=row, column=progress_column).value or ""
        lines = math.ceil(_width(text) / width)  # lines at least, at the column's full width
        tallest_needed = max(tallest_needed, lines)
        assert height >= lines * 12, (row, lines, height)  # 10 pt text: at least 12 pt a line
    assert tallest_needed >= 3  # the seed has long progress texts: the check did check something
