"""Turn the text of a proposal reply (提案/建议答复) into a reviewable draft.

Replies follow a loose convention: 办理结果/公开属性 labels, the replying body,
its 文号, "对…会议第…号提案的答复", the proposers' salutation, the body, a
signature with date, contact lines, and a 抄送/印发 footer. Anything the parser
cannot place is kept in `unplaced`; `parse_reply` never raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from tracker.imports.documents import (
    chinese_number,
    clean_paragraphs,
    find_date,
    find_doc_number,
    is_date_line,
    is_doc_number_line,
)
from tracker.imports.plan_parser import jsonable

logger = logging.getLogger(__name__)


@dataclass
class CommitmentDraft:
    text: str
    due_hint: str | None = None


@dataclass
class ReplyDraft:
    result_category: str | None = None
    publicity: str | None = None
    publicity_scope: str | None = None
    issuer: str | None = None
    reply_doc_number: str | None = None
    meeting: str | None = None
    proposal_number: str | None = None
    proposers: str | None = None
    title: str | None = None
    reply_date: date | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None
    postal_code: str | None = None
    body: str = ""
    commitments: list[CommitmentDraft] = field(default_factory=list)
    printed_on: date | None = None
    footer: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))


def parse_reply(text: str) -> ReplyDraft:
    """Parse reply text into a draft. Never raises: on an internal error all text is left unplaced."""
    if not isinstance(text, str):
        text = ""
    try:
        return read_reply(text)
    except Exception:  # an upload must degrade to manual review, never to a server error
        logger.exception("reply parser failed")
        return ReplyDraft(
            unplaced=[line.strip() for line in text.split("\n") if line.strip()],
            warnings=["解析出错，全文留待人工整理。"],
        )


# --------------------------------------------------------------------------- layout

_RESULT = re.compile(r"^办理结果\s*[：:]\s*(?P<value>.+)$")
_PUBLICITY = re.compile(r"^公开属性\s*[：:]\s*(?P<value>.+)$")
_REPLY_HEADING = re.compile(
    r"^(?:关于)?\s*(?:对)?\s*(?P<meeting>[^第，。]{2,30}?会议)\s*(?:第\s*)?(?P<number>[0-9A-Za-z\-]+)\s*号"
    r"\s*(?:代表)?(?:提案|建议|议案)\S{0,6}?(?:的)?(?:答复|复函)(?:意见|函)?$"
)
_SALUTATION = re.compile(r"^(?P<who>[^。！？]{1,60}?)\s*[：:]$")
_ORG_LINE = re.compile(r"^(?P<org>[^，。；：:\s]{2,40}?)(?:文件)?$")
_ORG_SUFFIX = re.compile(r"(人民政府|政府|委员会|办公室|办公厅|局|委|办|厅|中心|公司|集团|院|署)$")
_CONTACT_LABEL = "联系人姓名|联系人|联系电话|联系地址|邮政编码|邮编|电话|地址"
_CONTACT = re.compile(
    rf"(?P<label>{_CONTACT_LABEL})\s*[：:]\s*(?P<value>.*?)\s*(?=(?:{_CONTACT_LABEL})\s*[：:]|$)"
)
_FOOTER_START = re.compile(r"^(抄送|抄报|主送|分送|发送)\s*[：:]")
_QUOTED_TITLE = re.compile(r"提出的\s*[“\"《「](?P<title>[^”\"》」]{2,120})[”\"》」]")
_ANY_QUOTE = re.compile(r"[“\"《「](?P<title>[^”\"》」]{2,120})[”\"》」]")


def read_reply(text: str) -> ReplyDraft:
    """The parser proper; `parse_reply` wraps it with a safety net."""
    paragraphs = clean_paragraphs(text)
    draft = ReplyDraft()
    placed = [False] * len(paragraphs)
    heading = _read_front(draft, paragraphs, placed)
    body_start = _read_salutation(draft, paragraphs, placed, heading)
    signature = _read_signature(draft, paragraphs, placed, body_start)
    _read_contacts_and_footer(draft, paragraphs, placed, signature)
    body = [p for i, p in enumerate(paragraphs[body_start:signature], body_start) if not placed[i]]
    for index in range(body_start, signature):
        placed[index] = True
    draft.body = "\n".join(body)
    draft.title = _proposal_title(body)
    draft.commitments = find_commitments(body, draft.reply_date)
    draft.unplaced = [p for i, p in enumerate(paragraphs) if not placed[i]]
    _add_warnings(draft)
    return draft


def _read_front(draft: ReplyDraft, paragraphs: list[str], placed: list[bool]) -> int | None:
    """Labels, issuer, 文号 and the "…第…号提案的答复" heading; returns the heading's index."""
    heading_index = None
    for index, paragraph in enumerate(paragraphs):
        if heading_index is not None:
            break
        result, publicity = _RESULT.match(paragraph), _PUBLICITY.match(paragraph)
        reply_heading = _REPLY_HEADING.match(paragraph)
        if result and not draft.result_category:
            draft.result_category = result.group("value").strip()
        elif publicity and not draft.publicity:
            draft.publicity, draft.publicity_scope = _split_publicity(publicity.group("value"))
        elif is_doc_number_line(paragraph) and not draft.reply_doc_number:
            draft.reply_doc_number = find_doc_number(paragraph)
        elif reply_heading:
            draft.meeting = reply_heading.group("meeting").strip()
            draft.proposal_number = f"第{reply_heading.group('number')}号"
            heading_index = index
        elif _is_org_line(paragraph) and not draft.issuer:
            draft.issuer = _ORG_LINE.match(paragraph).group("org")  # type: ignore[union-attr]
        else:
            continue
        placed[index] = True
    return heading_index


