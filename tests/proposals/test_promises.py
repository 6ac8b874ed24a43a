"""承诺事项: a C reply's promise has its own due date, the 主办 unit is reminded (a real email through aiosmtpd)
once when it falls due soon and once when it is overdue, answers again when the work is done (办结后再次答复),
and the statistics count it as kept."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.proposals.c2_helpers import answer, coordinator, item, unit_user, user_with
from tracker.auth.models import Role
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.proposals.models import PromiseState, ProposalPromise
from tracker.proposals.promises import (add_promise, answer_promise, class_label, commitment_due_on, derive_promises,
                                        promise_tasks, promises_of)
from tracker.proposals.services import commitment_to_task
from tracker.reminders.jobs import run_reminders

EMAIL = "rensheju@example.gov.cn"  # 区人社局 (seeds/units.py)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def promise_mails(smtp) -> list:
    return [m for m in smtp.inbox.to(EMAIL) if m.key.startswith("promise_due:")]


def test_a_c_reply_promise_is_reminded_answered_again_and_counted(seeded, smtp, browser, on_date):
    proposal = item("0201")
    answer(proposal, reply_on=date(2026, 4, 1), category="列入计划")
    db.session.commit()
    assert class_label(proposal) == "C 列入计划"
    proposal_id, login = proposal.id, unit_user("区人社局").login
    on_date(date(2026, 4, 2))
    unit = browser(login)
    response = unit.post(f"/proposals/{proposal_id}/promises", token_from=f"/proposals/{proposal_id}",
                         data={"text": "2026年6月底前建成人才公寓二期并交付使用。", "due_on": "2026-06-30"})
    assert response.status_code == 302
    page = unit.get(f"/proposals/{proposal_id}").text
    assert "2026年6月底前建成人才公寓二期并交付使用。" in page and "待再次答复" in page and "C 列入计划" in page

    from tracker.outbox.models import DeliveryChannel, Notification, NotificationKind
    from tracker.webhooks.models import Webhook, WebhookFormat

    db.session.add(Webhook(name="人社局群", format=WebhookFormat.wecom, url="http://127.0.0.1:9/send?key=k",
                           events="promise_due"))
    db.session.commit()
    run_reminders(at("2026-06-01T09:05"))  # more than 10 working days before June 30: nothing yet
    assert promise_mails(smtp) == []
    run_reminders(at("2026-06-17T09:05"))  # within 10 working days
    run_reminders(at("2026-06-18T09:05"))  # the same event: once only
    soon = promise_mails(smtp)
    assert len(soon) == 1
    assert soon[0].subject.startswith("【承诺事项提醒】区政协十六届一次会议第0201号 承诺事项")
    assert "人才公寓二期" in soon[0].text and f"/proposals/{proposal_id}#promises" in soon[0].text
    robot = list(db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.promise_due,
                                                                Notification.channel == DeliveryChannel.webhook)))
    assert len(robot) == 1 and "人才公寓二期" in robot[0].body_text  # the group robot hears once too
    run_reminders(at("2026-07-02T09:05"))  # overdue
    run_reminders(at("2026-07-03T09:05"))
    mails = promise_mails(smtp)
    assert len(mails) == 2 and mails[1].subject.startswith("【承诺事项逾期】") and "已逾期" in mails[1].text

    on_date(date(2026, 7, 6))
    unit = browser(login)  # re-login after moving the clock
    promise_id = db.session.scalar(select(ProposalPromise.id).where(ProposalPromise.proposal_id == proposal_id))
    response = unit.post(f"/proposals/{proposal_id}/promises/{promise_id}/answer", token_from=f"/proposals/{proposal_id}",
                         data={"text": "人才公寓二期已于7月3日交付，首批120户入住。", "answered_on": "2026-07-06",
                               "answered_by": "李局长"})
    assert response.status_code == 302
    page = unit.get(f"/proposals/{proposal_id}").text
    assert "已再次答复" in page and "人才公寓二期已于7月3日交付" in page and "李局长" in page
    run_reminders(at("2026-07-07T09:05"))  # kept: no more reminders
    assert len(promise_mails(smtp)) == 2

    leader = browser(user_with(Role.leader).login)
    statistics = leader.get("/proposals/statistics").text
    row = statistics.split('data-label="区政协十六届一次会议"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="promises-open">0</td><td class="promises-kept">1</td>' in row


def test_promises_from_the_reply_commitments_follow_their_task_or_time_limit(seeded):
    proposal = item("0202")
    answer(proposal, reply_on=date(2026, 4, 1), category="部分采纳或解决", commitments=[
        {"text": "二季度完成三张清单梳理。", "due_hint": "2026年二季度"},
        {"text": "组建技术经理人联盟。", "due_hint": None},
        {"text": "年内建成科创服务平台。", "due_hint": None}])
    task = commitment_to_task(None, proposal, "年内建成科创服务平台。", due_on=date(2026, 12, 31),
                              today=date(2026, 4, 2))
    db.session.commit()
    created = derive_promises(coordinator(), proposal, today=date(2026, 4, 2))
    db.session.commit()
    assert [(p.text, p.due_on, p.task_id) for p in promises_of(proposal)] == [
        ("二季度完成三张清单梳理。", date(2026, 6, 30), None),
        ("年内建成科创服务平台。", date(2026, 12, 31), task.id),
        ("组建技术经理人联盟。", date(2027, 4, 1), None)]  # the default: 12 months after the reply
    assert len(created) == 3
    with pytest.raises(ValidationFailed, match="没有尚未登记的承诺事项"):
        derive_promises(coordinator(), proposal, today=date(2026, 4, 2))
    assert commitment_due_on(proposal, {"text": "x", "due_hint": "2025年"}, {}) == date(2027, 4, 1)  # before the reply
    # a task made later from a promise's commitment is shown with it (promise_tasks decides)
    later = commitment_to_task(None, proposal, "组建技术经理人联盟。", due_on=date(2026, 9, 30), today=date(2026, 4, 3))
    db.session.commit()
    shown = promise_tasks(proposal, promises_of(proposal))
    assert sorted(task.id for task in shown.values()) == sorted([task.id, later.id])


def test_only_b_and_c_replies_carry_promises_and_only_the_main_unit_or_office_enters_them(seeded):
    adopted = item("0203")
    answer(adopted, reply_on=date(2026, 4, 1), category="解决采纳")
    with pytest.raises(ValidationFailed, match="B类"):
        add_promise(coordinator(), adopted, text="x", due_on=date(2026, 5, 1), today=date(2026, 4, 2))
    planned = item("0204")
    answer(planned, reply_on=date(2026, 4, 1), category="C")
    for user in (unit_user("区财政局"), unit_user("区经委"), user_with(Role.leader)):  # 会办, unrelated, leader
        with pytest.raises(PermissionDenied):
            add_promise(user, planned, text="x", due_on=date(2026, 5, 1), today=date(2026, 4, 2))
    for text, due, message in (("", date(2026, 5, 1), "请填写承诺事项"), ("x", None, "请填写承诺完成时限"),
                               ("x", date(2026, 3, 31), "不能早于答复日期"), ("x" * 5001, date(2026, 5, 1), "不能超过")):
        with pytest.raises(ValidationFailed, match=message):
            add_promise(coordinator(), planned, text=text, due_on=due, today=date(2026, 4, 2))
    promise = add_promise(unit_user("区人社局"), planned, text="年底前完成。", due_on=date(2026, 12, 31),
                          today=date(2026, 4, 2))
    with pytest.raises(ValidationFailed, match="已登记"):
        add_promise(coordinator(), planned, text="年底前完成。", due_on=date(2026, 12, 31), today=date(2026, 4, 2))
    for values, message in (({"text": ""}, "请填写再次答复的内容"), ({"answered_on": date(2026, 5, 2)}, "不能晚于今天"),
                            ({"answered_on": date(2026, 3, 1)}, "不能早于答复日期"), ({"answered_by": ""}, "签发人")):
        arguments = {"text": "已完成。", "answered_on": date(2026, 5, 1), "answered_by": "李局长", **values}
        with pytest.raises(ValidationFailed, match=message):
            answer_promise(coordinator(), planned, promise, today=date(2026, 5, 1), **arguments)
    with pytest.raises(PermissionDenied):
        answer_promise(unit_user("区财政局"), planned, promise, text="已完成。", answered_on=date(2026, 5, 1),
                       answered_by="x", today=date(2026, 5, 1))
    answer_promise(coordinator(), planned, promise, text="已完成。", answered_on=date(2026, 5, 1), answered_by="李局长",
                   today=date(2026, 5, 1))
    assert promise.state == PromiseState.kept
    with pytest.raises(ValidationFailed, match="已再次答复"):
        answer_promise(coordinator(), planned, promise, text="再次。", answered_on=date(2026, 5, 1), answered_by="李局长",
                       today=date(2026, 5, 1))
    assert db.session.scalar(select(func.count()).select_from(ProposalPromise)) == 1


def test_bad_promise_input_through_the_page_changes_nothing(seeded, browser, on_date):
    proposal = item("0205")
    answer(proposal, reply_on=date(2026, 4, 1), category="正在解决")
    db.session.commit()
    proposal_id = proposal.id
    on_date(date(2026, 4, 2))
    office = browser("coordinator")
    response = office.post(f"/proposals/{proposal_id}/promises", token_from=f"/proposals/{proposal_id}",
                           data={"text": "年底前完成。", "due_on": "2026-02-30"}, follow_redirects=True)
    assert "请填写承诺完成时限（YYYY-MM-DD）。" in response.text
    assert browser(unit_user("区财政局").login).post(
        f"/proposals/{proposal_id}/promises", token_from="/proposals",
        data={"text": "年底前完成。", "due_on": "2026-12-31"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ProposalPromise)) == 0
