"""Text leaving the app (导出): every Excel cell, CSV cell, Word paragraph and email goes through here.

* ``clean_text`` (``tracker.common.plain_text``) first: what XML cannot carry is dropped, so no stored
  text can make openpyxl (IllegalCharacterError) or python-docx/lxml ("All strings must be XML
  compatible") fail, and an export never answers 500 because of one report.
* Spreadsheet cells (xlsx and csv) are neutralised as OWASP's CSV-injection guidance says: a text cell
  starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so no
  spreadsheet program reads it as a formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``, ``@SUM(…)``).
  In Excel files the cell is also written with the string data type (``write_cell``), never as a
  formula or an error value (``#N/A``), and at most Excel's 32,767 characters. Numbers, dates and
  empty cells are written as they are.
* Emails: the subject is one line, the bodies are cleaned; the HTML body comes from autoescaping Jinja
  templates only (``tracker.outbox.services.render_messages``).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Iterable

from tracker.common.plain_text import clean_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767  # characters one Excel cell holds
_KEPT = (bool, int, float, Decimal, date, datetime, time, timedelta)


def export_text(value: Any) -> str:
    """Any value as text a document (Word, email) can carry: ``None`` is empty."""
    return "" if value is None else clean_text(str(value))


def cell_value(value: Any):
    """The value of one spreadsheet cell (xlsx or csv): numbers, dates and None unchanged, text cleaned
    and neutralised (a leading apostrophe before ``= + - @``, tab or CR)."""
    if value is None or isinstance(value, _KEPT):
        return value
    text = clean_text(str(value))
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:EXCEL_CELL_LIMIT]


def csv_row(values: Iterable[Any]) -> list:
    """One CSV row, each cell through ``cell_value`` (the csv module writes numbers and None itself)."""
    return [cell_value(value) for value in values]


def write_cell(sheet, row: int, column: int, value: Any):
    """Writes one openpyxl cell: text as a string (data type "s", never a formula or an error value)."""
    value = cell_value(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


_LINE_BREAKS = re.compile("[\t\r\n\x85\u2028\u2029]+")


def one_line(value: Any) -> str:
    """Text for a header such as an email subject: cleaned, its line breaks and tabs made one space."""
    return _LINE_BREAKS.sub(" ", export_text(value)).strip()


def email_parts(subject: str, text: str, html: str) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of an email as it is stored in the outbox and sent."""
    return one_line(subject), export_text(text), export_text(html)
