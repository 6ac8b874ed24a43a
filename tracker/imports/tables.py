"""Task breakdown tables (任务分解表、责任分工表) read from Excel sheets, Word tables or pasted tab-separated text.

Both readers in ``documents`` write a table as text, one row a line, cells separated by tabs (every grid
column present, empty cells included, merged cells repeated down and left empty across); a line break
inside a cell is written as U+2028; each Excel sheet starts with a ``【工作表：名称】`` line. This module finds
the header row by its synonyms and turns the rows below it into numbered tasks with their groups (行动),
units, time limits and reporting requirements. Pure: no database, no Flask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CELL_BREAK = "\u2028"  # a line break inside a cell
SHEET_MARK = re.compile(r"^【工作表[：:](?P<name>.*)】$")

# Column kinds and the header texts real documents use for them (compared without spaces and brackets' width).
COLUMN_SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("序号", "编号", "任务编号", "序")),
    ("group", ("行动", "专项行动", "行动名称", "任务类别", "类别", "工作类别", "领域", "重点领域", "板块", "工作板块",
               "所属行动", "类型", "主要方面")),
    ("task", ("工作任务", "重点任务", "任务内容", "目标任务", "任务", "任务名称", "主要任务", "重点工作", "工作事项",
              "重点工作任务", "主要目标任务", "事项")),
    ("measures", ("具体措施", "工作举措", "主要举措", "工作措施", "具体内容", "工作内容", "具体举措", "主要措施",
                  "具体工作", "工作目标及措施", "措施")),
    ("lead", ("牵头单位", "牵头部门", "责任单位（牵头）", "牵头", "主办单位", "牵头责任单位", "责任主体（牵头）")),
    ("responsible", ("责任单位", "责任部门", "责任主体")),
    ("cooperating", ("配合单位", "协办单位", "配合部门", "协同单位", "参与单位", "责任单位（配合）", "会办单位",
                     "协同部门")),
    ("due", ("完成时限", "时间节点", "完成时间", "时限要求", "完成期限", "时限", "进度安排", "完成时限要求", "原定时限")),
    # the ledger's due date after an approved extension (延期): it wins over 原定时限 when filled
    ("adjusted_due", ("调整后时限", "调整后完成时限")),
    ("reporting", ("报送要求", "报送周期", "报送频次", "报送时间", "报送频率")),
    ("leader", ("分管领导", "责任领导", "区领导", "牵头区领导")),
    ("note", ("备注", "说明")),
)
_KEEP = re.compile(r"[\s\u3000" + CELL_BREAK + r"]")


def header_key(cell: str) -> str:
    text = _KEEP.sub("", cell or "").replace("(", "（").replace(")", "）")
    return re.sub(r"[：:*＊]$", "", text)


# The ledger export (任务台账) in the English interface, so that it imports back too.
ENGLISH_LEDGER_HEADERS = (("number", "No."), ("group", "Action"), ("task", "Task"), ("lead", "Lead unit"),
                          ("cooperating", "Cooperating units"), ("due", "Due date"), ("due", "Original due date"),
                          ("adjusted_due", "Adjusted due date"))
_SYNONYMS = {header_key(word): kind for kind, words in COLUMN_SYNONYMS for word in words}
_SYNONYMS.update({header_key(word): kind for kind, word in ENGLISH_LEDGER_HEADERS})


def column_kind(cell: str) -> str | None:
    return _SYNONYMS.get(header_key(cell))


def header_columns(cells: list[str]) -> list[str] | None:
    """Column kinds of a header row ("other" for columns not used), or None when the row is no header."""
    kinds = [column_kind(cell) or "other" for cell in cells]
    known = {kind for kind in kinds if kind != "other"}
    if not ({"task", "measures"} & known) or not ({"lead", "responsible", "cooperating"} & known):
        return None
    if len(known) < 2 or any(len(header_key(cell)) > 30 for cell in cells if column_kind(cell) is None and cell):
        return None
    return kinds


@dataclass
class TableTask:
    number: str
    title: str
    text: str
    group: str | None
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    due: str | None = None
    reporting: str | None = None
    leader: str | None = None
    note: str | None = None
    raw: str = ""


@dataclass
class Table:
    sheet: str | None
    heading: str | None  # the heading line just above the table (a group title when the table has none)
    columns: list[str]
    tasks: list[TableTask] = field(default_factory=list)
    has_groups: bool = False


@dataclass
class SplitText:
    """Text lines outside tables (in order) and the task tables found."""

    prose_before: list[str]
    prose_after: list[str]
    between: list[str]
    tables: list[Table]


def _cells(line: str) -> list[str]:
    return [cell.strip(" \u3000") for cell in line.split("\t")]


def _flat(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace(CELL_BREAK, " ")).strip()


_GROUP_NUMBER = re.compile(r"^(?:第[一二三四五六七八九十]{1,3}部分|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]|"
                           r"[一二三四五六七八九十]{1,3}\s*[、.．])\s*")
_ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,3}(?:[.．]\d{1,3})*\s*[.．、]?|[（(]\s*\d{1,3}\s*[）)]|[①-⑳])\s*(?=\S)")


def split_tables(text: str) -> SplitText:
    """Separates task tables from the prose around them; tab lines that are no task table stay prose."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    segments: list[tuple[str, object]] = []  # ("prose", line) or ("table", Table)
    sheet: str | None = None
    heading: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        mark = SHEET_MARK.match(line.strip())
        if mark:
            sheet, heading = mark.group("name").strip(), None
            index += 1
            continue
        if "\t" not in line:
            segments.append(("prose", line.replace(CELL_BREAK, "\n")))
            if line.strip():
                heading = line.strip()
            index += 1
            continue
        run = []
        while index < len(lines) and "\t" in lines[index]:
            run.append(lines[index])
            index += 1
        table, start = _read_run(run, sheet, heading)
        segments += [("prose", " ".join(cell for cell in _cells(row) if cell).replace(CELL_BREAK, " "))
                     for row in run[:start]]
        if table is not None:
            segments.append(("table", table))
        heading = None
    positions = [i for i, (kind, _value) in enumerate(segments) if kind == "table"]
    first, last = (positions[0], positions[-1]) if positions else (len(segments), len(segments))
    prose = [(i, value) for i, (kind, value) in enumerate(segments) if kind == "prose"]
    return SplitText(prose_before=[v for i, v in prose if i < first], prose_after=[v for i, v in prose if i > last],
                     between=[v for i, v in prose if first < i < last],
                     tables=[value for kind, value in segments if kind == "table"])  # type: ignore[misc]


