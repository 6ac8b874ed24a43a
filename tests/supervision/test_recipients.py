"""Each message of the 督办 loop goes to whoever must act, through a real SMTP server (aiosmtpd): every
level of the ladder reaches the unit it concerns (the documents also its head), the leaders overseeing it
get a copy for information and are never asked to reply, one email per person per event; the old
督办升级 sends nothing of its own. The loop's events: 交办 and 重新交办 tell the unit, 退回交办 and 反馈
tell the coordinators, a returned 办结申请 tells the unit, and they show on the right 工作台."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.reminders.sender import send_pending
from tracker.supervision.models import Receipt, SupervisionDocument
from tracker.supervision.services import (decide_closure, reassign, refuse_receipt, reply_document, request_closure,
                                          save_ladder_settings, sign_receipt)
from tracker.tasks.models import ReportingCycle, Task
from tracker.tasks.services import save_task
from tracker.units.models import Unit

DUE = date(2026, 7, 1)  # working days after it: 7-02 the 1st, 7-08 the 5th, 7-15 the 10th, 7-22 the 15th
HEAD = "zhuren@jingwei.example.gov.cn"
ASKS_TO_REPLY = re.compile(r"请于.*前在系统中反馈|请登录系统签收")
LADDER = ("ladder_reached", "document_issued")


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def _emails(role: Role) -> set[str]:
    return {u.email for u in db.session.scalars(select(User).where(User.role == role, User.email != ""))}


def _deliver() -> None:
    db.session.commit()
    send_pending(datetime.now(BEIJING))


def _new_task(title: str, unit: Unit, *, sign: bool = True) -> Task:
    plan = db.session.scalar(select(Plan).order_by(Plan.id))
    task = save_task(_user("coordinator"), plan, None, number="17", title=title, lead_unit_id=unit.id, start_on=DUE,
                     due_on=DUE, reporting_cycle=ReportingCycle.monthly, report_day=25, today=date(2026, 6, 15))
    if sign:
        sign_receipt(_user("jingwei"), db.session.scalar(select(Receipt).where(Receipt.task_id == task.id)))
    db.session.commit()
    return task


def _run(first: date, last: date, smtp, task_id: int) -> dict[date, list]:
    """The reminder job at 09:05 every day; the ladder's emails about the task, by day."""
    received: dict[date, list] = {}
    day = first
    while day <= last:
        before = len(smtp.inbox.messages)
        run_reminders(datetime(day.year, day.month, day.day, 9, 5, tzinfo=BEIJING))
        mine = [m for m in smtp.inbox.messages[before:]
                if m.key.split(":")[0] in (*LADDER, "escalation") and m.key.split(":")[1] == str(task_id)]
        if mine:
            received[day] = mine
        day += timedelta(days=1)
    return received


def test_every_level_reaches_the_unit_and_copies_leaders_without_asking_them(seeded, smtp):
    unit = _unit("区经委")
    unit.head_email = HEAD
    task_id = _new_task("建设西岑园区数字孪生平台", unit).id
    received = _run(date(2026, 7, 1), date(2026, 7, 24), smtp, task_id)
    contacts, leaders = set(unit.email_list), _emails(Role.leader)
    expected = {date(2026, 7, 2): (1, contacts, set()),  # 提醒: the unit's contacts
                date(2026, 7, 8): (2, contacts | {HEAD}, set()),  # 催办单: the unit and its head
                date(2026, 7, 15): (3, contacts | {HEAD}, leaders),  # 督办通知单: the unit, its head; leaders copied
                date(2026, 7, 22): (4, contacts, set())}  # 通报: the unit
    assert sorted(received) == sorted(expected)
    for day, (level, acting, copied) in expected.items():
        messages = received[day]
        assert all(m.key.split(":")[0] in LADDER and m.key.split(":")[4] == str(level) for m in messages)
        assert Counter(m.to for m in messages) == Counter(acting | copied)  # one email per person
        assert contacts <= {m.to for m in messages}  # the unit it concerns is always among them
        for message in messages:
            if message.to in copied:
                assert message.subject.startswith("【抄送】")
                assert "无需在系统中反馈" in message.text and not ASKS_TO_REPLY.search(message.text)
                assert "查看" in message.html and "办理" not in message.html
            else:
                assert not message.subject.startswith("【抄送】")
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id)
                                        .order_by(SupervisionDocument.level)))
    for document, day in zip(documents, (date(2026, 7, 8), date(2026, 7, 15))):
        for message in received[day]:
            assert document.number in message.subject
            if message.to not in leaders:  # those who must act are asked to reply by the document's date
                assert ASKS_TO_REPLY.search(message.text) and document.number in message.text
    # The old 督办升级 sends nothing of its own: leaders heard of the task once, from the ladder's 督办.
    assert not [m for m in smtp.inbox.messages if m.key.startswith("escalation:")]
    for leader in leaders:
        assert len([m for m in smtp.inbox.to(leader) if m.key.split(":")[1] == str(task_id)]) == 1


