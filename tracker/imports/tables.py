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


# ------------------------------------------------------------------------ columns by content, headers as a hint

COLUMN_KINDS = ("task", "lead", "cooperating", "responsible", "due", "group", "number", "ignore")
_UNIT_SUFFIX = re.compile(
    r"(局|委|办|厅|中心|政府|街道|镇|乡|公司|集团|部|处|室|院|所|站|队|会|管委会|办事处|专班|指挥部|园|区|县|市|"
    r"分局|银行|学校|医院|社|联|团|馆|台|网|科|单位|部门|机构|委员会|小组|组)$")
_DATE_CELL = re.compile(r"^(?:\d{4}\s*年)?.{0,12}?(?:\d{1,2}\s*月|季度|年底|年末|年内|上半年|下半年|全年|长期|持续|常态|"
                        r"每月|每季|每年|底前|前完成|\d{4}\s*年)|^\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?$")
_NUMBER_CELL = re.compile(r"^(?:\d{1,3}(?:[.．]\d{1,3})*[.．、]?|[（(]\s*\d{1,3}\s*[）)]|[①-⑳])$")
_NUMERAL_CELL = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]?|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]|"
                           r"第[一二三四五六七八九十]{1,3}(?:部分|项|类))$")
_PERSON_CELL = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:[、，,\s\u2028]+[\u4e00-\u9fff]{2,3})*$")
_UNIT_SPLIT = re.compile(r"[、，,；;/\u2028\n]|\s+")
# Header words that say which unit column is which (a hint, the cells decide what the column holds).
_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ignore", re.compile(r"进展|推进情况|完成情况|是否|说明|备注|存在问题|下一步|联系人|电话|资金|投资|金额|万元")),
    ("number", re.compile(r"^(?:序号|编号|序)$")),
    ("leader", re.compile(r"领导|责任人|负责人")),
    ("lead", re.compile(r"牵头|主办|主责|主要责任")),
    ("cooperating", re.compile(r"配合|协办|协同|参与|会办|协助|协作")),
    ("responsible", re.compile(r"责任|承办|实施|主体|单位|部门")),
    ("due", re.compile(r"时限|时间|节点|期限|进度")),
    ("group", re.compile(r"类别|领域|板块|方面|行动$|类型")),
    ("task", re.compile(r"任务|事项|工作|项目|实事|措施|举措|内容|名称|目标|要求")),
)


def _pieces(cell: str) -> list[str]:
    return [piece for piece in (part.strip(" 。.：:") for part in _split_outside_brackets(cell)) if piece]


def split_outside(text: str, separator, opening: str = "（(〔【[", closing: str = "）)〕】]") -> list[str]:
    """``text`` split at each character ``separator`` matches (a string of characters or a pattern of one)
    that is not inside brackets: the one rule the readers split unit lists, clauses and sentences by."""
    is_separator = separator.fullmatch if isinstance(separator, re.Pattern) else separator.__contains__
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in opening:
            depth += 1
        elif char in closing and depth:
            depth -= 1
        elif depth == 0 and is_separator(char):
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _split_outside_brackets(text: str) -> list[str]:
    """Split a unit list at 、，,；; and line breaks, never inside brackets ("各县(市、区)政府" stays whole)."""
    return split_outside(text, _UNIT_SPLIT)


def is_unit_like(name: str) -> bool:
    """A short name ending like an office: 局, 委, 办, 中心, 政府, 街道, 镇, 公司 … (brackets allowed inside)."""
    bare = re.sub(r"[（(][^）)]*[）)]", "", name).strip()
    bare = re.sub(r"(等|等单位|等部门|等相关单位)$", "", bare)
    return 2 <= len(bare) <= 24 and bool(_UNIT_SUFFIX.search(bare)) and not re.search(r"[。；;：:！？\d%]", bare)


def cell_kind(cell: str) -> str | None:
    """What one cell looks like: "number", "date", "units", "person", "text" (None when empty)."""
    flat = re.sub(r"\s+", " ", cell.replace(CELL_BREAK, " ")).strip()
    if not flat:
        return None
    if _NUMBER_CELL.match(flat):
        return "number"
    if _NUMERAL_CELL.match(flat):
        return "numeral"
    if len(flat) <= 24 and _DATE_CELL.search(flat):
        return "date"
    pieces = _pieces(cell)
    if pieces and all(is_unit_like(piece) for piece in pieces):
        return "units"
    if _PERSON_CELL.match(flat.replace(" ", CELL_BREAK)) and len(flat) <= 12:
        return "person"
    return "text"


