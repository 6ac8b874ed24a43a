"""The graded escalation ladder on a scripted clock (as the reminder tests run it): a task that is never
handled climbs 提醒 → 催办 → 督办 → 通报 on the configured working days, each level once, with its numbered
Word document and its email; an extension approved midway stops the climb; a document not answered by its
reply date moves the task up one level."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from docx import Document
from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.supervision.models import LadderStep, Receipt, SupervisionDocument
from tracker.supervision.services import decide_extension, request_extension, save_ladder_settings, sign_receipt
from tracker.tasks.models import ReportingCycle, Task
from tracker.tasks.services import save_task
from tracker.units.models import Unit

DUE = date(2026, 7, 1)  # a Wednesday; working days after it: 7-02 is the 1st, 7-08 the 5th, 7-15 the 10th, 7-22 the 15th
HEAD = "zhuren@jingwei.example.gov.cn"


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _never_handled_task() -> int:
    """A task of the Xicen plan led by 区经委 (its head's address on record), due 2026-07-01, signed for."""
    unit = db.session.scalar(select(Unit).where(Unit.short_name == "区经委"))
    unit.head_email = HEAD
    plan = db.session.scalar(select(Plan).order_by(Plan.id))
    task = save_task(_user("coordinator"), plan, None, number="17", title="建设西岑园区数字孪生平台", lead_unit_id=unit.id,
                     start_on=DUE, due_on=DUE, reporting_cycle=ReportingCycle.monthly, report_day=25,
                     today=date(2026, 6, 15))
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task.id))
    sign_receipt(_user("jingwei"), receipt)
    db.session.commit()
    return task.id


def _run(first: date, last: date, smtp, task_id: int) -> dict[date, list]:
    """Runs the reminder job at 09:05 and 15:05 of every day; the ladder emails about the task, by day."""
    received: dict[date, list] = {}
    day = first
    while day <= last:
        for hour in (9, 15):
            before = len(smtp.inbox.messages)
            run_reminders(datetime(day.year, day.month, day.day, hour, 5, tzinfo=BEIJING))
            mine = [m for m in smtp.inbox.messages[before:] if m.key.split(":")[0] in ("ladder_reached", "document_issued")
                    and m.key.split(":")[1] == str(task_id)]
            if mine:
                received.setdefault(day, []).extend(mine)
        day += timedelta(days=1)
    return received


def _steps(task_id: int) -> list[tuple]:
    db.session.remove()
    return [(s.level, s.reached_on, s.reason) for s in db.session.scalars(
        select(LadderStep).where(LadderStep.task_id == task_id).order_by(LadderStep.level))]


def test_a_task_never_handled_climbs_every_level_once(seeded, smtp):
    task_id = _never_handled_task()
    received = _run(date(2026, 7, 1), date(2026, 7, 24), smtp, task_id)
    assert _steps(task_id) == [(1, date(2026, 7, 2), "days"), (2, date(2026, 7, 8), "days"),
                               (3, date(2026, 7, 15), "days"), (4, date(2026, 7, 22), "days")]
    # Each level's email, once, to whom it is for: the unit's contacts; the unit and its head (催办单); the
    # unit and its head (督办通知单) with a copy to the leaders; the unit again ("it goes into the next 通报").
    assert sorted(received) == [date(2026, 7, 2), date(2026, 7, 8), date(2026, 7, 15), date(2026, 7, 22)]
    unit = db.session.scalar(select(Unit).where(Unit.short_name == "区经委"))
    leaders = {u.email for u in db.session.scalars(select(User).where(User.role == Role.leader))}
    assert {m.to for m in received[date(2026, 7, 2)]} == set(unit.email_list)
    assert {m.to for m in received[date(2026, 7, 8)]} == {*unit.email_list, HEAD}
    assert {m.to for m in received[date(2026, 7, 15)]} == {*unit.email_list, HEAD, *leaders}
    assert all(m.subject.startswith("【抄送】") for m in received[date(2026, 7, 15)] if m.to in leaders)
    assert {m.to for m in received[date(2026, 7, 22)]} == set(unit.email_list)  # "it goes into the next 通报"
    for messages in received.values():  # one email per person per event
        assert len({m.to for m in messages}) == len(messages)
    assert all("建设西岑园区数字孪生平台" in m.subject for msgs in received.values() for m in msgs)
    # Two numbered documents: a 催办单 at level 2 and a 督办通知单 at level 3, each a Word file.
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id)
                                        .order_by(SupervisionDocument.level)))
    assert [(d.level, d.prefix, d.issued_on, d.overdue_days) for d in documents] == [
        (2, "催办", date(2026, 7, 8), 5), (3, "督办", date(2026, 7, 15), 10)]
    assert documents[0].reply_by == date(2026, 7, 15)  # 5 working days
    for document, email_day in zip(documents, (date(2026, 7, 8), date(2026, 7, 15))):
        assert all(document.number in m.subject for m in received[email_day])
        text = "\n".join(p.text for p in Document(io.BytesIO(_docx(document.id))).paragraphs)
        assert document.number in text and "建设西岑园区数字孪生平台" in text and "青浦区经济委员会" in text
        assert f"已逾期{document.overdue_days}个工作日" in text
        assert f"{document.reply_by.year}年{document.reply_by.month}月{document.reply_by.day}日前" in text
    # The serials run on per year and prefix: the seeded overdue tasks got theirs first.
    serials = list(db.session.scalars(select(SupervisionDocument.serial).where(SupervisionDocument.prefix == "督办")
                                      .order_by(SupervisionDocument.serial)))
    assert serials == list(range(1, len(serials) + 1))