def test_a_level_reached_with_others_at_once_sends_one_email_per_person(seeded, smtp):
    """A task found 40 working days late on the first scan: one email per person, the highest level's,
    naming the 督办通知单; the unit's head acts, the leaders get a copy."""
    task_12 = db.session.scalar(select(Task).where(Task.number == "12"))
    received = _run(date(2026, 6, 30), date(2026, 6, 30), smtp, task_12.id)[date(2026, 6, 30)]
    assert len({m.to for m in received}) == len(received)
    assert set(task_12.lead_unit.email_list) <= {m.to for m in received}
    assert _emails(Role.leader) <= {m.to for m in received}
    assert all(m.key.split(":")[0] == "document_issued" and "督办〔2026〕" in m.subject for m in received)


def test_a_leader_overseeing_other_units_gets_no_copy(seeded, smtp):
    from tracker.auth.services import create_user

    other = _unit("区科委")
    create_user(_user("admin"), login="fuquzhang", display_name="分管副区长", role=Role.leader,
                password="Leader-2026-pass", email="fuquzhang@example.gov.cn", overseen_unit_ids=[other.id])
    task_id = _new_task("建设西岑园区数字孪生平台", _unit("区经委")).id
    _run(date(2026, 7, 1), date(2026, 7, 16), smtp, task_id)
    assert not [m for m in smtp.inbox.to("fuquzhang@example.gov.cn") if m.key.split(":")[1] == str(task_id)]
    assert smtp.inbox.to("fuquzhang@example.gov.cn")  # (a copy about a task 区科委 leads: task 12)
    assert [m.key.split(":")[4] for m in smtp.inbox.to("leader@example.gov.cn")
            if m.key.split(":")[1] == str(task_id)] == ["3"]


def test_a_proposed_document_is_sent_when_issued(seeded, smtp, browser, on_date):
    unit = _unit("区经委")
    unit.head_email = HEAD
    task = _new_task("建设西岑园区数字孪生平台", unit)
    save_ladder_settings(_user("coordinator"), task.plan, sign_within_days=2, reply_within_days=5,
                         levels=[(1, ["unit"], False), (5, ["unit", "unit_head"], True),
                                 (10, ["unit", "unit_head", "leaders"], True), (15, ["unit"], False)],
                         document_mode="review")
    db.session.commit()
    received = _run(date(2026, 7, 1), date(2026, 7, 8), smtp, task.id)
    assert date(2026, 7, 8) not in received  # the 催办单 waits in the queue: nothing is sent yet
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task.id))
    assert document.is_proposed and document.serial is None
    on_date(date(2026, 7, 9))
    coordinator = browser("coordinator")
    response = coordinator.post(f"/documents/{document.id}/issue", {"version": document.version, "submit": "1"},
                                token_from=f"/documents/{document.id}")
    assert response.status_code == 302
    send_pending(datetime.now(BEIJING))
    document_id, task_id = document.id, task.id
    db.session.remove()
    document = db.session.get(SupervisionDocument, document_id)
    assert document.is_issued and document.number.startswith("催办〔2026〕") and document.issued_on == date(2026, 7, 9)
    sent = [m for m in smtp.inbox.messages if m.key.startswith(f"document_issued:{task_id}:doc{document_id}")]
    assert Counter(m.to for m in sent) == Counter({*_unit("区经委").email_list, HEAD})
    assert all(document.number in m.subject and ASKS_TO_REPLY.search(m.text) for m in sent)


