"""The ladder for an item whose reply is overdue (tracker/supervision/proposal_ladder.py), through the reminder
job and a real SMTP server: 1, 5, 10 and 15 working days late reach levels 1 to 4; 催办 and 督办 each issue one
numbered document from the register's sequences (shared with the tasks'); the emails arrive once (a scan run
again adds nothing); the leaders are copied at 督办; an approved extension or a recorded reply stops the climb;
the Word file states the number, the item, the unit and the days; the item page shows the level and the
documents, and a unit not on the item cannot download them."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from docx import Document
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.common.errors import PermissionDenied, ValidationFailed
from tests.proposals.test_flow import coordinator, new_item, unit_id, unit_user
from tracker.auth.models import Role, User
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification
from tracker.proposals.clock import decide_extension, request_extension
from tracker.proposals.handling import assign, sign
from tracker.proposals.models import Proposal
from tracker.proposals.services import record_reply, result_categories
from tracker.reminders.jobs import run_reminders
from tracker.supervision.models import DocumentKind, DocumentSequence, ProposalLadderStep, SupervisionDocument
from tracker.supervision.documents import notice_paragraphs
from tracker.supervision.proposal_ladder import proposal_ladder
from tracker.supervision.register import void_document
from tracker.supervision.services import reply_document
from tracker.workcalendar.services import current_calendar

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
DUE = date(2026, 6, 2)  # the reply of an item assigned on 2026-03-02
HEAD = "juzhang@rensheju.example.gov.cn"


def _item(*, co: bool = True) -> int:
    """交办 on 2026-03-02 to 区人社局 (主办; its head's address on record), 区发改委 协办 when ``co``."""
    proposal = new_item()
    assign(coordinator(), proposal, today=date(2026, 3, 2), main_unit_id=unit_id("区人社局"),
           co_unit_ids=[unit_id("区发改委")] if co else [])
    sign(unit_user("区人社局"), proposal, now=NOW)
    if co:
        sign(unit_user("区发改委"), proposal, now=NOW)
    proposal.main_unit.head_email = HEAD
    db.session.commit()
    assert proposal.reply_due_on == DUE
    return proposal.id


def _late(days: int) -> date:
    return current_calendar().add_working_days(DUE, days)


def _scan(day: date) -> None:
    run_reminders(datetime(day.year, day.month, day.day, 9, 5, tzinfo=BEIJING))


def _levels(pid: int) -> list[int]:
    return list(db.session.scalars(select(ProposalLadderStep.level).where(ProposalLadderStep.proposal_id == pid)
                                   .order_by(ProposalLadderStep.level)))


def _documents(pid: int) -> list[SupervisionDocument]:
    return list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.proposal_id == pid)
                                   .order_by(SupervisionDocument.id)))


def _ladder_mail(smtp, pid: int) -> list:
    return [m for m in smtp.inbox.messages if m.key.startswith(f"proposal_ladder:{pid}:")]


def _emails(role: Role) -> set[str]:
    return {u.email for u in db.session.scalars(select(User).where(User.role == role, User.email != ""))}


