"""The proposal flow's middle steps reach the group robots subscribed to them (issue 25: webhooks for each
step): 协办意见, 会签, 延期申请 and its decision, and a promise answered again, each posted on the item page,
queued with the step and delivered to the robot with who did what."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from seeds.load_proposal_flow import category_of_class
from tests.proposals.c2_helpers import item, unit_user
from tracker.auth.models import User
from tracker.common.clock import utcnow
from tracker.extensions import db
from tracker.proposals.handling import sign
from tracker.proposals.models import Proposal, ReplyExtension
from tracker.proposals.promises import add_promise
from tracker.proposals.services import record_reply
from tracker.webhooks.models import WebhookFormat
from tracker.webhooks.services import save_webhook
from tracker.reminders.sender import send_pending

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
STEPS = ["proposal_co_opinion", "proposal_cosigned", "proposal_extension_requested", "proposal_extension_decided",
         "promise_answered"]


def _texts(receiver) -> list[str]:
    return [call.json["markdown"]["content"] for call in receiver.calls]


def test_each_middle_step_reaches_the_robot_that_follows_it(seeded, receiver, browser, on_date):
    on_date(date(2026, 3, 2))
    receiver.start()
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    save_webhook(admin, None, name="提案办理群", format=WebhookFormat.wecom, url=receiver.url(), events=STEPS)
    proposal = item("0701", unit="区人社局", co_units=("区财政局",), assigned_on=date(2026, 2, 2))
    for unit in ("区人社局", "区财政局"):
        sign(unit_user(unit), proposal, now=NOW)
    db.session.commit()
    proposal_id = proposal.id
    page = f"/proposals/{proposal_id}"
    main, co = browser(unit_user("区人社局").login), browser(unit_user("区财政局").login)

    co.post(f"{page}/co-opinion", {"text": "同意主办单位的办理思路。"}, token_from=page)
    main.post(f"{page}/cosign-draft", {"text": "答复稿：一、……"}, token_from=page)
    co.post(f"{page}/cosign", {"decision": "disagree", "reason": "第二点的资金来源须写明[详见](http://x.example)。"},
            token_from=page)
    due = db.session.get(Proposal, proposal_id).reply_due_on
    main.post(f"{page}/extension", {"requested_due_on": (due + timedelta(days=20)).isoformat(),
                                    "reason": "须征求市人社局意见。"}, token_from=page)
    extension_id = db.session.scalar(select(ReplyExtension.id).where(ReplyExtension.proposal_id == proposal_id))
    browser("coordinator").post(f"/proposals/extensions/{extension_id}/decide", {"decision": "approve", "note": ""},
                                token_from=page)
    assert db.session.get(Proposal, proposal_id).reply_due_on == due + timedelta(days=20)
    assert receiver.calls == []  # queued with each step, sent by the sender
    assert send_pending(utcnow()).sent == 4
    texts = _texts(receiver)
    assert any("【提案协办意见】" in text and "区财政局已向主办单位提出协办意见。" in text for text in texts)
    assert any("【提案会签】" in text and "不同意，理由：第二点的资金来源须写明［详见］(http://x.example)。" in text
               for text in texts)
    assert not any("](http://x.example" in text for text in texts)  # a unit's text is never a link in the group
    assert any("【提案延期申请】" in text and "须征求市人社局意见。" in text for text in texts)
    assert any("【提案延期审批】" in text and "已批准延期，新的答复期限：" in text for text in texts)


def test_a_promise_answered_again_reaches_the_robot(seeded, receiver, browser, on_date):
    on_date(date(2026, 6, 30))
    receiver.start()
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    save_webhook(admin, None, name="提案办理群", format=WebhookFormat.wecom, url=receiver.url(), events=STEPS)
    proposal = item("0702", unit="区人社局", co_units=(), assigned_on=date(2026, 2, 2))
    record_reply(None, proposal, reply_on=date(2026, 5, 20), result_category=category_of_class("C"))
    promise = add_promise(unit_user("区人社局"), proposal, text="年底前建成人才公寓二期。", due_on=date(2026, 12, 31),
                          today=date(2026, 5, 20))
    db.session.flush()
    proposal_id, promise_id = proposal.id, promise.id
    db.session.commit()
    page = f"/proposals/{proposal_id}"
    browser(unit_user("区人社局").login).post(
        f"{page}/promises/{promise_id}/answer", {"text": "人才公寓二期已交付。", "answered_on": "2026-06-29",
                                                 "answered_by": "李局长"}, token_from=page)
    assert send_pending(utcnow()).sent == 1
    [text] = _texts(receiver)
    assert "【承诺事项再次答复】" in text and "年底前建成人才公寓二期。" in text and "李局长" in text


KEY_STEPS = ["proposal_key_marked", "proposal_key_unmarked", "proposal_supervision_note"]


def test_key_item_steps_reach_the_robots_that_follow_them(seeded, receiver, browser, client, on_date):
    """重点提案 marked, its leader changed and unmarked on the item page, and the leader's 督办意见 through the API:
    each reaches the robot of every unit and the 主办's own robot, not a robot of an unrelated unit nor one
    following other events."""
    from tests.api.test_api import World

    on_date(date(2026, 3, 2))
    receiver.start()
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    leader = db.session.scalar(select(User).where(User.login == "leader"))
    other = User(login="leader2", display_name="常务副区长", role=leader.role, email="leader2@example.gov.cn")
    other.password_hash = leader.password_hash
    db.session.add(other)
    proposal = item("0703", unit="区人社局", co_units=("区财政局",), assigned_on=date(2026, 2, 2))
    main_unit, outside_unit = (unit_user(name).unit_id for name in ("区人社局", "区科委"))
    save_webhook(admin, None, name="提案办理群", format=WebhookFormat.wecom, url=receiver.url(), events=KEY_STEPS)
    save_webhook(admin, None, name="区人社局群", format=WebhookFormat.wecom, unit_id=main_unit,
                 url=receiver.url("/cgi-bin/webhook/send?key=main"), events=KEY_STEPS)
    save_webhook(admin, None, name="区科委群", format=WebhookFormat.wecom, unit_id=outside_unit,
                 url=receiver.url("/cgi-bin/webhook/send?key=outside"), events=KEY_STEPS)
    save_webhook(admin, None, name="其他事件群", format=WebhookFormat.wecom,
                 url=receiver.url("/cgi-bin/webhook/send?key=others"), events=STEPS)
    db.session.commit()
    proposal_id, leader_id, other_id = proposal.id, leader.id, other.id
    page = f"/proposals/{proposal_id}"
    office = browser("coordinator")

    office.post(f"{page}/key", {"leader_id": str(leader_id)}, token_from=page)
    World(client).call(
        "leader", "POST", f"/api/v1/proposals/{proposal_id}/supervision-notes",
        json={"text": "请月底前报送进展，[详见](http://x.example)。"})
    office.post(f"{page}/key", {"leader_id": str(other_id)}, token_from=page)
    office.post(f"{page}/key", {"unmark": "1", "leader_id": ""}, token_from=page)
    assert receiver.calls == []  # queued with each step, sent by the sender
    assert send_pending(utcnow()).sent == 8  # four steps, each to the office's robot and the 主办's
    assert {call.query["key"] for call in receiver.calls} == {"test-key", "main"}
    for robot in ("test-key", "main"):
        texts = [call.json["markdown"]["content"] for call in receiver.calls if call.query["key"] == robot]
        assert len(texts) == 4
        assert any("【重点提案】" in text and "确定为重点提案，督办领导：分管副区长。" in text for text in texts)
        assert any("【重点提案督办意见】" in text and "分管副区长的督办意见：请月底前报送进展，［详见］(http://x.example)。"
                   in text for text in texts)
        assert any("【重点提案】" in text and "督办领导由分管副区长改为常务副区长。" in text for text in texts)
        assert any("【取消重点提案】" in text and "已不再是重点提案（督办领导：常务副区长）。" in text for text in texts)
        assert all(f"/proposals/{proposal_id}" in text for text in texts)
        assert not any("](http://x.example" in text for text in texts)  # the leader's text is never a link
