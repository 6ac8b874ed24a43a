"""The register of numbered documents (发文登记): every 催办单, 督办通知单 and 督查通报 gets its number here,
from one sequence per kind per year, and nowhere else.

- ``number_document``: the next number of the document's kind and year (印发), for the documents a
  coordinator issues and bulletins; ``reserve_serials`` takes a run of numbers of one sequence in one
  statement, for the ladder's documents of a scan (written together by ``insert_documents``).
- ``issue_document``: a coordinator issues (印发) a document the ladder proposed (待印发): it is numbered,
  dated and sent to the unit it addresses, with copies to the leaders overseeing it.
- ``issue_for_task``: the task page's 督办通知单 button when the task has no document yet: a coordinator
  issues one for the task's overdue item through the register.
- ``void_document``: 作废 with a reason; the number stays used and is never given again (audited). A
  bulletin whose number is voided goes back to draft and gets a new number when issued again.

Services take the actor and ``today``; the caller commits.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.services import record
from tracker.access import permissions
from tracker.common import events as domain_events
from tracker.common.clock import utcnow
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.supervision.models import (PREFIX_OF_KIND, DocumentKind, DocumentState, SupervisionDocument)
from tracker.supervision.numbering import (AUTO, DOCUMENT_MODES, REVIEW, document_modes,  # noqa: F401 (the register's names)
                                          notice_facts, number_document)
from tracker.workcalendar.services import current_calendar


def _require_manager(actor) -> None:
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有督办人员可以办理此事项。"))


def reply_by_of(plan_id: int, today: date) -> date:
    from tracker.supervision.services import loop_settings

    _sign, reply_days = loop_settings(plan_id)
    return current_calendar().add_working_days(today, reply_days)


def issue_document(actor, document: SupervisionDocument, *, today: date,
                   expected_version: int | None = None) -> SupervisionDocument:
    """印发 a proposed (待印发) document: numbered and dated today (反馈时限 from today), then sent to the
    unit it addresses with copies to the leaders, as the plan's ladder says for its level."""
    _require_manager(actor)
    check_version(document, expected_version, {"state": document.state.value})
    if document.state != DocumentState.proposed:
        raise ValidationFailed(_("该文书已印发或已作废，不能再印发。"))
    task = document.task
    if task is None or task.status.value not in ("not_started", "in_progress"):
        raise ValidationFailed(_("该任务已办结或暂缓，文书无需印发，可作废。"))
    document.reply_by = reply_by_of(task.plan_id, today)
    number_document(document, today=today, actor=actor)
    record(actor, "document.issued", document, task_id=document.task_id,
           changes={"number": document.number, "kind": document.kind.value}, summary=task.label)
    from tracker.supervision.ladder import send_document

    send_document(document)
    return document


def issue_for_task(actor, task, *, today: date) -> SupervisionDocument:
    """A coordinator issues a 督办通知单 for the task's overdue item through the register (the old per-task
    button): numbered from the register's sequence, to the lead unit, sent like the ladder's."""
    _require_manager(actor)
    from tracker.overdue.queries import overdue_list
    from tracker.tasks.queries import OverdueFilters, task_cards

    rows = [row for row in overdue_list(today, OverdueFilters(plan_id=task.plan_id, unit_id=task.lead_unit_id))
            if row.task.id == task.id and row.kind in ("task", "report")]
    if not rows:
        raise ValidationFailed(_("任务“%(task)s”目前没有逾期事项，无需发出督办通知单。", task=task.label))
    row = next((r for r in rows if r.kind == "task"), rows[0])
    card = task_cards([task.id])[task.id]
    document = SupervisionDocument(
        kind=DocumentKind.supervision_notice, prefix=PREFIX_OF_KIND[DocumentKind.supervision_notice],
        task_id=task.id, unit_id=task.lead_unit_id, level=3, proposed_on=today, reply_by=reply_by_of(task.plan_id, today),
        overdue_days=row.overdue_days, facts={**notice_facts(card, task.lead_unit, row, "days"), **_context_facts(task, row)})
    db.session.add(document)
    number_document(document, today=today, actor=actor)
    record(actor, "document.issued", document, task_id=task.id,
           changes={"number": document.number, "kind": document.kind.value}, summary=task.label)
    from tracker.supervision.ladder import send_document

    send_document(document)
    return document


def _context_facts(task, row) -> dict:
    """What a notice issued by hand also states: the latest accepted progress and the 抄送 to the
    cooperating units (the ladder's notices, written in bulk by the scan, leave them out)."""
    latest = row.last_accepted
    facts = {"cc": [unit.short_name for unit in task.cooperating_units]}
    if latest is not None:
        facts.update(latest_period=latest.period, latest_text=latest.progress_text, latest_problems=latest.problems or "")
    else:
        facts["latest_period"] = None
    return facts