def _hint(header: str) -> str | None:
    key = header_key(header)
    if not key:
        return None
    known = column_kind(header)
    if known:
        return known
    for kind, pattern in _HINTS:
        if pattern.search(key):
            return kind
    return None


def guess_columns(header: list[str], rows: list[list[str]], strict: bool = True) -> list[str] | None:
    """Each column's kind from what its cells hold, its header word only choosing between close kinds (a unit
    column is the lead, cooperating or responsible one by its header). None when the rows hold no task table:
    no text column, or no unit column."""
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in rows]
    kinds: list[str] = []
    for column in range(width):
        seen = [kind for kind in (cell_kind(row[column]) for row in rows) if kind]
        hint = _hint(header[column])
        share = {kind: seen.count(kind) / len(seen) for kind in set(seen)} if seen else {}
        if hint == "ignore" or (hint and hint not in ("task", "group") and not seen):
            kinds.append(hint if hint != "ignore" else "other")
            continue
        if not seen:
            kinds.append("other")
        elif share.get("number", 0) >= 0.6:
            kinds.append("number")
        elif share.get("numeral", 0) >= 0.6:
            kinds.append("numeral")
        elif share.get("units", 0) >= 0.6 and hint not in ("task", "group", "due", "leader"):
            kinds.append(hint if hint in ("lead", "cooperating", "responsible") else "units")
        elif share.get("date", 0) >= 0.6 and hint not in ("task",):
            kinds.append("due")
        elif share.get("person", 0) >= 0.6 and hint in (None, "leader"):
            kinds.append("leader")
        elif hint in ("lead", "cooperating", "responsible") and share.get("units", 0) >= 0.3:
            kinds.append(hint)
        elif hint == "group":
            kinds.append("group")
        else:
            kinds.append("text")
    _grouping_columns(kinds, rows)
    text_columns = [index for index, kind in enumerate(kinds) if kind == "text"]
    if not text_columns:
        return None if strict else [kind if kind in MAPPABLE_KINDS else "other" for kind in kinds]
    kinds[text_columns[0]] = "task"
    for index in text_columns[1:]:
        kinds[index] = "measures" if "measures" not in kinds and _hint(header[index]) in (None, "task") else "other"
    unit_columns = [index for index, kind in enumerate(kinds) if kind in ("units", "lead", "cooperating", "responsible")]
    if not unit_columns and strict:
        return None
    has_lead = "lead" in kinds
    for index in unit_columns:
        if kinds[index] == "units":
            kinds[index] = "cooperating" if has_lead else "responsible"
    if not has_lead and kinds.count("responsible") > 1:
        first = kinds.index("responsible")
        kinds = [("cooperating" if kind == "responsible" and i != first else kind) for i, kind in enumerate(kinds)]
    return kinds


def _runs(values: list[str]) -> list[tuple[int, int]]:
    """Where a column's value stays the same (a cell merged down): (first row, last row) of each run."""
    runs: list[tuple[int, int]] = []
    for index, value in enumerate(values):
        if runs and value == values[runs[-1][0]]:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _grouping_columns(kinds: list[str], rows: list[list[str]]) -> None:
    """A column of 一 二 三 (no task has such a number) is the 序号 of groups when each numeral is merged down over
    several rows holding different texts; a text column that changes exactly where it changes ("区政府民生实事项目
    （3个）") is the group's name. A numeral column whose every row is a task of its own is the tasks' 序号."""
    for column, kind in enumerate(kinds):
        if kind != "numeral":
            continue
        values = [_flat(row[column]) for row in rows]
        runs = _runs(values)
        texts = [index for index, other in enumerate(kinds) if other == "text"]
        spans_tasks = any(len({_flat(rows[r][t]) for r in range(first, last + 1)}) > 1
                          for first, last in runs if last > first for t in texts)
        if not spans_tasks:
            kinds[column] = "number"
            continue
        kinds[column] = "group"
        for other in texts:
            labels = [_flat(row[other]) for row in rows]
            if _runs(labels) == runs and all(labels):
                kinds[other] = "group"
    for column, kind in enumerate(kinds):
        if kind == "numeral":
            kinds[column] = "number"


