"""Proposal register (提案办理): seeds, rules, who sees what, deadlines, and commitments → follow-up tasks.

Must show 4: a reply's commitment becomes a follow-up task with a due date, shows on 我的任务 of its unit
and is on the overdue list after its due date (the reminder assertion is added with tracker.reminders).
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from seeds.load_proposals import load_proposals
from seeds.proposals import PROPOSALS
from tracker.audit.models import AuditEvent
from tracker.common.errors import ValidationFailed
from tracker.extensions import db
from tracker.plans.models import Plan, PlanKind, PlanStatus
from tracker.proposals.models import Proposal, ProposalState
from tracker.proposals.queries import overdue_proposals, proposals_due_soon
from tracker.proposals.services import add_months, commitment_to_task, save_proposal
from tracker.tasks.models import ReportingCycle, Task
from tracker.overdue.queries import overdue_list
from tracker.units.models import Unit


@pytest.fixture
def proposals(seeded):
    load_proposals()
    db.session.commit()
    return {p.number: p.id for p in db.session.scalars(select(Proposal))}


def unit_id(short_name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))


def proposal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def new_proposal(**overrides) -> Proposal:
    values = dict(meeting="区政协十六届一次会议", number="0012", title="关于加快西岑园人才公寓建设的提案",
                  proposers="张三委员", main_unit_id=unit_id("区人社局"), assigned_on=date(2026, 1, 20))
    values.update(overrides)
    return save_proposal(None, None, **values)


# --------------------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------------------

def test_the_two_replies_are_seeded_with_their_real_metadata_once(proposals):
    load_proposals()  # idempotent
    db.session.commit()
    assert proposal_count() == 2
    for data in PROPOSALS:
        proposal = db.session.scalar(select(Proposal).where(Proposal.meeting == data["meeting"],
                                                            Proposal.number == data["number"]))
        assert (proposal.title, proposal.proposers, proposal.reply_doc_number, proposal.reply_on,
                proposal.result_category, proposal.publicity, proposal.contact_name, proposal.contact_phone,
                proposal.contact_address) == (
            data["title"], data["proposers"], data["reply_doc_number"], data["reply_date"], data["result_category"],
            data["publicity"], data["contact_name"], data["contact_phone"], data["contact_address"])
        assert proposal.main_unit.short_name == data["main_unit"]
        assert [unit.short_name for unit in proposal.co_units] == data["co_units"]
        assert proposal.state == ProposalState.replied
        assert [c["text"] for c in proposal.commitments] == data["commitments"]
        assert proposal.reply_text
    hinted = db.session.scalar(select(Proposal).where(Proposal.number == "第155129号")).commitments[1]
    assert hinted["due_hint"] == "2025年二季度"


# --------------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------------

def test_reply_due_date_defaults_to_three_months_after_assignment_and_is_configurable(seeded, app):
    assert new_proposal().reply_due_on == date(2026, 4, 20)
    assert new_proposal(number="0013", assigned_on=date(2025, 11, 30)).reply_due_on == date(2026, 2, 28)
    app.config["PROPOSAL_REPLY_MONTHS"] = 2
    assert new_proposal(number="0014").reply_due_on == date(2026, 3, 20)
    assert new_proposal(number="0015", reply_due_on=date(2026, 3, 1)).reply_due_on == date(2026, 3, 1)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_states_move_forward_with_what_each_state_needs(seeded):
    proposal = new_proposal()
    assert proposal.number == "第0012号"
    common = dict(meeting=proposal.meeting, number=proposal.number, title=proposal.title,
                  main_unit_id=proposal.main_unit_id, assigned_on=proposal.assigned_on)
    save_proposal(None, proposal, **common, state=ProposalState.replying)
    with pytest.raises(ValidationFailed, match="登记为已答复须填写答复日期和办理结果"):
        save_proposal(None, proposal, **common, state=ProposalState.replied)
    save_proposal(None, proposal, **common, state=ProposalState.replied, reply_on=date(2026, 4, 1),
                  result_category="留作参考", publicity="依申请公开", reply_doc_number="青人社提复〔2026〕3号")
    with pytest.raises(ValidationFailed, match="提案状态不能从“已答复”退回到“办理中”"):
        save_proposal(None, proposal, **common, state=ProposalState.replying)
    with pytest.raises(ValidationFailed, match="登记为已反馈须填写提案人反馈意见"):
        save_proposal(None, proposal, **common, state=ProposalState.feedback_received, reply_on=date(2026, 4, 1),
                      result_category="留作参考")
    save_proposal(None, proposal, **common, state=ProposalState.feedback_received, reply_on=date(2026, 4, 1),
                  result_category="留作参考", feedback="基本满意")
    assert proposal.state == ProposalState.feedback_received
    with pytest.raises(ValidationFailed, match="办理结果“全部采纳”不在可选类别中"):
        new_proposal(number="0020", state=ProposalState.replied, reply_on=date(2026, 2, 1),
                     result_category="全部采纳")
    with pytest.raises(ValidationFailed, match="公开属性“内部”不在可选项中"):
        new_proposal(number="0021", publicity="内部")
    with pytest.raises(ValidationFailed, match="已登记"):
        new_proposal(number="第0012号")
    with pytest.raises(ValidationFailed, match="主办单位不能同时作为会办单位"):
        new_proposal(number="0022", co_unit_ids=[unit_id("区人社局")])
    with pytest.raises(ValidationFailed, match="请填写交办日期"):
        new_proposal(number="0023", assigned_on=None)
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "proposals",
                                                                AuditEvent.object_id == proposal.id)).all()
    assert events.count("proposal.created") == 1 and events.count("proposal.updated") == 3


def test_result_categories_and_publicity_are_configurable(seeded, app):
    app.config["PROPOSAL_RESULT_CATEGORIES"] = ("已解决", "正在解决", "列入计划")
    proposal = new_proposal(state=ProposalState.replied, reply_on=date(2026, 2, 1), result_category="列入计划")
    assert proposal.result_category == "列入计划"
    with pytest.raises(ValidationFailed, match="解决采纳"):
        new_proposal(number="0099", state=ProposalState.replied, reply_on=date(2026, 2, 1),
                     result_category="解决采纳")


def test_coordinator_registers_a_proposal_in_the_form_and_bad_input_changes_nothing(seeded, browser):
    coordinator = browser("coordinator")
    assert coordinator.get("/proposals/new").status_code == 200
    seeded_proposals = proposal_count()  # the two real replies of the demo seed
    form = {"meeting": "区人大十七届五次会议", "number": "88", "title": "关于完善西岑园公交线路的建议",
            "proposers": "李四代表", "main_unit_id": str(unit_id("区发改委")),
            "co_unit_ids": [str(unit_id("区经委")), str(unit_id("金泽镇"))], "assigned_on": "2026-03-10",
            "reply_due_on": "", "state": "assigned", "result_category": "", "publicity": "", "feedback": ""}
    bad = coordinator.post("/proposals/new", data={**form, "assigned_on": ""}, token_from="/proposals/new")
    assert bad.status_code == 400 and "请填写交办日期。" in bad.text
    bad = coordinator.post("/proposals/new", data={**form, "main_unit_id": ""}, token_from="/proposals/new")
    assert bad.status_code == 400 and "请选择主办单位。" in bad.text
    assert proposal_count() == seeded_proposals
    response = coordinator.post("/proposals/new", data=form, token_from="/proposals/new")
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.number == "第88号"))
    assert (proposal.number, proposal.reply_due_on, proposal.state) == ("第88号", date(2026, 6, 10),
                                                                        ProposalState.assigned)
    assert sorted(u.short_name for u in proposal.co_units) == ["区经委", "金泽镇"]
    page = coordinator.get(response.headers["Location"])
    assert "关于完善西岑园公交线路的建议" in page.text and "2026-06-10" in page.text


# --------------------------------------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------------------------------------

def test_units_see_the_proposals_they_handle_read_only(proposals, browser):
    shikewei = browser("shikewei")  # 市科委: main unit of 0746
    listing = shikewei.get("/proposals")
    assert listing.status_code == 200
    assert "关于加大政策支持力度加快培育壮大西岑科创中心产业" in listing.text
    assert "关于加强长三角协同、以科创驱动发展的建议" not in listing.text
    assert shikewei.get(f"/proposals/{proposals['第155129号']}").status_code == 403
    page = shikewei.get(f"/proposals/{proposals['第0746号']}")
    assert page.status_code == 200 and "本单位主办" in page.text and "转为跟踪任务" not in page.text
    assert shikewei.get(f"/proposals/{proposals['第0746号']}/edit").status_code == 403
    # 市发展改革委 co-handles 0746 (会办).
    assert "本单位会办" in browser("shifagaiwei").get(f"/proposals/{proposals['第0746号']}").text
    assert "西岑科创中心" not in browser("qingxiban").get("/proposals").text
    leader = browser("leader")
    assert leader.get(f"/proposals/{proposals['第155129号']}").status_code == 200
    assert leader.get("/proposals/new").status_code == 403
    before = proposal_count()
    response = shikewei.post(f"/proposals/{proposals['第0746号']}/commitments",
                             data={"text": "x", "lead_unit_id": "1", "due_on": "2026-01-01"}, token_from="/proposals")
    assert response.status_code == 403 and proposal_count() == before
    assert db.session.scalar(select(func.count()).select_from(Plan).where(Plan.kind == PlanKind.proposal_reply)) == 0


def test_list_filters_by_state_unit_and_meeting(proposals, browser):
    coordinator = browser("coordinator")
    by_unit = coordinator.get(f"/proposals?unit_id={unit_id('普陀区科委')}").text
    assert "第155129号" in by_unit and "第0746号" not in by_unit
    by_co_unit = coordinator.get(f"/proposals?unit_id={unit_id('市经济信息化委')}").text
    assert "第0746号" in by_co_unit and "第155129号" not in by_co_unit
    by_meeting = coordinator.get("/proposals?meeting=市政协十四届三次会议").text
    assert "第0746号" in by_meeting and "第155129号" not in by_meeting
    assert "没有符合条件的提案" in coordinator.get("/proposals?state=assigned&meeting=市政协十四届三次会议").text


# --------------------------------------------------------------------------------------------------------
# Reply deadlines: due soon and overdue
# --------------------------------------------------------------------------------------------------------

def test_overdue_and_due_soon_replies(seeded, browser, on_date):
    late = new_proposal(number="0001", assigned_on=date(2026, 1, 5))  # reply due 2026-04-05
    soon = new_proposal(number="0002", assigned_on=date(2026, 1, 28))  # reply due 2026-04-28
    later = new_proposal(number="0003", assigned_on=date(2026, 3, 1))  # reply due 2026-06-01
    replied = new_proposal(number="0004", assigned_on=date(2026, 1, 2), state=ProposalState.replied,
                           reply_on=date(2026, 3, 30), result_category="解决采纳")
    db.session.commit()
    today = date(2026, 4, 20)
    assert [(row.proposal.number, row.days) for row in overdue_proposals(today)] == [("第0001号", 10)]
    assert [(row.proposal.number, row.days) for row in proposals_due_soon(today, 10)] == [("第0002号", 6)]
    assert proposals_due_soon(today, 3) == []
    assert replied.number not in [row.proposal.number for row in overdue_proposals(date(2026, 12, 31))]
    assert later.reply_due_on == date(2026, 6, 1) and soon.reply_due_on == date(2026, 4, 28)
    on_date(today)
    page = browser("coordinator").get("/proposals?overdue=1")
    assert "第0001号" in page.text and "答复逾期" in page.text and "第0002号" not in page.text


# --------------------------------------------------------------------------------------------------------
# Must show 4: commitment → follow-up task → 我的任务 and the overdue list
# --------------------------------------------------------------------------------------------------------

def test_a_commitment_becomes_a_follow_up_task_of_its_unit(proposals, browser, on_date):
    on_date(date(2025, 5, 20))
    proposal_id = proposals["第155129号"]
    coordinator = browser("coordinator")
    page = coordinator.get(f"/proposals/{proposal_id}")
    commitment = "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验，组织开展联合测试"
    assert commitment in page.text
    # The time limit written in the commitment ("预计二季度", reply of 2025-05-12) is offered as the due date.
    assert re.search(r'name="due_on" value="2025-06-30"', page.text)

    response = coordinator.post(f"/proposals/{proposal_id}/commitments",
                                data={"text": commitment, "lead_unit_id": str(unit_id("普陀区科委")),
                                      "due_on": "2025-06-30", "title": ""}, token_from=f"/proposals/{proposal_id}")
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.kind == PlanKind.proposal_reply))
    assert plan.title == "提案办理跟踪：关于加强长三角协同、以科创驱动发展的建议"
    assert plan.status == PlanStatus.active and plan.doc_number == "普科委〔2025〕22号"
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id))
    assert (task.number, task.text, task.due_on, task.lead_unit.short_name, task.reporting_cycle) == (
        "1", commitment, date(2025, 6, 30), "普陀区科委", ReportingCycle.monthly)
    assert task.title == "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验"
    assert db.session.get(Proposal, proposal_id).follow_up_plan_id == plan.id
    assert "已转为跟踪任务" in coordinator.get(f"/proposals/{proposal_id}").text

    # The same commitment is not turned into a second task.
    again = coordinator.post(f"/proposals/{proposal_id}/commitments",
                             data={"text": commitment, "lead_unit_id": str(unit_id("普陀区科委")),
                                   "due_on": "2025-06-30"}, token_from=f"/proposals/{proposal_id}")
    assert "该承诺事项已转为跟踪任务" in coordinator.get(again.headers["Location"]).text
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.plan_id == plan.id)) == 1

    # A second commitment goes into the same follow-up plan, led by the main unit by default.
    second = commitment_to_task(None, db.session.get(Proposal, proposal_id), "下一步将组建沿沪宁技术经理人联盟。",
                                due_on=date(2025, 12, 31), today=date(2025, 5, 20))
    db.session.commit()
    assert second.number == "2" and second.lead_unit.short_name == "普陀区科委"

    # 我的任务 of the unit shows it, with the overdue badge after its due date.
    unit_user = browser("putuokewei")
    mine = unit_user.get("/tasks/mine")
    assert "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验" in mine.text
    assert "提案办理跟踪：关于加强长三角协同、以科创驱动发展的建议" in mine.text
    assert browser("shikewei").get("/tasks/mine").text.count("沿沪宁") == 0

    # After the due date it is on the overdue list like every task (and in the reminders built on it).
    assert not [row for row in overdue_list(date(2025, 6, 30)) if row.kind == "task" and row.task.plan_id == plan.id]
    late = [row for row in overdue_list(date(2025, 7, 15)) if row.task.plan_id == plan.id]
    assert ("task", "1") in {(row.kind, row.task.number) for row in late}
    on_date(date(2025, 7, 15))
    assert "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验" in browser("leader").get("/overdue").text
    assert "逾期" in browser("putuokewei").get("/tasks/mine").text  # weeks later: a new login (idle sessions end)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "proposal.commitment_tracked")) == 2


def test_a_long_unit_register_makes_the_lead_unit_menus_search_boxes(proposals, browser, on_date, app):
    """A city's ~2,000 units: the 牵头单位 of the 转为跟踪任务 forms is the filter menus' search box (one
    suggestion list per form), proposing the 主办 unit; the form still posts lead_unit_id (issue 24)."""
    on_date(date(2025, 5, 20))
    proposal_id = proposals["第155129号"]
    coordinator = browser("coordinator")
    short = coordinator.get(f"/proposals/{proposal_id}").text
    options = re.findall(r'<select class="form-select form-select-sm" name="lead_unit_id">(.*?)</select>', short, re.S)
    units = db.session.scalar(select(func.count()).select_from(Unit))
    assert options and all(menu.count("<option") == units for menu in options)

    app.config["PICKER_MENU_LIMIT"] = units - 1
    page = coordinator.get(f"/proposals/{proposal_id}").text
    main = db.session.get(Proposal, proposal_id).main_unit
    assert 'name="lead_unit_id">' not in page  # no <select> left
    boxes = re.findall(r'<input type="search"[^>]*data-picker="lead_unit_id"[^>]*list="([^"]+)"[^>]*value="([^"]*)"',
                       page)
    assert len(boxes) == len(options) and {value for _, value in boxes} == {main.short_name}
    assert len({list_id for list_id, _ in boxes}) == len(boxes)  # a suggestion list per form
    assert all(f'<datalist id="{list_id}">' in page for list_id, _ in boxes)
    assert page.count(f'<input type="hidden" name="lead_unit_id" value="{main.id}">') == len(boxes)
    assert len(page) < len(short)

    commitment = "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验，组织开展联合测试"
    response = coordinator.post(f"/proposals/{proposal_id}/commitments",
                                data={"text": commitment, "lead_unit_id": str(unit_id("普陀区科委")),
                                      "due_on": "2025-06-30"}, token_from=f"/proposals/{proposal_id}")
    assert response.status_code == 302
    assert db.session.scalar(select(Task).where(Task.text == commitment)).lead_unit.short_name == "普陀区科委"


def test_a_commitment_needs_text_and_a_due_date(proposals, browser, on_date):
    on_date(date(2025, 5, 20))
    proposal_id = proposals["第0746号"]
    coordinator = browser("coordinator")
    response = coordinator.post(f"/proposals/{proposal_id}/commitments",
                                data={"text": "会同青浦区遴选全球资源", "lead_unit_id": str(unit_id("市科委")),
                                      "due_on": ""}, token_from=f"/proposals/{proposal_id}")
    assert "请填写完成时限（YYYY-MM-DD）。" in coordinator.get(response.headers["Location"]).text
    assert db.session.scalar(select(func.count()).select_from(Task).join(Plan).where(
        Plan.kind == PlanKind.proposal_reply)) == 0
    assert db.session.scalar(select(func.count()).select_from(Plan).where(Plan.kind == PlanKind.proposal_reply)) == 0
