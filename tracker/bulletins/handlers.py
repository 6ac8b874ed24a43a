"""Bulletins' reactions to the 督办 register (tracker.common.events), connected at start-up: a voided
number puts its 督查通报 back to draft, and the register's Word file of a bulletin is the bulletin's own."""
from __future__ import annotations

from tracker.bulletins.documents import bulletin_docx
from tracker.bulletins.models import Bulletin, BulletinState
from tracker.common import events
from tracker.extensions import db
from tracker.supervision import documents
from tracker.supervision.models import DocumentKind


def on_document_voided(document, *, actor) -> None:
    """作废 of a bulletin's number: the bulletin goes back to draft (issued again, it gets a new number)."""
    if document.bulletin_id is None:
        return
    bulletin = db.session.get(Bulletin, document.bulletin_id)
    if bulletin is not None and bulletin.serial == document.serial and bulletin.year == document.year:
        bulletin.state, bulletin.year, bulletin.serial = BulletinState.draft, None, None
        bulletin.issued_on, bulletin.issued_at, bulletin.issued_by_id = None, None, None


def bulletin_document(document) -> bytes:
    return bulletin_docx(db.session.get(Bulletin, document.bulletin_id), document.issued_on)


def connect() -> None:
    events.document_voided.connect(on_document_voided, weak=False)
    documents.register_builder(DocumentKind.bulletin, bulletin_document)