def _header_like(cells: list[str]) -> bool:
    filled = [cell for cell in cells if cell.strip()]
    return len(filled) >= 2 and all(len(header_key(cell)) <= 20 for cell in filled) and not any(
        cell_kind(cell) in ("number", "date") for cell in filled)


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
    header: list[str] = field(default_factory=list)
    guessed: bool = False  # columns told by their cells (some header words unknown)
    mapped: bool = False  # columns as the coordinator mapped this header set
    sample: list[list[str]] = field(default_factory=list)  # the first rows, for the column-mapping step


@dataclass
class SplitText:
    """Text lines outside tables (in order) and the task tables found."""

    prose_before: list[str]
    prose_after: list[str]
    between: list[str]
    tables: list[Table]
    candidates: list[Table] = field(default_factory=list)  # tables read as no task table: offered for mapping


# Column kinds a coordinator can choose on the review screen (列对应), in the order they are offered.
MAPPABLE_KINDS = ("task", "lead", "cooperating", "responsible", "due", "group", "number", "measures", "leader",
                  "other")


def describe_tables(split: "SplitText") -> list[dict]:
    """The tables of a document for the column-mapping step: header, the reader's kind per column, the first
    rows, and how the columns were told ("synonyms", "guessed", "mapped", or "unread")."""
    described = []
    for table in [*split.tables, *split.candidates]:
        if not table.header:
            continue
        status = "mapped" if table.mapped else "unread" if not table.tasks else "guessed" if table.guessed \
            else "synonyms"
        described.append({"signature": header_signature(table.header), "header": list(table.header),
                          "columns": [kind if kind in MAPPABLE_KINDS else "other" for kind in table.columns],
                          "sample": [list(row) for row in table.sample[:5]], "status": status,
                          "tasks": len(table.tasks)})
    return described


def _cells(line: str) -> list[str]:
    return [cell.strip(" \u3000") for cell in line.split("\t")]


def _flat(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace(CELL_BREAK, " ")).strip()


_GROUP_NUMBER = re.compile(r"^(?:第[一二三四五六七八九十]{1,3}部分|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]|"
                           r"[一二三四五六七八九十]{1,3}\s*[、.．])\s*")
_ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,3}(?:[.．]\d{1,3})*\s*[.．、]?|[（(]\s*\d{1,3}\s*[）)]|[①-⑳])\s*(?=\S)")


