"""Excel (openpyxl) and Word (python-docx) documents a coordinator hands upwards unchanged.

Pure builders: they take rows already loaded by ``tracker.reports.queries`` (or the overdue list) and return
the file as bytes; nothing here queries the database or reads the request.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tracker.common.clock import to_beijing
from tracker.common.export_text import write_cell
from tracker.common.filters import period_label
from tracker.common.labels import label
from tracker.common.office_files import xlsx_bytes
from tracker.common.official_documents import (_docx_bytes, _document, _heading, _paragraph, _signature,
                                               _title_block, chinese_date, chinese_month)
from tracker.reports.queries import (COMPLETED, NOT_STARTED, OVERDUE, SUSPENDED, LedgerRow, ReportEntry, ScoreRow,
                                     StateCounts, state_label)
from tracker.overdue.queries import OverdueRow
from tracker.updates.models import ReviewState

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---------------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    header: str
    width: float
    kind: str = "text"  # text, date, int, percent, number


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_FONT = "宋体"


def _sheet_bytes(sheet_title: str, title: str, subtitle: str, columns: Sequence[Col],
                 rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a title row, a subtitle row, a frozen header row, then data with wrapped text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A1:{last}1")
    write_cell(sheet, 1, 1, title)
    sheet["A1"].font = Font(name=_FONT, size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last}2")
    write_cell(sheet, 2, 1, subtitle)
    sheet["A2"].font = Font(name=_FONT, size=10, color="555555")
    sheet["A2"].alignment = Alignment(horizontal="right")
    for index, column in enumerate(columns, start=1):
        cell = write_cell(sheet, 3, index, column.header)
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    row_number = 3
    for row_number, values in enumerate(rows, start=4):
        sheet.row_dimensions[row_number].height = row_height(columns, values)
        for index, (column, value) in enumerate(zip(columns, values), start=1):
            cell = write_cell(sheet, row_number, index, value)
            cell.font = Font(name=_FONT, size=10)
            cell.border = _BORDER
            horizontal = "left" if column.kind == "text" else "center"
            cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
            if column.kind == "date" and value is not None:
                cell.number_format = "yyyy-mm-dd"
            elif column.kind == "datetime" and value is not None:
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif column.kind == "percent" and value is not None:
                cell.number_format = "0.0%"
            elif column.kind == "number" and value is not None:
                cell.number_format = "0.00"
    sheet.freeze_panes = "A4"
    if row_number > 3:
        sheet.auto_filter.ref = f"A3:{last}{row_number}"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return xlsx_bytes(workbook, title)


LINE_POINTS = 13.5  # one line of 10 pt 宋体, as Excel, WPS and LibreOffice space it
MAX_ROW_POINTS = 409  # Excel's largest row height


def _display_width(text: str) -> int:
    """Width in Excel's column units: a CJK (full-width) character takes two, others one."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def row_height(columns: Sequence[Col], values: Sequence[Any]) -> float:
    """A row's height in points so that its wrapped text shows and prints whole: spreadsheet programs
    do not grow a row for wrapped text a file sets, so a row without a height prints one line of it."""
    lines = 1
    for column, value in zip(columns, values):
        if value is None or column.kind != "text":
            continue
        usable = max(1.0, column.width - 1)  # the cell's padding
        cell_lines = sum(max(1, math.ceil(_display_width(part) / usable)) for part in str(value).split("\n"))
        lines = max(lines, cell_lines)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 4)


def _update_text(update) -> str:
    return f"【{period_label(update.period)}】{update.progress_text}" if update else ""


def loop_columns() -> list[Col]:
    """The 督办台账 columns of the ledger: 签收, 督办等级, 文书, 延期, 办结 (in the request's language)."""
    return [Col(_("签收情况"), 9), Col(_("签收人"), 10), Col(_("签收时间"), 16, "datetime"), Col(_("督办等级"), 11),
            Col(_("文书号"), 16), Col(_("反馈时限"), 11, "date"), Col(_("反馈状态"), 10), Col(_("延期次数"), 8, "int"),
            Col(_("核查人"), 10), Col(_("办结日期"), 11, "date")]


def _local(moment):
    """A stored UTC moment as the Beijing wall-clock time a spreadsheet shows (no zone in a cell)."""
    local = to_beijing(moment)
    return local.replace(tzinfo=None) if local else None


