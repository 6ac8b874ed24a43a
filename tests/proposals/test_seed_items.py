"""The demo's items of the handling flow (seeds/proposal_flow.py): every state of the flow is on a screen on
the demo day 2026-06-30, the two real replies are items with their proposers, and seeding twice changes nothing."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from seeds.demo import load_demo
from seeds.proposal_flow import CPPCC_MEETING, NPC_MEETING
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.proposals.documents import result_class
from tracker.proposals.models import (Proposal, ProposalKind, ProposalMerge, ProposalReceipt, ProposalState,
                                      Proposer, RatingLink)
from tracker.proposals.services import find_by_meeting_and_number

DEMO_DAY = date(2026, 6, 30)


def item(meeting, number) -> Proposal:
    proposal = find_by_meeting_and_number(meeting, number)
    assert proposal is not None, number
    return proposal


def test_every_state_of_the_flow_has_an_item(seeded_items):
    waiting = item(CPPCC_MEETING, "第0101号")
    assert waiting.state == ProposalState.assigned and waiting.receipts and all(r.pending for r in waiting.receipts)
    assert [p.name for p in waiting.people] == ["陆敏", "顾晓峰"] and len(waiting.points) == 3
    returned = item(CPPCC_MEETING, "第0102号")
    assert {r.unit.short_name: (r.role.value, r.returned_at is not None) for r in returned.receipts} == {
        "区商务委": ("main", False), "区数据局": ("co", False), "区教育局": ("co", True)}
    assert [u.short_name for u in returned.co_units] == ["区数据局"]  # the returning 协办 left the item
    overdue = item(CPPCC_MEETING, "第0104号")
    assert overdue.state == ProposalState.replying and overdue.reply_due_on < DEMO_DAY
    split = item(CPPCC_MEETING, "第0108号")
    assert {r.role.value for r in split.receipts} == {"split"} and len(split.receipts) == 2
    awaiting_rating = item(CPPCC_MEETING, "第0105号")
    assert awaiting_rating.state == ProposalState.replied and result_class(awaiting_rating.result_category) == "A"
    assert db.session.scalar(select(func.count()).select_from(RatingLink)
                             .where(RatingLink.proposal_id == awaiting_rating.id, RatingLink.used_at.is_(None))) == 1
    satisfied = item(CPPCC_MEETING, "第0106号")
    assert (satisfied.state, satisfied.feedback, result_class(satisfied.result_category)) == (
        ProposalState.feedback_received, "满意", "B")
    fairly = item(NPC_MEETING, "第0012号")
    assert fairly.kind == ProposalKind.npc and fairly.people[0].group == "朱家角镇代表团"
    assert (fairly.feedback, result_class(fairly.result_category)) == ("基本满意", "D")
    rehandled = item(NPC_MEETING, "第0015号")
    assert (rehandled.state, rehandled.rehandling_count) == (ProposalState.replying, 1)
    assert rehandled.reply_due_on > DEMO_DAY
    merged = item(CPPCC_MEETING, "第0107号")
    handled = item(CPPCC_MEETING, "第0103号")
    assert db.session.scalar(select(ProposalMerge.handled_id).where(ProposalMerge.proposal_id == merged.id)) == handled.id
    assert merged.main_unit_id == handled.main_unit_id and not merged.receipts


def test_the_real_replies_are_items_with_their_proposers(seeded_items):
    joint = item("市政协十四届三次会议", "第0746号")
    assert [p.name for p in joint.people] == ["池洪", "卢薪", "曹卫东"]
    assert joint.proposers == "池洪、卢薪、曹卫东等委员" and joint.state == ProposalState.replied
    assert [p.name for p in item("区政协十五届五次会议", "第155129号").people] == ["郁芳"]


def test_seeding_twice_changes_nothing(seeded_items):
    def counts():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Proposal, Proposer, ProposalReceipt, RatingLink, ProposalMerge, AuditEvent)]

    before = counts()
    load_demo()
    assert counts() == before


def test_the_history_of_a_seeded_item_reads_in_order(seeded_items, on_date, browser):
    on_date(DEMO_DAY)
    proposal_id = item(NPC_MEETING, "第0015号").id
    page = browser("coordinator").get(f"/proposals/{proposal_id}").text
    assert "郑强 评价为“不满意”，退回重新办理（第1次）" in page
    assert "区科委联络员 代表区科委签收" in page
    assert "金泽镇代表团" in page and "代表团" in page


def test_no_page_of_a_seeded_item_shows_a_code(seeded_items, on_date, browser):
    from tests.test_history_sentences import _raw_codes, _visible_text

    on_date(DEMO_DAY)
    coordinator = browser("coordinator")
    for proposal_id in db.session.scalars(select(Proposal.id)):
        for url in (f"/proposals/{proposal_id}", f"/proposals/{proposal_id}/people",
                    f"/proposals/{proposal_id}/assignment"):
            page = coordinator.get(url)
            assert page.status_code == 200, url
            assert _raw_codes(_visible_text(page.text)) == [], (url, _raw_codes(_visible_text(page.text))[:10])
    listing = coordinator.get("/proposals").text
    assert _raw_codes(_visible_text(listing)) == []


def test_the_demo_items_carry_contacts_and_promises(seeded_items, on_date, browser):
    """沟通协商 and 承诺事项 on the demo: a 办前面商 shows on the item in handling, the statistics count 见面率
    and the promises of the B and C replies, and each promise shows on its item."""
    from tracker.proposals.statistics import statistics

    on_date(DEMO_DAY)
    coordinator = browser("coordinator")
    page = coordinator.get(f"/proposals/{item(CPPCC_MEETING, '第0103号').id}").text
    assert "已按时办前面商" in page and "王立群、许文博" in page
    rows = [row for table in statistics() for row in table.by_meeting]
    assert any(row.kind == ProposalKind.cppcc and row.met and row.meeting_rate for row in rows)
    assert sum(row.promises_open for row in rows if row.label == CPPCC_MEETING or row.label == NPC_MEETING) == 2
    assert "完成西岑园区配套学校选址和项目立项。" in coordinator.get(f"/proposals/{item(NPC_MEETING, '第0021号').id}").text
    assert "企业数字化转型公共服务平台二期建成上线。" in coordinator.get(f"/proposals/{item(CPPCC_MEETING, '第0106号').id}").text