def split_tables(text: str, mappings: dict[str, list[str]] | None = None) -> SplitText:
    """Separates task tables from the prose around them; tab lines that are no task table stay prose.
    ``mappings``: column kinds chosen by the coordinator, by header signature (see ``header_signature``)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    segments: list[tuple[str, object]] = []  # ("prose", line) or ("table", Table)
    candidates: list[Table] = []
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
            if line.strip() and not _NOTE_LINE.match(line.strip()):
                heading = line.strip()  # a note ("（注：A类指责任目标…）") between title and table names nothing
            index += 1
            continue
        run = []
        while index < len(lines) and "\t" in lines[index]:
            run.append(lines[index])
            index += 1
        table, start = _read_run(run, sheet, heading, mappings)
        if table is None:
            candidate = _candidate(run, sheet, heading)
            if candidate is not None:
                candidates.append(candidate)
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
                     tables=[value for kind, value in segments if kind == "table"],  # type: ignore[misc]
                     candidates=candidates)


_NOTE_LINE = re.compile(r"^[（(]?\s*(?:注|备注|说明)\s*[：:]")


def _two_row_header(run: list[str], start: int) -> tuple[list[str], int]:
    """A header written on two rows (项目名称 merged down beside 本月进展情况 over 前期手续 / 在建形象进度): the
    two rows as one header, each column named by its words on both rows; and the index of the first data row.
    A header on one row is returned as it is."""
    top = _cells(run[start])
    if start + 1 >= len(run):
        return top, start + 1
    below = _cells(run[start + 1])
    width = max(len(top), len(below))
    top, below = (top + [""] * width)[:width], (below + [""] * width)[:width]
    repeated = any(t and t == b for t, b in zip(top, below))  # a header cell merged down is repeated below
    new_words = [b for t, b in zip(top, below) if b and b != t]
    if not (repeated and new_words and _header_like(below)):
        return top, start + 1
    combined, spanning = [], ""
    for t, b in zip(top, below):
        if t:
            spanning = t
        if t and (not b or b == t):
            combined.append(t)
        elif b:
            combined.append(f"{t or spanning}{b}" if (t or spanning) != b else b)
        else:
            combined.append(t)
    return combined, start + 2


def _read_run(run: list[str], sheet: str | None, heading: str | None,
              mappings: dict[str, list[str]] | None = None) -> tuple[Table | None, int]:
    """The task table in a run of tab lines, and how many leading lines are not part of it. The header row is
    found by its synonyms; failing that, by the shape of a header (short cells) over rows whose columns can be
    told by what they hold. A column mapping chosen by the coordinator for this header set wins."""
    for start, line in enumerate(run):
        cells = _cells(line)
        chosen = (mappings or {}).get(header_signature(cells))
        columns = chosen or header_columns(cells)
        guessed = None
        if columns and not chosen:
            guessed = guess_columns(cells, [_cells(row) for row in run[start + 1:start + 41]])
            columns = _numbered_names(_refine(columns, guessed), [_cells(row) for row in run[start + 1:start + 41]])
        if columns:
            table = Table(sheet, heading, columns, header=cells, guessed=not chosen and guessed is not None,
                          mapped=bool(chosen))
            _read_rows(table, [_cells(row) for row in run[start + 1:]])
            return table, start
    for start, line in enumerate(run[:6]):
        if not _header_like(_cells(line)):
            continue
        cells, first = _two_row_header(run, start)
        columns = guess_columns(cells, [_cells(row) for row in run[first:first + 40]])
        if columns:
            table = Table(sheet, heading, columns, header=cells, guessed=True)
            _read_rows(table, [_cells(row) for row in run[first:]])
            if table.tasks:
                return table, start
    return None, len(run)


def _candidate(run: list[str], sheet: str | None, heading: str | None) -> Table | None:
    """A run of tab lines read as no task table, kept with the reader's best guess so the coordinator can say
    what its columns hold."""
    for start, line in enumerate(run[:6]):
        cells = _cells(line)
        if _header_like(cells) and len(run) > start + 1:
            rows = [_cells(row) for row in run[start + 1:]]
            columns = guess_columns(cells, rows[:40], strict=False) or ["other"] * len(cells)
            table = Table(sheet, heading, columns, header=cells, guessed=True)
            table.sample = [(row + [""] * len(cells))[:len(cells)] for row in rows[:5]]
            return table
    return None


def header_signature(cells: list[str]) -> str:
    """A header set as one key (cell words without spaces, joined by |): a remembered column mapping's key."""
    return "|".join(header_key(cell) for cell in cells)


def _refine(columns: list[str], guessed: list[str] | None) -> list[str]:
    """Synonym columns, with the columns whose header is unknown filled in from their cells."""
    if not guessed:
        return columns
    refined = list(columns)
    for index, kind in enumerate(columns):
        if kind == "other" and index < len(guessed) and guessed[index] in ("lead", "cooperating", "responsible",
                                                                           "due", "number"):
            wanted = guessed[index]
            if wanted == "responsible" and "lead" in refined:
                wanted = "cooperating"
            if wanted in ("due", "number") and wanted in refined:
                continue
            refined[index] = wanted
    return refined


_NUMBERED_NAME = re.compile(r"^\d{1,3}[.．、](?!\d)\S")


def _numbered_names(columns: list[str], rows: list[list[str]]) -> list[str]:
    """No 序号 column, and an unknown column left of the task column holds short numbered names ("1.城市人居环境
    提升项目") merged down over the project's rows: that column names the tasks and the task column holds their
    content (工作任务 / 主要内容), as 项目名称 beside 主要内容 does."""
    if "number" in columns or "task" not in columns or "measures" in columns:
        return columns
    task_index = columns.index("task")
    for index in range(task_index):
        if columns[index] != "other":
            continue
        cells = [_flat(row[index]) for row in rows if index < len(row) and _flat(row[index])]
        named = [cell for cell in cells if _NUMBERED_NAME.match(cell) and len(cell) <= 30]
        if len(cells) >= 2 and len(named) == len(cells) and len(set(cells)) < len(cells):
            refined = list(columns)
            refined[index], refined[task_index] = "task", "measures"
            return refined
    return columns


