"""Excel round trip for progress (进展报送表): a unit downloads its tasks as .xlsx, fills 本期进展 / 完成进度 /
存在问题 / 下一步 per row and uploads it; each filled row becomes a status update through the same service as a
web submission (``updates.services.submit_update``), so it is checked the same way. A file with a refused row
writes nothing unless the unit chooses to import the valid rows only.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import openpyxl
from flask_babel import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.common.errors import DomainError, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.imports.documents import DocumentError, extract_text
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task, TaskStatus, task_cooperating_units

SHEET = "进展报送"
HEADERS = ("任务编号", "方案", "序号", "任务", "本单位", "报送周期", "本期进展", "完成进度（%）", "存在问题", "下一步")
FILLED = ("本期进展", "完成进度（%）", "存在问题", "下一步")
MAX_ROWS = 2000


def task_code(task: Task) -> str:
    """任务编号 in the sheet: the plan's id and the task's 序号 ("3-16"), one per task across plans."""
    return f"{task.plan_id}-{task.number}"


def unit_tasks(actor) -> list[Task]:
    """The tasks the actor's unit leads or cooperates on, in active plans, not completed or suspended."""
    if actor.unit_id is None:
        return []
    cooperating = select(task_cooperating_units.c.task_id).where(task_cooperating_units.c.unit_id == actor.unit_id)
    query = (select(Task).join(Plan).options(selectinload(Task.plan), selectinload(Task.cooperating_units))
             .where(Plan.status == PlanStatus.active,
                    Task.status.notin_([TaskStatus.completed, TaskStatus.suspended]),
                    or_(Task.lead_unit_id == actor.unit_id, Task.id.in_(cooperating)))
             .order_by(Task.plan_id, Task.id))
    return list(db.session.scalars(query))


def progress_workbook(actor, today: date) -> bytes:
    """The unit's tasks, one a row, the period to report on filled in; the four columns to fill are shaded."""
    from tracker.updates.services import reportable_periods

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for task in unit_tasks(actor):
        periods = reportable_periods(task, today)
        role = _("牵头") if task.lead_unit_id == actor.unit_id else _("配合")
        sheet.append([task_code(task), task.plan.title, task.number, task.title, role,
                      periods[0].key if periods else "", "", None, "", ""])
    shade = PatternFill("solid", fgColor="FFF2CC")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if HEADERS[cell.column - 1] in FILLED:
                cell.fill = shade
    for letter, width in zip("ABCDEFGHIJ", (10, 24, 6, 36, 8, 10, 40, 12, 24, 24)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class RowResult:
    row: int  # the row number in the sheet
    code: str
    title: str
    accepted: bool
    message: str


@dataclass
class ProgressImport:
    rows: list[RowResult] = field(default_factory=list)
    written: int = 0  # status updates created

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if not row.accepted]


def _read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    extract_text("progress.xlsx", data)  # the same checks as any upload: not empty, a real workbook, no bomb
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises many unrelated types on malformed parts
        raise ValidationFailed(_("无法读取该Excel文件。")) from error
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    finally:
        book.close()
    if not rows:
        raise ValidationFailed(_("表格是空的。"))
    header = [str(value or "").strip() for value in rows[0]]
    missing = [name for name in ("任务编号", *FILLED) if name not in header]
    if missing:
        raise ValidationFailed(_("这不是进展报送表：缺少“%(columns)s”列。请先下载本单位的进展报送表再填写。",
                                 columns="”“".join(missing)))
    read = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {name: _cell(values[index]) if index < len(values) else "" for index, name in enumerate(header)}
        if any(cells.get(name) for name in FILLED):
            read.append((number, cells))
    return read


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _percent(text: str) -> int:
    cleaned = text.replace("%", "").replace("％", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValidationFailed(_("完成进度“%(value)s”不是数字。", value=text)) from None
    if 0 < value <= 1 and "." in cleaned:  # a cell formatted as a percentage: 0.6 is 60 %
        value *= 100
    if not value.is_integer() and abs(value - round(value)) > 1e-9:
        raise ValidationFailed(_("完成进度须为整数。"))
    return int(round(value))


def import_progress(actor, data: bytes, *, today: date, store, allowed_extensions: tuple[str, ...],
                    max_bytes: int, valid_rows_only: bool = False) -> ProgressImport:
    """Each filled row → ``submit_update`` for the task its 任务编号 names. When a row is refused and
    ``valid_rows_only`` is false, the whole transaction is rolled back: nothing is written."""
    from tracker.updates.services import submit_update

    if getattr(actor, "unit_id", None) is None:
        raise PermissionDenied(_("进展报送表须由单位账号上传。"))
    try:
        rows = _read_rows(data)
    except DocumentError as error:
        raise ValidationFailed(error.message_zh) from None
    if not rows:
        raise ValidationFailed(_("表格中没有填写任何进展。"))
    result = ProgressImport()
    for number, cells in rows:
        code = cells.get("任务编号", "")
        plan_id, _dash, task_number = code.partition("-")
        task = db.session.scalar(select(Task).where(Task.plan_id == int(plan_id), Task.number == task_number)) \
            if plan_id.isdigit() and task_number else None
        title = task.title if task else cells.get("任务", "")
        if task is None:
            result.rows.append(RowResult(number, code, title, False, _("任务编号“%(code)s”不存在。", code=code)))
            continue
        try:
            # submit_update checks everything before it adds anything (no files come with a sheet row), so a
            # refused row leaves nothing in the session
            submit_update(actor, task, period=cells.get("报送周期", ""), progress_text=cells.get("本期进展", ""),
                          percent=_percent(cells.get("完成进度（%）", "")), problems=cells.get("存在问题", ""),
                          next_steps=cells.get("下一步", ""), today=today, store=store,
                          allowed_extensions=allowed_extensions, max_bytes=max_bytes)
        except DomainError as error:
            result.rows.append(RowResult(number, code, title, False, str(error)))
            continue
        result.rows.append(RowResult(number, code, title, True, _("已提交，等待督办审核。")))
    accepted = [row for row in result.rows if row.accepted]
    if result.refused and not valid_rows_only:
        db.session.rollback()  # all or nothing: the refused rows are shown, nothing is written
        for row in accepted:
            row.message = _("可以导入（因有被拒绝的行，本次未写入）。")
        return result
    result.written = len(accepted)
    return result
