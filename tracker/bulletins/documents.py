"""The 督查通报 as a Word file, in the plain government layout of the other documents
(tracker/reports/exports.py): title, number, text, 附表 (on-time reporting by unit, tasks at 通报 level,
items' replies at 通报 level),
issuer and date. Built from the bulletin's stored figures and text, so the file downloaded later says
what was issued."""
from __future__ import annotations

from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask_babel import gettext as _

from tracker.bulletins.models import Bulletin
from tracker.common.export_text import export_text
from tracker.common.office_files import issuer
from tracker.proposals.handling import ROLE_LABELS
from tracker.proposals.models import ReceiptRole
from tracker.supervision.ladder import LEVEL_LABELS
from tracker.common.official_documents import _document, _docx_bytes, _paragraph, _signature, _title_block


def _table(word, headers: list[str], rows: list[list[str]]) -> None:
    table = word.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = export_text(text)
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for cells, values in zip(table.rows[1:], rows):
        for cell, value in zip(cells.cells, values):
            cell.text = export_text(value)


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def bulletin_docx(bulletin: Bulletin, today: date) -> bytes:
    figures = bulletin.figures
    word = _document()
    _title_block(word, bulletin.title, bulletin.number or _("（草稿，印发时编号）"))
    for paragraph in (part.strip() for part in bulletin.body.split("\n")):
        if paragraph:
            _paragraph(word, paragraph)
    _signature(word, issuer(), bulletin.issued_on or today)
    _paragraph(word, "", indent=False)
    _paragraph(word, _("附表1：各单位按期报送情况"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _table(word, [_("单位"), _("应报送"), _("按期报送"), _("按期报送率")],
           [[row["unit"], row["due"], row["on_time"], _percent(row["rate"])] for row in figures["reporting"]["units"]]
           + [[_("合计"), figures["reporting"]["due"], figures["reporting"]["on_time"],
               _percent(figures["reporting"]["rate"])]])
    _paragraph(word, "", indent=False)
    _paragraph(word, _("附表2：通报任务"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    if figures["level4"]:
        _table(word, [_("任务"), _("牵头单位"), _("逾期工作日")],
               [[row["task"], row["unit"], row["overdue_days"]] for row in figures["level4"]])
    else:
        _paragraph(word, _("本月无任务达到通报等级。"), indent=False)
    proposals = figures.get("proposals")  # a bulletin drafted before the items were counted has none
    if proposals is not None:
        _paragraph(word, "", indent=False)
        _paragraph(word, _("附表3：通报的建议提案答复"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        if proposals["level4"]:
            _table(word, [_("届次"), _("编号"), _("标题"), _("承办单位"), _("答复期限"), _("逾期工作日"),
                          _("督办等级"), _("督办文书")],
                   [[row["meeting"], row["number"], row["title"],
                     f"{row['unit']}（{ROLE_LABELS[ReceiptRole(row['role'])]}）", row["due_on"], row["overdue_days"],
                     _("第%(level)d级（%(label)s）", level=row["level"], label=LEVEL_LABELS[row["level"]]),
                     "、".join(document["number"] for document in row["documents"]) or "—"]
                    for row in proposals["level4"]])
        else:
            _paragraph(word, _("本月无建议提案答复达到通报等级。"), indent=False)
    return _docx_bytes(word)
