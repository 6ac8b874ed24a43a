"""Publication of replies (答复公开) on the public pages (tracker.public): which replies, and their text with
contacts masked.

Rules decided here:
- a reply is published once the item is answered (已答复 or 已反馈, with a 答复日期 not after today) and its
  公开属性 is 主动公开 (also written “主动公开·全文”); 依申请公开 replies are given on request, not published;
  不予公开 items never appear, whatever their state; published the day they are answered, so always within the
  20 working days the rules allow;
- the full text is shown with the unit's contacts masked by ``mask_contacts``: the contact person's name (the
  stored one and any “联系人：…”), phone numbers (mobile 138xxxxxxxx, landlines 0571-8xxxxxxx, (021)
  23119322, 23119322, extensions 52564588-3335, full-width digits), addresses (“联系地址：…”, and any
  …路/街/弄/号/室/楼 address), postal codes (6 digits after 邮编/邮政编码, and any 6-digit number starting
  with 1–8 standing alone) and email addresses. Proposers (委员/代表) are named: their names are public.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.proposals.models import Proposal, ProposalState

MASK = "＊＊＊"
PUBLISHED_STATES = (ProposalState.replied, ProposalState.feedback_received)
PUBLIC_PREFIX = "主动公开"
NEVER = "不予公开"

_LABELLED = re.compile(
    r"(?P<label>(?:联\s*系\s*人(?:\s*姓\s*名)?|经\s*办\s*人|承\s*办\s*人|联\s*系\s*电\s*话|电\s*话|手\s*机|传\s*真|"
    r"联\s*系\s*地\s*址|通\s*信\s*地\s*址|地\s*址|邮\s*政\s*编\s*码|邮\s*编|电\s*子\s*邮\s*箱|邮\s*箱)\s*[：:]\s*)"
    r"(?P<value>[^\n\r，。；;]*?)(?=\s{2,}|[，。；;\n\r]|(?:联\s*系|电\s*话|地\s*址|邮\s*政|邮\s*编)\s*[^\s]{0,4}[：:]|$)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\d])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"  # mobiles: 138 0013 8000, 13800138000
    r"|(?<![\d])(?:[(（]\s*0\d{2,3}\s*[)）]\s*|0\d{2,3}[\s-]?)?[2-9]\d{3}[\s-]?\d{3,4}(?:\s*(?:-|转|分机)\s*\d{1,5})?(?!\d)"
)
_PLACE = r"[^\W\d_至到在于往寄送交为是的和及或请将把向从由经与]"  # a character of a place name, not a verb
_ADDRESS = re.compile(
    rf"{_PLACE}{{0,12}}(?:路|街|大道|弄|巷|胡同|道)\s*\d+\s*(?:号|弄)"
    rf"(?:\s*(?:{_PLACE}{{0,10}}\s*)?[\dA-Za-z]+\s*(?:号楼|幢|栋|楼|座|单元|层|室|号))*")


_WIDE = str.maketrans("０１２３４５６７８９－＋（）＠．", "0123456789-+()@.")
_NAMED = re.compile(r"(?P<label>(?:联\s*系\s*人|经\s*办\s*人|承\s*办\s*人)\s+)(?P<value>[\u4e00-\u9fa5]{2,4})")
_POSTAL_AFTER_WORD = re.compile(r"(?P<label>邮\s*政\s*编\s*码|邮\s*编)(?P<value>\s*\d{6})(?!\d)")
_POSTAL = re.compile(r"(?:(?<=^)|(?<=[\s(（，,。；;：:]))[1-8]\d{5}(?=$|[\s)），,。；;])")


def _normalised(text: str) -> str:
    """Full-width digits, hyphens, brackets and @ as ASCII (０５７１－８… → 0571-8…), so no format slips through;
    Chinese punctuation stays as written."""
    return text.translate(_WIDE)


def _masked_value(match: re.Match) -> str:
    value = match.group("value")
    if not value.strip():
        return match.group(0)
    return match.group("label") + MASK + value[len(value.rstrip()):]


def mask_contacts(text: str, names=()) -> str:
    """The text with the unit's contacts masked: contact persons (``names`` and any “联系人：…”), phones,
    addresses, postal codes and email addresses each become ＊＊＊."""
    if not text:
        return ""
    text = _normalised(text)
    text = _LABELLED.sub(_masked_value, text)
    text = _NAMED.sub(_masked_value, text)
    text = _POSTAL_AFTER_WORD.sub(lambda m: m.group("label") + MASK, text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        spaced = r"\s*".join(re.escape(ch) for ch in name)  # “沈 雄” as the document lays it out
        text = re.sub(spaced, MASK, text)
    text = _EMAIL.sub(MASK, text)
    text = _ADDRESS.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    text = _POSTAL.sub(MASK, text)
    return text


def published_condition(today: date):
    """The items whose reply is on the public pages as of ``today``."""
    return (Proposal.state.in_(PUBLISHED_STATES) & Proposal.reply_on.is_not(None) & (Proposal.reply_on <= today)
            & Proposal.publicity.startswith(PUBLIC_PREFIX) & ~Proposal.publicity.contains(NEVER))


def published_replies(today: date) -> list[Proposal]:
    """Published replies, newest first."""
    return list(db.session.scalars(select(Proposal).where(published_condition(today))
                                   .options(selectinload(Proposal.main_unit))
                                   .order_by(Proposal.reply_on.desc(), Proposal.id.desc())))


def published_reply(proposal_id: int, today: date) -> Proposal | None:
    if not 0 < proposal_id <= 2_147_483_647:
        return None
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id, published_condition(today)))


def public_text(proposal: Proposal) -> str:
    """The reply's full text as published: contacts masked."""
    return mask_contacts(proposal.reply_text or "", names=[proposal.contact_name])


def public_paragraphs(proposal: Proposal) -> list[str]:
    return [line.strip() for line in public_text(proposal).splitlines() if line.strip()]
