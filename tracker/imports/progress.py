"""Excel round trip for progress (进展报送表): a unit downloads its tasks as .xlsx, fills 本期进展 / 完成进度 /
存在问题 / 下一步 per row and uploads it; each filled row becomes a status update through the same service as a
web submission (``updates.services.submit_update``), so it is checked the same way. A file with a refused row
writes nothing unless the unit chooses to import the valid rows only.

A coordinator (督办) does the same for several units at once (督办代报): the tasks of a plan and/or a lead unit
in one sheet, whose scope is written into the file (sheet 范围); each filled row becomes the lead unit's update
entered on its behalf (``updates.services.submit_update_on_behalf``), and a row for a task outside the file's
scope is refused like a wrong task number.
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

from tracker.access import permissions
from tracker.common.errors import DomainError, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.imports.documents import DocumentError, extract_text
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task, TaskStatus, task_cooperating_units

SHEET = "进展报送"
HEADERS = ("任务编号", "方案", "序号", "任务", "本单位", "报送周期", "本期进展", "完成进度（%）", "存在问题", "下一步")
UNITS_HEADERS = ("任务编号", "方案", "序号", "任务", "牵头单位", "报送周期", "本期进展", "完成进度（%）", "存在问题", "下一步")
SCOPE_SHEET = "范围"
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


def scope_tasks(plan_id: int | None, unit_id: int | None) -> list[Task]:
    """A coordinator's sheet: the open tasks of active plans, of one plan and/or one lead unit (牵头单位)."""
    query = (select(Task).join(Plan).options(selectinload(Task.plan), selectinload(Task.lead_unit))
             .where(Plan.status == PlanStatus.active,
                    Task.status.notin_([TaskStatus.completed, TaskStatus.suspended])))
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    if unit_id is not None:
        query = query.where(Task.lead_unit_id == unit_id)
    return list(db.session.scalars(query.order_by(Task.plan_id, Task.id)))


def _in_scope(task: Task, scope: dict[str, int | None]) -> bool:
    return ((scope.get("plan") is None or task.plan_id == scope["plan"])
            and (scope.get("unit") is None or task.lead_unit_id == scope["unit"]))


def progress_workbook(actor, today: date) -> bytes:
    """The unit's tasks, one a row, the period to report on filled in; the four columns to fill are shaded."""
    rows = [(task, _("牵头") if task.lead_unit_id == actor.unit_id else _("配合")) for task in unit_tasks(actor)]
    return _workbook(HEADERS, rows, today)


def units_workbook(actor, today: date, *, plan_id: int | None = None, unit_id: int | None = None) -> bytes:
    """督办代报: the tasks of a plan and/or a lead unit for a coordinator to collect from several units; the
    filter is kept in the file (sheet 范围) so the upload knows the file's scope."""
    if not permissions.can_report_on_behalf(actor):
        raise PermissionDenied(_("只有督办人员可以代单位报送进展。"))
    rows = [(task, task.lead_unit.short_name) for task in scope_tasks(plan_id, unit_id)]
    return _workbook(UNITS_HEADERS, rows, today, scope={"plan": plan_id, "unit": unit_id})


def _workbook(headers: tuple[str, ...], rows: list[tuple[Task, str]], today: date,
              scope: dict[str, int | None] | None = None) -> bytes:
    from tracker.updates.services import reportable_periods

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for task, who in rows:
        periods = reportable_periods(task, today)
        sheet.append([task_code(task), task.plan.title, task.number, task.title, who,
                      periods[0].key if periods else "", "", None, "", ""])
    if scope is not None:
        kept = book.create_sheet(SCOPE_SHEET)
        kept.append(["plan", scope.get("plan")])
        kept.append(["unit", scope.get("unit")])
        kept.sheet_state = "hidden"
    shade = PatternFill("solid", fgColor="FFF2CC")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if headers[cell.column - 1] in FILLED:
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


def _read_rows(data: bytes, scope: dict | None = None) -> list[tuple[int, dict[str, str]]]:
    """The filled rows; ``scope`` (when given) receives the file's 范围 (plan, unit), None when it has none."""
    extract_text("progress.xlsx", data)  # the same checks as any upload: not empty, a real workbook, no bomb
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises many unrelated types on malformed parts
        raise ValidationFailed(_("无法读取该Excel文件。")) from error
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
        if scope is not None and SCOPE_SHEET in book.sheetnames:
            for row in book[SCOPE_SHEET].iter_rows(values_only=True, max_row=2):
                key, value = (list(row) + [None, None])[:2]
                if key in ("plan", "unit"):
                    scope[key] = int(value) if isinstance(value, (int, float)) or str(value or "").isdigit() \
                        else None
            scope["found"] = True
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

    def submit(task: Task, cells: dict[str, str]) -> None:
        submit_update(actor, task, period=cells.get("报送周期", ""), progress_text=cells.get("本期进展", ""),
                      percent=_percent(cells.get("完成进度（%）", "")), problems=cells.get("存在问题", ""),
                      next_steps=cells.get("下一步", ""), today=today, store=store,
                      allowed_extensions=allowed_extensions, max_bytes=max_bytes)

    return _import_rows(_rows_or_error(data), submit, valid_rows_only=valid_rows_only)


def import_progress_on_behalf(actor, data: bytes, *, today: date, valid_rows_only: bool = False) -> ProgressImport:
    """督办代报: each filled row of a coordinator's sheet → the lead unit's update entered on its behalf
    (``submit_update_on_behalf``), checked as a web submission; a row whose task is outside the file's scope
    (the plan and/or lead unit it was downloaded for) is refused. All or nothing unless ``valid_rows_only``."""
    from tracker.updates.services import submit_update_on_behalf

    if not permissions.can_report_on_behalf(actor):
        raise PermissionDenied(_("只有督办人员可以代单位报送进展。"))
    scope: dict = {}
    rows = _rows_or_error(data, scope)
    if not scope.get("found"):
        raise ValidationFailed(_("这不是督办下载的多单位进展报送表（缺少“范围”表）。请先按方案或单位下载再填写。"))

    def submit(task: Task, cells: dict[str, str]) -> None:
        if not _in_scope(task, scope):
            raise ValidationFailed(_("该任务不在本表的范围内（下载时所选的方案或单位）。"))
        submit_update_on_behalf(actor, task, period=cells.get("报送周期", ""),
                                progress_text=cells.get("本期进展", ""),
                                percent=_percent(cells.get("完成进度（%）", "")), problems=cells.get("存在问题", ""),
                                next_steps=cells.get("下一步", ""), today=today)

    return _import_rows(rows, submit, valid_rows_only=valid_rows_only)


def _rows_or_error(data: bytes, scope: dict | None = None) -> list[tuple[int, dict[str, str]]]:
    try:
        rows = _read_rows(data, scope)
    except DocumentError as error:
        raise ValidationFailed(error.message_zh) from None
    if not rows:
        raise ValidationFailed(_("表格中没有填写任何进展。"))
    return rows


def _import_rows(rows: list[tuple[int, dict[str, str]]], submit, *, valid_rows_only: bool) -> ProgressImport:
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
            # the submit services check everything before they add anything (no files come with a sheet row),
            # so a refused row leaves nothing in the session
            submit(task, cells)
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
