"""The official-document format (公文格式, GB/T 9704) of every Word file the app writes: A4 and its margins,
方正小标宋 titles, 仿宋 三号 body text, 黑体/楷体 headings, "－ 1 －" page numbers, the issuer and date
signed in Chinese. Used by the progress report (tracker/reports/exports.py), the 督办 documents
(tracker/supervision/documents.py) and the 督查通报 (tracker/bulletins/documents.py)."""
from __future__ import annotations

from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tracker.common.export_text import export_text
from tracker.common.office_files import docx_bytes


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(month: date) -> str:
    return f"{month.year}年{month.month}月"


_BODY_FONT, _TITLE_FONT, _HEADING_FONT, _SUBHEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"


def _set_font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)  # CJK text uses eastAsia


def _document() -> Document:
    """A4 with the margins of the official-document standard (GB/T 9704), 仿宋 三号 body text."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = _BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _BODY_FONT)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name in ("Heading 1", "Heading 2", "Heading 3"):  # Word's default headings are blue (theme accent 1)
        document.styles[name].font.color.rgb = _BLACK
    _page_numbers(section)
    return document


_BLACK = RGBColor(0, 0, 0)


def _page_numbers(section) -> None:
    """The page number centred in the footer, "－ 1 －" as official documents print it (a PAGE field)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("－ "), _BODY_FONT, 14)
    for kind in ("begin", "instruction", "separate", "number", "end"):
        run = paragraph.add_run("1" if kind == "number" else None)  # "1" until Word updates the field
        _set_font(run, _BODY_FONT, 14)
        if kind == "instruction":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
            run._element.append(element)
        elif kind != "number":
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)
    _set_font(paragraph.add_run(" －"), _BODY_FONT, 14)


def _paragraph(document, text: str, *, font: str = _BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = True, style: str | None = None):
    paragraph = document.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if indent and align is None:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _set_font(paragraph.add_run(export_text(text)), font, size, bold)
    return paragraph


def _heading(document, text: str, level: int):
    """A real Word heading (navigation pane, table of contents) in the government fonts."""
    paragraph = document.add_heading(level=level)
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(0)
    _set_font(paragraph.add_run(export_text(text)), _HEADING_FONT if level == 1 else _SUBHEADING_FONT, 16, bold=level == 2)
    for run in paragraph.runs:
        run.font.color.rgb = _BLACK
    return paragraph


def _title_block(document, title: str, doc_number_line: str) -> None:
    _paragraph(document, title, font=_TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, doc_number_line, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "", indent=False)


def _signature(document, issuer: str, day: date) -> None:
    _paragraph(document, "", indent=False)
    _paragraph(document, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT)


def _docx_bytes(document) -> bytes:
    return docx_bytes(document)  # the office as author, the app's clock (tracker/common/office_files.py)
