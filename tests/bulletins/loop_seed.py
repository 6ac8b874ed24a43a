"""The 督办 loop's rows for June 2026 on top of the Xicen demo seed, for the 通报 and 考评 tests: approved,
refused and late extensions, verified and returned closures, ladder steps of both kinds, returned
reports and receipts, with times on both sides of the Beijing month boundaries (UTC 16:00 is midnight).

Made through the loop's services where they exist (the rows are then what the app writes), with the
decision times set afterwards: the services stamp the real clock, the tests need June."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.supervision.models import LadderStep, Receipt
from tracker.supervision.services import decide_closure, decide_extension, request_closure, request_extension
from tracker.tasks.models import Task
from tracker.updates.models import ReviewState, StatusUpdate


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def lead_user(t: Task) -> User:
    return db.session.scalar(select(User).where(User.unit_id == t.lead_unit_id, User.role == Role.unit).order_by(User.id))


def coordinator() -> User:
    return db.session.scalar(select(User).where(User.login == "coordinator"))


def _extension(number: str, asked_on: date, new_due: date, decided_at: datetime, approve: bool = True):
    t = task(number)
    extension = request_extension(lead_user(t), t, requested_due_on=new_due, reason="资金下达推迟", today=asked_on)
    decide_extension(coordinator(), extension, approve=approve, comment="" if approve else "理由不充分",
                     today=asked_on)
    extension.decided_at = decided_at
    return extension


def _closure(number: str, decided_at: datetime, verify: bool = True):
    t = task(number)
    day = decided_at.date()
    closure = request_closure(lead_user(t), t, summary="已全部完成。", today=day)
    decide_closure(coordinator(), closure, verify=verify, comment="" if verify else "缺少验收材料", today=day)
    closure.decided_at = decided_at
    return closure


def _step(number: str, level: int, reached_on: date, overdue_days: int, kind: str = "task"):
    t = task(number)
    due_on = t.due_on if kind == "task" else date(2026, 5, 25)
    db.session.add(LadderStep(task_id=t.id, kind=kind, due_on=due_on, period=None if kind == "task" else "2026-05",
                              level=level, reached_on=reached_on, overdue_days=overdue_days,
                              lead_unit_id=t.lead_unit_id))


def _returned(number: str, period: str, reviewed_at: datetime):
    t = task(number)
    author = lead_user(t)
    db.session.add(StatusUpdate(task_id=t.id, unit_id=t.lead_unit_id, author_id=author.id, period=period,
                                progress_text="材料不全", percent=10, submitted_at=reviewed_at,
                                review_state=ReviewState.returned, reviewer_id=coordinator().id,
                                reviewed_at=reviewed_at, review_comment="请补充材料"))


def seed_june_loop() -> None:
    # 延期: task 8 approved 10 June; task 11 asked after its due date (late), approved 22 June; task 9
    # approved at 00:30 on 1 July Beijing time (July, not June); task 10 refused in June (not granted).
    _extension("8", date(2026, 6, 8), date(2026, 12, 31), utc(2026, 6, 10, 2))
    _extension("11", date(2026, 6, 20), date(2026, 9, 30), utc(2026, 6, 22, 3))
    _extension("9", date(2026, 6, 29), date(2026, 12, 31), utc(2026, 6, 30, 16, 30))
    _extension("10", date(2026, 6, 12), date(2026, 12, 31), utc(2026, 6, 15, 3), approve=False)
    # 办结: task 5 verified 19 June (due 31 Dec: on time); task 3 verified 25 June (due 31 March: late);
    # task 7 verified at 04:00 on 1 June Beijing time (31 May UTC: June, on time); task 6 returned.
    _closure("5", utc(2026, 6, 19, 4))
    _closure("3", utc(2026, 6, 25, 4))
    _closure("7", utc(2026, 5, 31, 20))
    _closure("6", utc(2026, 6, 26, 4), verify=False)
    # 督办等级: task 12 climbed 提醒 (May) → 催办 → 督办 → 通报 (June); task 15 reached 通报 on 29 June;
    # task 13's missing May report 提醒 and 催办 in June; task 4 提醒 on 1 July (July).
    _step("12", 1, date(2026, 5, 6), 1)
    _step("12", 2, date(2026, 6, 1), 20)
    _step("12", 3, date(2026, 6, 8), 25)
    _step("12", 4, date(2026, 6, 15), 30)
    _step("15", 1, date(2026, 6, 1), 1)
    _step("15", 4, date(2026, 6, 29), 20)
    _step("13", 1, date(2026, 6, 1), 1, kind="report")
    _step("13", 2, date(2026, 6, 5), 5, kind="report")
    _step("4", 1, date(2026, 7, 1), 1)
    # 退回: 区经委 twice in June (task 6) and once at 00:30 on 1 July Beijing time; 区科委 once on 1 June
    # (Beijing; 31 May UTC) on task 9.
    _returned("6", "2026-05", utc(2026, 6, 3, 2))
    _returned("6", "2026-06", utc(2026, 6, 26, 2))
    _returned("8", "2026-06", utc(2026, 6, 30, 16, 30))
    _returned("9", "2026-05", utc(2026, 5, 31, 17))
    # 签收: 区发改委's receipt of task 11 is past its sign-by day; 区人社局's of task 15 is not yet due.
    for number, sign_by in (("11", date(2026, 6, 20)), ("15", date(2026, 7, 10))):
        t = task(number)
        db.session.add(Receipt(task_id=t.id, unit_id=t.lead_unit_id, role="lead", sign_by=sign_by))
    db.session.commit()
