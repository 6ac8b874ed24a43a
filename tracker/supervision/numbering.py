"""The register's numbers (文书编号): each numbered document takes the next serial of its kind's sequence for
the year (督办〔2026〕3号); and the plan's 印发方式 (automatic, or proposed for review). Below both the ladder,
which numbers what it issues, and the register, which issues by hand and sends like the ladder."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert as sa_insert, select

from tracker.common.clock import utcnow
from tracker.common.upsert import insert, insert_new_rows, on_postgresql
from tracker.extensions import db
from tracker.supervision.models import (PREFIX_OF_KIND, DocumentKind, DocumentSequence, DocumentState,
                                        SupervisionDocument)

AUTO, REVIEW = "auto", "review"  # 印发方式: 自动印发 / 待印发
DOCUMENT_MODES = (AUTO, REVIEW)


def document_modes() -> dict[int, str]:
    """{plan id: 印发方式} of the plans that set one (the others: automatic)."""
    from tracker.reminders.models import ReminderSettings

    return {plan_id: mode for plan_id, mode in db.session.execute(
        select(ReminderSettings.plan_id, ReminderSettings.document_mode))}


def reserve_serials(prefix: str, year: int, count: int) -> int:
    """Takes the next ``count`` numbers of the (prefix, year) sequence and returns the first, in one
    statement (INSERT … ON CONFLICT DO UPDATE … RETURNING): the sequence's row stays locked until the
    transaction ends on PostgreSQL (SQLite: its write lock), so two transactions never get the same numbers.
    A scan numbering a city's 9,000 documents asks once per sequence, not once per document."""
    table = DocumentSequence.__table__
    statement = insert(table).values(prefix=prefix, year=year, last_serial=count)
    statement = statement.on_conflict_do_update(
        index_elements=["prefix", "year"], set_={"last_serial": table.c.last_serial + statement.excluded.last_serial})
    last = db.session.execute(statement.returning(table.c.last_serial)).scalar_one()
    return last - count + 1


def next_serial(prefix: str, year: int) -> int:
    """The next number of the (prefix, year) sequence (``reserve_serials`` of one)."""
    return reserve_serials(prefix, year, 1)


def number_document(document: SupervisionDocument, *, today: date, actor=None, at: datetime | None = None) -> None:
    """印发: the document gets the next number of its kind's sequence for the year (flushes)."""
    document.prefix = PREFIX_OF_KIND[document.kind]
    document.year, document.serial = today.year, reserve_serials(document.prefix, today.year, 1)
    document.state, document.issued_on = DocumentState.issued, today
    document.issued_at, document.issued_by_id = at or utcnow(), getattr(actor, "id", None)
    db.session.flush()


def number_documents(documents: list[SupervisionDocument], *, today: date, at: datetime) -> None:
    """印发 of many documents not yet written (the ladder's of one scan): numbered in the order given, one
    ``reserve_serials`` per kind, then dated and marked issued. ``insert_documents`` writes them."""
    by_prefix: dict[str, list[SupervisionDocument]] = {}
    for document in documents:
        document.prefix = PREFIX_OF_KIND[document.kind]
        by_prefix.setdefault(document.prefix, []).append(document)
    for prefix, numbered in by_prefix.items():
        first = reserve_serials(prefix, today.year, len(numbered))
        for offset, document in enumerate(numbered):
            document.year, document.serial = today.year, first + offset
            document.state, document.issued_on, document.issued_at, document.issued_by_id = (
                DocumentState.issued, today, at, None)


def notice_facts(card, unit, row, reason: str) -> dict:
    """What a 催办单/督办通知单 states, frozen when it is drafted: the task, the plan, the unit it addresses
    and the overdue item (a late task or a missing report)."""
    return {"task_label": card.label, "task_number": card.number, "task_title": card.title,
            "plan_title": card.plan.title, "plan_doc_number": card.plan.doc_number or "", "unit_name": unit.name,
            "due_on": row.due_on.isoformat(), "overdue_kind": row.kind, "period": row.period,
            "progress": card.progress, "reason": reason}


DOCUMENT_COLUMNS = ("kind", "state", "prefix", "year", "serial", "task_id", "unit_id", "level", "proposed_on",
                    "issued_on", "issued_at", "issued_by_id", "reply_by", "overdue_days", "facts")


def insert_documents(documents: list[SupervisionDocument], batch: int = 1000) -> None:
    """Writes documents built in memory (not added to the session) in multi-row INSERTs and sets their
    ids, in the order given (RETURNING, matched to the rows by SQLAlchemy's ``sort_by_parameter_order``;
    on PostgreSQL one array parameter per column, ``insert_new_rows``, the ids matched back by task: a
    scan issues at most one document per task). The objects stay outside the session: they carry what
    the scan's messages and audit events say."""
    table = SupervisionDocument.__table__
    rows = [{name: getattr(document, name) for name in DOCUMENT_COLUMNS} for document in documents]
    for row in rows:
        row["state"] = row["state"] or DocumentState.issued
    task_ids = [document.task_id for document in documents]
    if on_postgresql() and len(set(task_ids)) == len(task_ids):
        rows = [{**row, "reply_text": "", "void_reason": "", "version": 1,
                 "state": DocumentState(row["state"]).value, "kind": DocumentKind(row["kind"]).value} for row in rows]
        found = dict(insert_new_rows(table, rows, unique=["prefix", "year", "serial"],
                                     returning=[table.c.task_id, table.c.id], batch=batch))
        if len(found) != len(documents):
            raise ValueError("a document of the scan was not written")
        for document in documents:
            document.id = found[document.task_id]
        return
    statement = sa_insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), batch):
        ids = db.session.execute(statement, rows[start:start + batch]).scalars().all()
        for document, document_id in zip(documents[start:start + batch], ids):
            document.id = document_id
