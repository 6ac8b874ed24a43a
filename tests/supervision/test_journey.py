"""The 督办 closed loop on the seeded Xicen plan, through the real pages: a task assigned, signed for, an
extension requested and approved, reports filed, a closure returned then verified and 销号; the task page,
the ledger and the audit trail show each step with who and when."""
from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.outbox.models import Notification, NotificationKind
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest, ExtensionState, Receipt,
                                        ReceiptState)
from tracker.tasks.models import Task, TaskStatus
from tracker.overdue.queries import overdue_list
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate

DAY = date(2026, 6, 30)


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def _edit_form(task: Task, **changes) -> dict:
    data = {"number": task.number, "title": task.title, "text": task.text, "group_id": task.group_id or 0,
            "parent_id": 0, "lead_unit_id": task.lead_unit_id,
            "cooperating_unit_ids": [u.id for u in task.cooperating_units], "start_on": task.start_on.isoformat(),
            "due_on": task.due_on.isoformat(), "reporting_cycle": task.reporting_cycle.value,
            "report_day": task.report_day, "status": task.status.value, "progress": task.progress,
            "version": task.version}
    data.update(changes)
    return data


def _receipt(task_id: int, unit_id: int) -> Receipt:
    return db.session.scalar(select(Receipt).where(Receipt.task_id == task_id, Receipt.unit_id == unit_id)
                             .order_by(Receipt.id.desc()))


def test_assign_sign_extend_report_close(seeded, on_date, browser):
    on_date(DAY)
    task = _task("7")  # 区经委 leads
    task_id, old_lead = task.id, task.lead_unit_id
    coordinator, kejiwei, jingwei = browser("coordinator"), browser("kejiwei"), browser("jingwei")

    # 立项交办: the coordinator re-assigns task 7 to 区科委; it waits for 区科委's 签收.
    response = coordinator.post(f"/tasks/{task_id}/reassign", {"lead_unit_id": _unit("区科委").id,
                                                              "version": task.version}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    receipt = _receipt(task_id, _unit("区科委").id)
    assert receipt.state == ReceiptState.pending and receipt.role == "lead"
    assert receipt.sign_by == date(2026, 7, 2)  # 2 working days
    # 区经委 is no longer on the task: it cannot report or ask for anything.
    assert jingwei.get(f"/tasks/{task_id}/extension/new").status_code == 403

    # 退回交办 first: not our remit, says 区科委, naming 区经委.
    page = kejiwei.get(f"/tasks/{task_id}").text
    assert "签收" in page and "退回交办" in page
    response = kejiwei.post(f"/receipts/{receipt.id}/sign", {"refuse": "1", "reason": "不属于本单位职责",
                                                              "suggested_unit_id": old_lead, "version": "1"},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    assert _receipt(task_id, _unit("区科委").id).state == ReceiptState.refused
    assert db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.receipt_refused)) \
        is not None  # coordinators hear of it
    # The coordinator re-assigns it back to 区经委, who signs for it.
    response = coordinator.post(f"/tasks/{task_id}/reassign", {"lead_unit_id": old_lead,
                                                              "version": _task("7").version},
                                token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    receipt = _receipt(task_id, old_lead)
    assert receipt.state == ReceiptState.pending
    # Unsigned past the sign-by day, it is on the overdue list as 未签收.
    assert ("receipt", "7") in {(row.kind, row.task.number) for row in overdue_list(date(2026, 7, 6))}
    jingwei.post(f"/receipts/{receipt.id}/sign", {"sign": "1", "version": receipt.version},
                 token_from=f"/tasks/{task_id}")
    receipt = _receipt(task_id, old_lead)
    assert receipt.state == ReceiptState.signed and receipt.answered_by.login == "jingwei"
    assert ("receipt", "7") not in {(row.kind, row.task.number) for row in overdue_list(date(2026, 7, 6))}

    # 延期申请 by the lead unit, approved with a different date.
    original_due = _task("7").due_on
    response = jingwei.post(f"/tasks/{task_id}/extension/new",
                            {"requested_due_on": "2027-03-31", "reason": "专项资金下达推迟"},
                            token_from=f"/tasks/{task_id}/extension/new")
    assert response.status_code == 302
    again = jingwei.post(f"/tasks/{task_id}/extension/new", {"requested_due_on": "2027-04-30", "reason": "再次"},
                         token_from=f"/tasks/{task_id}/extension/new")
    assert again.status_code == 400 and "已有待审批的延期申请" in again.text  # one open request per task
    extension = db.session.scalar(select(ExtensionRequest).where(ExtensionRequest.task_id == task_id))
    assert "专项资金下达推迟" in coordinator.get("/requests").text
    response = coordinator.post(f"/extensions/{extension.id}/decide",
                                {"approve": "1", "due_on": "2027-04-30", "version": extension.version},
                                token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    extension = db.session.get(ExtensionRequest, extension.id)
    assert extension.state == ExtensionState.approved and extension.approved_due_on == date(2027, 4, 30)
    assert _task("7").due_on == date(2027, 4, 30)
    assert db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.extension_decided))

    # Reports filed and accepted: 100 % does not close the task.
    response = jingwei.post(f"/tasks/{task_id}/updates/new",
                            {"period": "2026-06", "progress_text": "全部建设内容已完成。", "percent": "100"},
                            token_from=f"/tasks/{task_id}/updates/new")
    assert response.status_code == 302
    update = db.session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task_id)
                               .order_by(StatusUpdate.id.desc()))
    coordinator.post(f"/updates/{update.id}/review", {"accept": "1", "version": update.version}, token_from="/reviews")
    assert _task("7").status == TaskStatus.in_progress and _task("7").progress == 100

    # 办结申请, returned with a reason, filed again, verified and 销号.
    jingwei.post(f"/tasks/{task_id}/closure/new", {"summary": "已完成全部建设内容。"},
                 token_from=f"/tasks/{task_id}/closure/new")
    closure = db.session.scalar(select(ClosureRequest).where(ClosureRequest.task_id == task_id))
    refused = coordinator.post(f"/closures/{closure.id}/decide", {"reject": "1", "comment": "", "version": "1"},
                               token_from=f"/tasks/{task_id}")
    assert refused.status_code == 302 and db.session.get(ClosureRequest, closure.id).state == ClosureState.pending
    coordinator.post(f"/closures/{closure.id}/decide", {"reject": "1", "comment": "缺少验收材料", "version": "1"},
                     token_from=f"/tasks/{task_id}")
    assert db.session.get(ClosureRequest, closure.id).state == ClosureState.returned
    assert db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.closure_returned))
    assert _task("7").status == TaskStatus.in_progress
    jingwei.post(f"/tasks/{task_id}/closure/new", {"summary": "已补充验收材料，全部完成。"},
                 token_from=f"/tasks/{task_id}/closure/new")
    second = db.session.scalar(select(ClosureRequest).where(ClosureRequest.task_id == task_id,
                                                            ClosureRequest.state == ClosureState.pending))
    coordinator.post(f"/closures/{second.id}/decide", {"approve": "1", "version": second.version},
                     token_from=f"/tasks/{task_id}")
    closed = _task("7")
    assert closed.status == TaskStatus.completed and closed.completed_on == DAY

    # The task page shows each step with who and when.
    page = coordinator.get(f"/tasks/{task_id}").text
    assert re.search(r'id="original-due-on">\s*2026-', page) and "2027-04-30" in page
    assert original_due.isoformat() in page
    closed_by = re.search(r'id="closed-by">(.*?)</p>', page, re.S).group(1)
    assert "区府办督查科" in closed_by and "2026-" in closed_by
    for text in ("不属于本单位职责", "专项资金下达推迟", "缺少验收材料", "已补充验收材料", "已签收"):
        assert text in page, text
    # The audit trail has every step, each with its actor.
    events = list(db.session.execute(select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.task_id == task_id).order_by(AuditEvent.id)))
    actions = [action for action, _actor in events]
    for action in ("task.reassigned", "receipt.assigned", "receipt.refused", "receipt.signed", "extension.requested",
                   "task.due_date_extended", "extension.approved", "closure.requested", "closure.returned",
                   "closure.verified", "task.closed"):
        assert action in actions, action
    assert all(actor is not None for action, actor in events if action.startswith(("receipt.signed", "closure.")))
    # The ledger shows the original and adjusted due dates.
    ledger = coordinator.get(f"/plans/{closed.plan_id}/ledger.xlsx")
    assert ledger.status_code == 200
    sheet = load_workbook(io.BytesIO(ledger.data)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in values if row and "原定时限" in [str(c) for c in row])
    row7 = next(row for row in values if row and str(row[0]) == "7")
    assert str(row7[header.index("原定时限")]).startswith(original_due.isoformat())
    assert str(row7[header.index("调整后时限")]).startswith("2027-04-30")


