"""Task breakdown tables, revisions and the rest of issue 17 through the web and the command line.

Must show 2 (an xlsx with merged action-group cells and a docx table through the review screen into a plan
whose ledger export re-imports to the same tasks), 3 (items with their own 牵头单位 lines under a targets
heading: one task each, the quantitative ones also indicators owned by the lead unit), 4 (a revised plan
shows exactly its five changes and applying it keeps every matched task's history) and 5 (bad files: a
clear message and every table as it was, on whichever database the suite runs).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.imports.test_import_flow import (counts, draft_id_from, option_value, post_review, review_form, upload,
                                            value)
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.imports.cli import import_cli
from tracker.imports.documents import MAX_TABLE_ROWS, extract_text
from tracker.imports.drafts import build_payload
from tracker.imports.models import ImportDraft
from tracker.imports.reader import parse_plan
from tracker.imports.template import TEMPLATE_COLUMNS, template_xlsx
from tracker.indicators.models import Indicator
from tracker.plans.models import Plan
from tracker.tasks.models import TaskStatus
from tracker.units.models import Unit, UnitAlias
from tracker.updates.models import StatusUpdate

CORPUS = Path(__file__).resolve().parent / "corpus"


def every_table_count() -> dict[str, int]:
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables}


def tick_every_new_unit(fields: dict) -> None:
    for name in list(fields):
        match = re.fullmatch(r"new-(\d+)-name", name)
        if match:
            fields[f"new-{match.group(1)}-create"] = ["1"]


def plan_tasks(plan: Plan) -> list[tuple]:
    return [(t.number, t.title, t.group.title if t.group else None, t.lead_unit.short_name,
             sorted(u.short_name for u in t.cooperating_units), t.due_on)
            for t in sorted(plan.tasks, key=lambda task: task.sort_key)]


def draft_tasks(payload: dict) -> list[tuple]:
    names = {str(unit.id): unit.short_name for unit in db.session.scalars(select(Unit))}
    groups = payload["groups"]
    return [(t["number"], t["title"], groups[t["group_index"]]["title"] if t["group_index"] is not None else None,
             names.get(t["lead_unit"]), sorted(names.get(ref, ref) for ref in t["cooperating_units"]),
             date.fromisoformat(t["due_on"]) if t["due_on"] else None) for t in payload["tasks"]]


# --------------------------------------------------------------------------------------------------------
# Must show 2: xlsx and docx through the review screen; the ledger export re-imports to the same tasks
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["07-xlsx-merged-group-cells.xlsx", "10-docx-table-merged-groups.docx"])
def test_table_document_through_review_screen_and_its_ledger_reimports_to_the_same_tasks(seeded, browser, name):
    coordinator = browser("coordinator")
    wanted = json.loads((CORPUS / name).with_suffix(".json").read_text(encoding="utf-8"))
    draft_id = draft_id_from(upload(coordinator, "plan", name, (CORPUS / name).read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    fields = review_form(page.text)
    groups = len({task["group"] for task in wanted["tasks"]})
    assert f"识别到 {groups} 个行动、{len(wanted['tasks'])} 项任务" in page.text
    assert [value(fields, f"task-{i}-title") for i in range(len(wanted["tasks"]))] == \
        [task["title"] for task in wanted["tasks"]]
    assert "待明确具体单位：" in page.text  # 各镇 / 各街道 are groups to resolve, never offered as new units
    assert not any(value(fields, name_) in ("各镇", "各街道") for name_ in fields if name_.endswith("-name")
                   and name_.startswith("new-"))
    assert "无固定时限" in page.text and "周期性任务" in page.text
    tick_every_new_unit(fields)
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[-3000:]
    plan = db.session.get(Plan, int(response.headers["Location"].rsplit("/", 1)[1]))
    created = plan_tasks(plan)
    assert [(number, title, lead) for number, title, _g, lead, _c, _d in created] == \
        [(t["number"], t["title"], t["lead_unit"]) for t in wanted["tasks"]]
    assert [due.isoformat() if due else None for *_rest, due in created] == \
        [t["due"] if re.match(r"\d{4}-", t["due"]) else (wanted_end if t["due"].startswith("recurring") else None)
         for t in wanted["tasks"] for wanted_end in ["2026-12-31"]]

    # The plan's ledger, exported and uploaded again, reads back as the same tasks: no change in the diff.
    ledger = coordinator.get(f"/plans/{plan.id}/ledger.xlsx")
    assert ledger.status_code == 200
    again = draft_id_from(upload(coordinator, "plan", "台账.xlsx", ledger.data))
    draft = db.session.get(ImportDraft, again)
    assert draft_tasks(draft.payload) == created
    page = coordinator.get(f"/imports/{again}")
    assert "已有文号或标题相同的方案" in page.text and "任务没有变化。" in page.text


# --------------------------------------------------------------------------------------------------------
# Must show 3: numbered items with their own 牵头单位 lines under a targets heading
# --------------------------------------------------------------------------------------------------------

def test_items_under_a_targets_heading_become_tasks_and_indicators_owned_by_the_lead_unit(seeded, browser):
    coordinator = browser("coordinator")
    path = CORPUS / "03-items-under-targets-heading.txt"
    draft_id = draft_id_from(upload(coordinator, "plan", path.name, path.read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    fields = review_form(page.text)
    assert "识别到 3 个行动、7 项任务、3 个目标。" in page.text  # 主要预期目标 is the first items' group
    assert [value(fields, f"task-{i}-title") for i in range(3)] == [
        "地区生产总值增长5.5%左右", "规模以上工业总产值达到1900亿元", "新增就业岗位不少于1.2万个"]
    assert [value(fields, f"target-{i}-name") for i in range(3)] == ["地区生产总值增长", "规模以上工业总产值", "新增就业岗位"]
    assert value(fields, "task-0-lead") == option_value(page.text, "task-0-lead", "区发改委")
    assert value(fields, "target-1-owner") == option_value(page.text, "target-1-owner", "区经委")
    tick_every_new_unit(fields)
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[-3000:]
    plan = db.session.get(Plan, int(response.headers["Location"].rsplit("/", 1)[1]))
    tasks = {task.number: task for task in plan.tasks}
    assert len(tasks) == 7
    assert tasks["2"].lead_unit.short_name == "区经委"
    assert sorted(u.short_name for u in tasks["2"].cooperating_units) == ["区发改委"]  # 各街道 left to resolve
    indicators = list(db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.id)))
    assert [(i.name, i.task.number, i.responsible_unit.short_name) for i in indicators] == [
        ("地区生产总值增长", "1", "区发改委"), ("规模以上工业总产值", "2", "区经委"), ("新增就业岗位", "3", "区人社局")]


# --------------------------------------------------------------------------------------------------------
# Must show 4: a revised plan shows exactly its five changes; applying it keeps history
# --------------------------------------------------------------------------------------------------------

BASE_PLAN = """青浦区2026年科技服务提升工作方案
青科委发〔2026〕9号
一、重点任务
1.建设科技服务平台。
牵头单位：区科委
配合单位：区经委
完成时限：2026年6月底前
2.培育科技中介机构。
牵头单位：区科委
完成时限：2026年9月底前
3.开展科技成果路演。
牵头单位：区经委
完成时限：2026年10月底前
4.完善科技金融服务。
牵头单位：区金融办
配合单位：区财政局
完成时限：2026年12月底前
5.编制科技服务白皮书。
牵头单位：区科委
完成时限：2026年11月底前
"""
# 2 and 3 re-dated, 4 re-assigned, 5 removed, 6 added; the brackets and spaces of the 文号 differ.
REVISED_PLAN = BASE_PLAN.replace("青科委发〔2026〕9号", "青科委发[2026] 9号") \
    .replace("2026年9月底前", "2026年8月底前").replace("2026年10月底前", "2026年12月底前\n") \
    .replace("牵头单位：区金融办\n配合单位：区财政局", "牵头单位：区财政局\n配合单位：区金融办") \
    .replace("5.编制科技服务白皮书。\n牵头单位：区科委\n完成时限：2026年11月底前\n",
             "6.举办科技服务对接会。\n牵头单位：区商务委\n完成时限：2026年7月底前\n")


def test_a_revision_shows_exactly_its_five_changes_and_applying_keeps_history(seeded, browser, app):
    coordinator = browser("coordinator")
    base = draft_id_from(upload(coordinator, "plan", "base.txt", BASE_PLAN.encode()))
    fields = review_form(coordinator.get(f"/imports/{base}").text)
    response = post_review(coordinator, base, fields, "apply")
    assert response.status_code == 302, response.text[-3000:]
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    tasks = {task.number: task for task in db.session.get(Plan, plan_id).tasks}
    ids = {number: task.id for number, task in tasks.items()}
    update = StatusUpdate(task_id=ids["1"], unit_id=tasks["1"].lead_unit_id, author_id=1, period="2026-05",
                          progress_text="平台已上线试运行。", percent=40)
    db.session.add(update)
    db.session.commit()
    update_id = update.id
    trail_before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.task_id == ids["4"]))

    revised = draft_id_from(upload(coordinator, "plan", "revised.txt", REVISED_PLAN.encode()))
    page = coordinator.get(f"/imports/{revised}")
    assert "已有文号或标题相同的方案" in page.text
    kinds = sorted(re.findall(r'class="revision-change" data-kind="(\w+)"', page.text))
    assert kinds == ["added", "reassigned", "redated", "redated", "removed"]
    assert "新增1项、删去1项、改名0项、调整单位1项、调整时限2项" in page.text
    fields = review_form(page.text)
    assert value(fields, "plan-revision_of") == str(plan_id)
    # Nothing happens until the coordinator chooses what the duplicate is.
    before = counts()
    response = post_review(coordinator, revised, fields, "apply")
    assert response.status_code == 400 and "作为该方案的修订版导入" in response.text
    assert counts() == before
    fields["plan-import_mode"] = ["revision"]
    response = post_review(coordinator, revised, fields, "apply")
    assert response.status_code == 302, response.text[-3000:]
    assert response.headers["Location"].endswith(f"/plans/{plan_id}")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == before["plans"]
    tasks = {task.number: task for task in db.session.get(Plan, plan_id).tasks}
    assert {number: task.id for number, task in tasks.items() if number != "6"} == ids
    assert tasks["2"].due_on == date(2026, 8, 31) and tasks["3"].due_on == date(2026, 12, 31)
    assert tasks["4"].lead_unit.short_name == "区财政局"
    assert [u.short_name for u in tasks["4"].cooperating_units] == ["区金融办"]
    assert tasks["5"].status == TaskStatus.suspended
    assert tasks["6"].title == "举办科技服务对接会" and tasks["6"].lead_unit.short_name == "区商务委"
    assert db.session.get(StatusUpdate, update_id).task_id == ids["1"]
    trail = db.session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == ids["4"])
                               .order_by(AuditEvent.id)).all()
    # One edit of the task, and the 交办 it implies: the new units wait for their 签收, the old ones' lapse.
    new_events = trail[trail_before:]
    assert new_events[0] == "task.updated" and new_events.count("task.updated") == 1
    assert set(new_events[1:]) == {"receipt.withdrawn", "receipt.assigned"}
    revised_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.revised"))
    assert revised_event.changes["counts"] == {"added": 1, "removed": 1, "renamed": 0, "reassigned": 1, "redated": 2}
    suspended = db.session.scalar(select(AuditEvent).where(AuditEvent.task_id == ids["5"],
                                                           AuditEvent.action == "task.updated"))
    assert suspended.changes["status"] == ["not_started", "suspended"]


def test_the_same_document_again_is_never_a_silent_second_plan(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "base.txt", BASE_PLAN.encode()))
    post_review(coordinator, draft_id, review_form(coordinator.get(f"/imports/{draft_id}").text), "apply")
    again = draft_id_from(upload(coordinator, "plan", "again.txt", BASE_PLAN.replace("〔2026〕", "（2026）").encode()))
    page = coordinator.get(f"/imports/{again}")
    fields = review_form(page.text)
    before = counts()
    assert post_review(coordinator, again, fields, "apply").status_code == 400
    assert counts() == before
    fields["plan-import_mode"] = ["separate"]
    assert post_review(coordinator, again, fields, "apply").status_code == 302
    assert counts()["plans"] == before["plans"] + 1


# --------------------------------------------------------------------------------------------------------
# Must show 5: bad files
# --------------------------------------------------------------------------------------------------------

def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _encrypted_office_file() -> bytes:
    """What Office writes for a password-protected .xlsx/.docx: a Compound File holding an EncryptedPackage."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedInfo".encode("utf-16-le") \
        + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2048


