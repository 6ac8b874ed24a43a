"""Seed the proposal register with the two real replies in ``seeds/documents`` (data in ``seeds/proposals.py``).

Idempotent: a proposal is looked up by meeting + number and created only when missing. Needs the unit
register (``seeds.demo._units``) loaded first. Does not commit: call it inside ``load_demo`` before its
``db.session.commit()`` so the demo seed stays one transaction.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from seeds.proposals import PROPOSALS
from tracker.extensions import db
from tracker.imports.reply_parser import find_commitments, parse_reply
from tracker.proposals.models import Proposal, ProposalState
from tracker.proposals.services import find_by_meeting_and_number, save_proposal
from tracker.units.models import Unit

DOCUMENTS = Path(__file__).parent / "documents"


def _reply_body(name: str | None) -> str:
    path = DOCUMENTS / name if name else None
    if path is None or not path.exists():
        return ""
    return parse_reply(path.read_text(encoding="utf-8")).body


def _commitments(texts: list[str], reply_on) -> list[dict]:
    """The abridged commitments, each with the time limit it names ("预计二季度…" → 2025年二季度)."""
    rows = []
    for text in texts:
        found = find_commitments([text], reply_on)
        rows.append({"text": text, "due_hint": found[0].due_hint if found else None})
    return rows


def load_proposals() -> list[Proposal]:
    """Creates the seeded proposals that are missing; returns all of them."""
    units = {unit.short_name: unit for unit in db.session.scalars(select(Unit))}
    proposals = []
    for data in PROPOSALS:
        existing = find_by_meeting_and_number(data["meeting"], data["number"])
        if existing is not None:
            proposals.append(existing)
            continue
        missing = [name for name in [data["main_unit"], *data["co_units"]] if name not in units]
        if missing:
            raise RuntimeError(f"unit register lacks {', '.join(missing)}: load the demo units first")
        proposals.append(save_proposal(
            None, None, meeting=data["meeting"], number=data["number"], title=data["title"],
            proposers=data["proposers"], main_unit_id=units[data["main_unit"]].id,
            co_unit_ids=[units[name].id for name in data["co_units"]], state=ProposalState.replied,
            reply_doc_number=data["reply_doc_number"], reply_on=data["reply_date"],
            result_category=data["result_category"], publicity=data["publicity"],
            contact_name=data["contact_name"], contact_phone=data["contact_phone"],
            contact_address=data["contact_address"], reply_text=_reply_body(data.get("source_document")),
            commitments=_commitments(data["commitments"], data["reply_date"])))
    db.session.flush()
    return proposals