def void_document(actor, document: SupervisionDocument, *, reason: str,
                  expected_version: int | None = None) -> SupervisionDocument:
    """作废 with a reason: the document is withdrawn, its number is never given again; a bulletin goes
    back to draft (issued again, it gets a new number)."""
    _require_manager(actor)
    check_version(document, expected_version, {"state": document.state.value})
    if document.state == DocumentState.void:
        raise ValidationFailed(_("该文书已作废。"))
    if not (reason or "").strip():
        raise ValidationFailed(_("作废文书时必须说明理由。"))
    before = document.state.value
    document.state, document.voided_at, document.voided_by_id = DocumentState.void, utcnow(), actor.id
    document.void_reason = reason.strip()
    domain_events.document_voided.send(document, actor=actor)  # a bulletin goes back to draft (tracker/bulletins)
    db.session.flush()
    record(actor, "document.voided", document, task_id=document.task_id,
           changes={"number": document.number if document.serial is not None else "", "state": [before, "void"],
                    "reason": document.void_reason},
           summary=document.void_reason[:200])
    if document.proposal_id is not None:  # the item's history says it too
        record(actor, "proposal.document_voided", document.proposal, summary=document.void_reason[:200],
               changes={"number": document.number if document.serial is not None else "", "reason": document.void_reason})
    if before == DocumentState.issued.value and document.task_id is not None and document.unit is not None:
        from tracker.supervision import events

        events.document_voided(document)
    return document


def register_bulletin(actor, bulletin, *, today: date) -> SupervisionDocument:
    """A bulletin issued (印发): its number comes from the register, like every numbered document."""
    document = SupervisionDocument(kind=DocumentKind.bulletin, prefix=PREFIX_OF_KIND[DocumentKind.bulletin],
                                   bulletin_id=bulletin.id, level=4, overdue_days=0,
                                   facts={"title": bulletin.title, "month": bulletin.month})
    db.session.add(document)
    number_document(document, today=today, actor=actor)
    bulletin.prefix, bulletin.year, bulletin.serial = document.prefix, document.year, document.serial
    return document


def latest_document(task) -> SupervisionDocument | None:
    """The task's latest document in force (issued, not void), or None."""
    return db.session.scalar(select(SupervisionDocument).where(
        SupervisionDocument.task_id == task.id, SupervisionDocument.state == DocumentState.issued)
        .order_by(SupervisionDocument.issued_on.desc(), SupervisionDocument.id.desc()).limit(1))


def register_query(*, state: str | None = None, kind: str | None = None, year: int | None = None,
                   since: date | None = None):
    """The register (发文登记) as a query, newest first by number (``state`` "replied": the documents
    answered, latest reply first, from ``since`` if given), each document with its unit (主送单位)."""
    query = select(SupervisionDocument).options(joinedload(SupervisionDocument.unit))
    if state == "replied":
        query = query.where(SupervisionDocument.replied_at.is_not(None))
        if since is not None:
            query = query.where(SupervisionDocument.replied_at >= _day_start(since))
    elif state in {s.value for s in DocumentState}:
        query = query.where(SupervisionDocument.state == state)
    if kind in {k.value for k in DocumentKind}:
        query = query.where(SupervisionDocument.kind == kind)
    if year:
        query = query.where(SupervisionDocument.year == year)
    if state == "replied":
        return query.order_by(SupervisionDocument.replied_at.desc(), SupervisionDocument.id.desc())
    return query.order_by(SupervisionDocument.year.desc(), SupervisionDocument.prefix,
                          SupervisionDocument.serial.desc(), SupervisionDocument.id.desc())


def register_rows(*, state: str | None = None, kind: str | None = None, year: int | None = None,
                  since: date | None = None) -> list[SupervisionDocument]:
    """Every document of the register the filters keep (``register_query``), in its order."""
    return list(db.session.scalars(register_query(state=state, kind=kind, year=year, since=since)))


def register_count(*, state: str | None = None, kind: str | None = None, year: int | None = None,
                   since: date | None = None) -> int:
    """How many documents of the register the filters keep (the 工作台's figures), in one COUNT."""
    from sqlalchemy import func

    query = register_query(state=state, kind=kind, year=year, since=since).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _day_start(day: date) -> datetime:
    from tracker.common.workdays import BEIJING

    return datetime(day.year, day.month, day.day, tzinfo=BEIJING)


def replies_since(today: date, working_days: int = 5) -> date:
    """The first day of the window of recent 反馈 the 工作台 counts (the last ``working_days`` working days)."""
    return current_calendar().add_working_days(today, -(working_days - 1))


def proposed_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(SupervisionDocument)
                             .where(SupervisionDocument.state == DocumentState.proposed)) or 0
