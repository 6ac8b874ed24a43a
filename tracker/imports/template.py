"""空白任务分解表 (/imports/template.xlsx): the Excel layout the importer reads best, to hand to units.

The header row uses the column names of ``tables.COLUMN_SYNONYMS``; a second sheet explains how to fill it in.
Filled in and uploaded, every column comes back as written (tests/imports/test_tables.py).
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from tracker.common.office_files import xlsx_bytes
from tracker.common.export_text import write_cell

TEMPLATE_COLUMNS = (("序号", 6), ("行动", 18), ("工作任务", 28), ("具体措施", 40), ("牵头单位", 16),
                    ("配合单位", 22), ("完成时限", 14), ("报送要求", 14), ("分管领导", 10), ("备注", 14))
TEMPLATE_TITLE = "（方案名称）任务分解表"
TEMPLATE_NOTES = (
    "填表说明",
    "1. 第一行填写方案全称（如“青浦区2026年××行动方案任务分解表”）；有文号的，可在第二行填写文号。",
    "2. 每项任务一行；同一行动的任务可合并“行动”列单元格，或在任务前单独一行写行动名称（如“一、优化政务服务”）。",
    "3. 牵头单位只填一个；配合单位可填多个，用顿号（、）分隔或在单元格内换行；“各街道”“各相关单位”导入时由督办人员明确具体单位。",
    "4. 完成时限可写“2026年6月底前”“2026年12月”“每季度”“长期坚持”，导入时分别识别为日期、周期性任务或无固定时限。",
    "5. 报送要求可写“每月25日前”“每季度最后一个月的30日前”；不填则按方案统一要求。",
    "6. 可按行动分多个工作表填写，每个工作表使用相同的表头。",
)
_THIN = Side(style="thin", color="808080")


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务分解表"
    width = len(TEMPLATE_COLUMNS)
    write_cell(sheet, 1, 1, TEMPLATE_TITLE).font = Font(name="宋体", size=16, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for index, (header, column_width) in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = write_cell(sheet, 2, index, header)
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = column_width
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("填表说明")
    for row, line in enumerate(TEMPLATE_NOTES, start=1):
        write_cell(notes, row, 1, line).font = Font(name="宋体", size=11, bold=row == 1)
    notes.column_dimensions["A"].width = 110
    return xlsx_bytes(workbook)
