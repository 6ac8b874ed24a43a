"""Races of proposal handling (issue 25): steps sent at the same moment, each thread with its own app context
and session, released together by a barrier after each has read what it acts on, each committing for real.

- 会签 and the reply: the last two 会签 and the reply at once never leave an item answered (已答复) while a
  会签 is missing; a revised draft sent at the moment the reply is recorded is either refused (the item is
  answered) or stops the reply; one unit's 会签 sent twice at once is saved once;
- 延期: two coordinators deciding one request at once (one approves, one refuses): one decision is saved,
  the other is told who decided first and changes nothing; the reply's deadline moves at most once;
- two 延期申请 for one item at once: one is saved, the other gets the message a later second request gets.

Every step locks the item's row first (SELECT … FOR UPDATE on PostgreSQL, the write lock on SQLite) and reads
what it checks after that (tracker.proposals.services.hold_item)."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.proposals.c2_helpers import coordinator, item, unit_id, unit_user, user_with
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.common.errors import ConflictError, DomainError, ValidationFailed
from tracker.extensions import db
from tracker.proposals.clock import decide_extension, request_extension
from tracker.proposals.cosign import cosign, missing_cosigns, send_draft
from tracker.proposals.handling import sign
from tracker.proposals.models import (Cosign, CosignDraft, ExtensionState, Proposal, ProposalState,
                                      ReplyExtension)
from tracker.proposals.services import record_reply

ROUNDS = 8
NOW = datetime(2026, 2, 2, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 2, 2)
CO_UNITS = ("区财政局", "区发改委")
MISSING = "以下协办单位尚未会签答复稿，不能答复"


def race(app, *steps) -> list:
    """Runs each step in its own thread and app context: ``step()`` reads what it acts on and returns the
    action; the actions start together (barrier) and each commits. The outcomes, in order: "saved", or the
    refusal (a DomainError), or any other exception (which the tests report)."""
    barrier = threading.Barrier(len(steps))
    outcomes: list = [None] * len(steps)

    def run(index, step):
        with app.app_context():
            try:
                action = step()
                barrier.wait(timeout=30)
                action()
                db.session.commit()
                outcomes[index] = "saved"
            except Exception as error:  # noqa: BLE001 - a refusal, or reported by the assertions
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n, step)) for n, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    db.session.remove()
    return outcomes


def refusal(outcome) -> str:
    assert isinstance(outcome, DomainError), repr(outcome)
    return outcome.message


def cosigning_item(number: str) -> int:
    """An item with two signed 协办 units and a draft sent for 会签; nobody has 会签'd yet."""
    proposal = item(number, co_units=CO_UNITS)
    for name in ("区人社局", *CO_UNITS):
        sign(unit_user(name), proposal, now=NOW)
    send_draft(unit_user("区人社局"), proposal, f"第{number}号答复稿", today=TODAY, now=NOW)
    db.session.commit()
    return proposal.id


def cosign_step(proposal_id: int, unit: str, agreed: bool = True):
    def step():
        actor, proposal = unit_user(unit), db.session.get(Proposal, proposal_id)
        return lambda: cosign(actor, proposal, agreed=agreed, reason="" if agreed else "第二条不符。", now=NOW)
    return step


def reply_step(proposal_id: int):
    def step():
        actor, proposal = coordinator(), db.session.get(Proposal, proposal_id)
        version = proposal.version
        return lambda: record_reply(actor, proposal, reply_on=TODAY, result_category="解决采纳",
                                    reply_doc_number="青人社提复〔2026〕1号", expected_version=version)
    return step


def cosigns_of_latest_draft(proposal_id: int) -> set[str]:
    draft_id = db.session.scalar(select(CosignDraft.id).where(CosignDraft.proposal_id == proposal_id)
                                 .order_by(CosignDraft.id.desc()).limit(1))
    return {c.unit.short_name for c in db.session.scalars(select(Cosign).where(Cosign.draft_id == draft_id))}