def test_reopening_needs_a_reason_and_is_audited(seeded, on_date, browser):
    on_date(DAY)
    task = _task("1")  # completed in the seed
    task_id, version = task.id, task.version
    coordinator = browser("coordinator")
    response = coordinator.post(f"/tasks/{task_id}/reopen", {"reason": "", "version": version},
                                token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and _task("1").status == TaskStatus.completed
    coordinator.post(f"/tasks/{task_id}/reopen", {"reason": "复查发现问题", "version": version},
                     token_from=f"/tasks/{task_id}")
    assert _task("1").status == TaskStatus.in_progress
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.reopened"))
    assert event.changes["reason"] == "复查发现问题" and event.actor.login == "coordinator"


def test_the_edit_form_cannot_close_a_task(seeded, on_date, browser):
    on_date(DAY)
    task = _task("11")
    task_id, data = task.id, _edit_form(task, status="completed", progress=100)
    coordinator = browser("coordinator")
    response = coordinator.post(f"/tasks/{task_id}/edit", data, token_from=f"/tasks/{task_id}/edit")
    assert response.status_code == 200 and "办结申请" in response.text
    assert _task("11").status != TaskStatus.completed


def test_a_wrong_unit_cannot_act_on_the_loop(seeded, on_date, browser):
    on_date(DAY)
    task_id = _task("4").id  # 区科委 leads, 区数据局 cooperates
    coop, other = browser("shujuju"), browser("jingwei")
    assert coop.get(f"/tasks/{task_id}/extension/new").status_code == 403  # only the lead unit asks
    assert other.get(f"/tasks/{task_id}/closure/new").status_code == 403
    assert other.post(f"/tasks/{task_id}/reassign", {"lead_unit_id": 1}).status_code == 403
    assert browser("kejiwei").get("/requests").status_code == 403
