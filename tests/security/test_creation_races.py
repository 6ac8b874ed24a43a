"""Creation races closed by the database (issue 22): two requests sent at the same moment, released together
by a barrier, each from its own client, 20 rounds of each race. Exactly one wins; the other gets the message a
second attempt made later gets, and changes nothing; the tables stay consistent (one pending request, one
resubmission, one reply, one audit event per saved row).

The races: two 延期申请 (POST /api/v1/tasks/<id>/extensions), two 办结申请 (POST /api/v1/tasks/<id>/closures),
two resubmissions of one returned update (POST /updates/<id>/resubmit, the web form), two 反馈 to one
document (POST /api/v1/documents/<id>/reply). The check before the insert answers the sequential second
attempt; the unique indexes and the document's version column answer the simultaneous one, which the
last tests force deterministically (the check made to pass, as it does for both racers)."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.api.test_api import World
from tests.conftest import Browser
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.errors import ConflictError, ValidationFailed
from tracker.extensions import db
from tracker.supervision import services as loop
from tracker.supervision.models import (ClosureRequest, ClosureState, DocumentKind, ExtensionRequest,
                                        ExtensionState, SupervisionDocument)
from tracker.tasks.models import Task
from tracker.updates import services as update_services
from tracker.updates.evidence import EvidenceStore
from tracker.updates.models import ReviewState, StatusUpdate

DAY = date(2026, 6, 30)
ROUNDS = 20
TASK = "7"  # lead unit 区经委 (login jingwei)
UNIT_LOGIN = "jingwei"


@pytest.fixture
def world(seeded, on_date, app):
    on_date(DAY)
    return World(app.test_client())


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def task_id() -> int:
    return db.session.scalar(select(Task.id).where(Task.number == TASK))


def audited(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def race(*senders) -> list:
    """Runs each sender in its own thread, released together by a barrier; their responses, in order."""
    barrier = threading.Barrier(len(senders))
    responses: list = [None] * len(senders)

    def run(index, send):
        try:
            barrier.wait(timeout=30)
            responses[index] = send()
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            responses[index] = error

    threads = [threading.Thread(target=run, args=(n, send)) for n, send in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return responses


def api_sender(app, world: World, login: str, url: str, body: dict):
    client, headers = app.test_client(), {"Authorization": f"Bearer {world.token(login)}"}
    return lambda: client.post(url, json=body, headers=headers)


def one_winner(responses, win_status: int, lose_status: int) -> tuple:
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == sorted([win_status, lose_status]), [getattr(r, "text", r) for r in responses]
    winner = next(r for r in responses if r.status_code == win_status)
    loser = next(r for r in responses if r.status_code == lose_status)
    return winner, loser


def test_two_extension_requests_at_once_save_one(world, app):
    the_task = task_id()
    due = db.session.get(Task, the_task).due_on
    url = f"/api/v1/tasks/{the_task}/extensions"
    coordinator_id = user("coordinator").id
    for round_no in range(ROUNDS):
        db.session.remove()
        wanted = (due + timedelta(days=30 + round_no)).isoformat()
        responses = race(*(api_sender(app, world, UNIT_LOGIN, url, {"requested_due_on": wanted,
                                                                    "reason": f"第{round_no}轮申请{n}"})
                           for n in range(2)))
        winner, loser = one_winner(responses, 201, 422)
        assert loser.get_json()["error"]["message"] == "该任务已有待审批的延期申请，请等待审批结果。"
        db.session.remove()
        pending = list(db.session.scalars(select(ExtensionRequest).where(
            ExtensionRequest.task_id == the_task, ExtensionRequest.state == ExtensionState.pending)))
        assert [p.id for p in pending] == [winner.get_json()["id"]]
        assert db.session.scalar(select(func.count(ExtensionRequest.id))) == round_no + 1
        assert audited("extension.requested") == round_no + 1
        # Refused, so that the next round may ask again; the task's 完成时限 never moves.
        loop.decide_extension(db.session.get(User, coordinator_id), pending[0], approve=False, comment="不予批准",
                              today=DAY)
        db.session.commit()
    db.session.remove()
    assert db.session.get(Task, the_task).due_on == due


def test_two_closure_requests_at_once_save_one(world, app):
    the_task = task_id()
    url = f"/api/v1/tasks/{the_task}/closures"
    coordinator_id = user("coordinator").id
    for round_no in range(ROUNDS):
        db.session.remove()
        responses = race(*(api_sender(app, world, UNIT_LOGIN, url, {"summary": f"第{round_no}轮办结报告{n}"})
                           for n in range(2)))
        winner, loser = one_winner(responses, 201, 422)
        assert loser.get_json()["error"]["message"] == "该任务已有待核查的办结申请。"
        db.session.remove()
        pending = list(db.session.scalars(select(ClosureRequest).where(
            ClosureRequest.task_id == the_task, ClosureRequest.state == ClosureState.pending)))
        assert [p.id for p in pending] == [winner.get_json()["id"]]
        assert pending[0].summary == winner.get_json()["summary"]
        assert db.session.scalar(select(func.count(ClosureRequest.id))) == round_no + 1
        assert audited("closure.requested") == round_no + 1
        loop.decide_closure(db.session.get(User, coordinator_id), pending[0], verify=False, comment="材料不全",
                            today=DAY)
        db.session.commit()


def returned_update(the_task: int, round_no: int, store) -> int:
    """A fresh update of the task by the lead unit, returned (退回) by the coordinator."""
    task = db.session.get(Task, the_task)
    period = update_services.reportable_periods(task, DAY)[0].key
    update = update_services.submit_update(user(UNIT_LOGIN), task, period=period, progress_text=f"第{round_no}轮进展",
                                           percent=40, today=DAY, store=store, allowed_extensions=(), max_bytes=0)
    db.session.flush()
    update_services.review_update(user("coordinator"), update, decision="return", comment="请补充", today=DAY)
    db.session.commit()
    return update.id


def test_two_resubmissions_of_one_returned_update_save_one(seeded, on_date, app, tmp_path):
    on_date(DAY)
    the_task = task_id()
    store = EvidenceStore(str(tmp_path))
    browsers = [Browser(app.test_client()).login(UNIT_LOGIN) for _ in range(2)]
    resubmitted, updates = audited("update.resubmitted"), db.session.scalar(select(func.count(StatusUpdate.id)))
    for round_no in range(ROUNDS):
        previous_id = returned_update(the_task, round_no, store)
        period = db.session.get(StatusUpdate, previous_id).period
        url = f"/updates/{previous_id}/resubmit"
        forms = [{"period": period, "progress_text": f"第{round_no}轮重新提交{n}", "percent": 50, "problems": "",
                  "next_steps": "", "csrf_token": b.token(url)} for n, b in enumerate(browsers)]
        db.session.remove()
        responses = race(*(lambda b=b, form=form: b.client.post(url, data=form) for b, form in zip(browsers, forms)))
        winner, loser = one_winner(responses, 302, 400)
        assert "该退回的报送已重新提交过。" in loser.text
        db.session.remove()
        again = list(db.session.scalars(select(StatusUpdate).where(StatusUpdate.resubmission_of_id == previous_id)))
        assert len(again) == 1 and again[0].review_state == ReviewState.submitted
        assert again[0].progress_text in {form["progress_text"] for form in forms}
        assert audited("update.resubmitted") == resubmitted + round_no + 1
        assert db.session.scalar(select(func.count(StatusUpdate.id))) == updates + 2 * (round_no + 1)


def new_document(the_task: int, serial: int) -> int:
    task = db.session.get(Task, the_task)
    document = SupervisionDocument(kind=DocumentKind.urge_notice, prefix="催办", year=2026, serial=900 + serial,
                                   task_id=task.id, unit_id=task.lead_unit_id, level=2, issued_on=DAY,
                                   reply_by=DAY + timedelta(days=7), overdue_days=3, facts={})
    db.session.add(document)
    db.session.commit()
    return document.id


def test_two_replies_to_one_document_save_one(world, app):
    the_task = task_id()
    for round_no in range(ROUNDS):
        document_id = new_document(the_task, round_no)
        db.session.remove()
        url = f"/api/v1/documents/{document_id}/reply"
        texts = [f"第{round_no}轮反馈{n}：整改措施{n}" for n in range(2)]
        responses = race(*(api_sender(app, world, UNIT_LOGIN, url, {"text": text}) for text in texts))
        winner, loser = one_winner(responses, 200, 409)
        assert loser.get_json()["error"]["message"] == "该文书已被他人反馈，本次反馈未保存。"
        db.session.remove()
        document = db.session.get(SupervisionDocument, document_id)
        assert document.reply_text == winner.get_json()["reply_text"] and document.reply_text in texts
        assert document.version == 2  # written once
        assert audited("document.replied") == round_no + 1


def test_a_second_reply_later_gets_the_same_409(world, app):
    document_id = new_document(task_id(), 0)
    url = f"/api/v1/documents/{document_id}/reply"
    first = world.call(UNIT_LOGIN, "POST", url, json={"text": "第一次反馈"})
    second = world.call(UNIT_LOGIN, "POST", url, json={"text": "第二次反馈"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.get_json()["error"]["message"] == "该文书已被他人反馈，本次反馈未保存。"
    assert db.session.get(SupervisionDocument, document_id).reply_text == "第一次反馈"


# The simultaneous case, forced: both racers pass the check before the insert (it reads before either has
# written); here the check is made to pass for the second request too, so only the database stands in the way.

def test_the_index_refuses_a_second_pending_extension_that_passed_the_check(seeded, on_date, monkeypatch):
    on_date(DAY)
    task = db.session.get(Task, task_id())
    loop.request_extension(user(UNIT_LOGIN), task, requested_due_on=task.due_on + timedelta(days=30),
                           reason="第一次", today=DAY)
    db.session.commit()
    monkeypatch.setattr(loop, "pending_extension", lambda task: None)
    with pytest.raises(ValidationFailed) as refused:
        loop.request_extension(user(UNIT_LOGIN), task, requested_due_on=task.due_on + timedelta(days=40),
                               reason="第二次", today=DAY)
    assert refused.value.message == "该任务已有待审批的延期申请，请等待审批结果。"
    db.session.rollback()
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 1
    assert audited("extension.requested") == 1


def test_the_index_refuses_a_second_pending_closure_that_passed_the_check(seeded, on_date, monkeypatch):
    on_date(DAY)
    task = db.session.get(Task, task_id())
    loop.request_closure(user(UNIT_LOGIN), task, summary="第一次", today=DAY)
    db.session.commit()
    monkeypatch.setattr(loop, "pending_closure", lambda task: None)
    with pytest.raises(ValidationFailed) as refused:
        loop.request_closure(user(UNIT_LOGIN), task, summary="第二次", today=DAY)
    assert refused.value.message == "该任务已有待核查的办结申请。"
    db.session.rollback()
    assert db.session.scalar(select(func.count(ClosureRequest.id))) == 1


def test_the_index_refuses_a_second_resubmission_that_passed_the_check(seeded, on_date, monkeypatch, tmp_path):
    on_date(DAY)
    store = EvidenceStore(str(tmp_path))
    previous_id = returned_update(task_id(), 0, store)
    previous = db.session.get(StatusUpdate, previous_id)

    def resubmit(text):
        return update_services.submit_update(user(UNIT_LOGIN), previous.task, period=previous.period,
                                             progress_text=text, percent=50, today=DAY, store=store,
                                             allowed_extensions=(), max_bytes=0, resubmission_of=previous)

    resubmit("第一次重新提交")
    db.session.commit()
    monkeypatch.setattr(update_services, "task_updates", lambda task: [])
    with pytest.raises(ValidationFailed) as refused:
        resubmit("第二次重新提交")
    assert refused.value.message == "该退回的报送已重新提交过。"
    db.session.rollback()
    assert db.session.scalar(select(func.count(StatusUpdate.id)).where(
        StatusUpdate.resubmission_of_id == previous_id)) == 1


def test_the_version_refuses_a_reply_to_a_document_read_before_the_first_reply(seeded, on_date, app):
    on_date(DAY)
    document_id = new_document(task_id(), 0)
    unit_user_id = user(UNIT_LOGIN).id
    with app.app_context():  # a second request that read the document before the first reply was saved
        stale = db.session.get(SupervisionDocument, document_id)
        stale_actor = db.session.get(User, unit_user_id)
        assert stale.replied_at is None
        with app.app_context():
            loop.reply_document(db.session.get(User, unit_user_id), db.session.get(SupervisionDocument, document_id),
                                text="先到的反馈")
            db.session.commit()
        with pytest.raises(ConflictError) as refused:
            loop.reply_document(stale_actor, stale, text="后到的反馈")
        assert refused.value.message == "该文书已被他人反馈，本次反馈未保存。"
        db.session.rollback()
        db.session.remove()
    db.session.remove()
    document = db.session.get(SupervisionDocument, document_id)
    assert (document.reply_text, document.version, audited("document.replied")) == ("先到的反馈", 2, 1)


def test_two_coordinators_editing_one_unit_the_second_is_told_and_changes_nothing(seeded, browser):
    from tracker.units.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.short_name == "区经委"))
    unit_id, version = unit.id, unit.version
    url = f"/units/{unit_id}/edit"
    fields = {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind.value, "parent_id": 0,
              "contact_person": "", "notification_emails": "", "phone": "", "version": str(version)}
    first, second = browser("coordinator"), browser("admin")
    assert f'name="version" type="hidden" value="{version}"' in first.get(url).text
    assert first.post(url, {**fields, "phone": "021-11111111"}, token_from=url).status_code == 302
    response = second.post(url, {**fields, "contact_person": "李四"}, token_from=url)
    assert response.status_code == 409 and "该记录已被他人修改，请查看最新内容后重新提交。" in response.text
    db.session.remove()
    unit = db.session.get(Unit, unit_id)
    assert (unit.phone, unit.contact_person, unit.version) == ("021-11111111", "", version + 1)


def test_two_security_administrators_editing_one_account_the_second_is_told_and_changes_nothing(seeded, browser):
    """Accounts are rows two people can change: the second save made from the same read is a conflict (409)
    with the usual message, and the first edit stays."""
    account = user("leader")
    account_id, version = account.id, account.version
    url = f"/users/{account_id}/edit"
    first, second = browser("secadmin"), browser("secadmin")
    assert f'name="version" type="hidden" value="{version}"' in first.get(url).text
    fields = {"login": "leader", "display_name": account.display_name, "email": account.email or "",
              "role": account.role.value, "unit_id": 0, "locale": account.locale, "is_active_user": "y",
              "password": "", "version": str(version)}
    assert first.post(url, {**fields, "display_name": "王分管"}, token_from=url).status_code == 302
    response = second.post(url, {**fields, "email": "other@example.gov.cn"}, token_from=url)
    assert response.status_code == 409 and "该记录已被他人修改，请查看最新内容后重新提交。" in response.text
    db.session.remove()
    account = db.session.get(User, account_id)
    assert (account.display_name, account.email, account.version) == ("王分管", fields["email"], version + 1)


def test_two_account_edits_at_the_same_moment_save_one(seeded, app):
    """The compare-and-set holds when both saves read the same version and run at once (threads, barrier)."""
    from tracker.auth.services import update_user

    account_id = user("leader").id
    for round_number in range(ROUNDS):
        version = db.session.get(User, account_id).version
        db.session.remove()

        def save(name: str):
            def send():
                with app.app_context():
                    actor, account = user("secadmin"), db.session.get(User, account_id)
                    try:
                        update_user(actor, account, login="leader", display_name=name, role=account.role,
                                    email=account.email, unit_id=None, locale=account.locale, is_active_user=True,
                                    overseen_unit_ids=[u.id for u in account.overseen_units], expected_version=version)
                        db.session.commit()
                        return "saved"
                    except ConflictError:
                        db.session.rollback()
                        return "conflict"
                    finally:
                        db.session.remove()
            return send

        outcomes = race(save(f"甲{round_number}"), save(f"乙{round_number}"))
        assert sorted(outcomes) == ["conflict", "saved"], (round_number, outcomes)
        account = db.session.get(User, account_id)
        assert account.version == version + 1
        assert account.display_name == (f"甲{round_number}" if outcomes[0] == "saved" else f"乙{round_number}")
        db.session.remove()