def _many_rows(count: int) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务分解表")
    sheet.append(["序号", "工作任务", "牵头单位"])
    for number in range(1, count + 1):
        sheet.append([number, f"任务{number}", "区科委"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _docx_bytes() -> bytes:
    return (CORPUS / "10-docx-table-merged-groups.docx").read_bytes()


BAD_FILES = [
    ("empty.xlsx", lambda: b"", "文件为空。"),
    ("encrypted.xlsx", _encrypted_office_file, "Excel 表格已加密（设有打开密码）"),
    ("encrypted.docx", _encrypted_office_file, "Word 文档已加密（设有打开密码）"),
    ("legacy-saved-as.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "旧版 Office 格式"),
    ("zip-bomb.xlsx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                    "xl/worksheets/sheet1.xml": b" " * (60 * 1024 * 1024)}), "疑似压缩炸弹"),
    ("random.xlsx", lambda: bytes(range(256)) * 40, "不是有效的 Excel（.xlsx）表格"),
    ("word-named.xlsx", _docx_bytes, "不是有效的 Excel（.xlsx）表格"),
    ("broken-parts.xlsx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not xml"}),
     "不是有效的 Excel（.xlsx）表格"),
    ("50000-rows.xlsx", lambda: _many_rows(50_000), f"超过 {MAX_TABLE_ROWS:,} 行"),
    ("old.xls", lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 100, "另存为 .xlsx"),
]


@pytest.mark.parametrize("filename, make, message", BAD_FILES, ids=[row[0] for row in BAD_FILES])
def test_bad_files_get_their_message_and_leave_every_table_as_it_was(seeded, browser, filename, make, message):
    coordinator = browser("coordinator")
    before = every_table_count()
    response = upload(coordinator, "plan", filename, make())
    assert response.status_code == 400, filename
    assert message in response.text
    assert every_table_count() == before


def test_a_table_within_the_row_limit_is_read(seeded):
    text = extract_text("big.xlsx", _many_rows(600))
    assert len(parse_plan(text).tasks) == 600


# --------------------------------------------------------------------------------------------------------
# Template, aliases, command line
# --------------------------------------------------------------------------------------------------------

def test_template_downloads_and_imports_back_with_every_column(seeded, browser):
    coordinator = browser("coordinator")
    response = coordinator.get("/imports/template.xlsx")
    assert response.status_code == 200
    downloaded, built = (openpyxl.load_workbook(io.BytesIO(data)) for data in (response.data, template_xlsx()))
    assert downloaded.sheetnames == built.sheetnames  # same sheets and cells (the files' save times differ)
    for name in built.sheetnames:
        assert list(downloaded[name].values) == list(built[name].values)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    blank = build_payload("plan", extract_text("template.xlsx", response.data))
    assert blank["tasks"] == [] and "未识别到任何任务，请检查文档结构或手工录入。" in blank["warnings"]

    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook["任务分解表"]
    assert [cell.value for cell in sheet[2]] == [name for name, _width in TEMPLATE_COLUMNS]
    sheet["A1"] = "青浦区2026年招商引资行动方案任务分解表"
    rows = [[1, "一、招商引资", "举办投资推介会", "赴重点城市举办推介会。", "区商务委", "区经委\n区科委", "2026年6月底前",
             "每月25日前", "副区长", ""],
            [2, "一、招商引资", "建立重点项目库", "", "区发改委", "各相关单位", "长期坚持", "", "", ""]]
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    payload = build_payload("plan", extract_text("filled.xlsx", buffer.getvalue()))
    assert payload["title"] == "青浦区2026年招商引资行动方案"  # the plan's name, not the table's (issue 21)
    assert [(g["number"], g["title"]) for g in payload["groups"]] == [("（一）", "招商引资")]
    first, second = payload["tasks"]
    assert (first["number"], first["title"], first["text"]) == ("1", "举办投资推介会", "举办投资推介会。\n赴重点城市举办推介会。")
    assert (first["assignment"]["lead_unit"], first["assignment"]["cooperating_units"]) == ("区商务委", ["区经委", "区科委"])
    assert (first["due_on"], first["reporting_cycle"], first["report_day"]) == ("2026-06-30", "monthly", 25)
    assert (second["due_kind"], second["due_on"], second["unit_groups"]) == ("open", None, ["各相关单位"])


def test_an_alias_added_by_the_admin_matches_the_unit_in_imports(seeded, browser):
    admin = browser("admin")
    unit = db.session.scalar(select(Unit).where(Unit.short_name == "区发改委"))
    text_ = "某区2026年工作安排\n一、重点任务\n1.扩大有效投资。\n牵头单位：区发改局\n"
    assert build_payload("plan", text_)["tasks"][0]["lead_unit"].startswith("new:")
    proposals = build_payload("plan", text_)["new_units"][0]["proposals"]
    assert proposals[0]["name"] == "区发改委"
    page = admin.get(f"/units/{unit.id}/aliases")
    assert page.status_code == 200
    response = admin.post(f"/units/{unit.id}/aliases", data={"alias": "区发改局"}, token_from=f"/units/{unit.id}/aliases")
    assert response.status_code == 302
    assert build_payload("plan", text_)["tasks"][0]["lead_unit"] == str(unit.id)
    again = admin.post(f"/units/{unit.id}/aliases", data={"alias": "区发改局"}, token_from=f"/units/{unit.id}/aliases")
    assert again.status_code == 400 and "已属于单位" in again.text
    assert db.session.scalar(select(func.count()).select_from(UnitAlias)) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit.alias_added")).summary == "区发改委"


@pytest.mark.parametrize("name", ["09-xlsx-several-sheets.xlsx", "11-docx-table-group-rows.docx"])
def test_cli_dry_run_reads_the_new_formats_and_writes_nothing(app, name):
    before = every_table_count()
    result = app.test_cli_runner().invoke(import_cli, ["plan", str(CORPUS / name), "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    wanted = json.loads((CORPUS / name).with_suffix(".json").read_text(encoding="utf-8"))
    assert [(t["number"], t["title"]) for t in payload["tasks"]] == [(t["number"], t["title"]) for t in wanted["tasks"]]
    assert every_table_count() == before


def test_cli_refuses_a_bad_xlsx_with_its_message(app, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook at all")
    result = app.test_cli_runner().invoke(import_cli, ["plan", str(path), "--dry-run"])
    assert result.exit_code != 0 and "不是有效的 Excel（.xlsx）表格" in result.output


# --------------------------------------------------------------------------------------------------------
# Properties of the table reader
# --------------------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tracker.imports.plan_parser import read_plan  # noqa: E402

CELLS = st.one_of(st.text(max_size=8), st.sampled_from(["", "一、产业发展", "区科委", "区科委\u2028区经委", "各街道",
                                                         "2026年6月底前", "长期坚持", "每季度", "1", "序号", "牵头单位"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=1, max_size=7), max_size=25))
def test_any_grid_under_a_header_reads_without_error_and_every_task_has_a_number(grid):
    text = "序号\t工作任务\t牵头单位\t配合单位\t完成时限\n" + "\n".join("\t".join(row) for row in grid)
    draft = read_plan(text)
    json.dumps(draft.to_dict(), ensure_ascii=False)
    assert all(task.number and task.title is not None for task in draft.tasks)
    assert all(task.group_index is None or 0 <= task.group_index < len(draft.groups) for task in draft.tasks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(alphabet="推进建设完善优化平台机制服务", min_size=2, max_size=10),
                          st.sampled_from(["区科委", "区经委", "区发改委"])), min_size=1, max_size=15, unique_by=lambda r: r[0]))
def test_every_written_row_is_one_task_with_its_title_and_lead(rows):
    text = "序号\t工作任务\t牵头单位\n" + "\n".join(f"{n}\t{title}\t{lead}" for n, (title, lead) in enumerate(rows, 1))
    draft = read_plan(text)
    assert [(t.number, t.title, t.assignment.lead_unit) for t in draft.tasks] == \
        [(str(n), title, lead) for n, (title, lead) in enumerate(rows, 1)]


def test_the_seeded_plans_own_document_again_is_a_revision_without_changes(seeded, browser):
    """The issue's case: the Xicen document uploaded again (its brackets differ only in width)."""
    from tests.imports.test_import_flow import XICEN

    coordinator = browser("coordinator")
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    plan_id, overdue_before = plan.id, coordinator.get("/overdue").text.count('data-kind="')
    draft_id = draft_id_from(upload(coordinator, "plan", "xicen.txt", XICEN.read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    assert "已有文号或标题相同的方案" in page.text and "任务没有变化。" in page.text
    fields = review_form(page.text)
    fields["plan-import_mode"] = ["revision"]
    before, events = counts(), db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{plan_id}")
    assert counts() == before
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id).offset(events)).all()
    assert actions == ["plan.revised", "import.applied"]  # nothing changed, so no task was edited
    assert coordinator.get("/overdue").text.count('data-kind="') == overdue_before


def test_the_ledger_exported_in_english_imports_back_to_the_same_tasks(seeded, browser):
    from tests.test_i18n import switch_language

    coordinator = browser("coordinator")
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    created = plan_tasks(plan)
    switch_language(coordinator.client, "en", "/plans/")
    ledger = coordinator.get(f"/plans/{plan.id}/ledger.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(ledger.data)).active["A3"].value == "No."
    payload = build_payload("plan", extract_text("ledger.xlsx", ledger.data))
    from tracker.imports.revisions import normalised

    assert normalised(payload["title"]) == normalised(plan.title)
    assert draft_tasks(payload) == created
