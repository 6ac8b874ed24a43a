"""What proposals plug into the domains below at start-up (``tracker.register_event_handlers``)."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.imports.drafts import find_registered_reply_with
from tracker.proposals.models import Proposal


def registered_item(meeting: str, number: str) -> Proposal | None:
    """The registered item (same 届次 and 编号) a proposal reply document answers."""
    return db.session.scalar(select(Proposal).where(Proposal.meeting == meeting, Proposal.number == number))


def connect() -> None:
    find_registered_reply_with(registered_item)
