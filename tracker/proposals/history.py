"""How the history (tracker/audit/sentences.py) names proposals (第12号提案): registered at start-up
(``tracker.register_event_handlers``), so the audit domain below reads them without importing proposals."""
from __future__ import annotations

from flask_babel import gettext as _

from tracker.audit.sentences import column_names, register_names
from tracker.proposals.models import Proposal


def register() -> None:
    register_names("proposal", column_names(Proposal.id, Proposal.number,
                                            shown=lambda number: _("第%(number)s号提案", number=number)))
