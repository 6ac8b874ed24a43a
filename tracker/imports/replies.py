"""A reply draft (提案答复) applied: the proposal it answers is filled by proposals (``import_reply``), which
resolves the draft's unit names with the drafts' own rules (``tracker.imports.drafts.resolve_unit_refs``).
Kept apart from drafts.py so that the two modules do not import each other."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.common.errors import ValidationFailed
from tracker.imports.drafts import _check_open
from tracker.imports.models import DraftKind, ImportDraft
from tracker.proposals.services import import_reply


def apply_reply_draft(actor, draft: ImportDraft, edited: dict | None, today: date,
                      expected_version: int | None = None):
    """Fills a new or the matching proposal (same meeting and number) from a reply draft."""
    _check_open(draft, expected_version)
    if draft.kind != DraftKind.proposal_reply:
        raise ValidationFailed(_("该草稿不是提案答复导入。"))
    return import_reply(actor, draft, edited, today=today)