def _split_publicity(value: str) -> tuple[str, str | None]:
    parts = [part.strip() for part in re.split(r"[·•・|｜/，,、]|\s+", value) if part.strip()]
    if not parts:
        return value.strip(), None
    return parts[0], (" ".join(parts[1:]) or None)


def _is_org_line(paragraph: str) -> bool:
    match = _ORG_LINE.match(paragraph)
    return bool(match and _ORG_SUFFIX.search(match.group("org")))


def _read_salutation(draft: ReplyDraft, paragraphs: list[str], placed: list[bool], heading: int | None) -> int:
    """The proposers line right after the heading ("池洪、卢薪、曹卫东等委员："); returns where the body starts."""
    start = 0 if heading is None else heading + 1
    for index in range(start, min(start + 3, len(paragraphs))):
        salutation = _SALUTATION.match(paragraphs[index])
        if salutation and not placed[index]:
            draft.proposers = salutation.group("who").strip()
            placed[index] = True
            return index + 1
    first_unplaced = next((i for i in range(start, len(paragraphs)) if not placed[i]), len(paragraphs))
    return first_unplaced


def _read_signature(draft: ReplyDraft, paragraphs: list[str], placed: list[bool], body_start: int) -> int:
    """Finds the signing body and date after the body; returns the index where the body ends."""
    for index in range(body_start, len(paragraphs)):
        paragraph = paragraphs[index]
        if is_date_line(paragraph) and not paragraph.endswith("印发"):
            draft.reply_date = find_date(paragraph)
            placed[index] = True
            end = index
            if index > body_start and _is_org_line(paragraphs[index - 1]):
                draft.issuer = draft.issuer or _ORG_LINE.match(paragraphs[index - 1]).group("org")  # type: ignore[union-attr]
                placed[index - 1] = True
                end = index - 1
            return end
    tail = next((i for i in range(body_start, len(paragraphs)) if _is_tail_line(paragraphs[i])), len(paragraphs))
    return tail


def _is_tail_line(paragraph: str) -> bool:
    return bool(_CONTACT.match(paragraph) or _FOOTER_START.match(paragraph)) or (
        is_date_line(paragraph) and paragraph.endswith("印发")
    )


def _read_contacts_and_footer(draft: ReplyDraft, paragraphs: list[str], placed: list[bool], start: int) -> None:
    in_footer = False
    for index in range(start, len(paragraphs)):
        paragraph = paragraphs[index]
        if placed[index]:
            continue
        if _CONTACT.match(paragraph):
            _read_contact(draft, paragraph)
            placed[index] = True
            continue
        printed = is_date_line(paragraph) and paragraph.endswith("印发")
        if _FOOTER_START.match(paragraph) or printed or (in_footer and _is_org_line(paragraph)):
            in_footer = True
            draft.footer.append(paragraph)
            placed[index] = True
            if printed and not draft.printed_on:
                draft.printed_on = find_date(paragraph)
        elif _is_org_line(paragraph) and index + 1 < len(paragraphs) and is_date_line(paragraphs[index + 1]):
            in_footer = True
            draft.footer.append(paragraph)
            placed[index] = True
    if draft.reply_date is None and draft.printed_on:
        draft.reply_date = draft.printed_on
        draft.warnings.append("未找到落款日期，已用印发日期代替。")


def _read_contact(draft: ReplyDraft, paragraph: str) -> None:
    for match in _CONTACT.finditer(paragraph):
        label, value = match.group("label"), match.group("value").strip(" ，,；;")
        if not value:
            continue
        if label in ("联系人姓名", "联系人"):
            draft.contact_name = draft.contact_name or value
        elif label in ("联系电话", "电话"):
            draft.contact_phone = draft.contact_phone or value
        elif label in ("联系地址", "地址"):
            draft.contact_address = draft.contact_address or value
        else:
            draft.postal_code = draft.postal_code or value


def _proposal_title(body: list[str]) -> str | None:
    for paragraph in body[:2]:
        quoted = _QUOTED_TITLE.search(paragraph) or _ANY_QUOTE.search(paragraph)
        if quoted:
            return quoted.group("title").strip()
    return None


# --------------------------------------------------------------------------- commitments

