"""协办意见 and 会签 (tracker/proposals/cosign.py): the 协办 units' opinions reach the 主办 and show on the item
page; the reply is refused until every 协办 that signed has 会签'd the draft (agree, or disagree with a reason
the 主办 sees); a 协办 that returned the item is excluded; 分办 units answer on their own."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.proposals.test_flow import assigned_item, coordinator, history, new_item, unit_id, unit_user
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.cosign import cosign, missing_cosigns, opinion_due_on, send_draft, send_opinion
from tracker.proposals.handling import assign, return_item, sign
from tracker.proposals.models import CoOpinion, Proposal, ProposalState
from tracker.proposals.services import save_proposal

NOW = datetime(2026, 1, 26, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 1, 26)


def signed_item(proposal: Proposal | None = None) -> Proposal:
    """主办 区人社局 and 协办 区发改委 signed; 协办 区财政局 returned the item within the window."""
    proposal = proposal or assigned_item()
    return_item(unit_user("区财政局"), proposal, reason="不属本局职能。", today=date(2026, 1, 22), now=NOW)
    sign(unit_user("区发改委"), proposal, now=NOW)
    sign(unit_user("区人社局"), proposal, now=NOW)
    db.session.commit()
    return proposal


def reply(proposal: Proposal, actor=None) -> Proposal:
    """The existing reply step: the item recorded as answered (已答复)."""
    return save_proposal(actor or coordinator(), proposal, kind=proposal.kind, meeting=proposal.meeting,
                         number=proposal.number, title=proposal.title, main_unit_id=proposal.main_unit_id,
                         co_unit_ids=[unit.id for unit in proposal.co_units], assigned_on=proposal.assigned_on,
                         reply_due_on=proposal.reply_due_on, state=ProposalState.replied, reply_on=date(2026, 3, 2),
                         result_category="解决采纳", reply_doc_number="青人社提复〔2026〕1号")


def login_of(short_name: str) -> str:
    return unit_user(short_name).login


def test_co_units_send_their_opinions_and_the_main_unit_sees_them(seeded, browser, on_date):
    proposal = assigned_item()
    pid = proposal.id
    development = unit_user("区发改委")
    with pytest.raises(ValidationFailed, match="请先签收"):
        send_opinion(development, proposal, "建议统筹人才公寓选址。", now=NOW)
    db.session.rollback()
    proposal = signed_item(db.session.get(Proposal, pid))
    receipt = next(r for r in proposal.receipts if r.unit.short_name == "区发改委")
    assert opinion_due_on(receipt) == date(2026, 2, 20)  # one month after 交办 (2026-01-20)
    with pytest.raises(PermissionDenied):  # it returned the item: no longer a 协办
        send_opinion(unit_user("区财政局"), proposal, "同意。", now=NOW)
    with pytest.raises(PermissionDenied):  # the 主办 is not a 协办
        send_opinion(unit_user("区人社局"), proposal, "同意。", now=NOW)
    with pytest.raises(ValidationFailed):
        send_opinion(development, proposal, "   ", now=NOW)
    db.session.rollback()
    on_date(TODAY)
    main = browser(login_of("区人社局"))
    page = main.get(f"/proposals/{pid}").text
    assert 'id="co-opinions"' in page and "尚未提出" in page
    response = browser(login_of("区发改委")).post(f"/proposals/{pid}/co-opinion",
                                                  {"text": "建议统筹人才公寓选址，纳入年度用地计划。"})
    assert response.status_code == 302
    page = main.get(f"/proposals/{pid}").text
    assert "建议统筹人才公寓选址，纳入年度用地计划。" in page
    assert db.session.scalar(select(CoOpinion.text).where(CoOpinion.proposal_id == pid)) \
        == "建议统筹人才公寓选址，纳入年度用地计划。"
    assert ("proposal.co_opinion_sent", unit_user("区发改委").id) in history(db.session.get(Proposal, pid))
    # A unit not on the item gets 403, and nothing is written.
    response = browser(login_of("区商务委")).post(f"/proposals/{pid}/co-opinion", {"text": "同意。"})
    assert response.status_code == 403
    assert db.session.scalar(select(CoOpinion.id).where(CoOpinion.unit_id == unit_id("区商务委"))) is None


def test_the_reply_is_refused_until_every_signed_co_unit_has_cosigned(seeded, browser, on_date):
    proposal = signed_item()
    pid = proposal.id
    main, development = unit_user("区人社局"), unit_user("区发改委")
    with pytest.raises(ValidationFailed, match="区发改委"):  # no draft sent for 会签 yet
        reply(proposal)
    db.session.rollback()
    proposal = db.session.get(Proposal, pid)
    with pytest.raises(ValidationFailed):  # nothing to 会签 yet
        cosign(development, proposal, agreed=True, reason="", now=NOW)
    with pytest.raises(PermissionDenied):  # only the 主办 sends the draft
        send_draft(development, proposal, "答复稿", today=TODAY, now=NOW)
    db.session.rollback()
    on_date(TODAY)
    main_browser, development_browser = browser("rensheju"), browser("fagaiwei")
    response = main_browser.post(f"/proposals/{pid}/cosign-draft", {"text": "一、关于人才公寓建设……"})
    assert response.status_code == 302
    # The reply through the edit form is refused with the message, and changes nothing.
    db.session.expire_all()
    proposal = db.session.get(Proposal, pid)
    assert [unit.short_name for unit in missing_cosigns(proposal)] == ["区发改委"]
    edit_page = browser("coordinator")
    form = edit_page.get(f"/proposals/{pid}/edit").text
    proposal = db.session.get(Proposal, pid)
    response = edit_page.client.post(f"/proposals/{pid}/edit", data={
        "csrf_token": csrf_token_from(form), "kind": "npc", "meeting": proposal.meeting, "number": proposal.number,
        "title": proposal.title, "main_unit_id": str(proposal.main_unit_id),
        "co_unit_ids": [str(u.id) for u in proposal.co_units], "assigned_on": "2026-01-20",
        "reply_due_on": "2026-04-20", "state": "replied", "reply_on": "2026-03-02", "result_category": "解决采纳",
        "publicity": "", "feedback": "", "version": str(proposal.version)})
    assert response.status_code == 400
    assert "以下协办单位尚未会签答复稿，不能答复：区发改委" in response.text
    db.session.expire_all()
    assert db.session.get(Proposal, pid).state == ProposalState.assigned
    # Disagreeing needs a reason; the 主办 sees it.
    response = development_browser.post(f"/proposals/{pid}/cosign", {"decision": "disagree", "reason": ""})
    assert response.status_code == 302
    assert missing_cosigns(db.session.get(Proposal, pid))
    response = development_browser.post(f"/proposals/{pid}/cosign",
                                        {"decision": "disagree", "reason": "第二条的用地指标与规划不符。"})
    assert response.status_code == 302
    page = main_browser.get(f"/proposals/{pid}").text
    assert "第二条的用地指标与规划不符。" in page and "不同意" in page
    db.session.expire_all()
    proposal = db.session.get(Proposal, pid)
    assert missing_cosigns(proposal) == []
    with pytest.raises(ValidationFailed):  # once per draft
        cosign(unit_user("区发改委"), proposal, agreed=True, reason="", now=NOW)
    db.session.rollback()
    # A revised draft needs the 会签 again; this time the 协办 agrees and the reply goes through.
    proposal = db.session.get(Proposal, pid)
    send_draft(unit_user("区人社局"), proposal, "一、关于人才公寓建设（修改稿）……", today=TODAY, now=NOW)
    db.session.commit()
    assert [unit.short_name for unit in missing_cosigns(proposal)] == ["区发改委"]
    cosign(unit_user("区发改委"), proposal, agreed=True, reason="", now=NOW)
    reply(proposal)
    db.session.commit()
    assert db.session.get(Proposal, pid).state == ProposalState.replied
    actions = [action for action, _actor in history(proposal)]
    assert actions.count("proposal.cosign_draft_sent") == 2 and actions.count("proposal.cosigned") == 2
    sentences = browser("coordinator").get(f"/proposals/{pid}").text
    assert "会签：不同意" in sentences and "会签：同意" in sentences and "送区发改委会签" in sentences


def test_a_co_unit_that_has_not_signed_yet_is_not_waited_for(seeded):
    proposal = assigned_item()
    pid = proposal.id
    return_item(unit_user("区财政局"), proposal, reason="不属本局职能。", today=date(2026, 1, 22), now=NOW)
    sign(unit_user("区人社局"), proposal, now=NOW)
    db.session.commit()
    with pytest.raises(ValidationFailed):  # no signed 协办: nothing to 会签
        send_draft(unit_user("区人社局"), proposal, "答复稿", today=TODAY, now=NOW)
    db.session.rollback()
    proposal = db.session.get(Proposal, pid)
    assert missing_cosigns(proposal) == []
    reply(proposal)
    db.session.commit()
    assert db.session.get(Proposal, pid).state == ProposalState.replied


def test_split_units_answer_on_their_own_without_cosign(seeded):
    proposal = new_item()
    pid = proposal.id
    assign(coordinator(), proposal, today=date(2026, 1, 20), split_unit_ids=[unit_id("区人社局"), unit_id("区财政局")])
    sign(unit_user("区人社局"), proposal, now=NOW)
    sign(unit_user("区财政局"), proposal, now=NOW)
    db.session.commit()
    assert missing_cosigns(proposal) == []
    with pytest.raises(PermissionDenied):  # a 分办 unit is no 协办
        send_opinion(unit_user("区财政局"), proposal, "意见", now=NOW)
    db.session.rollback()
    proposal = db.session.get(Proposal, pid)
    reply(proposal)
    db.session.commit()
    assert db.session.get(Proposal, pid).state == ProposalState.replied
