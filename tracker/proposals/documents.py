"""The 答复函 (reply letter) drafted from an item, in official layout (tracker/common/official_documents.py):
公开属性 and the result class at the top, the proposers addressed by name (a joint item: every signer), one
section per point of the proposal for the unit to answer (逐条答复), the result class, the contact, the
signature of the 主办 unit with a line for its head (签发人), and the 抄送 line.

Result classes (办理结果分类): A 已解决/采纳, B 正在解决, C 列入计划, D 留作参考. The register's wording
(``PROPOSAL_RESULT_CATEGORIES``: 解决采纳, 部分采纳或解决, 留作参考, 因条件限制无法解决) maps onto them.
"""
from __future__ import annotations

from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tracker.common.official_documents import _document, _docx_bytes, _heading, _paragraph, _signature, \
    _title_block, chinese_date
from tracker.proposals.handling import ITEM_WORDS, PROPOSER_WORDS, item_number
from tracker.proposals.models import Proposal, ProposalKind

RESULT_CLASSES = {"A": "已解决/采纳", "B": "正在解决", "C": "列入计划", "D": "留作参考"}
CATEGORY_CLASSES = {"解决采纳": "A", "已解决": "A", "采纳": "A", "部分采纳或解决": "B", "部分采纳": "B",
                    "正在解决": "B", "列入计划": "C", "计划解决": "C", "留作参考": "D", "因条件限制无法解决": "D"}
CHINESE_ORDINALS = "一二三四五六七八九十"
POINT_PLACEHOLDER = "（请逐条答复：已开展的工作、采纳或解决情况、下一步打算及完成时限。）"


def result_class(result_category: str) -> str:
    """A/B/C/D for a result category; "" when none is set or it does not map."""
    value = (result_category or "").strip()
    return value if value in RESULT_CLASSES else CATEGORY_CLASSES.get(value, "")


def _ordinal(index: int) -> str:
    if index <= 10:
        return CHINESE_ORDINALS[index - 1]
    tens, ones = divmod(index, 10)
    return (CHINESE_ORDINALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_ORDINALS[ones - 1] if ones else "")


def reply_letter_title(proposal: Proposal) -> str:
    return f"关于对{proposal.meeting}{item_number(proposal)}的答复"


def reply_letter(proposal: Proposal, *, today: date) -> bytes:
    """The 答复函 as .docx bytes, drafted for the 主办 unit to complete and sign."""
    kind = ProposalKind(proposal.kind)
    item_word, person_word = str(ITEM_WORDS[kind]), str(PROPOSER_WORDS[kind])
    document = _document()
    klass = result_class(proposal.result_category)
    _paragraph(document, f"{klass}类" if klass else "（　）类", indent=False)
    _paragraph(document, f"公开属性：{proposal.publicity or '（主动公开/依申请公开/不予公开）'}", indent=False)
    _title_block(document, reply_letter_title(proposal), proposal.reply_doc_number or "〔　　〕　号")

    salutation = "、".join(f"{person.name}{person_word}" for person in proposal.people) \
        or proposal.proposers or f"尊敬的{person_word}"
    _paragraph(document, f"{salutation}：", indent=False)
    _paragraph(document, f"您（们）提出的《{proposal.title}》（{proposal.meeting}{item_number(proposal)}）收悉。"
               f"经认真研究，现就{item_word}所提建议逐条答复如下：")
    points = [point for point in (proposal.points or []) if point.strip()] or [proposal.title]
    for index, point in enumerate(points, start=1):
        _heading(document, f"{_ordinal(index)}、关于{point.strip().removeprefix('关于')}", 1)
        _paragraph(document, POINT_PLACEHOLDER)

    classes = "　".join(f"{key} {label}" for key, label in RESULT_CLASSES.items())
    if klass:
        _paragraph(document, f"办理结果：{klass} {RESULT_CLASSES[klass]}（{classes}）")
    else:
        _paragraph(document, f"办理结果：（请选择：{classes}）")
    _paragraph(document, "感谢您对我们工作的关心和支持。对本答复如有意见，请通过个人评价链接反馈。")
    contact = f"联系人：{proposal.contact_name or '　　　'}　　联系电话：{proposal.contact_phone or '　　　'}"
    _paragraph(document, contact)
    if proposal.contact_address:
        _paragraph(document, f"联系地址：{proposal.contact_address}{('（' + proposal.postal_code + '）') if proposal.postal_code else ''}")
    _signature(document, proposal.main_unit.name, proposal.reply_on or today)
    _paragraph(document, "签发人：　　　　", align=WD_ALIGN_PARAGRAPH.RIGHT)
    copied = ["提案委" if kind == ProposalKind.cppcc else "人大选联工委"] + [unit.name for unit in proposal.co_units]
    _paragraph(document, f"抄送：{'，'.join(copied)}。", indent=False)
    return _docx_bytes(document)


def reply_letter_filename(proposal: Proposal, today: date) -> str:
    return f"答复函-{proposal.meeting}{proposal.number}-{chinese_date(today)}.docx"