def test_the_reply_climbs_the_ladder_once_with_numbered_documents(seeded, smtp, browser):
    pid = _item()
    unit = unit_id("区人社局")
    contacts = set(db.session.get(Proposal, pid).main_unit.email_list)
    leaders = _emails(Role.leader)
    assert contacts and leaders

    _scan(_late(1))  # 提醒: recorded; the clock's 催办 email is the unit's message
    assert _levels(pid) == [1] and _documents(pid) == [] and _ladder_mail(smtp, pid) == []
    assert any(m.key.startswith(f"proposal_urge:reply:{pid}:") for m in smtp.inbox.messages)

    _scan(_late(5))  # 催办: a numbered 催办单 to the unit's contacts and head
    (urge,) = _documents(pid)
    assert urge.kind == DocumentKind.urge_notice and urge.level == 2 and urge.unit_id == unit
    assert urge.number == f"催办〔2026〕{urge.serial}号" and urge.overdue_days == 5
    level_2 = _ladder_mail(smtp, pid)
    assert {m.to for m in level_2} == contacts | {HEAD}
    assert all(urge.number in m.subject and "答复已逾期5个工作日" in m.subject for m in level_2)
    assert all("请于" in m.text and "前完成答复" in m.text for m in level_2)

    _scan(_late(5))  # run again the same day: nothing more
    assert _levels(pid) == [1, 2] and len(_documents(pid)) == 1 and len(_ladder_mail(smtp, pid)) == len(level_2)

    _scan(_late(10))  # 督办: a 督办通知单, the leaders copied (asked nothing)
    urge, notice = _documents(pid)
    assert notice.kind == DocumentKind.supervision_notice and notice.level == 3
    assert notice.number == f"督办〔2026〕{notice.serial}号"
    level_3 = _ladder_mail(smtp, pid)[len(level_2):]
    assert {m.to for m in level_3} == contacts | {HEAD} | leaders
    for message in level_3:
        assert notice.number in message.subject
        if message.to in leaders - contacts:
            assert message.subject.startswith("【抄送】") and "无需在系统中反馈" in message.text
    assert notice.facts["cc"]  # the Word file names the leaders copied

    _scan(_late(15))  # 通报: marked, the unit told, no document
    assert _levels(pid) == [1, 2, 3, 4] and len(_documents(pid)) == 2
    level_4 = _ladder_mail(smtp, pid)[len(level_2) + len(level_3):]
    assert {m.to for m in level_4} == contacts and all("通报" in m.subject for m in level_4)
    assert all("该件将列入下一期督查通报" in m.text for m in level_4)

    before = db.session.scalar(select(func.count()).select_from(Notification))
    _scan(_late(15))
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before  # a rerun adds nothing
    assert _levels(pid) == [1, 2, 3, 4]
    keys = [m.key for m in _ladder_mail(smtp, pid)]
    assert len(keys) == len(set(keys))  # each email once

    # The numbers come from the register's sequences, shared with the tasks' documents: no gap, no repeat.
    for prefix, document in (("催办", urge), ("督办", notice)):
        last = db.session.scalar(select(DocumentSequence.last_serial).where(DocumentSequence.prefix == prefix,
                                                                            DocumentSequence.year == 2026))
        serials = sorted(db.session.scalars(select(SupervisionDocument.serial).where(
            SupervisionDocument.prefix == prefix, SupervisionDocument.year == 2026)))
        assert serials == list(range(1, last + 1)) and document.serial in serials

    # The Word file states the number, the item, the unit and the days.
    coordinator_browser = browser("coordinator")
    response = coordinator_browser.get(f"/documents/{notice.id}.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    proposal = db.session.get(Proposal, pid)
    for expected in (notice.number, proposal.meeting, proposal.number, proposal.title, proposal.main_unit.name,
                     "已逾期10个工作日", "2026年6月2日", "督办通知单", "抄送"):
        assert expected in text, expected

    # The item page shows the level and the documents; the history says what happened.
    page = coordinator_browser.get(f"/proposals/{pid}").text
    assert 'id="ladder-level" data-level="4"' in page
    assert urge.number in page and notice.number in page and f"/documents/{notice.id}.docx" in page
    assert "进入第2级督办（催办）" in page and "进入第3级督办（督办）" in page and f"发出 {notice.number}" in page
    # The register lists them with the item; the unit downloads, a unit not on the item gets 403.
    register = coordinator_browser.get("/documents").text
    assert f'data-proposal="{pid}"' in register and notice.number in register
    assert browser("rensheju").get(f"/documents/{urge.id}.docx").status_code == 200
    assert browser("shangwuwei").get(f"/documents/{urge.id}.docx").status_code == 403
    assert browser("shangwuwei").get(f"/documents/{urge.id}").status_code == 403
    assert proposal_ladder(proposal).level == 4


def test_an_approved_extension_ends_the_episode(seeded, smtp):
    pid = _item()
    _scan(_late(5))
    assert _levels(pid) == [1, 2]
    proposal = db.session.get(Proposal, pid)
    extension = request_extension(unit_user("区人社局"), proposal, requested_due_on=date(2026, 8, 31),
                                  reason="涉及用地指标调整。", now=NOW)
    decide_extension(coordinator(), extension, approve=True, note="同意。", now=NOW)
    db.session.commit()
    mails = len(_ladder_mail(smtp, pid))
    _scan(_late(10))
    _scan(_late(15))
    assert _levels(pid) == [1, 2] and len(_documents(pid)) == 1 and len(_ladder_mail(smtp, pid)) == mails
    ladder = proposal_ladder(db.session.get(Proposal, pid))
    assert ladder.level == 0 and len(ladder.steps) == 2  # the old episode's steps stay in the record
    # The new deadline passed too: a new episode, its 催办单 stating both deadlines.
    _scan(current_calendar().add_working_days(date(2026, 8, 31), 5))
    steps = db.session.execute(select(ProposalLadderStep.due_on, ProposalLadderStep.level)
                               .where(ProposalLadderStep.proposal_id == pid).order_by(ProposalLadderStep.id)).all()
    assert steps == [(DUE, 1), (DUE, 2), (date(2026, 8, 31), 1), (date(2026, 8, 31), 2)]
    first, second = _documents(pid)
    assert (second.prefix, second.year) == (first.prefix, first.year) and second.serial > first.serial
    text = " ".join(notice_paragraphs(second))
    assert "原答复期限为2026年6月2日，经批准延期至2026年8月31日" in text and "已逾期5个工作日" in text
    assert proposal_ladder(db.session.get(Proposal, pid)).level == 2


def test_a_coordinator_voids_a_document_and_the_unit_cannot_answer_it_in_the_register(seeded, smtp):
    pid = _item()
    _scan(_late(5))
    (urge,) = _documents(pid)
    with pytest.raises(ValidationFailed):  # the item's reply answers it, not a 反馈
        reply_document(unit_user("区人社局"), urge, text="已在办理。")
    with pytest.raises(PermissionDenied):
        void_document(unit_user("区人社局"), urge, reason="误发")
    void_document(coordinator(), urge, reason="该件已于前日答复，系统未及时登记。")
    db.session.commit()
    assert _documents(pid)[0].is_void
    actions = [event.action for event in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "proposals", AuditEvent.object_id == pid).order_by(AuditEvent.id))]
    assert actions.count("proposal.ladder_reached") == 2 and actions[-1] == "proposal.document_voided"


