"""Domain events (tracker/common/events.py, ARCHITECTURE.md): each listed event has the handlers the page names
connected, fires inside the sender's transaction (what the handler writes is committed with the change), and a
handler that fails rolls the whole change back."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.common import events
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.outbox.models import Notification
from tracker.supervision.models import Receipt
from tracker.tasks.models import ReportingCycle, Task, TaskStatus
from tracker.tasks.services import save_task
from tracker.updates.evidence import EvidenceStore
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.updates.services import review_update, submit_update

TODAY = date(2026, 6, 30)
ROOT = Path(__file__).resolve().parent.parent


def listed_events() -> dict[str, list[str]]:
    """{event name: handlers} from the table of ARCHITECTURE.md's "Domain events"."""
    section = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").split("## Domain events", 1)[1].split("\n## ")[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| .* \| (.+) \|$", section, re.M)
    return {name: sorted(re.findall(r"`([\w.]+)`", handlers)) for name, handlers in rows}


def signal(name: str):
    return next(namespace[name] for namespace in events.NAMESPACES.values() if name in namespace)


def test_architecture_md_lists_every_event_with_its_connected_handlers(app):
    listed = listed_events()
    declared = {name for namespace in events.NAMESPACES.values() for name in namespace}
    assert set(listed) == declared
    for name, handlers in listed.items():
        assert handlers and events.handlers(signal(name)) == handlers, name


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _new_task(plan: Plan) -> Task:
    lead = db.session.scalar(select(User).where(User.login == "jingwei")).unit_id
    return save_task(_user("coordinator"), plan, None, number="99", title="事件测试任务", text="", group_id=None,
                     parent_id=None, lead_unit_id=lead, cooperating_unit_ids=[], start_on=TODAY,
                     due_on=date(2026, 9, 30), reporting_cycle=ReportingCycle.monthly, report_day=25,
                     status=TaskStatus.not_started, progress=0, today=TODAY)


def _draft_plan_with_a_task() -> int:
    """A new plan in draft (立项) with one task: no receipt yet, the plan is not active. Committed."""
    from tracker.plans.services import save_plan

    plan = save_plan(_user("coordinator"), None, title="事件测试方案")
    db.session.flush()
    _new_task(plan)
    db.session.commit()
    return plan.id


def _activate(plan_id: int) -> None:
    from tracker.plans.services import save_plan

    plan = db.session.get(Plan, plan_id)
    save_plan(_user("coordinator"), plan, title=plan.title, status=PlanStatus.active, today=TODAY)


def _submitted() -> StatusUpdate:
    return db.session.scalar(select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted)
                             .order_by(StatusUpdate.id))


def _resubmitted(tmp_path) -> None:
    update = _submitted()
    review_update(_user("coordinator"), update, decision="return", comment="请补充。", today=TODAY)
    db.session.commit()
    author = db.session.scalar(select(User).where(User.unit_id == update.unit_id, User.role == Role.unit))
    submit_update(author, update.task, period=update.period, progress_text="已补充。", percent=update.percent,
                  today=TODAY, store=EvidenceStore(tmp_path), allowed_extensions=("pdf",), max_bytes=100,
                  resubmission_of=update)


