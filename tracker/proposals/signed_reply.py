"""The signed and sealed 答复函 (已盖章答复函): after the draft (tracker/proposals/documents.py) is completed,
signed and sealed (签发、盖章), the 主办 unit or a coordinator uploads it on the item's page; the item then
shows it, with who uploaded it and when. A newer upload replaces it (the history keeps both events).

Files go through the evidence store and its checks (tracker/updates/evidence.py): the same names, size
limit and content check as 佐证材料, limited to what a signed letter is (PDF, a scan, the .docx or .ofd)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.access import permissions
from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.auth.models import Role
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.models import Proposal, SignedReplyLetter
from tracker.proposals.services import can_view_proposal
from tracker.updates.evidence import EvidenceStore, IncomingFile, check_file

# What a signed letter may be: a PDF, a scan (JPG/PNG), the signed Word file or an OFD (版式文件).
SIGNED_LETTER_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "ofd")


def signed_letter_extensions(allowed_extensions: tuple[str, ...]) -> tuple[str, ...]:
    """The signed letter's types among those the evidence store allows (``TRACKER_EVIDENCE_EXTENSIONS``)."""
    return tuple(extension for extension in SIGNED_LETTER_EXTENSIONS if extension in allowed_extensions)


def can_upload_signed_letter(user, proposal: Proposal) -> bool:
    """Who uploads the 盖章答复函: the 主办 unit's users, coordinators and admins (督办、管理员)."""
    if permissions.is_manager(user):
        return True
    return (user.is_authenticated and user.role == Role.unit and user.unit_id is not None
            and user.unit_id == proposal.main_unit_id)


def can_download_signed_letter(user, proposal: Proposal) -> bool:
    """Everyone who sees the item: its units, coordinators, leaders."""
    return can_view_proposal(user, proposal)


def signed_letter(proposal: Proposal) -> SignedReplyLetter | None:
    """The item's 盖章答复函: the newest upload, None before any."""
    return db.session.scalar(select(SignedReplyLetter).where(SignedReplyLetter.proposal_id == proposal.id)
                             .order_by(SignedReplyLetter.id.desc()).limit(1))


def upload_signed_letter(actor, proposal: Proposal, files: list[IncomingFile], *, store: EvidenceStore,
                         allowed_extensions: tuple[str, ...], max_bytes: int) -> SignedReplyLetter:
    """Uploads the 盖章答复函 (one file); it replaces the one shown before. Refused (nothing written): another
    unit (403), no file or more than one, a type a signed letter is not, an empty or too large file, bytes
    that are not what the name says."""
    if not can_upload_signed_letter(actor, proposal):
        raise PermissionDenied(_("只有主办单位或督办人员可以上传盖章答复函。"))
    files = list(files)
    if not files:
        raise ValidationFailed(_("请选择盖章后的答复函文件。"))
    if len(files) > 1:
        raise ValidationFailed(_("每次只能上传一个盖章答复函文件。"))
    extension = check_file(files[0], signed_letter_extensions(allowed_extensions), max_bytes)
    replaced = signed_letter(proposal)
    try:
        letter = SignedReplyLetter(proposal_id=proposal.id, uploaded_by_id=actor.id,
                                   **store.save(files[0], extension))
        db.session.add(letter)
        record(actor, "proposal.signed_reply_uploaded", proposal, summary=str(proposal),
               changes={"file": letter.original_name, "size": letter.size, "sha256": letter.sha256,
                        "replaced": replaced.original_name if replaced is not None else None})
        db.session.flush()
    except Exception:
        store.discard_saved()
        raise
    return letter


def _said_uploaded(event, names):
    values = dict(actor=event.actor, file=event.changes.get("file", ""))
    if event.changes.get("replaced"):
        return Said(_("%(actor)s 上传了盖章答复函“%(file)s”，替换了“%(replaced)s”", replaced=event.changes["replaced"],
                      **values))
    return Said(_("%(actor)s 上传了盖章答复函“%(file)s”", **values))


register_sentence("proposal.signed_reply_uploaded", _said_uploaded)
