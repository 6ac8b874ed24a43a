"""No lost updates: parallel edits of one task, the conflict message, and all-or-nothing writes."""
import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.clock import today
from tracker.common.errors import ConflictError
from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.tasks.services import save_task

WRITERS = 6


def _values(task, title):
    return dict(number=task.number, title=title, text=task.text, group_id=task.group_id, parent_id=task.parent_id,
                lead_unit_id=task.lead_unit_id, cooperating_unit_ids=[u.id for u in task.cooperating_units],
                start_on=task.start_on, due_on=task.due_on, reporting_cycle=task.reporting_cycle,
                report_day=task.report_day, status=task.status, progress=task.progress, today=today())


def _edit_in_parallel(app, task_id: int, version: int, round_no: int) -> dict[str, list[str]]:
    barrier = threading.Barrier(WRITERS)
    outcome: dict[str, list[str]] = {"saved": [], "conflict": [], "error": []}
    lock = threading.Lock()

    def writer(n: int) -> None:
        title = f"第{round_no}轮编辑{n}"
        with app.app_context():
            coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
            task = db.session.get(Task, task_id)
            values = _values(task, title)
            barrier.wait(timeout=30)  # every writer has read the same version before anyone saves
            try:
                save_task(coordinator, task.plan, task, **values, expected_version=version)
                db.session.commit()
                result = "saved"
            except (ConflictError, StaleDataError):
                db.session.rollback()
                result = "conflict"
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                result = "error"
                title = f"{title}: {error!r}"
            finally:
                db.session.remove()
        with lock:
            outcome[result].append(title)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_parallel_edits_one_wins_per_version_and_every_accepted_change_is_audited(seeded, app):
    task = db.session.scalar(select(Task).where(Task.number == "5"))
    task_id, version = task.id, task.version
    db.session.remove()
    winners = []
    for round_no in (1, 2, 3):
        outcome = _edit_in_parallel(app, task_id, version, round_no)
        assert outcome["error"] == []
        assert len(outcome["saved"]) == 1 and len(outcome["conflict"]) == WRITERS - 1, outcome
        winners += outcome["saved"]
        task = db.session.get(Task, task_id)
        assert task.title == outcome["saved"][0] and task.version == version + 1
        version = task.version
        db.session.remove()
    titles = [event.changes["title"][1] for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.task_id == task_id, AuditEvent.action == "task.updated")
        .order_by(AuditEvent.id))]
    assert titles == winners


def test_second_editor_sees_a_conflict_with_the_other_change(seeded, browser):
    task = db.session.scalar(select(Task).where(Task.number == "5"))
    task_id = task.id
    fields = {"number": "5", "text": task.text, "group_id": task.group_id, "parent_id": 0,
              "lead_unit_id": task.lead_unit_id, "cooperating_unit_ids": [u.id for u in task.cooperating_units],
              "start_on": task.start_on.isoformat(), "due_on": task.due_on.isoformat(), "reporting_cycle": "monthly",
              "report_day": 25, "status": task.status.value, "progress": task.progress}
    first, second = browser("coordinator"), browser("admin")
    url = f"/tasks/{task_id}/edit"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', first.get(url).text).group(1)
    assert first.post(url, {**fields, "title": "张三的修改", "version": version}, token_from=url).status_code == 302
    response = second.post(url, {**fields, "title": "李四的修改", "version": version}, token_from=url)
    assert response.status_code == 409
    assert "保存冲突" in response.text and "张三的修改" in response.text
    assert db.session.get(Task, task_id).title == "张三的修改"


def test_a_failure_after_the_first_write_leaves_nothing_behind(seeded, browser, monkeypatch):
    import tracker.tasks.services as task_services

    task = db.session.scalar(select(Task).where(Task.number == "5"))
    task_id, title, version = task.id, task.title, task.version
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    fields = {"number": "5", "title": "不应保存", "text": task.text, "group_id": task.group_id, "parent_id": 0,
              "lead_unit_id": task.lead_unit_id, "start_on": task.start_on.isoformat(),
              "due_on": task.due_on.isoformat(), "reporting_cycle": "monthly", "report_day": 25,
              "status": task.status.value, "progress": 99, "version": str(version)}

    def failing_record(*args, **kwargs):
        raise RuntimeError("disk full while writing the audit event")

    monkeypatch.setattr(task_services, "record", failing_record)
    coordinator = browser("coordinator")
    url = f"/tasks/{task_id}/edit"
    with pytest.raises(RuntimeError):
        coordinator.post(url, fields, token_from=url)
    db.session.remove()
    task = db.session.get(Task, task_id)
    assert (task.title, task.version, task.progress) == (title, version, task.progress)
    assert task.progress != 99
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