def _read_rows(table: Table, rows: list[list[str]]) -> None:
    columns = table.columns
    group: str | None = None
    group_leader: str | None = None
    counter = 0
    previous: TableTask | None = None
    previous_number: str | None = None
    previous_task_cell = ""
    for cells in rows:
        cells = (cells + [""] * len(columns))[: len(columns)]
        filled = [_flat(cell) for cell in cells if _flat(cell)]
        if not filled:
            continue
        if len(table.sample) < 6:
            table.sample.append(list(cells))
        if header_columns(cells) or (table.header and [header_key(c) for c in cells] ==
                                     [header_key(c) for c in table.header]):
            continue  # a header repeated on a new page
        values: dict[str, list[str]] = {}
        for kind, cell in zip(columns, cells):
            if cell.strip():
                values.setdefault(kind, []).append(cell.strip())
        if _is_group_shape(values, filled):
            group, group_leader = heading_leader(_strip_count(filled[0] if len(set(filled)) == 1 else next(
                (v for v in filled if _GROUP_NUMBER.match(v)), filled[0])))
            table.has_groups = True
            previous, previous_number = None, None
            continue
        if values.get("group"):
            labels = [_flat(cell) for cell in values["group"]]
            group = next((label for label in labels if not _NUMERAL_CELL.match(label)), labels[0])
            table.has_groups = True
        task_cell = "\n".join(values.get("task") or [])
        measures = "\n".join(values.get("measures") or [])
        if not (task_cell or measures):
            continue
        written_number = _flat(values["number"][0]) if values.get("number") else None
        if previous is not None and (_continues(previous, previous_number, written_number, task_cell, measures)
                                     or (not written_number and task_cell and task_cell == previous_task_cell)):
            # the same task name merged down over the project's rows: one task
            _merge_into(previous, task_cell, measures, values)
            continue
        previous_task_cell = task_cell
        counter += 1
        number = _number(values.get("number"), task_cell, counter)
        title_source = task_cell or measures
        title = _title(title_source)
        text_parts = [_body(part) for part in (task_cell, measures) if part]
        previous = TableTask(
            number=number, title=title, text="\n".join(part for part in text_parts if part), group=group,
            lead=_joined(values.get("lead")), responsible=_joined(values.get("responsible")),
            cooperating=_joined(values.get("cooperating")),
            due=_latest_due(_single(values.get("adjusted_due")) or _single(values.get("due"))),
            reporting=_single(values.get("reporting")), leader=_single(values.get("leader")) or group_leader,
            note=_single(values.get("note")), raw="\t".join(_flat(cell) for cell in cells))
        previous_number = written_number
        table.tasks.append(previous)


def _is_group_shape(values: dict[str, list[str]], filled: list[str]) -> bool:
    """A group row by its shape: one text across the row (a merged row), a heading-numbered text with no units
    beside it (一、 （一） 第一部分), or only the group column."""
    units = values.get("lead") or values.get("responsible") or values.get("cooperating")
    if len(set(filled)) == 1 and (not units or len(filled) > 1):
        return True  # one text, alone or repeated across a merged row
    texts = [value for value in filled if not _NUMBER_ONLY.match(value)]
    if not units and len(texts) == 1 and _GROUP_NUMBER.match(texts[0]) and not values.get("due"):
        return True
    return _is_group_row(values, filled)


_NUMBER_ONLY = re.compile(r"^\d{1,3}[.．、]?$")


_HEADING_LEADER = re.compile(r"\s*[（(〔【]\s*(?:牵头|责任|分管|包抓|联系)?(?:区|县|市)?领导\s*[：:]\s*(?P<names>[^（）()〔〕【】]+?)"
                             r"\s*[）)〕】]\s*$")


def heading_leader(label: str) -> tuple[str, str | None]:
    """"一、主要经济社会发展指标…等工作目标（牵头领导：成坤、柯相国、王俊）" → the heading without its bracket, and
    the leaders it names (kept as the 分管领导 of the items under it)."""
    found = _HEADING_LEADER.search(label or "")
    if not found or found.start() == 0:
        return label, None
    return label[: found.start()].strip(), found.group("names").strip()