def _proposal(step: str) -> None:
    """An item of the proposal flow taken up to ``step``, uncommitted, with a robot subscribed to every
    proposal event (so the handlers write webhook calls to the outbox)."""
    from datetime import datetime, timezone

    from tracker.proposals.handling import assign, issue_rating_link, rate, return_item, set_proposers, sign
    from tracker.proposals.services import record_reply, save_proposal
    from tracker.units.models import Unit
    from tracker.webhooks.models import WebhookFormat
    from tracker.webhooks.services import save_webhook

    now = datetime(2026, 6, 30, 2, 0, tzinfo=timezone.utc)
    save_webhook(_user("admin"), None, name="提案群", format=WebhookFormat.wecom, url="http://127.0.0.1:9/robot",
                 events=["proposal_assigned", "proposal_received", "proposal_returned", "proposal_answered",
                         "proposal_rated", "proposal_rehandling", "proposal_co_opinion", "proposal_cosigned",
                         "proposal_extension_requested", "proposal_extension_decided", "promise_answered",
                         "proposal_key_marked", "proposal_key_unmarked", "proposal_supervision_note"])
    main, co = (db.session.scalar(select(Unit).where(Unit.short_name == name)) for name in ("区科委", "区经委"))
    proposal = save_proposal(None, None, meeting="区十八届人大六次会议", number="0099", title="事件测试建议",
                             main_unit_id=main.id, assigned_on=TODAY)
    db.session.flush()
    if step == "answered":
        record_reply(_user("coordinator"), proposal, reply_on=TODAY, result_category="解决采纳")
        return
    if step == "promise-answered":
        from seeds.load_proposal_flow import category_of_class
        from tracker.proposals.promises import add_promise, answer_promise

        record_reply(_user("coordinator"), proposal, reply_on=TODAY, result_category=category_of_class("C"))
        promise = add_promise(_user("coordinator"), proposal, text="年底前建成。", due_on=date(2026, 12, 31),
                              today=TODAY)
        db.session.flush()
        answer_promise(_user("coordinator"), proposal, promise, text="已建成。", answered_on=TODAY,
                       answered_by="张科长", today=TODAY)
        return
    if step in ("key-marked", "key-unmarked", "supervision-note"):
        from tracker.proposals.key_items import add_note, mark_key, unmark_key

        mark_key(_user("coordinator"), proposal, leader_id=_user("leader").id, now=now)
        if step == "key-unmarked":
            unmark_key(_user("coordinator"), proposal)
        elif step == "supervision-note":
            add_note(_user("leader"), proposal, "请月底前报送进展。", now=now)
        return
    assign(_user("coordinator"), proposal, today=TODAY, main_unit_id=main.id, co_unit_ids=[co.id])
    if step in ("received", "returned"):
        if step == "received":
            sign(_user("kejiwei"), proposal, now=now)
        else:
            return_item(_user("jingwei"), proposal, reason="不属于本单位职责", today=TODAY, now=now)
        return
    if step == "assigned":
        return
    if step in ("co-opinion", "cosigned", "extension-requested", "extension-decided"):
        from datetime import timedelta

        from tracker.proposals.clock import decide_extension, request_extension
        from tracker.proposals.cosign import cosign, send_draft, send_opinion

        sign(_user("kejiwei"), proposal, now=now)
        sign(_user("jingwei"), proposal, now=now)
        if step == "co-opinion":
            send_opinion(_user("jingwei"), proposal, "同意主办单位的办理思路。", now=now)
        elif step == "cosigned":
            send_draft(_user("kejiwei"), proposal, "答复稿。", today=TODAY, now=now)
            cosign(_user("jingwei"), proposal, agreed=False, reason="第二点须改。", now=now)
        else:
            extension = request_extension(_user("kejiwei"), proposal, reason="需征求市级部门意见。", now=now,
                                          requested_due_on=proposal.reply_due_on + timedelta(days=30))
            if step == "extension-decided":
                decide_extension(_user("coordinator"), extension, approve=True, note="", now=now)
        return
    set_proposers(None, proposal, [{"name": "张三"}])
    record_reply(_user("coordinator"), proposal, reply_on=TODAY, result_category="解决采纳")
    token = issue_rating_link(_user("coordinator"), proposal, proposal.people[0], now=now)
    rate(None, token, "不满意" if step == "rehandling" else "满意", now=now, today=TODAY)
def _bulletin_voided(tmp_path) -> None:
    """A 督查通报 drafted and issued (numbered by the register), then its number voided."""
    from tracker.bulletins.services import draft_bulletin, issue_bulletin
    from tracker.supervision.models import SupervisionDocument
    from tracker.supervision.register import void_document

    bulletin = draft_bulletin(_user("coordinator"), month_key="2026-05", today=TODAY)
    issue_bulletin(_user("coordinator"), bulletin, today=TODAY)
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.bulletin_id == bulletin.id))
    void_document(_user("coordinator"), document, reason="月份写错")
    assert bulletin.number is None  # the handler put it back to draft, in the same transaction