def test_loop_events_reach_who_must_act_and_show_on_their_workbench(seeded, smtp, browser, on_date):
    on_date(date(2026, 6, 30))
    jingwei, kejiwei = _unit("区经委"), _unit("区科委")
    jingwei_emails, kejiwei_emails, kejiwei_id = list(jingwei.email_list), list(kejiwei.email_list), kejiwei.id
    coordinators, leaders = _emails(Role.coordinator), _emails(Role.leader)

    # 交办: the unit assigned hears it, once per address, and is asked to sign.
    task_id = _new_task("建设西岑园区数字孪生平台", jingwei, sign=False).id
    _deliver()
    assigned = [m for m in smtp.inbox.messages if m.key.startswith(f"task_assigned:{task_id}:")]
    assert Counter(m.to for m in assigned) == Counter(jingwei_emails)
    assert all("建设西岑园区数字孪生平台" in m.subject and "请登录系统签收" in m.text for m in assigned)

    # 退回交办: the coordinators hear it (with the reason); it is on their 工作台 until re-assigned.
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task_id))
    receipt_id = receipt.id
    refuse_receipt(_user("jingwei"), receipt, reason="不属于本单位职责", suggested_unit_id=kejiwei_id)
    _deliver()
    refused = [m for m in smtp.inbox.messages if m.key.startswith(f"receipt_refused:{receipt_id}:")]
    assert {m.to for m in refused} == coordinators and all("不属于本单位职责" in m.text for m in refused)
    assert re.search(r'href="/requests\?kind=refused" data-count="1"', browser("coordinator").get("/").text)

    # 重新交办: the new unit hears it.
    reassign(_user("coordinator"), db.session.get(Task, task_id), lead_unit_id=kejiwei_id, today=date(2026, 6, 30))
    _deliver()
    assigned = [m for m in smtp.inbox.messages if m.key.startswith(f"task_assigned:{task_id}:")
                and m.to in kejiwei_emails]
    assert Counter(m.to for m in assigned) == Counter(kejiwei_emails)
    assert re.search(r'href="/requests\?kind=refused" data-count="0"', browser("coordinator").get("/").text)

    # 反馈 to a 督办通知单: the coordinators hear it with the text; it is on their 工作台.
    task_12 = db.session.scalar(select(Task).where(Task.number == "12"))
    task_12_id = task_12.id
    run_reminders(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_12_id))
    number = document.number
    unit_user = db.session.scalar(select(User).where(User.unit_id == document.unit_id, User.role == Role.unit))
    reply_document(unit_user, document, text="设备采购延误，预计8月底完成。")
    _deliver()
    replied = [m for m in smtp.inbox.messages if m.key.startswith(f"document_replied:{task_12_id}:")]
    assert {m.to for m in replied} == coordinators and len(replied) == len(coordinators)
    assert all(number in m.subject and "设备采购延误" in m.text for m in replied)
    assert re.search(r'href="/documents\?state=replied&amp;since=[\d-]+" data-count="1"',
                     browser("coordinator").get("/").text)

    # A returned 办结申请: the lead unit hears the reason; it is on the unit's 工作台.
    task_3 = db.session.scalar(select(Task).where(Task.number == "3"))
    lead_emails = set(task_3.lead_unit.email_list)
    lead_user = db.session.scalar(select(User).where(User.unit_id == task_3.lead_unit_id, User.role == Role.unit))
    lead_login = lead_user.login
    closure = request_closure(lead_user, task_3, summary="已完成。", today=date(2026, 6, 30))
    _deliver()
    told = [m for m in smtp.inbox.messages if m.key.startswith(f"closure_requested:{closure.id}:")]
    assert {m.to for m in told} == coordinators
    decide_closure(_user("coordinator"), closure, verify=False, comment="缺少验收材料", today=date(2026, 6, 30))
    closure_id = closure.id
    _deliver()
    returned = [m for m in smtp.inbox.messages if m.key.startswith(f"closure_returned:{closure_id}:")]
    assert {m.to for m in returned} == lead_emails
    assert all("缺少验收材料" in m.text for m in returned)
    assert re.search(r'href="/tasks/mine\?show=closure_returned" data-count="1"', browser(lead_login).get("/").text)

    # Leaders are never asked to act on any of these events.
    loop_kinds = ("task_assigned", "receipt_refused", "document_replied", "closure_requested", "closure_returned")
    assert not [m for m in smtp.inbox.messages if m.to in leaders and m.key.split(":")[0] in loop_kinds]
