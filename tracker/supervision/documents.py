"""The Word files of the ladder (催办单, 督办通知单), in the plain government layout of the other exports
(tracker/reports/exports.py): A4, 仿宋 三号, title, number, addressee, body, reply slot, issuer and date.

Built from the facts frozen when the document was issued, so the file downloaded later says what the
document said that day."""
from __future__ import annotations

from datetime import date
from typing import Callable

from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask_babel import gettext as _

from tracker.common.export_text import export_text
from tracker.common.filters import period_label
from tracker.common.office_files import issuer
from tracker.common.official_documents import _document, _docx_bytes, _paragraph, _signature, _title_block, chinese_date
from tracker.supervision.models import DocumentKind, SupervisionDocument

TITLES = {DocumentKind.urge_notice: "催办单", DocumentKind.supervision_notice: "督办通知单", DocumentKind.bulletin: "督查通报"}


# kind -> the Word file of a document of that kind built by the domain that owns it (a 督查通报: bulletins),
# registered at start-up (``register_builder``); the other kinds are built here.
BUILDERS: dict[DocumentKind, Callable[[SupervisionDocument], bytes]] = {}


def register_builder(kind: DocumentKind, build: Callable[[SupervisionDocument], bytes]) -> None:
    BUILDERS[kind] = build


def document_title(document: SupervisionDocument) -> str:
    return _(TITLES[document.kind])


def notice_paragraphs(document: SupervisionDocument) -> list[str]:
    """The text of a 催办单/督办通知单: the addressee line, then its paragraphs (the preview page and the
    Word file say the same). A proposed document is dated and numbered when issued: its preview reads
    with today's facts and no number."""
    facts = document.facts
    issued_on = document.issued_on or document.proposed_on
    if facts.get("overdue_kind") == "proposal_reply":
        return proposal_notice_paragraphs(document)
    source = _("根据《%(plan)s》（%(number)s），你单位牵头负责第%(n)s项任务“%(title)s”。",
               plan=facts["plan_title"], number=facts["plan_doc_number"] or "—", n=facts["task_number"],
               title=facts["task_title"])
    due_on = date.fromisoformat(facts["due_on"])
    if facts["overdue_kind"] == "task":
        body = source + _("该任务完成时限为%(due)s，截至%(today)s尚未完成，已逾期%(days)d个工作日，当前进度%(progress)d%%。",
                          due=chinese_date(due_on), today=chinese_date(issued_on),
                          days=document.overdue_days, progress=facts["progress"])
    else:
        body = source + _("该任务%(period)s进展应于%(due)s前报送，截至%(today)s尚未报送，已逾期%(days)d个工作日。",
                          period=period_label(facts["period"]), due=chinese_date(due_on),
                          today=chinese_date(issued_on), days=document.overdue_days)
    paragraphs = [f"{facts['unit_name']}：", body]
    if "latest_period" in facts:  # a notice issued by hand states the latest accepted progress
        if facts["latest_period"]:
            paragraphs.append(_("最近一次采纳的进展（%(period)s）：", period=period_label(facts["latest_period"]))
                              + facts["latest_text"])
            if facts.get("latest_problems"):
                paragraphs.append(_("存在问题：") + facts["latest_problems"])
        else:
            paragraphs.append(_("该任务尚无经审核采纳的进展报送。"))
    if facts.get("reason") == "no_reply":
        paragraphs.append(_("上一级督办文书逾期未反馈，现升级督办。"))
    reply = chinese_date(document.reply_by) if document.reply_by else _("（印发后%(n)d个工作日内）", n=_reply_days(document))
    paragraphs.append(_("请你单位高度重视，于%(reply)s前在督办系统中书面反馈逾期原因、整改措施和预计完成时间。", reply=reply))
    paragraphs.append(_("特此通知。"))
    return paragraphs


def proposal_notice_paragraphs(document: SupervisionDocument) -> list[str]:
    """The text of a 催办单/督办通知单 about an item's overdue reply (tracker/supervision/proposal_ladder.py): the
    item (届次, 第N号, title), the unit and its part (主办/分办), the original and current reply deadlines, the
    working days overdue and the date the reply is asked by."""
    facts = document.facts
    issued_on = document.issued_on or document.proposed_on
    role = _("分办") if facts.get("role") == "split" else _("主办")
    due_on, original = date.fromisoformat(facts["due_on"]), date.fromisoformat(facts["original_due_on"])
    body = _("%(meeting)s%(number)s“%(title)s”由你单位%(role)s。", meeting=facts["item_meeting"],
             number=facts["item_number"], title=facts["item_title"], role=role)
    if original != due_on:
        body += _("该件原答复期限为%(original)s，经批准延期至%(due)s，", original=chinese_date(original),
                  due=chinese_date(due_on))
    else:
        body += _("该件答复期限为%(due)s，", due=chinese_date(due_on))
    body += _("截至%(today)s你单位尚未答复，已逾期%(days)d个工作日。", today=chinese_date(issued_on),
              days=document.overdue_days)
    paragraphs = [f"{facts['unit_name']}：", body]
    reply = chinese_date(document.reply_by) if document.reply_by else "—"
    paragraphs.append(_("请你单位高度重视，于%(reply)s前完成答复，并在系统中报送答复情况；确需延期的，请按程序申请延期。",
                        reply=reply))
    paragraphs.append(_("特此通知。"))
    return paragraphs


def _reply_days(document: SupervisionDocument) -> int:
    from tracker.supervision.services import loop_settings

    return loop_settings(document.task.plan_id)[1]


def document_docx(document: SupervisionDocument) -> bytes:
    if document.kind in BUILDERS:  # a 督查通报: its own Word file (tracker/bulletins)
        return BUILDERS[document.kind](document)
    word = _document()
    number = document.number + (_("（已作废）") if document.is_void else "")
    _title_block(word, document_title(document), number)
    addressee, *paragraphs = notice_paragraphs(document)
    _paragraph(word, addressee, indent=False)
    for paragraph in paragraphs:
        _paragraph(word, paragraph)
    _signature(word, issuer(), document.issued_on or document.proposed_on)
    if document.facts.get("cc"):
        _paragraph(word, _("抄送：") + "、".join(document.facts["cc"]) + "。", size=14, indent=False)
    _paragraph(word, "", indent=False)
    _paragraph(word, _("反馈情况（由责任单位填写）"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    table = word.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    rows = ((_("逾期原因"), ""), (_("整改措施"), ""), (_("预计完成时间"), ""),
            (_("单位负责人（签字）"), _("（盖章）    年  月  日")))
    for cells, (caption, value) in zip(table.rows, rows):
        cells.cells[0].text, cells.cells[1].text = export_text(caption), export_text(value)
        cells.height = None
    if document.replied_at is not None:
        _paragraph(word, _("系统内反馈（%(day)s）：", day=chinese_date(document.replied_at.date())) + document.reply_text)
    return _docx_bytes(word)