def _docx(document_id: int) -> bytes:
    from tracker.supervision.documents import document_docx

    return document_docx(db.session.get(SupervisionDocument, document_id))


def test_an_extension_approved_midway_stops_the_climb(seeded, smtp):
    task_id = _never_handled_task()
    _run(date(2026, 7, 1), date(2026, 7, 9), smtp, task_id)
    assert [level for level, _day, _reason in _steps(task_id)] == [1, 2]
    task = db.session.get(Task, task_id)
    extension = request_extension(_user("jingwei"), task, requested_due_on=date(2026, 9, 30), reason="设备到货推迟",
                                  today=date(2026, 7, 10))
    decide_extension(_user("coordinator"), extension, approve=True, today=date(2026, 7, 10))
    db.session.commit()
    received = _run(date(2026, 7, 10), date(2026, 7, 23), smtp, task_id)  # the July report is due 7-24
    assert received == {} and [level for level, _day, _reason in _steps(task_id)] == [1, 2]


def test_a_document_not_answered_moves_the_task_up_one_level(seeded, smtp):
    task_id = _never_handled_task()
    plan = db.session.get(Task, task_id).plan
    save_ladder_settings(_user("coordinator"), plan, sign_within_days=2, reply_within_days=2,
                         levels=[(1, "unit", False), (5, "unit_head", True), (30, "leaders", True),
                                 (40, "coordinators", False)])
    db.session.commit()
    _run(date(2026, 7, 1), date(2026, 7, 14), smtp, task_id)
    # The 催办单 of 7-08 was due back by 7-10: on 7-13 the task is at level 3 although only 8 days late.
    assert _steps(task_id) == [(1, date(2026, 7, 2), "days"), (2, date(2026, 7, 8), "days"),
                               (3, date(2026, 7, 13), "no_reply")]


def test_a_reply_in_time_keeps_the_level(seeded, smtp):
    task_id = _never_handled_task()
    plan = db.session.get(Task, task_id).plan
    save_ladder_settings(_user("coordinator"), plan, sign_within_days=2, reply_within_days=2,
                         levels=[(1, "unit", False), (5, "unit_head", True), (30, "leaders", True),
                                 (40, "coordinators", False)])
    db.session.commit()
    _run(date(2026, 7, 1), date(2026, 7, 9), smtp, task_id)
    from tracker.supervision.services import reply_document

    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id))
    reply_document(_user("jingwei"), document, text="设备采购延误，已督促供应商，预计8月底完成。")
    db.session.commit()
    _run(date(2026, 7, 10), date(2026, 7, 20), smtp, task_id)
    assert [level for level, _day, _reason in _steps(task_id)] == [1, 2]


def test_a_task_found_long_overdue_gets_one_notice_not_a_pile(seeded, smtp):
    """The first scan over the seed: task 12 is 40 working days late. Every level is recorded, the
    督办通知单 (the highest level with a document) is issued, and no 催办单 beside it; the unit hears once."""
    task_id = db.session.scalar(select(Task.id).where(Task.number == "12"))
    received = _run(date(2026, 6, 30), date(2026, 6, 30), smtp, task_id)
    assert [level for level, _day, _reason in _steps(task_id)] == [1, 2, 3, 4]
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id)))
    assert [(d.level, d.prefix) for d in documents] == [(3, "督办")]
    # One email per person: level 4's, naming the 督办通知单, to the unit and its head, copied to the leaders.
    kinds = [(m.key.split(":")[0], m.key.split(":")[4]) for m in received[date(2026, 6, 30)]]
    assert set(kinds) == {("document_issued", "4")}
    assert len({m.to for m in received[date(2026, 6, 30)]}) == len(kinds)
