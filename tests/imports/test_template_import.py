"""Issue 21: the import template filled in as a coordinator does. Its own 填表说明 sheet is instructions,
never content (its "5. 报送要求可写“每季度最后一个月的30日前”" became the plan's reporting rule), and the
plan is named by its title, not by the table ("…任务分解表")."""
from __future__ import annotations

import io

import openpyxl

from tracker.imports.documents import extract_text, is_instruction_sheet
from tracker.imports.drafts import build_payload
from tracker.imports.plan_parser import clean_table_title
from tracker.imports.template import TEMPLATE_NOTES, template_xlsx


def _filled(title: str, rows: list[list]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook["任务分解表"]
    sheet["A1"] = title
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_template_instructions_are_not_read_as_the_plan(app):
    data = _filled("青浦区2026年营商环境优化行动方案任务分解表",
                   [[1, "一、优化政务服务", "推进一网通办", "", "区数据局", "", "每季度", "", "", ""]])
    text = extract_text("filled.xlsx", data)
    for note in TEMPLATE_NOTES:
        assert note not in text  # the instructions sheet is skipped
    payload = build_payload("plan", text, with_database=False)
    assert payload["title"] == "青浦区2026年营商环境优化行动方案"
    assert not payload.get("reporting")  # no plan-wide rule: the notes' example (每季度…30日前) is not one
    assert [task["title"] for task in payload["tasks"]] == ["推进一网通办"]
    assert payload["tasks"][0]["reporting_cycle"] == "quarterly"  # the task's own 完成时限 "每季度"
    assert not any("填表" in line or "报送要求可写" in line for line in payload.get("unplaced", []))


def test_instruction_sheets_are_recognised_by_their_names():
    for name in ("填表说明", "填报说明", " 使用说明 ", "填表须知", "注意事项", "说明", "（填写说明）"):
        assert is_instruction_sheet(name), name
    for name in ("任务分解表", "一、优化政务服务", "说明书编制任务", "Sheet1"):
        assert not is_instruction_sheet(name), name


def test_plan_titles_lose_the_word_for_the_table():
    assert clean_table_title("青浦区2026年××行动方案任务分解表") == "青浦区2026年××行动方案"
    assert clean_table_title("《青浦区数字化转型行动方案》重点任务分工表") == "青浦区数字化转型行动方案"
    assert clean_table_title("青浦区2026年城市更新重点任务清单") == "青浦区2026年城市更新重点任务"
    assert clean_table_title("青浦区2026年工作要点责任分工表") == "青浦区2026年工作要点"
    assert clean_table_title("西岑园行动方案任务台账") == "西岑园行动方案"  # the ledger export
    assert clean_table_title("任务分解表") is None
    assert clean_table_title("青浦区2026年优化营商环境行动方案") == "青浦区2026年优化营商环境行动方案"
