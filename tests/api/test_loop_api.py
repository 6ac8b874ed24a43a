"""The 督办 loop through /api/v1 on the seeded Xicen plan: a token holder of the lead unit signs for a task
(签收) or refuses it and the coordinator re-assigns it, asks for an extension, a coordinator's token
approves it, a closure is returned then verified (销号) and the task reopened; the ladder's documents are
read and answered (反馈) and a 约谈 recorded at level 4. Wrong units get 403, bad bodies 400/422, stale
versions 409 with the current record, and a refused request changes nothing.

The rules are the services' (tracker/supervision/services.py); these tests check the API reaches them
with the screens' permissions, and that what it answers is what the database holds.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from tests.api.test_api import World, assert_error
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification, NotificationKind
from tracker.supervision import services as loop
from tracker.supervision.models import (ClosureRequest, ExtensionRequest, Interview, LadderStep, Receipt,
                                        ReceiptState, SupervisionDocument)
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)


@pytest.fixture
def world(seeded, on_date, client):
    on_date(DAY)
    return World(client)


def loop_state() -> dict:
    """Every row of the loop and of the tasks, and the audit count: what a refused request must not touch."""
    db.session.remove()

    def rows(model):
        return sorted(tuple(getattr(row, column.key) for column in model.__table__.columns)
                      for row in db.session.scalars(select(model)))

    return {"receipts": rows(Receipt), "extensions": rows(ExtensionRequest), "closures": rows(ClosureRequest),
            "documents": rows(SupervisionDocument), "interviews": rows(Interview), "tasks": rows(Task),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.object_type != "api_tokens")),
            "outbox": db.session.scalar(select(func.count()).select_from(Notification))}


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def reassigned_task_7(world) -> tuple[int, int]:
    """Task 7 (lead 区经委) re-assigned by the coordinator to 区科委, whose 签收 is pending: (task, receipt)."""
    task = db.session.get(Task, world.task_id("7"))
    loop.reassign(user("coordinator"), task, lead_unit_id=world.unit_id("区科委"), today=DAY)
    db.session.commit()
    receipt_id = db.session.scalar(select(Receipt.id).where(Receipt.task_id == task.id,
                                                            Receipt.state == ReceiptState.pending,
                                                            Receipt.role == "lead"))
    return task.id, receipt_id


def post(world, login, url, body):
    return world.call(login, "POST", url, json=body)


def test_sign_extend_approve_return_and_verify_through_the_api(world):
    task_id, receipt_id = reassigned_task_7(world)
    kejiwei = db.session.scalar(select(User.display_name).where(User.login == "kejiwei"))
    audited_before = db.session.scalar(select(func.max(AuditEvent.id)))

    # 签收: the receipts list shows the pending one first (newest first); only 区科委 may sign it.
    receipts = world.get("kejiwei", f"/api/v1/tasks/{task_id}/receipts").get_json()
    first = receipts["items"][0]
    assert (first["id"], first["state"], first["role"], first["unit"]["short_name"]) == (
        receipt_id, "pending", "lead", "区科委")
    assert first["sign_by"] == "2026-07-02"  # two working days after 6-30
    assert receipts["total"] == db.session.scalar(select(func.count()).where(Receipt.task_id == task_id))
    before = loop_state()
    for login in ("jingwei", "kechuangjituan", "coordinator", "leader"):  # old lead, cooperating unit, managers
        assert_error(post(world, login, f"/api/v1/receipts/{receipt_id}/sign", {"decision": "sign"}), 403, "forbidden")
    assert_error(post(world, "kejiwei", f"/api/v1/receipts/{receipt_id}/sign", {"decision": "maybe"}), 400,
                 "invalid_request")
    error = assert_error(post(world, "kejiwei", f"/api/v1/receipts/{receipt_id}/sign",
                              {"decision": "refuse", "reason": "   "}), 422, "rule_violation")
    assert "理由" in error["message"]
    error = assert_error(post(world, "kejiwei", f"/api/v1/receipts/{receipt_id}/sign",
                              {"decision": "sign", "version": first["version"] + 1}), 409, "version_conflict")
    assert error["current"] == first
    assert loop_state() == before

    signed = post(world, "kejiwei", f"/api/v1/receipts/{receipt_id}/sign",
                  {"decision": "sign", "version": first["version"]})
    assert signed.status_code == 200, signed.get_json()
    body = signed.get_json()
    assert (body["state"], body["answered_by"]["display_name"], body["version"]) == (
        "signed", kejiwei, first["version"] + 1)
    assert body["answered_at"]
    assert_error(post(world, "kejiwei", f"/api/v1/receipts/{receipt_id}/sign", {"decision": "sign"}), 422)

    # 延期申请 by the lead unit; a cooperating unit may not ask; one open request per task.
    request_body = {"requested_due_on": "2027-03-31", "reason": "资金下达推迟，设备采购顺延"}
    before = loop_state()
    assert_error(post(world, "kechuangjituan", f"/api/v1/tasks/{task_id}/extensions", request_body), 403)
    assert_error(post(world, "qingxiban", f"/api/v1/tasks/{task_id}/extensions", request_body), 403)
    assert_error(post(world, "coordinator", f"/api/v1/tasks/{task_id}/extensions", request_body), 403)
    assert_error(post(world, "kejiwei", f"/api/v1/tasks/{task_id}/extensions",
                      {"requested_due_on": "2027-02-30", "reason": "x"}), 400)
    assert_error(post(world, "kejiwei", f"/api/v1/tasks/{task_id}/extensions",
                      {"requested_due_on": "2026-11-30", "reason": "早于现行时限"}), 422, "rule_violation")
    assert loop_state() == before
    created = post(world, "kejiwei", f"/api/v1/tasks/{task_id}/extensions", request_body)
    assert created.status_code == 201, created.get_json()
    extension = created.get_json()
    assert (extension["state"], extension["is_late"], extension["due_on_before"], extension["requested_due_on"]) == (
        "pending", False, "2026-12-31", "2027-03-31")
    assert extension["requested_by"]["display_name"] == kejiwei
    before = loop_state()
    assert_error(post(world, "kejiwei", f"/api/v1/tasks/{task_id}/extensions", request_body), 422, "rule_violation")
    assert loop_state() == before

    # The coordinator's token decides it; the unit and the leader may not; a stale version is 409.
    url = f"/api/v1/extensions/{extension['id']}/decision"
    for login in ("kejiwei", "leader"):
        assert_error(post(world, login, url, {"approve": True}), 403)
    assert_error(post(world, "coordinator", url, {"approve": "yes"}), 400)
    assert_error(post(world, "coordinator", url, {"approve": False, "comment": ""}), 422)  # a refusal needs a reason
    error = assert_error(post(world, "coordinator", url, {"approve": True, "version": extension["version"] + 1}), 409)
    assert error["current"] == world.get("coordinator", f"/api/v1/tasks/{task_id}/extensions").get_json()["items"][0]
    assert loop_state() == before
    approved = post(world, "coordinator", url, {"approve": True, "due_on": "2027-02-28", "comment": "同意，压缩一个月",
                                                 "version": extension["version"]})
    assert approved.status_code == 200, approved.get_json()
    decided = approved.get_json()
    assert (decided["state"], decided["approved_due_on"], decided["decision_comment"]) == (
        "approved", "2027-02-28", "同意，压缩一个月")
    assert decided["decided_by"]["display_name"] == user("coordinator").display_name
    task = world.get("kejiwei", f"/api/v1/tasks/{task_id}").get_json()
    assert (task["due_on"], task["original_due_on"]) == ("2027-02-28", "2026-12-31")  # 调整后时限 / 原定时限
    assert_error(post(world, "coordinator", url, {"approve": False, "comment": "改主意了"}), 422)  # decided already

    # 办结申请 → returned with a reason → filed again → verified (销号).
    closures_url = f"/api/v1/tasks/{task_id}/closures"
    assert_error(post(world, "kechuangjituan", closures_url, {"summary": "冒名办结"}), 403)
    assert_error(post(world, "kejiwei", closures_url, {"summary": ""}), 400)
    first_closure = post(world, "kejiwei", closures_url, {"summary": "平台已上线运行。"})
    assert first_closure.status_code == 201
    closure = first_closure.get_json()
    assert (closure["state"], closure["due_on"], closure["summary"]) == ("pending", "2027-02-28", "平台已上线运行。")
    decision = f"/api/v1/closures/{closure['id']}/decision"
    before = loop_state()
    assert_error(post(world, "kejiwei", decision, {"verify": True}), 403)
    assert_error(post(world, "leader", decision, {"verify": True}), 403)
    assert_error(post(world, "coordinator", decision, {"verify": False}), 422)  # returned without a reason
    assert_error(post(world, "coordinator", decision, {"verify": 1}), 400)
    error = assert_error(post(world, "coordinator", decision, {"verify": True, "version": 7}), 409)
    assert error["current"]["state"] == "pending" and error["current"]["id"] == closure["id"]
    assert loop_state() == before
    returned = post(world, "coordinator", decision, {"verify": False, "comment": "缺少验收报告"})
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    assert world.get("kejiwei", f"/api/v1/tasks/{task_id}").get_json()["status"] == "in_progress"
    second = post(world, "kejiwei", closures_url, {"summary": "平台已上线运行，验收报告已上传。"}).get_json()
    verified = post(world, "coordinator", f"/api/v1/closures/{second['id']}/decision",
                    {"verify": True, "comment": "材料齐全", "version": second["version"]})
    assert verified.status_code == 200
    assert verified.get_json()["state"] == "verified" and verified.get_json()["decided_at"]
    task = world.get("kejiwei", f"/api/v1/tasks/{task_id}").get_json()
    assert (task["status"], task["progress"], task["completed_on"], task["escalation_level"]) == (
        "completed", 100, "2026-06-30", 0)
    closures = world.get("leader", closures_url).get_json()["items"]
    assert [(c["state"], c["decision_comment"]) for c in closures] == [("returned", "缺少验收报告"),
                                                                       ("verified", "材料齐全")]

    # The audit trail has each step with who did it; the unit heard of the decisions.
    db.session.remove()
    trail = [(event.action, event.actor.login if event.actor else None) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.task_id == task_id, AuditEvent.id > audited_before)
        .order_by(AuditEvent.id))]
    assert trail == [
        ("receipt.signed", "kejiwei"), ("extension.requested", "kejiwei"), ("task.due_date_extended", "coordinator"),
        ("extension.approved", "coordinator"), ("closure.requested", "kejiwei"), ("closure.returned", "coordinator"),
        ("closure.requested", "kejiwei"), ("task.closed", "coordinator"), ("closure.verified", "coordinator")]
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {NotificationKind.extension_decided, NotificationKind.closure_returned} <= kinds

    # Reopening a signed-off task: coordinators only, with a reason, audited.
    reopen = f"/api/v1/tasks/{task_id}/reopen"
    before = loop_state()
    assert_error(post(world, "kejiwei", reopen, {"reason": "想再改改"}), 403)
    assert_error(post(world, "coordinator", reopen, {"reason": ""}), 400)
    assert_error(post(world, "coordinator", reopen, {"reason": "   "}), 422)
    assert_error(post(world, "coordinator", reopen, {"reason": "复查", "version": task["version"] + 5}), 409)
    assert loop_state() == before
    reopened = post(world, "coordinator", reopen, {"reason": "复查发现验收材料不实", "version": task["version"]})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "in_progress"
    db.session.remove()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                       AuditEvent.action == "task.reopened"))
    assert event.actor.login == "coordinator" and event.changes["reason"] == "复查发现验收材料不实"


def test_a_refusal_names_the_unit_believed_responsible(world):
    task_id, receipt_id = reassigned_task_7(world)
    url = f"/api/v1/receipts/{receipt_id}/sign"
    before = loop_state()
    assert_error(post(world, "kejiwei", url, {"decision": "refuse", "reason": "不属于本单位职责",
                                              "suggested_unit_id": 424242}), 422, "rule_violation")
    assert_error(post(world, "kejiwei", url, {"decision": "refuse", "reason": "x", "suggested_unit_id": "3"}), 400)
    assert loop_state() == before
    jingwei = world.unit_id("区经委")
    refused = post(world, "kejiwei", url, {"decision": "refuse", "reason": "不属于本单位职责",
                                           "suggested_unit_id": jingwei})
    assert refused.status_code == 200
    body = refused.get_json()
    assert (body["state"], body["refusal_reason"], body["suggested_unit"]["id"]) == (
        "refused", "不属于本单位职责", jingwei)
    db.session.remove()
    assert db.session.scalar(select(func.count()).where(Notification.kind == NotificationKind.receipt_refused)) >= 1

    # 重新交办 by the coordinator, to the unit 区科委 named.
    reassign = f"/api/v1/tasks/{task_id}/reassign"
    version = world.get("coordinator", f"/api/v1/tasks/{task_id}").get_json()["version"]
    before = loop_state()
    assert_error(post(world, "kejiwei", reassign, {"lead_unit_id": jingwei}), 403)
    assert_error(post(world, "leader", reassign, {"lead_unit_id": jingwei}), 403)
    assert_error(post(world, "coordinator", reassign, {"lead_unit_id": 424242}), 422, "rule_violation")
    assert_error(post(world, "coordinator", reassign, {}), 400)
    error = assert_error(post(world, "coordinator", reassign, {"lead_unit_id": jingwei, "version": version + 1}), 409)
    assert error["current"]["version"] == version and error["current"]["lead_unit"]["short_name"] == "区科委"
    assert loop_state() == before
    moved = post(world, "coordinator", reassign, {"lead_unit_id": jingwei, "version": version})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["lead_unit"]["short_name"] == "区经委"
    receipts = world.get("jingwei", f"/api/v1/tasks/{task_id}/receipts").get_json()["items"]
    assert [(r["unit"]["short_name"], r["state"]) for r in receipts[:2]] == [("区经委", "pending"), ("区科委", "refused")]


def test_reading_the_loop_follows_the_task_pages_rules(world):
    task_id = world.task_id("4")  # 区科委 leads, 区数据局 cooperates, 青西办 has nothing to do with it
    for name in ("receipts", "extensions", "closures", "ladder"):
        for login in ("kejiwei", "shujuju", "leader", "coordinator"):
            assert world.get(login, f"/api/v1/tasks/{task_id}/{name}").status_code == 200, (name, login)
        assert_error(world.get("qingxiban", f"/api/v1/tasks/{task_id}/{name}"), 403, "forbidden")
        assert_error(world.get("coordinator", f"/api/v1/tasks/999999/{name}"), 404, "not_found")
    for url in ("/api/v1/receipts/999999/sign", "/api/v1/extensions/999999/decision",
                "/api/v1/closures/999999/decision", "/api/v1/documents/999999/reply",
                "/api/v1/receipts/99999999999/sign"):
        assert_error(post(world, "coordinator", url, {}), 404, "not_found")
    # The seed's receipts: every unit on task 4 signed for it.
    receipts = world.get("coordinator", f"/api/v1/tasks/{task_id}/receipts").get_json()["items"]
    assert {(r["unit"]["short_name"], r["role"], r["state"]) for r in receipts} == {
        ("区科委", "lead", "signed"), ("青浦科创集团", "cooperating", "signed"), ("区数据局", "cooperating", "signed")}
    assert_error(world.get("coordinator", f"/api/v1/tasks/{task_id}/receipts?per_page=0"), 400)


def climb_the_ladder() -> None:
    """The reminder scan on 2026-06-30 09:05: the overdue tasks of the seed reach their levels."""
    from tracker.reminders.scan import run_scan

    run_scan(datetime.combine(DAY, time(9, 5), tzinfo=BEIJING))
    db.session.commit()


def test_the_ladder_its_documents_and_the_reply(world):
    climb_the_ladder()
    task_id = world.task_id("12")  # 区科委, due 2026-04-30: far past every level on 6-30
    ladder = world.get("kejiwei", f"/api/v1/tasks/{task_id}/ladder").get_json()
    db.session.remove()
    task = db.session.get(Task, task_id)
    steps = loop.ladder_of(task)
    assert ladder["level"] == loop.current_level(task) == 4
    assert (ladder["due_on"], ladder["original_due_on"]) == ("2026-04-30", "2026-04-30")
    assert [(s["level"], s["kind"], s["reached_on"], s["overdue_days"]) for s in ladder["steps"]] == [
        (s.level, s.kind, s.reached_on.isoformat(), s.overdue_days) for s in steps]
    documents = [s["document"] for s in ladder["steps"] if s["document"]]
    expected = [s.document for s in steps if s.document is not None]
    assert documents and [d["number"] for d in documents] == [d.number for d in expected]
    assert all(re.fullmatch(r"(催办|督办)〔2026〕\d+号", d["number"]) for d in documents)
    assert [(d["level"], d["reply_by"], d["replied_at"]) for d in documents] == [
        (d.level, d.reply_by.isoformat(), None) for d in expected]
    assert world.get("kejiwei", f"/api/v1/tasks/{task_id}").get_json()["escalation_level"] == 4

    # 反馈: only the unit the document went to; a second reply is refused.
    document_id = documents[0]["id"]
    url = f"/api/v1/documents/{document_id}/reply"
    before = loop_state()
    for login in ("caizhengju", "jingwei", "coordinator", "leader"):  # a cooperating unit, another, managers
        assert_error(post(world, login, url, {"text": "冒名反馈"}), 403)
    assert_error(post(world, "kejiwei", url, {}), 400)
    assert_error(post(world, "kejiwei", url, {"text": "   "}), 422, "rule_violation")
    assert loop_state() == before
    replied = post(world, "kejiwei", url, {"text": "逾期原因：资金未到位；整改措施：专班推进，7月底前完成。"})
    assert replied.status_code == 200, replied.get_json()
    assert replied.get_json()["replied_at"] and replied.get_json()["replied_by"]["display_name"]
    after = world.get("coordinator", f"/api/v1/tasks/{task_id}/ladder").get_json()
    answered = next(s["document"] for s in after["steps"] if s["document"] and s["document"]["id"] == document_id)
    assert answered["reply_text"].startswith("逾期原因")
    before = loop_state()
    assert_error(post(world, "kejiwei", url, {"text": "再次反馈"}), 409)  # answered already (issue 22)
    assert loop_state() == before

    # 约谈 at level 4, recorded by a coordinator.
    interviews = f"/api/v1/tasks/{task_id}/interviews"
    record = {"held_on": "2026-06-29", "attendees": "区科委主要负责人", "agreed": "7月底前完成", "follow_up_on": "2026-07-31"}
    assert_error(post(world, "kejiwei", interviews, record), 403)
    assert_error(post(world, "leader", interviews, record), 403)
    assert_error(post(world, "coordinator", interviews, {**record, "held_on": "2026-07-01"}), 422)  # in the future
    assert_error(post(world, "coordinator", interviews, {**record, "follow_up_on": "2026-06-01"}), 422)
    assert_error(post(world, "coordinator", interviews, {**record, "attendees": ""}), 400)
    assert_error(post(world, "coordinator", f"/api/v1/tasks/{world.task_id('4')}/interviews", record), 422)
    assert loop_state() == before
    created = post(world, "coordinator", interviews, record)
    assert created.status_code == 201, created.get_json()
    listed = world.get("kejiwei", f"/api/v1/tasks/{task_id}/ladder").get_json()["interviews"]
    assert listed == [created.get_json()]
    assert (listed[0]["held_on"], listed[0]["follow_up_on"], listed[0]["recorded_by"]["display_name"]) == (
        "2026-06-29", "2026-07-31", user("coordinator").display_name)


def test_task_level_and_original_due_date_are_the_services_answers(world):
    """loop_facts reads a page of tasks in two statements; it must agree with the services for every task."""
    climb_the_ladder()
    extended = db.session.get(Task, world.task_id("5"))  # 区科委: an approved extension
    extension = loop.request_extension(user("kejiwei"), extended, requested_due_on=date(2027, 6, 30), reason="顺延",
                                       today=DAY)
    loop.decide_extension(user("coordinator"), extension, approve=True, today=DAY)
    overdue = db.session.get(Task, world.task_id("15"))  # at a level, then closed
    closure = loop.request_closure(user("rensheju"), overdue, summary="已完成", today=DAY)
    loop.decide_closure(user("coordinator"), closure, verify=True, today=DAY)
    db.session.commit()
    extended_id, overdue_id = extended.id, overdue.id
    items = world.get("coordinator", "/api/v1/tasks?per_page=200").get_json()["items"]
    db.session.remove()
    answers = {item["id"]: (item["original_due_on"], item["escalation_level"]) for item in items}
    expected = {}
    for task in db.session.scalars(select(Task)):
        original = loop.original_due_on(task)
        expected[task.id] = (original.isoformat() if original else None, loop.current_level(task))
    assert answers == expected
    assert answers[extended_id] == ("2026-12-31", 0)
    assert {level for _original, level in answers.values()} >= {0, 4}
    steps_15 = db.session.scalar(select(func.count()).where(LadderStep.task_id == overdue_id))
    assert steps_15 and answers[overdue_id][1] == 0  # closed: the climb stopped, the steps stay on record

