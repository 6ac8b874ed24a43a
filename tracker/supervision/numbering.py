"""The register's numbers (文书编号): each numbered document takes the next serial of its kind's sequence for
the year (督办〔2026〕3号); and the plan's 印发方式 (automatic, or proposed for review). Below both the ladder,
which numbers what it issues, and the register, which issues by hand and sends like the ladder."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tracker.common.clock import utcnow
from tracker.extensions import db
from tracker.supervision.models import PREFIX_OF_KIND, DocumentSequence, DocumentState, SupervisionDocument

AUTO, REVIEW = "auto", "review"  # 印发方式: 自动印发 / 待印发
DOCUMENT_MODES = (AUTO, REVIEW)


def document_modes() -> dict[int, str]:
    """{plan id: 印发方式} of the plans that set one (the others: automatic)."""
    from tracker.reminders.models import ReminderSettings

    return {plan_id: mode for plan_id, mode in db.session.execute(
        select(ReminderSettings.plan_id, ReminderSettings.document_mode))}


def next_serial(prefix: str, year: int) -> int:
    """The next number of the (prefix, year) sequence, under a row lock (PostgreSQL) or SQLite's write lock."""
    sequence = db.session.scalar(select(DocumentSequence).where(DocumentSequence.prefix == prefix,
                                                                DocumentSequence.year == year).with_for_update())
    if sequence is None:
        sequence = DocumentSequence(prefix=prefix, year=year, last_serial=0)
        db.session.add(sequence)
    sequence.last_serial += 1
    db.session.flush()
    return sequence.last_serial


def number_document(document: SupervisionDocument, *, today: date, actor=None, at: datetime | None = None) -> None:
    """印发: the document gets the next number of its kind's sequence for the year (flushes)."""
    document.prefix = PREFIX_OF_KIND[document.kind]
    document.year, document.serial = today.year, next_serial(document.prefix, today.year)
    document.state, document.issued_on = DocumentState.issued, today
    document.issued_at, document.issued_by_id = at or utcnow(), getattr(actor, "id", None)
    db.session.flush()


def notice_facts(card, unit, row, reason: str) -> dict:
    """What a 催办单/督办通知单 states, frozen when it is drafted: the task, the plan, the unit it addresses
    and the overdue item (a late task or a missing report)."""
    return {"task_label": card.label, "task_number": card.number, "task_title": card.title,
            "plan_title": card.plan.title, "plan_doc_number": card.plan.doc_number or "", "unit_name": unit.name,
            "due_on": row.due_on.isoformat(), "overdue_kind": row.kind, "period": row.period,
            "progress": card.progress, "reason": reason}