def test_a_recorded_reply_stops_the_climb(seeded, smtp):
    pid = _item(co=False)
    _scan(_late(5))
    assert _levels(pid) == [1, 2]
    record_reply(coordinator(), db.session.get(Proposal, pid), reply_on=_late(6),
                 result_category=result_categories()[0], reply_doc_number="沪人社提复〔2026〕8号")
    db.session.commit()
    _scan(_late(10))
    _scan(_late(15))
    assert _levels(pid) == [1, 2] and len(_documents(pid)) == 1


def test_an_item_found_long_overdue_records_every_level_and_speaks_once(seeded, smtp):
    pid = _item()
    _scan(_late(11))  # first seen 11 working days late: levels 1-3 at once, one 督办通知单, one email per person
    assert _levels(pid) == [1, 2, 3]
    (notice,) = _documents(pid)
    assert notice.kind == DocumentKind.supervision_notice and notice.overdue_days == 11
    mails = _ladder_mail(smtp, pid)
    assert len(mails) == len({m.to for m in mails}) and all(notice.number in m.subject for m in mails)


def test_the_days_of_the_levels_are_configurable(seeded, smtp, app):
    app.config["PROPOSAL_LADDER_DAYS"] = "1,3,6,9"
    pid = _item()
    _scan(_late(3))
    assert _levels(pid) == [1, 2] and len(_documents(pid)) == 1
    app.config["PROPOSAL_LADDER_DAYS"] = "5,1,x"  # not four increasing numbers: the defaults, the scan goes on
    _scan(_late(6))
    assert _levels(pid) == [1, 2]
    _scan(_late(10))
    assert _levels(pid) == [1, 2, 3]


def test_each_split_unit_climbs_on_its_own(seeded, smtp, browser):
    proposal = new_item()
    assign(coordinator(), proposal, today=date(2026, 3, 2), split_unit_ids=[unit_id("区人社局"), unit_id("区发改委")])
    for name in ("区人社局", "区发改委"):
        sign(unit_user(name), proposal, now=NOW)
    db.session.commit()
    pid = proposal.id
    assert proposal.reply_due_on == DUE
    _scan(_late(5))
    documents = _documents(pid)
    assert sorted(d.unit_id for d in documents) == sorted([unit_id("区人社局"), unit_id("区发改委")])
    assert len({d.serial for d in documents}) == 2 and all(d.facts["role"] == "split" for d in documents)
    assert all("由你单位分办" in notice_paragraphs(d)[1] for d in documents)
    own = next(d for d in documents if d.unit_id == unit_id("区发改委"))
    assert browser("fagaiwei").get(f"/documents/{own.id}").status_code == 200
    assert "fagaiwei@example.gov.cn" in {m.to for m in _ladder_mail(smtp, pid)}
    assert browser("shangwuwei").get(f"/documents/{own.id}.docx").status_code == 403