def test_the_last_two_cosigns_and_the_reply_at_once_never_answer_an_item_with_a_cosign_missing(seeded, app):
    ids = [cosigning_item(f"8{n:03d}") for n in range(ROUNDS)]
    for proposal_id in ids:
        outcomes = race(app, cosign_step(proposal_id, CO_UNITS[0]), cosign_step(proposal_id, CO_UNITS[1], False),
                        reply_step(proposal_id))
        assert outcomes[:2] == ["saved", "saved"], outcomes  # both 会签 are saved, whatever the order
        proposal = db.session.get(Proposal, proposal_id)
        assert cosigns_of_latest_draft(proposal_id) == set(CO_UNITS)
        if outcomes[2] == "saved":
            assert proposal.state == ProposalState.replied
        else:  # the reply came before a 会签: refused, nothing changed; sent again now it goes through
            assert MISSING in refusal(outcomes[2])
            assert proposal.state == ProposalState.assigned and proposal.reply_on is None
            record_reply(coordinator(), proposal, reply_on=TODAY, result_category="解决采纳")
            db.session.commit()
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "proposals", AuditEvent.object_id == proposal_id)
            .order_by(AuditEvent.id)))
        assert actions.count("proposal.cosigned") == 2 and actions.count("proposal.updated") == 1
        assert actions.index("proposal.updated") > max(n for n, a in enumerate(actions) if a == "proposal.cosigned")
        db.session.remove()


def test_a_revised_draft_sent_as_the_reply_is_recorded_either_stops_the_reply_or_is_refused(seeded, app):
    ids = []
    for n in range(ROUNDS):
        proposal_id = cosigning_item(f"7{n:03d}")
        proposal = db.session.get(Proposal, proposal_id)
        for unit in CO_UNITS:
            cosign(unit_user(unit), proposal, agreed=True, reason="", now=NOW)
        db.session.commit()
        ids.append(proposal_id)
    for round_no, proposal_id in enumerate(ids):
        def draft_step(proposal_id=proposal_id, round_no=round_no):
            actor, proposal = unit_user("区人社局"), db.session.get(Proposal, proposal_id)
            return lambda: send_draft(actor, proposal, f"修改稿{round_no}", today=TODAY, now=NOW)

        draft, reply = race(app, draft_step, reply_step(proposal_id))
        proposal = db.session.get(Proposal, proposal_id)
        drafts = db.session.scalar(select(func.count(CosignDraft.id)).where(CosignDraft.proposal_id == proposal_id))
        if reply == "saved":  # the draft came second: refused, the item answered on the draft all 会签'd
            assert refusal(draft) == "该件已答复，不能再办理此步骤。"
            assert proposal.state == ProposalState.replied and drafts == 1
        else:  # the draft came first: the reply waits for the 会签 of the revised draft
            assert draft == "saved" and MISSING in refusal(reply), (draft, reply)
            assert proposal.state == ProposalState.assigned and drafts == 2
            assert [unit.short_name for unit in missing_cosigns(proposal)] == list(CO_UNITS)
        db.session.remove()


def test_one_units_cosign_sent_twice_at_once_is_saved_once(seeded, app):
    for n in range(ROUNDS):
        proposal_id = cosigning_item(f"6{n:03d}")
        db.session.remove()
        outcomes = race(app, cosign_step(proposal_id, CO_UNITS[0]), cosign_step(proposal_id, CO_UNITS[0], False))
        assert sorted(map(str, outcomes)) == sorted(["saved", "本单位已会签该答复稿。"]), outcomes
        assert cosigns_of_latest_draft(proposal_id) == {CO_UNITS[0]}
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "proposal.cosigned", AuditEvent.object_id == proposal_id)) == 1


# ---------------------------------------------------------------------------------------------------------
# 延期
# ---------------------------------------------------------------------------------------------------------

def item_with_pending_extension(number: str, requested: date) -> tuple[int, int]:
    proposal = item(number, co_units=())
    sign(unit_user("区人社局"), proposal, now=NOW)
    extension = request_extension(unit_user("区人社局"), proposal, requested_due_on=requested, reason="需市级部门协调。",
                                  now=NOW)
    db.session.commit()
    return proposal.id, extension.id


def decide_step(extension_id: int, role: Role, approve: bool):
    def step():
        actor, extension = user_with(role), db.session.get(ReplyExtension, extension_id)
        return lambda: decide_extension(actor, extension, approve=approve, note="" if approve else "请按期答复。",
                                        now=NOW)
    return step


