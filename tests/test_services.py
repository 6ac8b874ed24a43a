"""Service rules without HTTP: validation, optimistic locking, progress roll-up, audit in the same transaction."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.common.errors import ConflictError, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks.models import Task, TaskStatus
from tracker.tasks.services import save_task
from tracker.units.models import Unit, UnitKind
from tracker.units.services import save_unit
from tracker.updates.evidence import EvidenceStore, IncomingFile
from tracker.updates.models import StatusUpdate
from tracker.updates.services import review_update, submit_update

TODAY = date(2026, 6, 30)


def _user(login):
    return db.session.scalar(select(User).where(User.login == login))


def _task(number):
    return db.session.scalar(select(Task).where(Task.number == number))


def _task_values(task, **changes):
    values = dict(number=task.number, title=task.title, text=task.text, group_id=task.group_id,
                  parent_id=task.parent_id, lead_unit_id=task.lead_unit_id,
                  cooperating_unit_ids=[u.id for u in task.cooperating_units], start_on=task.start_on,
                  due_on=task.due_on, reporting_cycle=task.reporting_cycle, report_day=task.report_day,
                  status=task.status, progress=task.progress, today=TODAY)
    values.update(changes)
    return values


def test_stale_edit_gets_a_conflict_showing_the_other_change(seeded):
    coordinator = _user("coordinator")
    task = _task("5")
    seen_version = task.version
    save_task(coordinator, task.plan, task, **_task_values(task, title="强化关键核心技术攻关（修订）"),
              expected_version=seen_version)
    db.session.commit()
    with pytest.raises(ConflictError) as conflict:
        save_task(coordinator, task.plan, task, **_task_values(task, title="另一人的修改"),
                  expected_version=seen_version)
    db.session.rollback()
    assert conflict.value.current["title"] == "强化关键核心技术攻关（修订）"
    assert _task("5").title == "强化关键核心技术攻关（修订）"


def test_sub_task_progress_rolls_up_to_the_parent(seeded):
    coordinator = _user("coordinator")
    parent = _task("6")
    plan = parent.plan
    for number, progress in (("6.1", 100), ("6.2", 20)):
        save_task(coordinator, plan, None, number=number, title=f"节点{number}", lead_unit_id=parent.lead_unit_id,
                  parent_id=parent.id, group_id=parent.group_id, progress=progress,
                  status=TaskStatus.in_progress, today=TODAY)
    db.session.commit()
    assert _task("6").progress == 60
    assert [child.number for child in _task("6").children] == ["6.1", "6.2"]


def test_task_rules(seeded):
    coordinator = _user("coordinator")
    task = _task("4")
    cases = [
        (dict(number="5"), "已有序号"),
        (dict(cooperating_unit_ids=[task.lead_unit_id]), "牵头单位不能同时作为配合单位"),
        (dict(start_on=date(2026, 7, 1), due_on=date(2026, 6, 1)), "完成时限不能早于开始日期"),
        (dict(parent_id=task.id), "上级任务不能形成循环"),
    ]
    for changes, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            save_task(coordinator, task.plan, task, **_task_values(task, **changes))
        db.session.rollback()


def test_unit_emails_are_validated(seeded):
    with pytest.raises(ValidationFailed, match="格式不正确"):
        save_unit(None, None, name="测试局", short_name="测试局", kind=UnitKind.other,
                  notification_emails="ok@example.gov.cn\nnot-an-address")
    db.session.rollback()
    unit = save_unit(None, None, name="测试局", short_name="测试局", kind=UnitKind.other,
                     notification_emails="a@example.gov.cn, b@example.gov.cn；a@example.gov.cn")
    assert unit.email_list == ["a@example.gov.cn", "b@example.gov.cn"]
    with pytest.raises(ValidationFailed, match="重复"):
        save_unit(None, None, name="青浦区科学技术委员会", short_name="新简称", kind=UnitKind.other)


def test_a_failed_write_leaves_nothing_behind(seeded, tmp_path):
    """The update row, its evidence file and its audit event go together or not at all."""
    unit_user = _user("jingwei")
    task = _task("7")
    store = EvidenceStore(tmp_path)
    counts = (db.session.scalar(select(func.count(StatusUpdate.id))),
              db.session.scalar(select(func.count(AuditEvent.id))))
    with pytest.raises(ValidationFailed):
        submit_update(unit_user, task, period="2026-06", progress_text="有附件", percent=10, today=TODAY,
                      store=store, allowed_extensions=("pdf",), max_bytes=10,
                      files=[IncomingFile("a.pdf", b"12345"), IncomingFile("b.pdf", b"x" * 11)])
    db.session.rollback()
    assert list(tmp_path.iterdir()) == []
    assert (db.session.scalar(select(func.count(StatusUpdate.id))),
            db.session.scalar(select(func.count(AuditEvent.id)))) == counts


def test_only_coordinators_review_and_units_report_on_their_tasks(seeded, tmp_path):
    store = EvidenceStore(tmp_path)
    task = _task("7")
    involved = {task.lead_unit_id, *(unit.id for unit in task.cooperating_units)}
    outsider = db.session.scalar(select(User).where(User.role == Role.unit, User.unit_id.not_in(involved)))
    with pytest.raises(PermissionDenied):
        submit_update(outsider, task, period="2026-06", progress_text="越权", percent=10, today=TODAY,
                      store=store, allowed_extensions=("pdf",), max_bytes=100)
    update = db.session.scalar(select(StatusUpdate).where(StatusUpdate.review_state == "submitted"))
    for login in ("leader", "kejiwei"):
        with pytest.raises(PermissionDenied):
            review_update(_user(login), update, decision="accept", today=TODAY)
    assert _user("leader").role == Role.leader


def test_plan_period_must_be_ordered(seeded):
    from tracker.plans.services import save_plan

    with pytest.raises(ValidationFailed, match="结束日期不能早于开始日期"):
        save_plan(None, None, title="测试方案", period_start=date(2026, 12, 31), period_end=date(2026, 1, 1))
    assert db.session.scalar(select(func.count(Plan.id))) == 1
    assert db.session.scalar(select(func.count(Unit.id))) > 0


def test_units_do_not_reach_tasks_of_a_draft_plan(seeded, browser):
    from tracker.plans.models import PlanStatus

    plan = db.session.scalar(select(Plan))
    task_id = _task("4").id
    plan.status = PlanStatus.draft
    db.session.commit()
    unit = browser("kejiwei")  # lead unit of task 4
    assert unit.get(f"/tasks/{task_id}").status_code == 403
    assert unit.get(f"/tasks/{task_id}/updates/new").status_code == 403
    assert browser("leader").get(f"/tasks/{task_id}").status_code == 200
