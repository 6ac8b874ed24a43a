"""分管单位: a leader who oversees units hears only of the ladder's 督办 (the copy of the 督办通知单) of tasks
those units lead; a leader who oversees none hears of all. Set on the admin's user form."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.auth.services import create_user
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification
from tracker.reminders.scan import run_scan
from tracker.tasks.models import Task
from tracker.units.models import Unit

AT = datetime(2026, 6, 30, 9, 30, tzinfo=BEIJING)  # tasks 3, 12, 15 and 11 are overdue by more than 5 days


def _escalated_numbers(user: User) -> set[str]:
    task_ids = db.session.scalars(select(Notification.task_id).where(
        Notification.kind.in_(("document_issued", "ladder_reached")), Notification.recipient_user_id == user.id))
    return {db.session.get(Task, task_id).number for task_id in task_ids}


def _supervised_numbers() -> set[str]:
    """The tasks that reached 督办 (level 3, copied to leaders) in the scan."""
    from tracker.supervision.models import LadderStep

    return set(db.session.scalars(select(Task.number).join(LadderStep, LadderStep.task_id == Task.id)
                                  .where(LadderStep.level >= 3)))


def test_a_leader_overseeing_units_hears_only_of_their_tasks(seeded, on_date):
    task_3 = db.session.scalar(select(Task).where(Task.number == "3"))
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    district_leader = create_user(admin, login="fuquzhang", display_name="分管副区长", role=Role.leader,
                                  password="Leader-2026-pass", email="fuquzhang@example.gov.cn",
                                  overseen_unit_ids=[task_3.lead_unit_id])
    db.session.commit()
    run_scan(AT)
    db.session.commit()
    everyone = db.session.scalar(select(User).where(User.login == "leader"))  # oversees no units in particular
    supervised = _supervised_numbers()
    assert _escalated_numbers(everyone) == supervised and {"3", "12"} <= supervised
    led_by_unit = set(db.session.scalars(select(Task.number).where(Task.lead_unit_id == task_3.lead_unit_id)))
    assert _escalated_numbers(district_leader) == supervised & led_by_unit == {"3"}
    assert not db.session.scalars(select(Notification).where(Notification.kind == "escalation")).first()


def test_the_admin_sets_a_leaders_units_and_nobody_else_has_any(seeded, browser):
    admin = browser("secadmin")  # accounts are the security administrator's (三员分立)
    units = list(db.session.scalars(select(Unit).order_by(Unit.id).limit(2)))
    form = {"login": "lingdao2", "display_name": "领导二", "email": "", "role": "leader", "unit_id": "0",
            "locale": "zh_CN", "is_active_user": "y", "password": "Leader-2026-pass",
            "overseen_unit_ids": [str(unit.id) for unit in units]}
    assert admin.post("/users/new", form, token_from="/users/new").status_code == 302
    leader = db.session.scalar(select(User).where(User.login == "lingdao2"))
    assert {unit.id for unit in leader.overseen_units} == {unit.id for unit in units}
    page = admin.get(f"/users/{leader.id}/edit").text
    assert page.count("selected") >= 2 and "分管单位" in page

    # a unit user has no 分管单位, whatever the form says; an unknown unit is refused with a message
    form.update(login="danwei2", role="unit", unit_id=str(units[0].id))
    assert admin.post("/users/new", form, token_from="/users/new").status_code == 302
    assert db.session.scalar(select(User).where(User.login == "danwei2")).overseen_units == []
    form.update(login="lingdao3", role="leader", unit_id="0", overseen_unit_ids=["999999"])
    response = admin.post("/users/new", form, token_from="/users/new")
    assert response.status_code == 200 and "分管单位中有不存在的单位。" in response.text
    assert db.session.scalar(select(User).where(User.login == "lingdao3")) is None
