"""The handling flow of an item (建议提案办理), first slice: both kinds of item with their own words, proposers
as people (a joint item), 交办 to a 主办 with two 协办, one 协办 returning it within the window, the others
signing; every step in the history with who and when.

Still to come (issue 25): 面商, 协办意见 and 会签, the 答复函, the proposer's rating, 重新办理.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import Browser
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.handling import assign, item_number, pending_receipts, return_item, set_proposers, sign
from tracker.proposals.models import Proposal, ProposalKind, ReceiptRole
from tracker.proposals.services import save_proposal
from tracker.units.models import Unit

NOW = datetime(2026, 1, 22, 2, 0, tzinfo=timezone.utc)


def unit_id(short_name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))


def unit_user(short_name: str) -> User:
    return db.session.scalar(select(User).where(User.unit_id == unit_id(short_name), User.role == Role.unit)
                             .order_by(User.id))


def coordinator() -> User:
    return db.session.scalar(select(User).where(User.role == Role.coordinator).order_by(User.id))


def new_item(kind=ProposalKind.npc) -> Proposal:
    proposal = save_proposal(None, None, kind=kind, meeting="区十八届人大六次会议", number="0012",
                             title="关于加快西岑园人才公寓建设的建议", main_unit_id=unit_id("区人社局"),
                             assigned_on=date(2026, 1, 20))
    db.session.flush()
    return proposal


def assigned_item() -> Proposal:
    proposal = new_item()
    assign(coordinator(), proposal, today=date(2026, 1, 20), main_unit_id=unit_id("区人社局"),
           co_unit_ids=[unit_id("区财政局"), unit_id("区发改委")])
    db.session.commit()
    return proposal


def history(proposal: Proposal) -> list[tuple[str, int | None]]:
    return [(event.action, event.actor_id) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "proposals", AuditEvent.object_id == proposal.id)
        .order_by(AuditEvent.id))]


def test_each_kind_speaks_its_own_words(seeded):
    suggestion = new_item()
    assert item_number(suggestion) == "第0012号建议"
    set_proposers(None, suggestion, [{"name": "张三", "group": "青浦代表团", "contact": "13800000000"},
                                     {"name": "李四", "group": "青浦代表团"}])
    db.session.commit()
    assert suggestion.proposers == "张三、李四等代表"
    assert [(p.position, p.name, p.group) for p in suggestion.people] == [(1, "张三", "青浦代表团"),
                                                                          (2, "李四", "青浦代表团")]
    proposal = save_proposal(None, None, meeting="区政协十六届一次会议", number="7", title="关于养老服务的提案",
                             main_unit_id=unit_id("区人社局"), assigned_on=date(2026, 1, 20))
    set_proposers(None, proposal, [{"name": "王五", "group": "经济界"}])
    assert proposal.kind == ProposalKind.cppcc and item_number(proposal) == "第7号提案"
    assert proposal.proposers == "王五委员"


@pytest.mark.parametrize("people", [[], [{"name": " "}], [{"name": "", "group": "经济界"}],
                                    [{"name": "张三"}, {"name": "张三"}], [{"name": "张" * 61}]])
def test_bad_proposers_are_refused_and_change_nothing(seeded, people):
    proposal = new_item()
    set_proposers(None, proposal, [{"name": "赵六"}])
    db.session.commit()
    with pytest.raises(ValidationFailed):
        set_proposers(None, proposal, people)
    db.session.rollback()
    assert [p.name for p in db.session.get(Proposal, proposal.id).people] == ["赵六"]


def test_assignment_gives_each_unit_a_receipt_with_the_working_day_window(seeded):
    proposal = assigned_item()
    receipts = {r.unit.short_name: r for r in proposal.receipts}
    assert {name: r.role for name, r in receipts.items()} == {
        "区人社局": ReceiptRole.main, "区财政局": ReceiptRole.co, "区发改委": ReceiptRole.co}
    # 2026-01-20 (Tuesday) + 10 working days, no holiday in between; the reply 3 months after 交办.
    assert {r.sign_due_on for r in receipts.values()} == {date(2026, 2, 3)}
    assert proposal.reply_due_on == date(2026, 4, 20)
    assert [r.proposal_id for r in pending_receipts(unit_id("区财政局"))] == [proposal.id]


def test_a_window_across_the_spring_festival_counts_working_days(seeded, app):
    app.config["PROPOSAL_SIGN_WORKING_DAYS"] = 7
    proposal = new_item()
    receipts = assign(coordinator(), proposal, today=date(2026, 2, 10), main_unit_id=unit_id("区人社局"))
    # 2026: 春节 holidays 02-15…02-23, Saturday 02-14 worked (调休): 11, 12, 13, 14, 24, 25, 26.
    assert receipts[0].sign_due_on == date(2026, 2, 26)


def test_a_co_unit_returns_within_the_window_with_a_reason_the_others_sign(seeded):
    proposal = assigned_item()
    finance, development, main = unit_user("区财政局"), unit_user("区发改委"), unit_user("区人社局")
    with pytest.raises(ValidationFailed):
        return_item(finance, proposal, reason="  ", today=date(2026, 1, 22), now=NOW)
    return_item(finance, proposal, reason="人才公寓建设不属本局职能。", today=date(2026, 1, 22), now=NOW)
    sign(development, proposal, now=NOW)
    sign(main, proposal, now=NOW)
    db.session.commit()
    proposal = db.session.get(Proposal, proposal.id)
    assert [unit.short_name for unit in proposal.co_units] == ["区发改委"]
    returned = next(r for r in proposal.receipts if r.unit.short_name == "区财政局")
    assert returned.return_reason == "人才公寓建设不属本局职能。" and returned.acted_by_id == finance.id
    with pytest.raises(ValidationFailed):  # once only
        sign(finance, proposal, now=NOW)
    assert pending_receipts(unit_id("区人社局")) == []
    assert history(proposal)[-4:] == [("proposal.assigned", coordinator().id), ("proposal.returned", finance.id),
                                      ("proposal.signed", development.id), ("proposal.signed", main.id)]


def test_no_return_after_the_window_and_no_one_signs_for_a_unit(seeded):
    proposal = assigned_item()
    with pytest.raises(ValidationFailed):
        return_item(unit_user("区财政局"), proposal, reason="不属本局职能。", today=date(2026, 2, 4), now=NOW)
    with pytest.raises(PermissionDenied):
        sign(coordinator(), proposal, now=NOW)
    with pytest.raises(PermissionDenied):
        sign(unit_user("区商务委"), proposal, now=NOW)
    db.session.rollback()
    assert all(r.pending for r in db.session.get(Proposal, proposal.id).receipts)


def test_split_assignment_has_no_main_unit(seeded):
    proposal = new_item()
    with pytest.raises(ValidationFailed):
        assign(coordinator(), proposal, today=date(2026, 1, 20), main_unit_id=unit_id("区人社局"),
               split_unit_ids=[unit_id("区财政局")])
    receipts = assign(coordinator(), proposal, today=date(2026, 1, 20),
                      split_unit_ids=[unit_id("区人社局"), unit_id("区财政局")])
    assert {r.role for r in receipts} == {ReceiptRole.split}


def test_the_detail_page_shows_the_proposers_and_the_receipts(seeded, client):
    proposal = assigned_item()
    set_proposers(None, proposal, [{"name": "张三", "group": "青浦代表团", "contact": "13800000000"}])
    return_item(unit_user("区财政局"), proposal, reason="不属本局职能。", today=date(2026, 1, 22), now=NOW)
    db.session.commit()
    proposal_id, login = proposal.id, coordinator().login
    page = Browser(client).login(login).get(f"/proposals/{proposal_id}").text
    assert "人大建议" in page and "青浦代表团" in page and "13800000000" in page
    assert "不属本局职能。" in page and "2026-02-03" in page
    # the history says each step in words, with who: 交办 by the coordinator, 退回 by the unit's user
    assert "交办给 区人社局（主办）、区财政局（协办）、区发改委（协办）" in page
    assert "代表区财政局退回" in page and "登记了提案人：张三" in page


def test_a_unit_returns_through_its_page_and_a_coordinator_cannot_act_for_it(seeded, client, make_client, on_date):
    on_date(date(2026, 1, 22))
    proposal = assigned_item()
    proposal_id, finance, main, boss = proposal.id, unit_user("区财政局").login, unit_user("区人社局").login, \
        coordinator().login
    url = f"/proposals/{proposal_id}"
    unit = Browser(client).login(finance)
    assert 'id="receipt-form"' in unit.get(url).text
    empty = unit.post(f"{url}/receipt", {"return": "1", "reason": ""}, token_from=url, follow_redirects=True)
    assert "退回须说明理由。" in empty.text
    unit.post(f"{url}/receipt", {"return": "1", "reason": "不属本局职能。"}, token_from=url)
    coordinator_page = Browser(make_client()).login(boss)
    assert coordinator_page.post(f"{url}/receipt", {"sign": "1"}, token_from=url).status_code == 403
    Browser(make_client()).login(main).post(f"{url}/receipt", {"sign": "1"}, token_from=url)
    states = {r.unit.short_name: (r.signed_at is not None, r.return_reason)
              for r in db.session.get(Proposal, proposal_id).receipts}
    assert states == {"区人社局": (True, ""), "区财政局": (False, "不属本局职能。"), "区发改委": (False, "")}


def test_the_reply_letter_is_drafted_point_by_point_for_every_signer(seeded, client):
    import io

    from docx import Document

    from tracker.proposals.handling import set_points

    proposal = assigned_item()
    set_proposers(None, proposal, [{"name": "张三", "group": "青浦代表团"}, {"name": "李四", "group": "青浦代表团"}])
    set_points(None, proposal, "关于增加人才公寓房源\n\n关于完善租金补贴政策\n")
    proposal.result_category, proposal.publicity = "部分采纳或解决", "主动公开"
    proposal.contact_name, proposal.contact_phone = "王老师", "69221234"
    db.session.commit()
    proposal_id, login = proposal.id, unit_user("区人社局").login
    response = Browser(client).login(login).get(f"/proposals/{proposal_id}/reply.docx")
    assert response.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    text = "\n".join(paragraphs)
    assert "关于对区十八届人大六次会议第0012号建议的答复" in paragraphs
    assert "张三代表、李四代表：" in paragraphs
    assert [p for p in paragraphs if p.startswith(("一、", "二、", "三、"))] == ["一、关于增加人才公寓房源",
                                                                            "二、关于完善租金补贴政策"]
    assert "B类" in paragraphs and "公开属性：主动公开" in paragraphs
    assert "办理结果：B 正在解决" in text and "联系人：王老师　　联系电话：69221234" in text
    main_unit, finance = (db.session.get(Unit, unit_id(name)).name for name in ("区人社局", "区财政局"))
    signature = paragraphs.index(main_unit)
    assert paragraphs[signature + 1].endswith("日") and paragraphs[signature + 2].startswith("签发人")
    copied = next(p for p in paragraphs if p.startswith("抄送：人大选联工委，"))
    assert finance in copied


def test_result_classes_map_the_registers_wording():
    from tracker.proposals.documents import result_class

    assert [result_class(v) for v in ("解决采纳", "部分采纳或解决", "列入计划", "留作参考", "因条件限制无法解决", "C", "")] \
        == ["A", "B", "C", "D", "D", "C", ""]


def test_unsatisfied_sends_it_back_for_rehandling_then_a_second_reply_is_rated(seeded, client, app):
    from tests.conftest import csrf_token_from
    from tracker.proposals.handling import issue_rating_link
    from tracker.proposals.models import ProposalState

    rated_at = datetime(2026, 4, 10, 2, 0, tzinfo=timezone.utc)
    app.config["NOW"] = rated_at.isoformat()
    proposal = assigned_item()
    set_proposers(None, proposal, [{"name": "张三"}, {"name": "李四"}])
    proposal.state, proposal.reply_on, proposal.result_category = ProposalState.replied, date(2026, 4, 1), "留作参考"
    first = issue_rating_link(coordinator(), proposal, proposal.people[0], now=rated_at)
    spare = issue_rating_link(coordinator(), proposal, proposal.people[1], now=rated_at)
    db.session.commit()
    proposal_id = proposal.id

    def post(token, rating):
        page = client.get(f"/rate/{token}")
        return client.post(f"/rate/{token}", data={"rating": rating, "csrf_token": csrf_token_from(page.text)})

    assert post(first, "不满意").status_code == 302
    proposal = db.session.get(Proposal, proposal_id)
    assert (proposal.state, proposal.rehandling_count, proposal.feedback) == (ProposalState.replying, 1, "")
    assert proposal.reply_due_on == date(2026, 5, 10)  # 重新办理: 1 month (configurable) from the rating
    assert post(spare, "满意").status_code == 400  # the first round's links no longer rate
    proposal = db.session.get(Proposal, proposal_id)
    save_proposal(coordinator(), proposal, meeting=proposal.meeting, number=proposal.number, title=proposal.title,
                  main_unit_id=proposal.main_unit_id, co_unit_ids=[u.id for u in proposal.co_units],
                  assigned_on=proposal.assigned_on, reply_due_on=proposal.reply_due_on, state="replied",
                  reply_on=date(2026, 5, 6), result_category="解决采纳")
    second = issue_rating_link(coordinator(), proposal, proposal.people[0], now=rated_at)
    db.session.commit()
    assert post(second, "满意").status_code == 302
    proposal = db.session.get(Proposal, proposal_id)
    assert (proposal.state, proposal.feedback, proposal.rehandling_count) == \
        (ProposalState.feedback_received, "满意", 1)
    actions = [action for action, _actor in history(proposal)]
    assert actions[-4:] == ["proposal.rated", "proposal.updated", "proposal.rating_link_issued", "proposal.rated"]


def test_the_coordinator_assigns_from_the_items_page(seeded, client, on_date):
    on_date(date(2026, 1, 20))
    proposal = new_item()
    proposal.co_units = [db.session.get(Unit, unit_id("区财政局"))]
    db.session.commit()
    proposal_id, login = proposal.id, coordinator().login
    url = f"/proposals/{proposal_id}"
    browser = Browser(client).login(login)
    page = browser.post(f"{url}/assign", {}, token_from=url, follow_redirects=True).text
    assert "已交办，各承办单位须在2026-02-03前签收或退回。" in page and 'id="assign-form"' not in page
    assert {(r.unit.short_name, r.role) for r in db.session.get(Proposal, proposal_id).receipts} == {
        ("区人社局", ReceiptRole.main), ("区财政局", ReceiptRole.co)}