def _read_run(run: list[str], sheet: str | None, heading: str | None) -> tuple[Table | None, int]:
    """The task table in a run of tab lines, and how many leading lines are not part of it."""
    for start, line in enumerate(run):
        columns = header_columns(_cells(line))
        if columns:
            table = Table(sheet, heading, columns)
            _read_rows(table, [_cells(row) for row in run[start + 1:]])
            return table, start
    return None, len(run)


def _read_rows(table: Table, rows: list[list[str]]) -> None:
    columns = table.columns
    group: str | None = None
    counter = 0
    for cells in rows:
        cells = (cells + [""] * len(columns))[: len(columns)]
        filled = [_flat(cell) for cell in cells if _flat(cell)]
        if not filled:
            continue
        if header_columns(cells):
            continue  # a header repeated on a new page
        values: dict[str, list[str]] = {}
        for kind, cell in zip(columns, cells):
            if cell.strip():
                values.setdefault(kind, []).append(cell.strip())
        if len(set(filled)) == 1 and not values.get("lead") or _is_group_row(values, filled):
            group = filled[0]
            table.has_groups = True
            continue
        if values.get("group"):
            group = _flat(values["group"][0])
            table.has_groups = True
        task_cell = "\n".join(values.get("task") or [])
        measures = "\n".join(values.get("measures") or [])
        if not (task_cell or measures):
            continue
        counter += 1
        number = _number(values.get("number"), task_cell, counter)
        title_source = task_cell or measures
        title = _title(title_source)
        text_parts = [_body(part) for part in (task_cell, measures) if part]
        table.tasks.append(TableTask(
            number=number, title=title, text="\n".join(part for part in text_parts if part), group=group,
            lead=_joined(values.get("lead")), responsible=_joined(values.get("responsible")),
            cooperating=_joined(values.get("cooperating")),
            due=_single(values.get("adjusted_due")) or _single(values.get("due")),
            reporting=_single(values.get("reporting")), leader=_single(values.get("leader")),
            note=_single(values.get("note")), raw="\t".join(_flat(cell) for cell in cells)))


def _is_group_row(values: dict[str, list[str]], filled: list[str]) -> bool:
    """A row naming an action group: only the group column, or one heading-numbered text across the row."""
    kinds = set(values)
    if kinds <= {"group", "number"} and values.get("group"):
        return not values.get("number") or len(filled) == 1
    return False


def _joined(cells: list[str] | None) -> list[str]:
    return [CELL_BREAK.join(cell.replace("\n", CELL_BREAK) for cell in cells)] if cells else []


def _single(cells: list[str] | None) -> str | None:
    if not cells:
        return None
    return _flat(" ".join(cells)) or None


def _number(cells: list[str] | None, task_cell: str, counter: int) -> str:
    if cells:
        value = _flat(cells[0]).rstrip(".、．")
        value = re.sub(r"^[（(]\s*(\d+)\s*[）)]$", r"\1", value)
        if re.fullmatch(r"\d+(?:\.0)?", value):
            return str(int(float(value)))
        if value and len(value) <= 20:
            return value
    written = _ITEM_NUMBER.match(_flat(task_cell))
    if written:
        digits = re.sub(r"[^\d.]", "", written.group(0).replace("．", ".")).strip(".")
        if digits:
            return digits
    return str(counter)


def _strip_number(text: str) -> str:
    return _ITEM_NUMBER.sub("", _GROUP_NUMBER.sub("", text, count=1), count=1).strip()


def _title(cell: str) -> str:
    """The task column is the task's name; a long sentence is cut at its first full stop."""
    first = cell.replace(CELL_BREAK, "\n").split("\n")
    head = _strip_number(first[0].strip()) if first else ""
    if len(first) > 1 and len(head) <= 40 and not re.search(r"[。；;]$", head):
        title = head
    else:
        title = _strip_number(_flat(cell))
    inner = re.search(r"[。；;！？]", title.rstrip("。；;！？ "))
    if inner and inner.start() > 0:
        title = title[: inner.start()]
    if len(title) > 60:
        cut = re.search(r"[。；;：:！？]", title)
        if cut and 0 < cut.start() <= 60:
            title = title[: cut.start()]
        else:
            title = title[:60]
    return title.rstrip("。；; ").strip()


def _body(cell: str) -> str:
    """A cell's lines as sentences: each ends with a full stop (the text is read as prose later)."""
    lines = [part.strip() for part in cell.replace(CELL_BREAK, "\n").split("\n") if part.strip()]
    return "\n".join(line if line[-1] in "。；;！？：:" else line + "。" for line in lines)