def loop_values(loop) -> list[Any]:
    """The cells of ``loop_columns`` for one task's ``LedgerLoop``."""
    from tracker.supervision.queries import ladder_level_label, receipt_state_label, reply_state_label

    if loop is None:
        return [None] * len(loop_columns())
    return [receipt_state_label(loop.receipt_state) or None, loop.signed_by or None,
            _local(loop.signed_at), ladder_level_label(loop.level) or None, loop.document_number or None,
            loop.reply_by, reply_state_label(loop.reply_state) or None, loop.extensions,
            loop.closed_by or None, loop.closed_on]


def task_ledger_xlsx(plan_title: str, rows: Sequence[LedgerRow], today: date, filter_note: str = "") -> bytes:
    """任务台账: one row per task, in plan order."""
    columns = [Col(_("序号"), 6, "int"), Col(_("行动"), 16), Col(_("任务"), 22), Col(_("牵头单位"), 12),
               Col(_("配合单位"), 16), Col(_("原定时限"), 11, "date"), Col(_("调整后时限"), 11, "date"),
               Col(_("状态"), 9), Col(_("研判"), 9),
               Col(_("进度（%）"), 8, "int"), Col(_("最近采纳的进展"), 48), Col(_("存在问题"), 30),
               Col(_("下一步计划"), 30), Col(_("逾期工作日数"), 8, "int")] + loop_columns()
    values = []
    for row in rows:
        task, update = row.task, row.latest_accepted
        values.append([
            int(task.number) if task.number.isdigit() else task.number,
            task.group.label if task.group else "", task.title, task.lead_unit.short_name,
            "、".join(unit.short_name for unit in task.cooperating_units),
            row.original_due_on if row.extended else task.due_on, task.due_on if row.extended else None,
            label(task.status),
            state_label(row.state), task.progress, _update_text(update),
            update.problems if update else "", update.next_steps if update else "",
            row.overdue_days if row.state == OVERDUE else None,
        ] + loop_values(row.loop))
    subtitle = _("截至%(day)s", day=today.isoformat()) + (f"　{filter_note}" if filter_note else "")
    return _sheet_bytes(_("任务台账"), _("%(plan)s任务台账", plan=plan_title), subtitle, columns, values)


def overdue_xlsx(rows: Sequence[OverdueRow], today: date | None = None, filter_note: str = "",
                 proposals=None) -> bytes:
    """逾期清单: the same rows and columns as the overdue screen, then the proposals' items the screen shows
    below them (``proposals``, tracker.proposals.queries.OverdueListItems: 答复逾期, 协办意见逾期, 会签逾期)
    with the meeting as 方案, the item's number as 序号 and the unit that owes it as 牵头单位."""
    columns = [Col(_("类型"), 10), Col(_("方案"), 28), Col(_("序号"), 6, "int"), Col(_("任务"), 24),
               Col(_("牵头单位"), 12), Col(_("报送周期"), 10), Col(_("应完成/应报送日期"), 12, "date"),
               Col(_("逾期工作日数"), 8, "int"), Col(_("最近采纳的进展"), 50)]
    values = [[label(row.kind), row.task.plan.title,
               int(row.task.number) if row.task.number.isdigit() else row.task.number, row.task.title,
               row.task.lead_unit.short_name, period_label(row.period) if row.period else "", row.due_on,
               row.overdue_days, _update_text(row.last_accepted)] for row in rows]
    values += [[kind, meeting, number, title, unit, "", due_on, days, ""]
               for kind, meeting, number, title, unit, due_on, days in (proposals.export_lines() if proposals else [])]
    subtitle = (_("截至%(day)s", day=today.isoformat()) if today else "") + (f"　{filter_note}" if filter_note else "")
    return _sheet_bytes(_("逾期清单"), _("逾期清单"), subtitle, columns, values)


def scoreboard_xlsx(rows: Sequence[ScoreRow], today: date, scope_note: str = "") -> bytes:
    """单位排名 in the order shown on screen."""
    columns = [Col(_("排名"), 6, "int"), Col(_("单位"), 16), Col(_("牵头任务"), 9, "int"),
               Col(_("已完成"), 8, "int"), Col(_("按期完成"), 9, "int"), Col(_("逾期"), 7, "int"),
               Col(_("应报送"), 8, "int"), Col(_("按期报送"), 9, "int"), Col(_("按期报送率"), 11, "percent"),
               Col(_("退回次数"), 9, "int"), Col(_("平均退回次数"), 12, "number"), Col(_("未签收"), 8, "int"),
               Col(_("延期"), 7, "int"), Col(_("考评得分"), 10, "number")]
    from tracker.reports.scoring import COMPONENTS

    for _name, _weight, _sign, text in COMPONENTS:  # the breakdown of the score: count, then points
        columns += [Col(_("%(item)s（次数）", item=text), 10, "int"), Col(_("%(item)s（得分）", item=text), 10, "number")]
    values = [[index, row.unit.short_name, row.tasks_led, row.completed, row.completed_on_time, row.overdue,
               row.reports_due, row.reports_on_time,
               None if row.on_time_rate is None else row.on_time_rate / 100, row.returns, row.average_returns,
               row.unsigned, row.extensions, row.score_total]
              + [value for name, *_rest in COMPONENTS
                 for value in ((row.score.counts[name], row.score.points[name]) if row.score else (0, 0.0))]
              for index, row in enumerate(rows, start=1)]
    subtitle = _("截至%(day)s", day=today.isoformat()) + (f"　{scope_note}" if scope_note else "")
    return _sheet_bytes(_("单位排名"), _("责任单位推进情况排名"), subtitle, columns, values)