_VERB_AFTER_JIANG = (
    "于|在|进一步|继续|持续|积极|加快|加强|加大|深化|推动|推进|会同|联合|组织|开展|研究|完善|建立|建设|建成|"
    "重点|尽快|支持|做好|努力|不断|全力|着力|围绕|聚焦|按照|配合|协调|根据|出台|启动|实施|落实|"
    "提升|强化|优化|探索|争取|指导|督促|鼓励|引导|牵头|逐步|全面|结合|适时|及时|认真|统筹|完成"
)
_COMMITMENT_MARKER = re.compile(
    rf"下一步|下阶段|今后|后续|(?<![即必])将(?={_VERB_AFTER_JIANG})|即将|计划(?![，。；、”》）]|$)|"
    r"(?<![模虚])拟(?!定)|预计|力争|争取|尽快|抓紧|年内|年底前|准备|考虑(?=将|把|在|纳入|设立)"
)
# Quoting the proposal ("关于…的建议") repeats the proposer's wishes, not the replier's promises.
_QUOTED_PROPOSAL = re.compile(r"关于[^。]*?的(?:建议|提案|意见)")
_NOT_PLAN_NOUN = re.compile(r"(投资|合作|工作|行动|实施|发展|人才|中和|年度|专项)计划$")
_TIME_HINT = re.compile(
    r"(?P<year>\d{4}\s*年|明年|今年)?\s*"
    r"(?P<period>(?:第)?[一二三四1-4]\s*季度(?:末|底)?|上半年|下半年|\d{1,2}\s*月(?:底|末|份|前)?"
    r"|年底前?|年末|年内|底前?|末)?"
)
_BARE_PERIOD_ENDS = ("底", "底前", "末")


def find_commitments(body: list[str], reply_date: date | None) -> list[CommitmentDraft]:
    """Sentences that promise future work ("下一步…将…", "预计二季度完成…"), with a due hint when written."""
    commitments: list[CommitmentDraft] = []
    for paragraph in body:
        for sentence in _sentences(paragraph):
            marker = _commitment_marker(sentence)
            if marker is None:
                continue
            commitments.append(CommitmentDraft(sentence, _due_hint(sentence, marker, reply_date)))
    return commitments


def _sentences(paragraph: str) -> list[str]:
    pieces = re.split(r"(?<=[。！？])", paragraph)
    sentences: list[str] = []
    for piece in pieces:
        # Long sentences chain separate facts with "；"; judge each clause on its own.
        clauses = re.split(r"(?<=；)", piece) if len(piece) > 80 else [piece]
        sentences += [clause.strip() for clause in clauses if clause.strip()]
    return sentences


def _commitment_marker(sentence: str) -> re.Match[str] | None:
    quoted = [range(m.start(), m.end()) for m in _QUOTED_PROPOSAL.finditer(sentence)]
    for match in _COMMITMENT_MARKER.finditer(sentence):
        if match.group(0) == "计划" and _NOT_PLAN_NOUN.search(sentence[: match.end()]):
            continue
        if any(match.start() in span for span in quoted):
            continue
        return match
    return None


def _due_hint(sentence: str, marker: re.Match[str], reply_date: date | None) -> str | None:
    hints = [
        m
        for m in _TIME_HINT.finditer(sentence)
        if m.group("year") or (m.group("period") and m.group("period") not in _BARE_PERIOD_ENDS)
    ]
    if not hints:
        return None
    after = [m for m in hints if m.start() >= marker.start()]
    chosen = after[0] if after else hints[-1]
    return _resolve_hint(chosen, reply_date)


def _resolve_hint(match: re.Match[str], reply_date: date | None) -> str:
    year_text = re.sub(r"\s+", "", match.group("year") or "")
    period = re.sub(r"\s+", "", match.group("period") or "")
    written = year_text + period
    if reply_date is None or re.match(r"\d{4}年", year_text):
        return written
    year = reply_date.year + (1 if year_text == "明年" else 0)
    if period and not year_text and _already_past(period, reply_date):
        year += 1
    return f"{year}{period}" if period.startswith("年") else f"{year}年{period}"


def _already_past(period: str, reply_date: date) -> bool:
    """A bare "一季度" written in June means next year's first quarter."""
    quarter = re.search(r"([一二三四1-4])\s*季度", period)
    if quarter:
        number = chinese_number(quarter.group(1)) or 0
        return number * 3 < reply_date.month
    month = re.match(r"(\d{1,2})月", period)
    return bool(month and int(month.group(1)) < reply_date.month)


# --------------------------------------------------------------------------- warnings


def _add_warnings(draft: ReplyDraft) -> None:
    checks = (
        (draft.proposal_number, "未识别到提案编号。"),
        (draft.reply_date, "未识别到答复日期。"),
        (draft.body, "未识别到答复正文。"),
    )
    draft.warnings += [message for present, message in checks if not present]
    if draft.unplaced:
        draft.warnings.append(f"有 {len(draft.unplaced)} 段文字未能归类，请人工核对。")

