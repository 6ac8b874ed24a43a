"""Items from lists and documents: the list import (.xlsx → items assigned to their units, per-row results,
nothing written on a bad row unless the valid rows are chosen, never a duplicate), ``flask import
proposal-reply FILE --apply`` creating or completing an item of the flow, and the entry services behind the
pages (proposers and points, 分办, 并案 with each proposer answered and rating)."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tracker.common.errors import ValidationFailed
from tracker.extensions import db
from tracker.imports.cli import import_cli
from tracker.proposals import entry, handling
from tracker.proposals.importing import import_list
from tracker.proposals.models import Proposal, ProposalKind, ProposalMerge, ProposalState, ReceiptRole
from tracker.proposals.services import find_by_meeting_and_number, save_proposal
from tracker.units.models import Unit
from tracker.units.services import add_unit_alias

DOCUMENTS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
MEETING = "区政协七届一次会议"
HEADER = ["案号", "案由", "领衔人", "界别", "主办单位", "协办单位", "分办单位", "交办日期", "要点"]
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc)


def workbook(*rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["区政协七届一次会议提案交办清单"])  # a title row above the header
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


ROWS = [
    ("0001", "关于加快西岑园人才公寓建设的提案", "张三、李四、王五", "经济界", "区人保局", "区规划资源局、区财政局",
     "", "2026-03-18", "增加房源\n完善配套"),
    ("2", "关于提升镇级养老服务的提案", "赵六", "社会福利界", "", "", "金泽镇、朱家角镇", datetime(2026, 3, 19), ""),
    ("0003", "关于发展夜间经济的提案", "钱七", "经济界", "区文旅局", "", "", "2026年3月18日", ""),
]


def test_a_bad_row_writes_nothing_and_is_reported_by_its_row(seeded):
    add_unit_alias(None, unit("区人社局"), "区人保局")
    db.session.commit()
    before = count()
    result = import_list(None, workbook(*ROWS), meeting=MEETING, today=TODAY)
    assert result.written == 0 and count() == before
    assert [(r.row, r.accepted) for r in result.rows] == [(3, True), (4, True), (5, False)]
    assert "单位库中没有“区文旅局”" in result.rows[2].message


def test_the_valid_rows_become_items_assigned_to_their_units_and_never_twice(seeded):
    add_unit_alias(None, unit("区人社局"), "区人保局")
    db.session.commit()
    before = count()
    result = import_list(None, workbook(*ROWS), meeting=MEETING, today=TODAY, valid_rows_only=True)
    db.session.commit()
    assert result.written == 2 and count() == before + 2
    joint = find_by_meeting_and_number(MEETING, "第0001号")
    assert [(p.name, p.group) for p in joint.people] == [("张三", "经济界"), ("李四", "经济界"), ("王五", "经济界")]
    assert joint.proposers == "张三、李四、王五等委员" and joint.points == ["增加房源", "完善配套"]
    assert {r.unit.short_name: r.role for r in joint.receipts} == {
        "区人社局": ReceiptRole.main, "区规划资源局": ReceiptRole.co, "区财政局": ReceiptRole.co}
    assert joint.assigned_on == date(2026, 3, 18) and joint.reply_due_on == date(2026, 6, 18)
    split = find_by_meeting_and_number(MEETING, "第2号")
    assert {r.role for r in split.receipts} == {ReceiptRole.split} and split.assigned_on == date(2026, 3, 19)
    again = import_list(None, workbook(*ROWS[:2]), meeting=MEETING, today=TODAY, valid_rows_only=True)
    assert again.written == 0 and count() == before + 2
    assert all("已登记，未重复导入" in row.message for row in again.rows)


@pytest.mark.parametrize("data, message", [
    (b"not a workbook", "不是有效的 Excel（.xlsx）表格"),
    (workbook(("1", "标题"), header=["序号", "名称"]), "没有找到表头"),
    (workbook(("1", "标题", "张三"), header=["案号", "标题", "提案人"]), "没有“主办单位”"),
])
def test_a_file_that_is_no_list_says_why(seeded, data, message):
    with pytest.raises(ValidationFailed) as refused:
        import_list(None, data, meeting=MEETING, today=TODAY)
    assert message in refused.value.message


def test_a_coordinator_imports_the_list_on_the_page(seeded, browser, on_date):
    on_date(TODAY)
    coordinator = browser("coordinator")
    response = coordinator.post("/proposals/import", {
        "meeting": MEETING, "kind": "npc", "document": (io.BytesIO(workbook(*ROWS)), "交办清单.xlsx")},
        token_from="/proposals/import")
    assert response.status_code == 302
    page = coordinator.get("/proposals/import").text
    assert "本次未导入任何一件" in page and "单位库中没有“区人保局”" in page
    response = coordinator.post("/proposals/import", {
        "meeting": MEETING, "kind": "npc", "valid_rows_only": "y",
        "document": (io.BytesIO(workbook(ROWS[1])), "交办清单.xlsx")}, token_from="/proposals/import")
    assert "已导入1件" in coordinator.get("/proposals/import").text
    item = find_by_meeting_and_number(MEETING, "第2号")
    assert item.kind == ProposalKind.npc and item.people[0].group == "社会福利界"


# --------------------------------------------------------------------------------------------------------
# flask import proposal-reply FILE --apply
# --------------------------------------------------------------------------------------------------------

def test_the_reply_cli_creates_an_item_of_the_flow_then_completes_it_without_duplicating(seeded, app):
    number_0746 = find_by_meeting_and_number("市政协十四届三次会议", "第0746号")
    db.session.delete(number_0746)  # the seeded item: start from an empty register for this meeting
    db.session.commit()
    runner = app.test_cli_runner()
    reply = DOCUMENTS / "proposal-reply-huketifu-2025-53.txt"
    result = runner.invoke(import_cli, ["proposal-reply", str(reply), "--apply"])
    assert result.exit_code == 0, result.output
    assert "已新建市政协十四届三次会议第0746号提案" in result.output
    item = find_by_meeting_and_number("市政协十四届三次会议", "第0746号")
    assert item.state == ProposalState.replied and item.result_category == "解决采纳"
    assert [p.name for p in item.people] == ["池洪", "卢薪", "曹卫东"]
    # the coordinator had registered and assigned it: the reply completes that item
    item.state, item.reply_on, item.result_category, item.reply_doc_number = ProposalState.assigned, None, "", ""
    handling.set_proposers(None, item, [{"name": "池洪", "group": "经济界"}, {"name": "卢薪"}])
    handling.assign(None, item, today=date(2025, 3, 20), main_unit_id=item.main_unit_id)
    db.session.commit()
    before = count()
    result = runner.invoke(import_cli, ["proposal-reply", str(reply), "--apply"])
    assert result.exit_code == 0, result.output
    assert "已更新" in result.output and "办理结果：解决采纳" in result.output
    db.session.remove()
    item = find_by_meeting_and_number("市政协十四届三次会议", "第0746号")
    assert count() == before
    assert (item.state, item.reply_doc_number, item.reply_on) == (ProposalState.replied, "沪科提复〔2025〕53号",
                                                                  date(2025, 6, 25))
    assert [(p.name, p.group) for p in item.people] == [("池洪", "经济界"), ("卢薪", "")]  # kept
    assert item.proposers == "池洪、卢薪等委员" and len(item.receipts) == 1


# --------------------------------------------------------------------------------------------------------
# The entry services behind the pages
# --------------------------------------------------------------------------------------------------------

def new_item(number: str, **values) -> Proposal:
    item = save_proposal(None, None, meeting=MEETING, number=number, title=f"关于孵化器的提案{number}",
                         main_unit_id=unit("区科委").id, assigned_on=TODAY, **values)
    db.session.flush()
    return item


def test_proposers_points_and_split_assignment(seeded):
    item = new_item("0100")
    with pytest.raises(ValidationFailed, match="请至少填写一位提案人"):
        entry.save_people_and_points(None, item, [{"name": "", "group": "", "contact": ""}], "一\n二")
    entry.save_people_and_points(None, item, [{"name": "王立群", "group": "科学技术界", "contact": "138"},
                                              {"name": "许文博", "group": "", "contact": ""}], "一\n\n二")
    assert [p.name for p in item.people] == ["王立群", "许文博"] and item.points == ["一", "二"]
    with pytest.raises(ValidationFailed, match="分办须选择至少两个单位"):
        entry.assign_item(None, item, mode="split", today=TODAY, split_unit_ids=[unit("金泽镇").id])
    with pytest.raises(ValidationFailed, match="请选择交办方式"):
        entry.assign_item(None, item, mode="other", today=TODAY)
    receipts = entry.assign_item(None, item, mode="split", today=TODAY,
                                 split_unit_ids=[unit("金泽镇").id, unit("朱家角镇").id])
    assert {r.role for r in receipts} == {ReceiptRole.split}


def test_merged_items_are_handled_as_one_and_each_proposer_rates(seeded):
    handled, other = new_item("0200"), new_item("0201")
    handling.set_proposers(None, handled, [{"name": "王立群"}])
    handling.set_proposers(None, other, [{"name": "赵鹏"}])
    handling.assign(None, handled, today=TODAY, main_unit_id=unit("区科委").id, co_unit_ids=[unit("区金融办").id])
    handling.assign(None, other, today=TODAY, main_unit_id=unit("区经委").id)
    entry.merge(None, handled, [other.id], now=NOW)
    assert entry.merged_into(other) == handled and entry.merged_items(handled) == [other]
    assert other.main_unit_id == unit("区科委").id and [u.short_name for u in other.co_units] == ["区金融办"]
    assert other.receipts == []  # the units handle the handled item only
    with pytest.raises(ValidationFailed):
        entry.merge(None, handled, [other.id], now=NOW)  # not twice
    with pytest.raises(ValidationFailed, match="主件答复后"):
        entry.answer_merged(None, handled, now=NOW)
    handled.state, handled.reply_on, handled.result_category = ProposalState.replied, date(2026, 6, 1), "解决采纳"
    links = dict(entry.answer_merged(None, handled, now=NOW))
    assert list(links) == ["赵鹏"] and other.state == ProposalState.replied and other.reply_on == date(2026, 6, 1)
    handling.rate(None, links["赵鹏"], "不满意", now=NOW, today=date(2026, 6, 5))
    assert other.state == ProposalState.replying and other.rehandling_count == 1
    assert db.session.scalar(select(func.count()).select_from(ProposalMerge)) >= 1
