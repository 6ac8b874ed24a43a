"""The column-mapping step (列对应) of the import review: a table whose columns the reader could not tell is
shown with the reader's guess per column; one choice re-reads the draft; the choice is remembered for the header
set, so the next file with the same headers imports with no question.

The table here is typed for the test: its 主抓部门 column holds unit names abbreviated as offices write them
among themselves (住建, 民政), which no rule can tell from a person's name — the case the step is for.
"""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from tests.browser.conftest import chromium, live_server, network_guard, open_page  # noqa: F401 (fixtures)
from tests.imports.test_import_flow import counts, draft_id_from, review_form, upload
from tracker.extensions import db
from tracker.imports.models import ColumnMapping, ImportDraft
from tracker.plans.models import Plan

HEADER = ["序号", "重点事项", "主抓部门", "办结时间"]
ROWS = [["1", "完成老旧小区改造12个。", "住建", "2026年10月底前"],
        ["2", "新建社区食堂3家。", "民政", "2026年12月底前"]]


def workbook(title: str = "2026年街道重点事项清单") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def columns_form(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/imports/\d+/columns".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    for name, body in re.findall(r'<select[^>]*name="(column-\d+)"[^>]*>(.*?)</select>', form, re.S):
        fields[name] = re.search(r'<option value="(\w+)" selected', body).group(1)
    return fields


def test_unknown_columns_are_mapped_with_one_choice_and_remembered_for_the_header_set(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "清单.xlsx", workbook()))
    page = coordinator.get(f"/imports/{draft_id}")
    assert "识别到 0 个行动、0 项任务、0 个目标。" in page.text
    assert "未能识别此表格中的任务。请指出各列的内容，草稿将立即重新识别：" in page.text
    fields = columns_form(page.text)
    assert [fields[f"column-{i}"] for i in range(4)] == ["number", "task", "other", "due"]  # the reader's guess
    fields["column-2"] = "lead"  # the one choice: 主抓部门 holds the lead units
    response = coordinator.post(f"/imports/{draft_id}/columns", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{draft_id}")
    page = coordinator.get(f"/imports/{draft_id}")
    assert "已按指定的列重新识别：2项任务。以后导入表头相同的表格将直接按此读取。" in page.text
    assert "识别到 0 个行动、2 项任务、0 个目标。" in page.text
    review = review_form(page.text)
    assert review["task-0-title"] == ["完成老旧小区改造12个"] and review["task-1-due_on"] == ["2026-12-31"]
    assert [row["name"] for row in db.session.get(ImportDraft, draft_id).payload["new_units"]] == ["住建", "民政"]
    # next month's file with the same headers: read at once, no question
    second = draft_id_from(upload(coordinator, "plan", "清单-11月.xlsx", workbook("2026年11月街道重点事项清单")))
    page = coordinator.get(f"/imports/{second}")
    assert "识别到 0 个行动、2 项任务、0 个目标。" in page.text
    assert "按已保存的列对应读取（表头相同的表格都这样读），识别到2项任务。" in page.text
    assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 1


def test_a_mapping_without_a_task_column_is_refused_and_changes_nothing(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "清单.xlsx", workbook()))
    before = db.session.get(ImportDraft, draft_id).payload
    fields = columns_form(coordinator.get(f"/imports/{draft_id}").text)
    fields["column-1"] = "other"
    response = coordinator.post(f"/imports/{draft_id}/columns", data=fields)
    assert response.status_code == 400 and "请至少指定一列为“任务”。" in response.text
    db.session.expire_all()
    assert db.session.get(ImportDraft, draft_id).payload == before
    assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 0
    fields["column-1"], fields["column-3"] = "task", "bogus"
    response = coordinator.post(f"/imports/{draft_id}/columns", data=fields)
    assert response.status_code == 400 and "列的内容选择无效，请刷新页面后重试。" in response.text


def test_only_coordinators_map_columns(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "清单.xlsx", workbook()))
    fields = columns_form(coordinator.get(f"/imports/{draft_id}").text)
    fields.pop("csrf_token")  # the unit's own session token is used
    unit = browser("jingwei")
    assert unit.post(f"/imports/{draft_id}/columns", data=fields).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 0


def test_in_the_browser_one_choice_rereads_the_draft_and_the_plan_is_created(seeded, open_page):
    page = open_page("coordinator")
    page.goto("/imports/new")
    page.set_input_files("input[name=document]", files=[{"name": "清单.xlsx", "mimeType":
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": workbook()}])
    page.click("form:has(input[name=document]) [type=submit]")
    page.wait_for_load_state("networkidle")
    assert "识别到 0 个行动、0 项任务" in page.locator("#summary").inner_text()
    with page.expect_navigation():  # no button: the choice alone sends the form and re-reads the draft
        page.select_option("select[name=column-2]", "lead")
    assert "识别到 0 个行动、2 项任务" in page.locator("#summary").inner_text()
    for box in page.locator("input[type=checkbox][name$=-create]").all():
        box.check()
    with page.expect_navigation():
        page.click("#review-form [name=apply]")
    assert "已创建方案" in page.locator(".alert").first.inner_text()
    db.session.remove()
    plan = db.session.scalar(select(Plan).order_by(Plan.id.desc()))
    assert sorted((t.number, t.title, t.lead_unit.short_name) for t in plan.tasks) == [
        ("1", "完成老旧小区改造12个", "住建"), ("2", "新建社区食堂3家", "民政")]