# ---------------------------------------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------------------------------------

def _report_line(entry: ReportEntry) -> str:
    update, task = entry.update, entry.task
    if update is None and entry.state == COMPLETED:
        return _("该任务已于%(day)s完成。", day=chinese_date(task.completed_on)) if task.completed_on \
            else _("该任务已完成。")
    if update is None and entry.state in (NOT_STARTED, SUSPENDED):
        return _("该任务尚未开始。") if entry.state == NOT_STARTED else _("该任务暂缓实施。")
    if update is None:
        return _("本期未报送。")
    if update.review_state == ReviewState.accepted:
        return update.progress_text
    if update.review_state == ReviewState.submitted:
        return _("（已报送，待审核）") + update.progress_text
    return _("（本期报送已退回修改，尚未重新报送。）")


def progress_report_docx(*, plan, month: date, sections: Sequence[tuple[Any, Sequence[ReportEntry]]],
                         counts: StateCounts, today: date, issuer: str, doc_number_line: str) -> bytes:
    """推进情况报告 of a plan for one month, grouped by action group, one heading per task."""
    document = _document()
    _title_block(document, _("关于%(plan)s推进情况的报告", plan=plan.title), doc_number_line)
    summary = _("截至%(day)s，%(plan)s（%(number)s）共%(total)d项任务：", day=chinese_date(today),
                plan=plan.title, number=plan.doc_number or "—", total=counts.total)
    summary += "、".join(_("%(state)s%(n)d项", state=state_label(state), n=counts.counts[state])
                        for state in counts.shown_states()) + "。"
    _paragraph(document, summary)
    entries = [entry for _group, group_entries in sections for entry in group_entries]
    filed = sum(1 for entry in entries if entry.update is not None and entry.update.review_state != ReviewState.returned)
    accepted = sum(1 for entry in entries if entry.update is not None and entry.update.review_state == ReviewState.accepted)
    _paragraph(document, _("%(month)s各牵头单位报送进展%(filed)d项，经审核采纳%(accepted)d项。现将各项任务推进情况报告如下：",
                           month=chinese_month(month), filed=filed, accepted=accepted))
    for group, group_entries in sections:
        _heading(document, group.label if group is not None else _("未分组任务"), 1)
        for entry in group_entries:
            task = entry.task
            _heading(document, f"{task.number}. {task.title}", 2)
            facts = _("牵头单位：%(lead)s；配合单位：%(coop)s；完成时限：%(due)s；当前状态：%(state)s，进度%(progress)d%%。",
                      lead=task.lead_unit.short_name,
                      coop="、".join(u.short_name for u in task.cooperating_units) or "—",
                      due=chinese_date(task.due_on) if task.due_on else "—", state=state_label(entry.state),
                      progress=task.progress)
            if entry.state == OVERDUE:
                facts += _("已逾期%(n)d个工作日。", n=entry.overdue_days)
            _paragraph(document, facts)
            _paragraph(document, _("本期进展（%(period)s）：", period=period_label(entry.period_key)) + _report_line(entry))
            source = entry.update if entry.update is not None and entry.update.review_state == ReviewState.accepted \
                else entry.latest_accepted
            if entry.update is None and entry.latest_accepted is not None:
                _paragraph(document, _("最近采纳的进展（%(period)s）：", period=period_label(entry.latest_accepted.period))
                           + entry.latest_accepted.progress_text)
            if source is not None and source.problems:
                _paragraph(document, _("存在问题：") + source.problems)
            if source is not None and source.next_steps:
                _paragraph(document, _("下一步计划：") + source.next_steps)
    _signature(document, issuer, today)
    return _docx_bytes(document)
