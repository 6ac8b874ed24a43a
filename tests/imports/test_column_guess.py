"""Columns told by their cells (tracker/imports/tables.py) on small tables typed here, for the shapes the real
corpus has no document of yet: group rows as merged cells numbered 一、 and （1）, task rows without a 序号, a lead
named in a group heading."""
from __future__ import annotations

from tracker.imports.reader import parse_plan
from tracker.imports.tables import cell_kind, guess_columns, is_unit_like, split_tables


def test_cells_are_told_by_what_they_hold():
    assert [cell_kind(c) for c in ("3", "（2）", "12月底前", "2025年6月", "县水务局\u2028县住建局", "叶林",
                                   "启动县图书馆新馆建设。")] == ["number", "number", "date", "date", "units", "person",
                                                                 "text"]
    assert is_unit_like("各县(市、区)政府(管委会)") and not is_unit_like("新建2座人行天桥")


def test_unknown_headers_are_mapped_from_the_cells_with_the_header_as_a_hint():
    header = ["编号", "实事名称", "主办", "协助", "办结时间"]
    rows = [["1", "新建人行天桥", "县住建局", "县交通局、县城管局", "9月"],
            ["2", "改造农贸市场", "县商务局", "", "12月底前"]]
    assert guess_columns(header, rows) == ["number", "task", "lead", "cooperating", "due"]


def test_group_rows_by_shape_and_task_rows_without_a_number():
    text = "\n".join([
        "项目\t内容\t责任主体\t完成节点",
        "一、城市建设\t\t\t",
        "（1）道路\t\t\t",
        "\t新建道路3条。\t县住建局、县交通局\t12月底前",
        "\t改造桥梁1座。\t县交通局\t10月底前",
        "二、社会事业\t二、社会事业\t二、社会事业\t二、社会事业",
        "\t新建幼儿园2所。\t县教育局\t12月底前",
    ])
    table = split_tables(text).tables[0]
    assert [(t.number, t.title, t.group, t.responsible) for t in table.tasks] == [
        ("1", "新建道路3条", "（1）道路", ["县住建局、县交通局"]),
        ("2", "改造桥梁1座", "（1）道路", ["县交通局"]),
        ("3", "新建幼儿园2所", "二、社会事业", ["县教育局"])]


def test_a_lead_named_in_a_group_heading_is_inherited_by_its_items():
    draft = parse_plan("某县2024年重点工作任务分解方案\n一、县示范区管委会牵头工作（2项）\n1.推进园区扩区调规。\n"
                       "2.加快标准化厂房建设。（牵头单位：县自然资源局）\n")
    assert [(t.assignment.lead_unit, t.assignment.source) for t in draft.tasks] == [
        ("县示范区管委会", "heading"), ("县自然资源局", "bracket")]


def test_a_column_of_chinese_numerals_is_the_tasks_number_unless_merged_down_over_several_tasks():
    header = ["序号", "工作任务", "牵头单位"]
    one_a_row = [["一", "新建人行天桥2座。", "县住建局"], ["二", "改造农贸市场1个。", "县商务局"]]
    assert guess_columns(header, one_a_row) == ["number", "task", "lead"]
    merged_down = [["一", "新建人行天桥2座。", "县住建局"], ["一", "改造桥梁1座。", "县交通局"],
                   ["二", "改造农贸市场1个。", "县商务局"]]
    assert guess_columns(header, merged_down) == ["group", "task", "lead"]