def test_two_coordinators_deciding_one_extension_at_once_one_decision_is_saved(seeded, app):
    cases = [item_with_pending_extension(f"5{n:03d}", date(2026, 6, 1 + n)) for n in range(ROUNDS)]
    for n, (proposal_id, extension_id) in enumerate(cases):
        before = db.session.get(Proposal, proposal_id).reply_due_on
        db.session.remove()
        approve, refuse = race(app, decide_step(extension_id, Role.coordinator, True),
                               decide_step(extension_id, Role.admin, False))
        assert sorted([approve == "saved", refuse == "saved"]) == [False, True], (approve, refuse)
        loser = refuse if approve == "saved" else approve
        assert isinstance(loser, ConflictError), repr(loser)
        decided = "已批准" if approve == "saved" else "未批准"
        assert loser.message.startswith("该延期申请已由") and f"审批为“{decided}”" in loser.message
        assert loser.message.endswith("本次审批未保存。")
        extension, proposal = db.session.get(ReplyExtension, extension_id), db.session.get(Proposal, proposal_id)
        if approve == "saved":
            assert extension.state == ExtensionState.approved and proposal.reply_due_on == date(2026, 6, 1 + n)
        else:
            assert extension.state == ExtensionState.refused and proposal.reply_due_on == before
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "proposal.extension_decided", AuditEvent.object_id == proposal_id)) == 1
        db.session.remove()


def test_a_decision_on_an_extension_decided_meanwhile_is_the_same_conflict(seeded):
    proposal_id, extension_id = item_with_pending_extension("4001", date(2026, 6, 1))
    decide_extension(coordinator(), db.session.get(ReplyExtension, extension_id), approve=False, note="请按期答复。",
                     now=NOW)
    db.session.commit()
    with pytest.raises(ConflictError) as refused:
        decide_extension(user_with(Role.admin), db.session.get(ReplyExtension, extension_id), approve=True, note="",
                         now=NOW)
    assert refused.value.message.startswith("该延期申请已由") and "审批为“未批准”" in refused.value.message
    db.session.rollback()
    assert db.session.get(Proposal, proposal_id).reply_due_on == date(2026, 4, 20)


def test_two_extension_requests_at_once_leave_one_open(seeded, app):
    ids = []
    for n in range(ROUNDS):
        proposal = item(f"3{n:03d}", co_units=())
        sign(unit_user("区人社局"), proposal, now=NOW)
        db.session.commit()
        ids.append(proposal.id)
    for proposal_id in ids:
        def ask(day: int):
            def step():
                actor, proposal = unit_user("区人社局"), db.session.get(Proposal, proposal_id)
                return lambda: request_extension(actor, proposal, requested_due_on=date(2026, 6, day),
                                                 reason=f"申请{day}", now=NOW)
            return step

        outcomes = race(app, ask(10), ask(20))
        assert sorted(map(str, outcomes)) == sorted(["saved", "已有待审批的延期申请。"]), outcomes
        pending = list(db.session.scalars(select(ReplyExtension).where(
            ReplyExtension.proposal_id == proposal_id, ReplyExtension.state == ExtensionState.pending)))
        assert len(pending) == 1
        assert pending[0].requested_due_on == date(2026, 6, 10 if outcomes[0] == "saved" else 20)
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "proposal.extension_requested", AuditEvent.object_id == proposal_id)) == 1
        db.session.remove()


def test_the_second_coordinator_reads_who_decided_first_and_the_deadline_stays(seeded, browser, on_date):
    proposal_id, extension_id = item_with_pending_extension("4002", date(2026, 6, 1))
    on_date(TODAY)
    first, second = browser("coordinator"), browser("admin")
    url, page = f"/proposals/extensions/{extension_id}/decide", f"/proposals/{proposal_id}"
    token = second.token(page)  # both read the page with the request pending
    assert first.post(url, {"decision": "refuse", "note": "请按期答复。"}, token_from=page).status_code == 302
    response = second.post(url, {"decision": "approve", "note": "", "csrf_token": token}, follow_redirects=True)
    assert "该延期申请已由区府办督查科审批为“未批准”，本次审批未保存。" in response.text
    assert db.session.get(ReplyExtension, extension_id).state == ExtensionState.refused
    assert db.session.get(Proposal, proposal_id).reply_due_on == date(2026, 4, 20)