def _strip_count(label: str) -> str:
    """"一、县示范区管委会牵头工作（8项）" keeps its words; the item count in brackets goes."""
    return re.sub(r"\s*[（(]\s*\d+\s*项\s*[）)]\s*$", "", label).strip()


def _continues(previous: TableTask, previous_number: str | None, number: str | None, task_cell: str,
               measures: str) -> bool:
    """A row that goes on with the task above: the same 序号 (merged down), or no 序号 and no task name of its
    own while the task above has one (several 主要内容 rows under one 项目名称)."""
    if number and previous_number and number == previous_number:
        return True
    return not number and previous_number is not None and not task_cell and bool(measures)


def _merge_into(task: TableTask, task_cell: str, measures: str, values: dict[str, list[str]]) -> None:
    extra = [_body(part) for part in (task_cell, measures) if part and _body(part) not in task.text]
    if extra:
        task.text = "\n".join([task.text, *extra]).strip()
    named = {*task.lead, *task.responsible, *task.cooperating}
    for kind in ("lead", "responsible", "cooperating"):
        for cell in _joined(values.get(kind)):
            if cell not in named:  # a unit already on the task (建设局 on two of its rows) is named once
                getattr(task, kind).append(cell)
                named.add(cell)
    later = _latest_due(_single(values.get("adjusted_due")) or _single(values.get("due")))
    if later and (not task.due or _due_order(later) > _due_order(task.due)):
        task.due = later


_DOTTED_MONTH = re.compile(r"(?<![\d.．])(\d{4})\s*[.．]\s*(\d{1,2})(?![\d.．])")
_DUE_EXPRESSION = re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*日|底|末|上旬|中旬|下旬)?(?:前|以前)?")


def _latest_due(hint: str | None) -> str | None:
    """A 完成时间 cell as a due hint: "2021.8" is 2021年8月; a cell listing its stages' dates ("1.2021年8月
    2.2021年12月") is due at the latest of them."""
    if not hint:
        return hint
    text = _DOTTED_MONTH.sub(lambda m: f"{m.group(1)}年{int(m.group(2))}月", hint)
    found = [m.group(0) for m in _DUE_EXPRESSION.finditer(text)]
    if len(found) > 1:
        return max(found, key=_due_order)
    return found[0] if found and text != hint else text


def _due_order(hint: str) -> tuple[int, int]:
    year = re.search(r"(\d{4})\s*年", hint)
    month = re.search(r"(\d{1,2})\s*月", hint)
    return (int(year.group(1)) if year else 0, int(month.group(1)) if month else 12)


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
    heading_number = re.match(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]", _flat(task_cell))
    if heading_number:
        return f"（{heading_number.group(1)}）"
    written = _ITEM_NUMBER.match(_flat(task_cell))
    if written:
        digits = re.sub(r"[^\d.]", "", written.group(0).replace("．", ".")).strip(".")
        if digits:
            return digits
    return str(counter)


def _strip_number(text: str) -> str:
    return _ITEM_NUMBER.sub("", _GROUP_NUMBER.sub("", text, count=1), count=1).strip()


_MARKS = re.compile(r"^[\s★☆▲△●○◆◇■□※√]+")


def strip_marks(text: str) -> str:
    """"★地区生产总值增长15%" → "地区生产总值增长15%": marks that flag key tasks are not part of their names."""
    return _MARKS.sub("", text)


def _title(cell: str) -> str:
    """The task column is the task's name; a long sentence is cut at its first full stop."""
    first = strip_marks(cell.replace(CELL_BREAK, "\n")).split("\n")
    head = _strip_number(first[0].strip()) if first else ""
    if len(first) > 1 and len(head) <= 40 and not re.search(r"[。；;]$", head):
        title = head
    else:
        title = _strip_number(strip_marks(_flat(cell)))
    inner = re.search(r"[。；;！？]", title.rstrip("。；;！？ "))
    if inner and inner.start() > 0:
        title = title[: inner.start()]
    if len(title) > 40:
        # a long sentence is named by its first clause, as in prose (up to 60 characters)
        comma = re.search(r"[，,]", title)
        if comma and 0 < comma.start() <= 60:
            title = title[: comma.start()]
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