# event: (what sends it, what its handlers write in the same transaction, counted)
TRIGGERS = {
    **{f"proposal-{step}": (lambda tmp_path, step=step: _proposal(step), Notification)
       for step in ("assigned", "received", "returned", "answered", "rated", "rehandling", "co-opinion", "cosigned",
                    "extension-requested", "extension-decided", "key-marked", "key-unmarked",
                    "supervision-note")},
    "promise-answered": (lambda tmp_path: _proposal("promise-answered"), Notification),
    "plan-activated": (lambda tmp_path: _activate(_draft_plan_with_a_task()), Receipt),
    "task-assigned": (lambda tmp_path: _new_task(db.session.scalar(
        select(Plan).where(Plan.status == PlanStatus.active))), Receipt),
    "update-returned": (lambda tmp_path: review_update(_user("coordinator"), _submitted(), decision="return",
                                                       comment="请补充。", today=TODAY), Notification),
    "update-resubmitted": (_resubmitted, Notification),
    "update-accepted": (lambda tmp_path: review_update(_user("coordinator"), _submitted(), decision="accept",
                                                       today=TODAY), None),
    "document-voided": (_bulletin_voided, None),
}


def counts() -> tuple[int, ...]:
    return (db.session.scalar(select(func.count(AuditEvent.id))),
            db.session.scalar(select(func.count(Receipt.id))),
            db.session.scalar(select(func.count(Notification.id))),
            db.session.scalar(select(func.count(Task.id))),
            db.session.scalar(select(func.count(StatusUpdate.id))))


def test_every_listed_event_has_a_trigger_here():
    assert set(TRIGGERS) == set(listed_events())


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_the_event_fires_inside_the_transaction_and_its_writes_commit_with_it(seeded, tmp_path, name):
    trigger, written = TRIGGERS[name]
    seen = []

    def spy(sender, **_kwargs):
        seen.append((db.session().in_transaction(), sender in db.session))

    signal(name).connect(spy)
    try:
        before = None
        if written is not None:
            before = db.session.scalar(select(func.count(written.id)))
        trigger(tmp_path)
    finally:
        signal(name).disconnect(spy)
    assert seen == [(True, True)]  # once, inside the open transaction, with the sender in the session
    if written is not None:
        db.session.commit()
        assert db.session.scalar(select(func.count(written.id))) > before  # the handler's rows were committed


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_a_failing_handler_rolls_the_whole_change_back(seeded, tmp_path, name):
    trigger, _written = TRIGGERS[name]
    if name == "update-resubmitted":
        update = _submitted()
        review_update(_user("coordinator"), update, decision="return", comment="请补充。", today=TODAY)
        db.session.commit()

    def failing(sender, **_kwargs):
        raise RuntimeError("handler failed")

    if name == "update-resubmitted":
        def trigger(tmp_path, update=update):
            author = db.session.scalar(select(User).where(User.unit_id == update.unit_id, User.role == Role.unit))
            submit_update(author, update.task, period=update.period, progress_text="已补充。",
                          percent=update.percent, today=TODAY, store=EvidenceStore(tmp_path),
                          allowed_extensions=("pdf",), max_bytes=100, resubmission_of=update)
    if name == "plan-activated":
        plan_id = _draft_plan_with_a_task()

        def trigger(tmp_path, plan_id=plan_id):
            _activate(plan_id)

    before = counts()
    states = dict(db.session.execute(select(StatusUpdate.id, StatusUpdate.review_state)).all())
    plan_states = dict(db.session.execute(select(Plan.id, Plan.status)).all())
    signal(name).connect(failing)
    try:
        with pytest.raises(RuntimeError, match="handler failed"):
            trigger(tmp_path)
    finally:
        signal(name).disconnect(failing)
    db.session.rollback()
    assert counts() == before  # no audit event, receipt, email or webhook call (the outbox), task or update left
    assert dict(db.session.execute(select(StatusUpdate.id, StatusUpdate.review_state)).all()) == states
    assert dict(db.session.execute(select(Plan.id, Plan.status)).all()) == plan_states
