"""Turn the text of a government action plan (行动方案/工作要点/任务分解) into a reviewable draft.

The draft is never authoritative: the user reviews it before anything is created.
So the parser prefers to keep every paragraph somewhere visible (`sections` or
`unplaced`) over guessing, and `reader.parse_plan` never raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from tracker.imports.tables import SHEET_MARK, SplitText, split_tables, strip_marks
from tracker.imports.documents import (
    CJK,
    GROUP_HEADING,
    ITEM_NUMBER,
    LABEL_LINE,
    PART_HEADING,
    chinese_number,
    clean_paragraphs,
    find_date,
    find_doc_number,
    is_date_line,
    is_doc_number_line,
)

logger = logging.getLogger(__name__)

# "tasks" sections only mark where a task part starts: its content lives in groups and tasks.
SECTION_KINDS = ("notice", "header", "preamble", "goals", "principles", "tasks", "intro", "safeguards", "other", "footer")


# --------------------------------------------------------------------------- draft model


@dataclass
class GroupDraft:
    number: str  # full-width, e.g. "（一）"
    title: str
    text: str = ""  # prose under the heading that belongs to no task


@dataclass
class AssignmentDraft:
    lead_unit: str | None
    cooperating_units: list[str]
    source: str  # "lines" | "bracket"
    raw: str


@dataclass
class SubItemDraft:
    number: str
    text: str


@dataclass
class MilestoneDraft:
    """A milestone (节点) of a task, created with it as its sub-task: one quarter's line of a one-task form."""

    label: str  # the quarter as written ("第一季度工作进展")
    title: str
    due_hint: str  # "第一季度": the quarter's last day in the plan's year


@dataclass
class TaskDraft:
    number: str
    title: str
    text: str
    group_index: int | None = None
    subitems: list[SubItemDraft] = field(default_factory=list)
    assignment: AssignmentDraft | None = None
    suggested_units: list[str] = field(default_factory=list)
    due_hint: str | None = None
    reporting_hint: str | None = None  # a table's 报送要求 cell
    leader: str | None = None  # 责任领导/牵头领导 as written: kept in the draft for the reviewer (tasks have no such field)
    from_goals: bool = False  # written under a targets heading with its own assignment: also an indicator
    item_style: str | None = None  # how a prose item was numbered ("dotted", "paren", "paren-cn"…), for 逐项识别方式
    milestones: list[MilestoneDraft] = field(default_factory=list)  # 节点 per quarter (a one-task form)


@dataclass
class TargetDraft:
    name: str
    value: float
    unit: str
    comparator: str  # "≥" | "=" | "≤"
    year: int | None
    source: str
    task_number: str | None = None  # the task the target was written as (a numbered item with its own units)
    lead_unit: str | None = None  # that task's lead unit, who reports the indicator


@dataclass
class ReportingRule:
    cycle: str  # "monthly" | "quarterly"
    day: int | None
    month_in_quarter: int | None
    source: str


@dataclass
class SectionDraft:
    kind: str
    title: str | None
    paragraphs: list[str]


@dataclass
class PlanDraft:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    groups: list[GroupDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)
    targets: list[TargetDraft] = field(default_factory=list)
    reporting: ReportingRule | None = None
    tables: list[dict] = field(default_factory=list)  # each table's columns as read, for the column-mapping step
    # prose: what marks an item and what marks its units, as guessed or chosen (逐项识别方式), see ``prose_reading``
    prose: dict | None = None
    sections: list[SectionDraft] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))


def jsonable(value: Any) -> Any:
    """Dates become ISO strings so the draft can go into JSON (session, API, audit log)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


# --------------------------------------------------------------------------- entry point


def read_plan(text: str, mappings: dict[str, list[str]] | None = None) -> PlanDraft:
    """The parser proper for plans with items (a one-task form is read by ``task_form``); ``reader.parse_plan``
    wraps both with a safety net."""
    from tracker.imports.tables import describe_tables
    split = split_tables(text, mappings)
    if split.tables:
        draft = _read_table_plan(split)
    else:
        # Rows of a table whose columns could not be told are shown in the column-mapping step, never read as
        # prose (each row's figures would become stray targets named "2\t新建…").
        lines = [line for line in text.split("\n") if not SHEET_MARK.match(line.strip())
                 and not (split.candidates and "\t" in line)]
        paragraphs = clean_paragraphs(unflatten("\n".join(lines)))
        draft = _read_prose_plan(paragraphs)
        signature = prose_signature(draft)
        chosen = (mappings or {}).get(signature or "prose:")  # "prose:": a choice for an untitled text, once
        if chosen and len(chosen) == 2 and tuple(chosen) != (AUTO, AUTO):
            draft = _read_prose_plan(paragraphs, ProseOptions(*chosen))
        draft.prose = prose_reading(draft, signature, ProseOptions(*chosen) if chosen and len(chosen) == 2 else None)
    draft.tables = describe_tables(split)
    return draft


AUTO = "auto"
ITEM_MARKS = ("auto", "numbers", "headings")  # what marks an item: 1./（1） numbers, or the （一） headings
UNIT_MARKS = ("auto", "lines", "bracket", "none")  # what marks its units: label lines, a closing bracket, nothing


@dataclass(frozen=True)
class ProseOptions:
    """逐项识别方式 chosen on the review screen: ``items`` — "numbers" (1. （1） are the tasks, （一） groups),
    "headings" (the （一） headings are the tasks, numbers under them their steps); ``units`` — "lines" (only
    责任单位：… lines), "bracket" (only a bracket closing the item), "none" (no units read); "auto" lets the
    reader decide."""

    items: str = AUTO
    units: str = AUTO


def prose_signature(draft: PlanDraft) -> str | None:
    """A prose document's family, for remembering its 逐项识别方式: its issuer and its title without the figures
    (next year's plan of the same office has the same), None without a title."""
    if not draft.title:
        return None
    title = re.sub(r"[\d〇零一二三四五六七八九十]+\s*年", "", _title_key(draft.title))
    return f"prose:{draft.issuer or ''}|{title}"[:1000]


def prose_reading(draft: PlanDraft, signature: str | None, chosen: ProseOptions | None) -> dict:
    """What the review screen shows of a prose reading: the reader's guess of what marks an item and its units
    (from the tasks it found), and what was chosen (remembered for the document's family)."""
    styles = [task.item_style for task in draft.tasks if task.item_style]
    sources = [task.assignment.source for task in draft.tasks if task.assignment]
    items = "headings" if styles and styles.count("paren-cn") * 2 > len(styles) else "numbers"
    units = max(("lines", "bracket"), key=sources.count) if sources else "none"
    return {"signature": signature, "items": items, "units": units,
            "chosen_items": chosen.items if chosen else AUTO, "chosen_units": chosen.units if chosen else AUTO}


def _read_prose_plan(paragraphs: list[str], options: ProseOptions = ProseOptions(), *,
                     tasks_wanted: bool = True) -> PlanDraft:
    draft = PlanDraft()
    notice_end = cover_notice_end(paragraphs)
    notice, paragraphs = paragraphs[:notice_end], paragraphs[notice_end:]
    if notice:
        _read_header(draft, notice)
        if not any(_NOTICE.match(p) for p in notice):
            draft.title = None  # a notice that lost its title line names no plan: the plan's own title does
        draft.sections.append(SectionDraft("notice", None, notice))
    body_start = _first_structure_index(paragraphs)
    header_end = _header_end(paragraphs[:body_start])
    footer = _footer_indexes(paragraphs, header_end)
    _read_header(draft, paragraphs[:header_end])
    if not draft.doc_number:
        # A 文号 written just below the title (task tables, internal plans) still names the plan.
        draft.doc_number = next((find_doc_number(p) for p in paragraphs[:header_end + 2] if is_doc_number_line(p)),
                                None)
    if header_end:
        draft.sections.append(SectionDraft("header", None, paragraphs[:header_end]))
    preamble = [p for i, p in enumerate(paragraphs[header_end:body_start], header_end) if i not in footer]
    if preamble:
        draft.sections.append(SectionDraft("preamble", None, preamble))
    body = [p for i, p in enumerate(paragraphs[body_start:], body_start) if i not in footer]
    for part in _split_parts(body):
        _read_part(draft, part, options)
    if footer:
        closing = [paragraphs[i] for i in sorted(footer)]
        draft.sections.append(SectionDraft("footer", None, closing))
        _read_signature(draft, closing)
    _read_period(draft)
    if draft.period_end is None:
        _period_from_text(draft, notice + paragraphs[:body_start])
    _read_targets(draft)
    draft.reporting = find_reporting_rule(notice + paragraphs)
    _add_warnings(draft)
    return draft


# --------------------------------------------------------------------------- cover notice

_NOTICE_LINE = re.compile(r"关于.{2,80}的通知$")
_SIGN_OFF = re.compile(r"特此通知[。.]?$")


def _title_key(text: str) -> str:
    return re.sub(r"[\s（）()〔〕\[\]［］【】《》“”\"']", "", text or "")


def cover_notice_end(paragraphs: list[str]) -> int:
    """Where the plan begins after a cover notice (印发通知) whose own 一、二、三 are about implementing and
    reporting: at the plan's title written again, else after the notice's signature and date; 0 if none."""
    start = next((i for i, p in enumerate(paragraphs[:8]) if _NOTICE_LINE.search(p) and len(p) <= 120), None)
    if start is None:
        return _attachment_start(paragraphs)
    end = _notice_body_start(paragraphs, start)
    # A notice without numbered paragraphs of its own is read as the plan's header, as before.
    if end and any(_part_heading(p) or GROUP_HEADING.match(p) for p in paragraphs[start + 1:end]):
        return end
    return 0


_ATTACHMENT_MARK = re.compile(r"^附件\s*\d{0,2}$")
_SENDS_ON = re.compile(r"印发给你们|印发你们|现印发|予以印发")


def _attachment_start(paragraphs: list[str]) -> int:
    """A copy that lost the notice's title ("各乡、镇人民政府…：经县政府同意，现将…印发给你们。一、…") still ends its
    notice with the signature and date, then "附件1" alone on a line and the plan's title: the plan begins after
    that mark when the text before it sends the plan on (印发) and has numbered paragraphs of its own; else 0."""
    for index, paragraph in enumerate(paragraphs):
        if not _ATTACHMENT_MARK.match(paragraph) or index + 1 >= len(paragraphs):
            continue
        before = paragraphs[:index]
        signed = any(is_date_line(p) for p in before[-3:])
        if signed and any(_SENDS_ON.search(p) for p in before[:4]) and any(_part_heading(p) for p in before):
            return index + 1
        return 0
    return 0


def _notice_body_start(paragraphs: list[str], start: int) -> int:
    notice = _NOTICE.match(paragraphs[start])
    if notice:
        key = _title_key(notice.group("title"))
        for index in range(start + 1, len(paragraphs)):
            if _title_key(paragraphs[index]) == key:
                return index
    for index in range(start + 1, len(paragraphs)):
        if _SIGN_OFF.search(paragraphs[index]):
            end = index + 1
            while end < len(paragraphs) and (_is_org_line(paragraphs[end]) or is_date_line(paragraphs[end])
                                             or re.match(r"^[（(]此件.{0,12}[）)]$", paragraphs[end])):
                end += 1
            return end if end < len(paragraphs) else 0
    return 0


# --------------------------------------------------------------------------- task tables


_LEDGER_SUFFIX = re.compile(r"(任务台账| task ledger)$")  # the ledger export's title: the plan's own + 任务台账
_TABLE_SUFFIX = re.compile(r"(?P<tasks>(?:重点)?(?:工作)?任务)?(?P<table>分解表|分工表|清单|一览表|分解)$|责任分工表$")
_DOCUMENT_END = re.compile(r"(方案|计划|意见|要点|规划|措施|办法|通知|》)$")


def clean_table_title(title: str | None) -> str | None:
    """The plan's title from a task table's title row: the ledger's "任务台账" goes, and so does the word
    for the table ("青浦区2026年××行动方案任务分解表" → "青浦区2026年××行动方案"; "…城市更新重点任务清单" →
    "…城市更新重点任务"): the table is how the plan was sent, not its name."""
    title = (title or "").strip()
    if _LEDGER_SUFFIX.search(title):
        return _LEDGER_SUFFIX.sub("", title).strip() or None
    match = _TABLE_SUFFIX.search(title)
    if match and match.group("table") == "清单" and not match.group("tasks"):
        match = None  # "…重点工作及责任清单", "…负面清单": the list is the document itself, not a table of its tasks
    if match:
        before = title[:match.start()].rstrip("的之 ")
        if before and match.group("tasks") and not _DOCUMENT_END.search(before):
            before += match.group("tasks")  # "重点任务" names what the plan is about
        title = before
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1]
    return title.strip() or None


def _read_table_plan(split: SplitText) -> PlanDraft:
    """Tasks come from the tables; the text around them (title, cover notice) gives the plan's details only."""
    prose = clean_paragraphs("\n".join(split.prose_before + split.prose_after))
    draft = _read_prose_plan(prose)
    if draft.tasks:
        # Numbered paragraphs beside a task table belong to the notice that sends it, never tasks of their own.
        draft.sections.append(SectionDraft("other", None, [task.text for task in draft.tasks]))
    draft.groups, draft.tasks = [], []
    draft.targets = [target for target in draft.targets if target.task_number is None]
    draft.warnings = []
    headings = {table.heading for table in split.tables if table.heading}
    if draft.title in headings:  # a sheet's caption ("养老服务任务分解") above its table; the workbook's title first
        draft.title = next((line for line in clean_paragraphs("\n".join(split.prose_before))
                            if line not in headings and _is_title_line(line)), draft.title)
    if not draft.title:
        # The line just above the first table names it ("2023年区政府重点民生实事项目推进情况"); never a header row.
        heading = next((table.heading for table in split.tables if table.tasks), None)
        if heading and len(heading) <= 80 and "\t" not in heading and not re.search(r"[。；]", heading):
            draft.title = heading
            _read_period(draft)
    draft.title = clean_table_title(draft.title)
    several_sheets = len({table.sheet for table in split.tables if table.tasks}) > 1
    several_tables = len([table for table in split.tables if table.tasks]) > 1
    group_positions: dict[str, int] = {}
    for table in split.tables:
        fallback = None
        if not table.has_groups and several_sheets and table.sheet:
            fallback = table.sheet
        elif not table.has_groups and several_tables and table.heading and len(table.heading) <= 40:
            fallback = table.heading
        for row in table.tasks:
            label = row.group or fallback
            group_index = None
            if label:
                key = _title_key(label)
                if key not in group_positions:
                    number, title = _group_label(label, len(draft.groups) + 1)
                    draft.groups.append(GroupDraft(number, title))
                    group_positions[key] = len(draft.groups) - 1
                group_index = group_positions[key]
            leads = split_units("、".join(row.lead))
            responsible = split_units("、".join(row.responsible))
            cooperating = split_units("、".join(row.cooperating))
            assignment = None
            if leads or responsible or cooperating:
                written = [f"{label}：{'、'.join(units)}" for label, units in
                           (("牵头单位", leads), ("责任单位", responsible), ("配合单位", cooperating)) if units]
                assignment = _assignment(leads, responsible, cooperating, "table", "；".join(written))
            task = TaskDraft(number=row.number, title=row.title, text=row.text, group_index=group_index,
                             assignment=assignment, reporting_hint=row.reporting, leader=row.leader,
                             # an empty 完成时限 cell is "no fixed date", not the plan's end
                             due_hint=row.due if row.due is not None else "" if "due" in table.columns else None)
            if assignment is None:
                task.suggested_units = suggest_units(task.text)
            draft.tasks.append(task)
    _renumber_repeats(draft)
    _add_warnings(draft)
    return draft


def _group_label(label: str, position: int) -> tuple[str, str]:
    """"一、产业发展" or "（一）产业发展" → ("（一）", "产业发展"); unnumbered groups are numbered in order."""
    label = re.sub(r"\s+", "", label)
    match = re.match(r"^(?:第([一二三四五六七八九十]{1,3})部分|[（(]([一二三四五六七八九十]{1,3})[）)]|"
                     r"([一二三四五六七八九十]{1,3})[、.．])", label)
    if match:
        numeral = next(group for group in match.groups() if group)
        return f"（{numeral}）", label[match.end():].strip(" ：:") or label
    return f"（{_chinese_numeral(position)}）", label


def _chinese_numeral(value: int) -> str:
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _renumber_repeats(draft: PlanDraft) -> None:
    """Sheets that each number from 1: the numbers get their group's position in front (2.1, 2.2 …)."""
    numbers = [task.number for task in draft.tasks]
    if len(set(numbers)) == len(numbers):
        return
    for task in draft.tasks:
        if task.group_index is not None:
            task.number = f"{task.group_index + 1}.{task.number}"
    draft.warnings.append("各表（工作表）的序号重复，已在序号前加上所属行动的序号。")


# --------------------------------------------------------------------------- header

_PLAN_WORDS = re.compile(r"方案|计划|要点|规划|清单|意见|办法|措施|纲要|任务|安排|分工|分解|实事")
_NOTICE = re.compile(r"^(?P<issuer>.*?)\s*关于印发.*《(?P<title>[^》]+)》.*通知$")
_RED_HEADER = re.compile(r"^(?P<issuer>.{2,40}?)\s*文件$")
_ORG_SUFFIX = re.compile(r"(人民政府|政府|委员会|办公室|办公厅|领导小组|局|委|办|厅|中心|党组)$")
_FOOTER_START = re.compile(r"^(抄送|抄报|主送|分送|发送)\s*[：:]|^[（(]此件.{0,12}[）)]$")


def _first_structure_index(paragraphs: list[str]) -> int:
    for index, paragraph in enumerate(paragraphs):
        if _part_heading(paragraph):
            return index
    for index, paragraph in enumerate(paragraphs):
        if GROUP_HEADING.match(paragraph) or _item_number(paragraph):
            return index
    return len(paragraphs)


def _header_end(front: list[str]) -> int:
    """How many leading paragraphs are the red-header notice wrapping the plan (up to its title line)."""
    for index in range(len(front) - 1, -1, -1):
        if _is_title_line(front[index]):
            return index + 1
    end = 0
    for index, paragraph in enumerate(front):
        if _is_header_line(paragraph):
            end = index + 1
    return end


def _is_title_line(paragraph: str) -> bool:
    return (
        len(paragraph) <= 80
        and not LABEL_LINE.match(paragraph)
        and "。" not in paragraph
        and "，" not in paragraph
        and not _NOTICE.match(paragraph)
        and bool(_PLAN_WORDS.search(paragraph))
        and not paragraph.endswith("：")
    )


def _is_header_line(paragraph: str) -> bool:
    return bool(
        _RED_HEADER.match(paragraph)
        or _NOTICE.match(paragraph)
        or is_doc_number_line(paragraph)
        or is_date_line(paragraph)
        or re.search(r"特此通知|印发给你们|现将.*印发|请认真(贯彻|抓好|组织)", paragraph)
    )


def _read_header(draft: PlanDraft, header: list[str]) -> None:
    for index, paragraph in enumerate(header):
        notice = _NOTICE.match(paragraph)
        red = _RED_HEADER.match(paragraph)
        if red and not draft.issuer and _ORG_SUFFIX.search(red.group("issuer")):
            draft.issuer = red.group("issuer").strip()
        if notice:
            whole = re.search(r"关于印发\s*(?P<whole>.+?)\s*的通知$", paragraph)
            title = notice.group("title").strip()
            if whole and not whole.group("whole").startswith("《"):
                # "关于印发2023年区《政府工作报告》确定的主要目标任务责任分解方案的通知": the 《》 is only part of it
                title = whole.group("whole")
            draft.title = draft.title or title
            if not draft.issuer and _ORG_SUFFIX.search(notice.group("issuer")):
                draft.issuer = notice.group("issuer").strip()
        if not draft.doc_number and is_doc_number_line(paragraph):
            draft.doc_number = find_doc_number(paragraph)
        if not draft.issued_on and is_date_line(paragraph) and not paragraph.endswith("印发"):
            draft.issued_on = find_date(paragraph)
            if not draft.issuer and index and _is_org_line(header[index - 1]):
                draft.issuer = header[index - 1]
    if not draft.doc_number:
        draft.doc_number = next((find_doc_number(p) for p in header if find_doc_number(p)), None)
    if not draft.title:
        draft.title = next((p for p in reversed(header) if _is_title_line(p)), None)


def _is_org_line(paragraph: str) -> bool:
    return len(paragraph) <= 30 and not re.search(r"[，。；：]", paragraph) and bool(_ORG_SUFFIX.search(paragraph))


def _read_signature(draft: PlanDraft, closing: list[str]) -> None:
    """Plans without a red header are signed at the end: issuer line, then date."""
    for index, paragraph in enumerate(closing):
        if draft.issued_on or not is_date_line(paragraph) or paragraph.endswith("印发"):
            continue
        draft.issued_on = find_date(paragraph)
        if not draft.issuer and index and _is_org_line(closing[index - 1]):
            draft.issuer = closing[index - 1]


_PERIOD_RANGE = re.compile(r"(\d{4})\s*年?\s*[-—–－~～至到]\s*(\d{4})\s*年")
_PERIOD_YEAR = re.compile(r"(\d{4})\s*年")


def _read_period(draft: PlanDraft) -> None:
    title = draft.title or ""
    years = _PERIOD_RANGE.search(title)
    if years:
        first, last = int(years.group(1)), int(years.group(2))
    elif _PERIOD_YEAR.search(title):
        first = last = int(_PERIOD_YEAR.search(title).group(1))  # type: ignore[union-attr]
    else:
        draft.period_start = draft.issued_on
        return
    if not (1900 <= first <= last <= 2200):
        return
    issued = draft.issued_on
    draft.period_start = issued if issued and first <= issued.year <= last else date(first, 1, 1)
    draft.period_end = date(last, 12, 31)


_YEAR_OF_WORK = re.compile(r"(\d{4})\s*年(?:度)?(?:全市|全区|全县|市政府|区政府|县政府)?(?:\d+\s*[项件])?"
                           r"(?:重点工作|工作要点|民生实事|为民实事|民生工程|政府工作|工作任务|重点任务|目标任务|各项工作任务)")


def _period_from_text(draft: PlanDraft, paragraphs: list[str]) -> None:
    """A plan without a year in its title ("许政〔2020〕20号" sending "2020年重点工作任务"): the year its cover
    text names for the work is the plan's year."""
    for paragraph in paragraphs:
        found = _YEAR_OF_WORK.search(paragraph)
        if found and 1900 <= int(found.group(1)) <= 2200:
            year = int(found.group(1))
            draft.period_end = date(year, 12, 31)
            draft.period_start = draft.period_start or (draft.issued_on if draft.issued_on and
                                                        draft.issued_on.year == year else date(year, 1, 1))
            return


# --------------------------------------------------------------------------- footer


def _footer_indexes(paragraphs: list[str], start: int) -> set[int]:
    """抄送/印发 lines, the closing signature and its date: placed, never tasks."""
    footer: set[int] = set()
    for index in range(start, len(paragraphs)):
        paragraph = paragraphs[index]
        printed = is_date_line(paragraph) and paragraph.endswith("印发")
        if _FOOTER_START.match(paragraph) or printed:
            footer.add(index)
            if index > start and _is_org_line(paragraphs[index - 1]):
                footer.add(index - 1)
    first = min(footer, default=len(paragraphs))
    for index in range(first, len(paragraphs)):
        if _is_org_line(paragraphs[index]) or is_date_line(paragraphs[index]):
            footer.add(index)
    index = len(paragraphs) - 1
    while index >= start and (index in footer or _is_org_line(paragraphs[index]) or is_date_line(paragraphs[index])):
        footer.add(index)
        index -= 1
    return footer


# --------------------------------------------------------------------------- parts

_TASK_PART = re.compile(r"任务|重点工作|主要工作|工作内容|举措|行动|工程|项目|清单|分工|具体措施|主要措施")
_GOAL_PART = re.compile(r"目标")
_PRINCIPLE_PART = re.compile(r"总体要求|指导思想|基本原则|总体思路|工作原则|总体考虑")
_SAFEGUARD_PART = re.compile(r"保障|工作要求|组织实施|组织领导|实施步骤|进度安排|时间安排|监督|考核|评估")


@dataclass
class _Part:
    number: str | None
    title: str | None
    paragraphs: list[str]


def _part_heading(paragraph: str) -> re.Match[str] | None:
    """"一、主要目标", or "一、总体要求。以…" whose title ends at an early full stop."""
    match = PART_HEADING.match(paragraph)
    if not match:
        return None
    stop = paragraph.find("。")
    return match if (stop == -1 and len(paragraph) <= 60) or 0 <= stop <= 30 else None


def _split_parts(body: list[str]) -> list[_Part]:
    has_parts = any(_part_heading(p) for p in body)
    # Short plans sometimes use （一） for 目标/任务/保障; only then are groups the top level.
    groups_are_parts = not has_parts and any(
        _classify_title(_heading_title(p, GROUP_HEADING)) in ("goals", "principles", "safeguards")
        for p in body
        if GROUP_HEADING.match(p)
    )
    parts: list[_Part] = []
    for paragraph in body:
        if has_parts and _part_heading(paragraph):
            heading = PART_HEADING
        elif groups_are_parts and GROUP_HEADING.match(paragraph):
            heading = GROUP_HEADING
        else:
            if not parts:
                parts.append(_Part(None, None, []))
            parts[-1].paragraphs.append(paragraph)
            continue
        match = heading.match(paragraph)
        assert match is not None
        title, rest = _split_heading(paragraph[match.end() :])
        parts.append(_Part(match.group(1), title, [rest] if rest else []))
    return parts


def _heading_title(paragraph: str, heading: re.Pattern[str]) -> str:
    match = heading.match(paragraph)
    return _split_heading(paragraph[match.end() :])[0] if match else ""


def _split_heading(text: str) -> tuple[str, str]:
    """A heading line may run on into prose: "（一）加强统筹。设立…" → ("加强统筹", "设立…")."""
    text = text.strip()
    cut = re.search(r"[。：:]", text)
    if cut and cut.start() <= 40:
        return text[: cut.start()].strip(), text[cut.end() :].strip()
    return text, ""


def _classify_title(title: str | None) -> str:
    if not title:
        return "other"
    if _SAFEGUARD_PART.search(title):
        return "safeguards"
    if _GOAL_PART.search(title):
        return "goals"
    if _PRINCIPLE_PART.search(title):
        return "principles"
    if _TASK_PART.search(title):
        return "tasks"
    return "other"


def _read_part(draft: PlanDraft, part: _Part, options: ProseOptions = ProseOptions()) -> None:
    kind = _classify_title(part.title)
    has_items = any(_item_number(p) and not _INLINE_LIST.match(p) for p in part.paragraphs)
    # A numbered item with its own 牵头单位 lines is a task wherever it stands (under 主要目标 too).
    assigned = (has_items or _headings_are_items(part)) and any(_LABEL.match(p) or _assigning_bracket(p)
                                                                for p in part.paragraphs)
    if kind == "tasks" or assigned or (kind == "other" and (has_items or part.title is None and _has_groups(part))):
        if part.title is not None:
            draft.sections.append(SectionDraft("tasks" if kind != "goals" else "goals", part.title, []))
        first = len(draft.tasks)
        _TaskReader(draft, part, options).read()
        if kind == "goals":
            for task in draft.tasks[first:]:
                task.from_goals = True
    elif part.title is None and not part.paragraphs:
        return
    else:
        draft.sections.append(SectionDraft(kind, part.title, part.paragraphs))


def _assigning_bracket(paragraph: str) -> bool:
    """An item ending in a bracket that names its units ("…。(责任领导:杜新国;牵头单位:区发改局)")."""
    found = bracket_at_end(paragraph)
    return bool(found and re.search(rf"{_UNIT_LABELS}|牵头", found[1]))


def _has_groups(part: _Part) -> bool:
    return any(GROUP_HEADING.match(p) for p in part.paragraphs)


# A part title that only says "tasks" names no group of its own.
_GENERIC_PART = re.compile(r"(?:主要|重点|具体|工作|年度)*(?:工作)?(?:任务|措施|举措|工作|内容|事项)(?:分工|分解|清单|安排)?"
                           r"(?:及|和|与)?(?:责任)?(?:分工|分解)?")


def _headings_are_items(part: _Part) -> bool:
    """（一）（二） that are items, not groups: no numbered item under them, and each is followed at once by its
    own 责任单位 line ("（一）地区生产总值增长7%以上" / "责任单位：区发展和改革局")."""
    if any(_item_number(p) for p in part.paragraphs):
        return False
    positions = [i for i, p in enumerate(part.paragraphs) if GROUP_HEADING.match(p)]
    return bool(positions) and all(i + 1 < len(part.paragraphs) and _LABEL.match(part.paragraphs[i + 1])
                                   for i in positions)


# --------------------------------------------------------------------------- tasks


@dataclass
class _ItemNumber:
    style: str
    number: str
    rest: str


def _item_number(paragraph: str) -> _ItemNumber | None:
    match = ITEM_NUMBER.match(paragraph)
    if not match:
        return None
    style = next(name for name in ("dotted", "decimal", "paren", "circled") if match.group(name))
    number = match.group(style).replace("．", ".")
    if style == "paren":
        number = f"（{number}）"
    return _ItemNumber(style, number, paragraph[match.end() :].strip())


# "1、金寨县；2、金安区；3、裕安区…": numbered short names on one line are a list (a ranking), not an item.
_INLINE_LIST = re.compile(r"^\d{1,2}[、.．][^；;，,。]{1,12}[；;]\s*\d{1,2}[、.．]")


@dataclass
class _TaskInProgress:
    task: TaskDraft
    style: str
    paragraphs: list[str]
    labels: list[str] = field(default_factory=list)


class _TaskReader:
    """Walks one task part: groups, numbered items, sub-items, label lines and prose."""

    def __init__(self, draft: PlanDraft, part: _Part, options: ProseOptions = ProseOptions()) -> None:
        self.draft = draft
        self.part = part
        self.options = options
        self.group: int | None = None
        self.group_style: str | None = None
        self.current: _TaskInProgress | None = None
        self.finished: list[_TaskInProgress] = []
        self.group_prose: dict[int | None, list[str]] = {}
        self.group_labels: dict[int | None, list[str]] = {}
        self.groups_with_tasks: set[int | None] = set()

    def read(self) -> None:
        self.headings_are_items = {"headings": True, "numbers": False}.get(self.options.items,
                                                                           _headings_are_items(self.part))
        if self.part.title and not _GENERIC_PART.fullmatch(_title_key(self.part.title)) and (
                self.headings_are_items or not _has_groups(self.part)) and any(
                _item_number(p) or GROUP_HEADING.match(p) for p in self.part.paragraphs):
            # Items right under a 一、 part belong to it: the part's title is their group.
            self.draft.groups.append(GroupDraft(f"（{self.part.number}）" if self.part.number else "", self.part.title))
            self.group = len(self.draft.groups) - 1
        for paragraph in self.part.paragraphs:
            self._take(paragraph)
        self._close_task()
        self._tasks_from_bare_groups()
        part_lead = heading_lead(self.part.title)
        for progress in self.finished:
            task = _finish_task(progress, self.options.units)
            group = self.draft.groups[task.group_index] if task.group_index is not None else None
            inherited = (heading_lead(group.title) if group else None) or part_lead
            if task.assignment is None and inherited:
                task.assignment = AssignmentDraft(inherited, [], "heading", group.title if group else self.part.title)
                task.suggested_units = []
            self.draft.tasks.append(task)

    def _take(self, paragraph: str) -> None:
        group = GROUP_HEADING.match(paragraph)
        item = None if _INLINE_LIST.match(paragraph) else _item_number(paragraph)
        if group and self.headings_are_items:
            group, item = None, _ItemNumber("paren-cn", f"（{group.group(1)}）", paragraph[group.end():].strip())
        if group:
            self._open_group(group, paragraph)
        elif _LABEL.match(paragraph):
            if self.current:
                self.current.labels.append(paragraph)
            else:
                self.group_labels.setdefault(self.group, []).append(paragraph)
        elif item:
            self._take_item(item, paragraph)
        elif self.current:
            self.current.paragraphs.append(paragraph)
        else:
            self.group_prose.setdefault(self.group, []).append(paragraph)

    def _open_group(self, match: re.Match[str], paragraph: str) -> None:
        self._close_task()
        title, rest = _split_heading(paragraph[match.end() :])
        self.draft.groups.append(GroupDraft(f"（{match.group(1)}）", title))
        self.group = len(self.draft.groups) - 1
        self.group_style = None
        if rest:
            self.group_prose.setdefault(self.group, []).append(rest)

    def _take_item(self, item: _ItemNumber, paragraph: str) -> None:
        if self.group_style is None:
            self.group_style = item.style
        if item.style == self.group_style or self.current is None:
            self._close_task()
            task = TaskDraft(number=item.number, title="", text="", group_index=self.group)
            self.current = _TaskInProgress(task, item.style, [item.rest])
            self.groups_with_tasks.add(self.group)
        else:
            self.current.task.subitems.append(SubItemDraft(item.number, item.rest))
            self.current.paragraphs.append(paragraph)

    def _close_task(self) -> None:
        if self.current:
            self.finished.append(self.current)
            self.current = None

    def _tasks_from_bare_groups(self) -> None:
        """Groups without numbered items: 一是/二是 become tasks, else the group itself is one task."""
        groups = sorted({*self.group_prose, *self.group_labels}, key=lambda group: (group is None, group or 0))
        for group in groups:
            prose = self.group_prose.get(group, [])
            # Labels written under a group heading describe the whole group, so every task made from it gets them.
            labels = self.group_labels.get(group, [])
            if group in self.groups_with_tasks:
                self._keep_group_prose(group, prose)
                self.draft.unplaced.extend(labels)
                continue
            enumerated = _enumeration(" ".join(prose))
            if enumerated:
                for number, text in enumerated:
                    task = TaskDraft(number=number, title="", text="", group_index=group)
                    self.finished.append(_TaskInProgress(task, "enumeration", [text], list(labels)))
            elif group is not None and (labels or (prose and not all(_INLINE_LIST.match(p) for p in prose))):
                # (a group holding only a numbered list of names — a ranking — is no task)
                heading = self.draft.groups[group]
                task = TaskDraft(number=heading.number, title="", text="", group_index=group)
                opening = f"{heading.title}。{prose[0] if prose else ''}"
                self.finished.append(_TaskInProgress(task, "group", [opening, *prose[1:]], labels))
            else:
                self._keep_group_prose(group, prose)
                self.draft.unplaced.extend(labels)
        # Stable sort: tasks made from bare groups go back between their neighbours.
        self.finished.sort(key=lambda progress: -1 if progress.task.group_index is None else progress.task.group_index)

    def _keep_group_prose(self, group: int | None, prose: list[str]) -> None:
        if not prose:
            return
        if group is not None:
            self.draft.groups[group].text = "\n".join(prose)
        elif self.finished or self.group is not None:
            self.draft.sections.append(SectionDraft("intro", self.part.title, prose))
        else:
            # A task part in which nothing could be recognised needs a human to look at it.
            self.draft.unplaced.extend(prose)


# Units are labelled by office words (单位) or, inside one office's own plan, by its sections (科室/处室/部门).
_LEAD_LABELS = "牵头责任单位|牵头单位|主办单位|牵头部门|牵头科室|牵头处室"
_RESPONSIBLE_LABELS = "责任单位|责任部门|责任科室|责任处室"
_UNIT_LABELS = (f"{_LEAD_LABELS}|协同责任单位|{_RESPONSIBLE_LABELS}|配合单位|协同单位|参与单位|协办单位|"
                "配合部门|协同部门|配合科室|配合处室")
_LEADER_LABELS = "牵头负责领导|责任领导|牵头领导|分管领导|责任区领导|牵头区领导|牵头县领导|牵头市领导|区政府分管领导"
_DUE_LABELS = "完成时限|完成时间|时间节点|时间进度"
# Labels that name no unit but end the value before them ("责任单位:市公安局 项目责任人:王伟标").
_OTHER_LABELS = "项目责任人|具体责任人|责任人|联系人|实际完成情况|完成情况|进展情况|推进情况"
_LABEL = re.compile(rf"^(?:{_UNIT_LABELS}|{_DUE_LABELS}|{_LEADER_LABELS}|{_OTHER_LABELS})\s*[：:]")
_LABELLED_VALUE = re.compile(
    rf"(?P<label>{_UNIT_LABELS}|{_DUE_LABELS}|{_LEADER_LABELS}|{_OTHER_LABELS})\s*[：:]\s*(?P<value>.*?)\s*"
    rf"(?=[；;，,]?\s*(?:{_UNIT_LABELS}|{_DUE_LABELS}|{_LEADER_LABELS}|{_OTHER_LABELS})\s*[：:]|$)"
)


def _label_kind(label: str) -> str:
    """"lead", "responsible", "cooperating", "due", "leader" or "other" for a recognised label."""
    if re.fullmatch(_DUE_LABELS, label):
        return "due"
    if re.fullmatch(_LEADER_LABELS, label):
        return "leader"
    if re.fullmatch(_OTHER_LABELS, label):
        return "other"
    if re.fullmatch(_LEAD_LABELS, label):
        return "lead"
    if re.fullmatch(_RESPONSIBLE_LABELS, label):
        return "responsible"
    return "cooperating"


_INLINE_LABEL = re.compile(rf"\s+(?=(?:{_UNIT_LABELS}|{_LEADER_LABELS}|{_DUE_LABELS}|{_OTHER_LABELS})\s*[：:])")
_INLINE_ITEM = re.compile(r"(?:^|\s+)(\d{1,3})[.．、](?=\S)")


def unflatten(text: str) -> str:
    """A copy that turned a page's line ends into spaces holds a whole list on one line:
    "…公示。 1.轨道交通…。 牵头领导:林静国 责任单位:市轨道交通工程建设指挥部 2.新增…". Such a line is cut before
    each item number that follows a space in sequence (1, 2, 3…, at least two) and before each label that
    follows a space; a unit label's value ends at the first space after which no unit name follows (the rest,
    a table's cells glued on, goes to a line of its own). Lines without that shape are left as they are."""
    out: list[str] = []
    for line in text.split("\n"):
        expected, cuts = None, []
        for match in _INLINE_ITEM.finditer(line):
            number = int(match.group(1))
            if (expected is None and match.start() > 0 and number == 1) or (expected is not None and number == expected):
                cuts.append(match.start())
                expected = number + 1
        if len(cuts) < 2:
            out.append(line)
            continue
        for piece in (line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)])):
            for part in _INLINE_LABEL.split(piece.strip()):
                out.extend(_end_unit_value(part.strip()))
    return "\n".join(out)


def _end_unit_value(line: str) -> list[str]:
    from tracker.imports.tables import is_unit_like
    label = re.match(rf"(?:{_UNIT_LABELS})\s*[：:]", line)
    if not label:
        return [line] if line else []
    words = line[label.end():].split()
    for index in range(1, len(words)):
        if not is_unit_like(re.split(r"[、，,；;]", words[index])[0]):
            return [line[: label.end()] + " ".join(words[:index]), " ".join(words[index:])]
    return [line]


_OPENERS = {"）": "（", ")": "(", "〕": "〔", "】": "【", "]": "["}
_ASSIGNMENT_WORDS = re.compile(rf"{_UNIT_LABELS}|{_LEADER_LABELS}|牵头|负责|配合|参与|协同")


def bracket_at_end(text: str) -> tuple[int, str] | None:
    """The bracket closing an item, of any kind ( ) （ ） 〔 〕 【 】, with brackets nested inside it
    ("…（责任单位：各县(市、区)人民政府）"): (where it opens, what it holds), or None."""
    stripped = text.rstrip()
    while stripped and stripped[-1] in "。.；;，,":
        stripped = stripped[:-1].rstrip()
    if not stripped or stripped[-1] not in _OPENERS:
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if char in _OPENERS:
            depth += 1
        elif char in "（(〔【[":
            depth -= 1
            if depth == 0:
                inside = stripped[index + 1:-1].strip()
                return (index, inside) if 2 <= len(inside) <= 400 else None
    return None


def _finish_task(progress: _TaskInProgress, units: str = AUTO) -> TaskDraft:
    task = progress.task
    task.item_style = progress.style
    paragraphs = [p for p in progress.paragraphs if p]
    assignment, due = _assignment_from_labels(progress.labels)
    if units in ("bracket", "none"):
        assignment = None  # the label lines are not what marks this document's units
        paragraphs += progress.labels if units == "none" else []
    if assignment is None and paragraphs and units != "none":
        assignment, paragraphs = _assignment_from_bracket(paragraphs)
    if assignment is None and paragraphs and units == AUTO:
        assignment, paragraphs = _assignment_inline(paragraphs)
    task.text = "\n".join(paragraphs).strip()
    task.title = _task_title(task.text)
    task.assignment = assignment
    task.due_hint = due
    task.leader = task.leader or _leader_in("\n".join([*progress.labels, assignment.raw if assignment else ""]))
    if not task.subitems:
        task.subitems = [SubItemDraft(n, t) for n, t in _enumeration(task.text)]
    if assignment is None:
        task.suggested_units = suggest_units(task.text)
    return task


_LEADER_VALUE = re.compile(rf"(?:{_LEADER_LABELS})\s*[：:]\s*(?P<name>[^；;，,。.)）〕】\n]+)")


def _leader_in(text: str) -> str | None:
    found = _LEADER_VALUE.search(text or "")
    return found.group("name").strip() or None if found else None


# "一、县示范区管委会牵头工作（8项）": the unit named in a heading leads the items under it that name no unit.
_HEADING_LEAD = re.compile(r"^(?P<unit>.{2,30}?)(?:牵头|负责|主抓|主办)(?:的)?(?:重点)?(?:工作|任务|事项|项目)")


def heading_lead(title: str | None) -> str | None:
    from tracker.imports.tables import is_unit_like
    found = _HEADING_LEAD.match(re.sub(r"\s*[（(]\s*\d+\s*项\s*[）)]\s*$", "", title or ""))
    if found and is_unit_like(found.group("unit")):
        return found.group("unit")
    return None


def _task_title(text: str) -> str:
    """The item's first sentence, or its first clause when that sentence is longer than 40 characters (as a
    table's task cell is named); a leading mark such as ★ (a key task) is no part of the name."""
    first_line = strip_marks(text.split("\n", 1)[0])
    cut = re.search(r"[。：:；;！？]", first_line)
    if cut and 0 < cut.start() <= 40:
        return first_line[: cut.start()].strip()
    comma = re.search(r"[，,]", first_line)
    if comma and 0 < comma.start() <= 60:
        return first_line[: comma.start()].strip()
    return first_line[:40].strip() + ("…" if len(first_line) > 40 else "")


_ENUMERATED = re.compile(r"(?:^|(?<=[。；;：:！？]))\s*([一二三四五六七八九十]{1,3})是")


def _enumeration(text: str) -> list[tuple[str, str]]:
    """Split "一是…；二是…" into numbered pieces; only consecutive runs starting at 一是 count."""
    starts = [m for m in _ENUMERATED.finditer(text)]
    expected, run = 1, []
    for match in starts:
        if chinese_number(match.group(1)) == expected:
            run.append(match)
            expected += 1
    if len(run) < 2:
        return []
    pieces = []
    for index, match in enumerate(run):
        end = run[index + 1].start() if index + 1 < len(run) else len(text)
        pieces.append((f"{match.group(1)}是", text[match.end() : end].strip().rstrip("；;，,")))
    return pieces


# --------------------------------------------------------------------------- assignments


def _assignment_from_labels(labels: list[str]) -> tuple[AssignmentDraft | None, str | None]:
    leads: list[str] = []
    responsible: list[str] = []
    cooperating: list[str] = []
    due: str | None = None
    for line in labels:
        for match in _LABELLED_VALUE.finditer(line):
            label, value = match.group("label"), match.group("value").strip("。；; ")
            kind = _label_kind(label)
            if kind == "due":
                due = due or value or None
            elif kind == "lead":
                leads += split_units(value)
            elif kind == "responsible":
                responsible += split_units(value)
            elif kind == "cooperating":
                cooperating += split_units(value)
    if not (leads or responsible or cooperating):
        return None, due
    return _assignment(leads, responsible, cooperating, "lines", "\n".join(labels)), due


def _assignment_from_bracket(paragraphs: list[str]) -> tuple[AssignmentDraft | None, list[str]]:
    last = paragraphs[-1]
    found = bracket_at_end(last)
    if not found:
        return None, paragraphs
    start, inside = found
    if _ASSIGNMENT_WORDS.search(inside):
        leads, responsible, cooperating = _read_bracket(inside)
    elif _all_units(inside):
        # "(市人社局、市财政局)": units alone in the bracket, the first leads
        leads, responsible, cooperating = [], split_units(inside), []
    else:
        return None, paragraphs
    if not (leads or responsible or cooperating):
        return None, paragraphs
    kept = last[:start].rstrip()
    if kept and kept[-1] not in "。；;！？":
        kept += "。"
    remaining = [*paragraphs[:-1], kept] if kept else paragraphs[:-1]
    return _assignment(leads, responsible, cooperating, "bracket", inside), remaining


_INLINE_ASSIGNMENT = re.compile(rf"[，,]\s*(?P<label>{_UNIT_LABELS})\s*[：:]\s*(?P<value>[^。；;：:]+?)\s*(?=[。；;]|$)")


def _assignment_inline(paragraphs: list[str]) -> tuple[AssignmentDraft | None, list[str]]:
    """A label inside the item's first sentence: "学前教育促进，牵头单位：市教体局。其中，…" — the clause names the
    units and leaves the item's words."""
    first = paragraphs[0]
    sentence_end = re.search(r"[。；;]", first)
    found = _INLINE_ASSIGNMENT.search(first[: sentence_end.end() if sentence_end else len(first)])
    if not found:
        return None, paragraphs
    assignment, _due = _assignment_from_labels([f"{found.group('label')}：{found.group('value')}"])
    if assignment is None:
        return None, paragraphs
    return assignment, [first[: found.start()] + first[found.end():], *paragraphs[1:]]


def _all_units(inside: str) -> bool:
    from tracker.imports.tables import is_unit_like
    names = split_units(inside)
    return bool(names) and all(is_unit_like(name) or name.startswith("各") for name in names)


def _read_bracket(inside: str) -> tuple[list[str], list[str], list[str]]:
    leads: list[str] = []
    responsible: list[str] = []
    cooperating: list[str] = []
    if re.search(rf"{_UNIT_LABELS}", inside):
        for match in _LABELLED_VALUE.finditer(inside):
            label, value = match.group("label"), match.group("value")
            kind = _label_kind(label)
            if kind == "lead":
                leads += split_units(value)
            elif kind == "responsible":
                responsible += split_units(value)
            elif kind == "cooperating":
                cooperating += split_units(value)
        return leads, responsible, cooperating
    for clause in _split_clauses(inside):
        clause = clause.strip()
        lead = re.fullmatch(r"(.+?)(?:共同)?牵头(?:负责)?", clause)
        helper = re.fullmatch(r"(.+?)(?:等)?(?:单位|部门)?(?:按职责分工负责|按职责负责|分工负责|按职责配合|配合|参与|协同|协助|共同负责)", clause)
        sole = re.fullmatch(r"(.+?)负责", clause)
        if lead:
            leads += split_units(lead.group(1))
        elif helper:
            cooperating += split_units(helper.group(1))
        elif sole and not leads:
            responsible += split_units(sole.group(1))
    return leads, responsible, cooperating


def _split_clauses(inside: str) -> list[str]:
    """"A牵头，B、C按职责分工负责": clauses at ；; and at commas outside brackets."""
    from tracker.imports.tables import split_outside

    return [clause for part in re.split(r"[；;]", inside) for clause in split_outside(part, "，,", "（(〔【", "）)〕】")
            if clause.strip()]


def _assignment(
    leads: list[str], responsible: list[str], cooperating: list[str], source: str, raw: str
) -> AssignmentDraft:
    marked = [unit for unit in leads + responsible + cooperating if _LEAD_MARK.search(unit)]
    leads = [_LEAD_MARK.sub("", unit) for unit in marked] + [u for u in leads if u not in marked]
    responsible = [u for u in responsible if u not in marked]
    cooperating = [u for u in cooperating if u not in marked]
    if not leads and responsible:
        leads, responsible = responsible[:1], responsible[1:]
    lead = leads[0] if leads else None
    others = _unique(u for u in leads[1:] + responsible + cooperating if u != lead)
    return AssignmentDraft(lead, others, source, raw)


_LEAD_MARK = re.compile(r"[（(]\s*牵头\s*[）)]")


_UNIT_NOTE = re.compile(r"[（(〔【][^（）()〔〕【】]*(?:下同|列第一位|排第一位|牵头单位或|汇总单位|为牵头)[^（）()〔〕【】]*[）)〕】]")
_DUTY_WORDS = re.compile(r"(?:等)?(?:有关|相关)?(?:单位|部门)?(?:按职责分工负责|按职责分工落实|按职责负责|分工负责|按职责分工|负责)$")


# A bracket after a name that says how the unit works, not which unit it is: "区教体局（区国资公司代建）",
# "南昌市政大道房地产有限公司（开发商配建学校项目）". A place or level in brackets stays: "高新园（邹区镇）",
# "各县（市、区）政府（管委会）", "各街办（新区）".
_NAME_NOTE = re.compile(r"(?<=\S)\s*[（(][^（）()]*(?:代建|配建|承建|代管|项目|负责|牵头|配合|协助|实施)[^（）()]*[）)]$")


def split_units(value: str) -> list[str]:
    """"区发改委、区科委等单位" → ["区发改委", "区科委"]. Never splits on 和/及 (they occur inside names), nor
    inside brackets ("各县(市、区)人民政府"); a note such as "(列第一位者为牵头单位，下同)" is no unit."""
    from tracker.imports.tables import _split_outside_brackets
    value = _UNIT_NOTE.sub("", value or "")
    value = re.split(r"[。.](?=.)", value, maxsplit=1)[0]  # a sentence after the list is a note, not units
    units = []
    for piece in _shared_suffix(_rejoin_levels(_split_outside_brackets(value.replace("/", "、")))):
        piece = _DUTY_WORDS.sub("", _NAME_NOTE.sub("", piece.strip(" 。.：:")))
        piece = re.sub(r"(等|等单位|等部门|等相关单位)$", "", piece).strip()
        if piece and re.search(f"[{CJK}A-Za-z]", piece) and not re.fullmatch(r"下同|以下同|同上", piece):
            units.append(piece)
    return _unique(units)


_LEVEL = re.compile(r"^(?:县|市|区|乡|镇|县区|市区|街道|开发区|园区)(?:人民)?(?:政府|管委会)?$")
_BARE_KIND = re.compile(r"^(?:有关)?(?:单位|部门|企业|机构)$")


def _rejoin_levels(pieces: list[str]) -> list[str]:
    """"各县、市、区政府" and "市直有关部门、单位" are one name each, though written with 、."""
    joined: list[str] = []
    for piece in pieces:
        bare = piece.strip()
        previous = joined[-1] if joined else ""
        if previous.startswith("各") and _LEVEL.match(bare) and _LEVEL.match(previous[1:].split("、")[-1] + "") is not None \
                and not re.search(r"(政府|管委会)$", previous):
            joined[-1] = f"{previous}、{bare}"
        elif previous and _BARE_KIND.match(bare) and re.search(r"(单位|部门|企业|机构)$", previous):
            joined[-1] = f"{previous}、{bare}"
        else:
            joined.append(piece)
    return joined


_AREA_SUFFIX = re.compile(r"(管理区|管委会|经济开发区|开发区|园区|街道办事处|街道|办事处)$")


def _shared_suffix(pieces: list[str]) -> list[str]:
    """"人民大垸、荒湖管理区": a bare place name before a short place name ending in an area word shares that
    word (人民大垸管理区, 荒湖管理区), as "各县、市、区政府" shares 政府 (that one stays whole, a collective name).
    An office's short name ("市人行") is no place name: it keeps its own."""
    from tracker.imports.tables import is_unit_like
    shared = list(pieces)
    for index in range(len(shared) - 1):
        bare, following = shared[index].strip(), shared[index + 1].strip()
        suffix = _AREA_SUFFIX.search(following)
        stem = following[: suffix.start()] if suffix else ""
        if (suffix and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", bare) and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", stem)
                and not bare.startswith(("各", "有关", "相关", "省", "市", "县", "区", "乡", "镇"))
                and not is_unit_like(bare)):
            shared[index] = bare + suffix.group(1)
    return shared


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


# --------------------------------------------------------------------------- suggested units

_DISTRICT_UNIT = re.compile(
    r"(?<![园城社范新片街景地辖老校港试郊市省县镇乡山小])区(?![域级镇内外间位块县属划])"
    r"[\u4e00-\u9fff]{1,8}?(?:委员会|办公室|委|局|办|部|中心)"
)
_TOWN = re.compile(r"(?<![各每])([\u4e00-\u9fff]{2,3})镇(?:人民政府)?")
_SUBDISTRICT = re.compile(r"([\u4e00-\u9fff]{2,4})街道")
_GROUP_COMPANY = re.compile(r"[\u4e00-\u9fff]{2,8}?集团")
_LEADING_GROUP = re.compile(r"[\u4e00-\u9fff]{2,20}?(?:领导小组|工作专班|指挥部)")
_ABBREVIATION = re.compile(
    r"(?P<full>[\u4e00-\u9fff]{2,30}?(?:办公室|委员会|领导小组|小组|中心|集团|公司|专班))[（(]简称[“\"]"
    r"(?P<short>[^”\"]{1,10})[”\"][）)]"
)
_VERB_PREFIX = re.compile(r"^(?:.*?(?:下设|设立|成立|组建|依托|会同|联合|推动|支持|鼓励|引导|发挥|通过|引进|吸引|委托|协调|由|与|和|及|将|在))")
_NOT_TOWNS = ("城镇", "乡镇", "村镇", "集镇", "小镇", "古镇", "名镇", "特色小镇")


def suggest_units(text: str) -> list[str]:
    """Unit-like names mentioned in a task: hints for the reviewer when no assignment is written."""
    found: list[tuple[int, str]] = []
    abbreviations = {m.group("full"): m for m in _ABBREVIATION.finditer(text)}
    for full, match in abbreviations.items():
        found.append((match.start(), match.group("short")))
    covered = [range(m.start(), m.end()) for m in abbreviations.values()]
    for pattern in (_DISTRICT_UNIT, _GROUP_COMPANY, _LEADING_GROUP):
        for match in pattern.finditer(text):
            if any(match.start() in span for span in covered):
                continue
            name = _strip_verb(match.group(0))
            if len(name) >= 3:
                found.append((match.start(), name))
    for match in _TOWN.finditer(text):
        name = match.group(0)
        if not any(name.endswith(word) for word in _NOT_TOWNS) and not name.startswith(("区", "各")):
            found.append((match.start(), _strip_verb(name)))
    for match in _SUBDISTRICT.finditer(text):
        if not match.group(1).startswith(("各", "镇")):
            found.append((match.start(), _strip_verb(match.group(0))))
    return _unique(name for _, name in sorted(found))


def _strip_verb(name: str) -> str:
    stripped = _VERB_PREFIX.sub("", name)
    return stripped if len(stripped) >= 3 else name


# --------------------------------------------------------------------------- targets

_COMPARATOR = (
    "不少于|不低于|不小于|不超过|不高于|不大于|超过|突破|高于|低于|达到|提高到|提高至|提升到|提升至|"
    "增长到|增长至|增加到|增加至|增至|降至|降低到|降低至|下降到|下降至|控制在|保持在|稳定在|达"
)
_UNITS = (
    "个百分点|万平方米|平方公里|平方米|万人次|人次|亿元|万元|元|万家|万人|万吨|万千瓦|千瓦|万辆|万个|万户|万套|万亩|"
    "家|个|项|%|人|件|名|所|座|条|倍|户|辆|台|套|吨|亩|场|次|篇|款|批|处|公里"
)
_TARGET = re.compile(
    rf"(?P<name>[^，。；]*?)(?P<cmp>{_COMPARATOR})?\s*(?:约)?(?P<value>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*"
    rf"(?P<unit>{_UNITS})(?P<suffix>以上|左右|以内|以下)?"
)
_AT_LEAST = ("不少于", "不低于", "不小于", "超过", "突破", "高于", "以上")
_AT_MOST = ("不超过", "不高于", "不大于", "低于", "控制在", "降至", "降低到", "降低至", "下降到", "下降至", "以内", "以下")
_YEAR_CONTEXT = re.compile(r"(?:力争|争取|确保|预计)?(?:到|至|截至|截止|在)?\s*(\d{4})\s*年(?:底|末)?(?:前)?")
_NAME_VERB = re.compile(r"^.+?(?:搭建|建设|建成|打造|培育|引进|引入|形成|实现|布局)(?=.{2,})")
_MAX_CLAUSE = 200
# Real goal paragraphs are a few hundred characters; anything huge is not a goals paragraph.
_MAX_GOALS_PARAGRAPH = 20_000


def _read_targets(draft: PlanDraft) -> None:
    default_year = draft.period_end.year if draft.period_end else None
    goals = [p for s in draft.sections if s.kind == "goals" for p in s.paragraphs]
    if not any(s.kind == "goals" for s in draft.sections):
        goals = [p for s in draft.sections if s.kind == "preamble" for p in s.paragraphs]
    for paragraph in goals:
        draft.targets += find_targets(paragraph, default_year)
    for task in draft.tasks:
        if not task.from_goals:
            continue
        found = find_targets(task.text.split("\n", 1)[0], default_year)
        if found:
            target = found[0]
            target.task_number = task.number
            target.lead_unit = task.assignment.lead_unit if task.assignment else None
            draft.targets.append(target)


def find_targets(paragraph: str, default_year: int | None = None) -> list[TargetDraft]:
    """Quantified goals in one paragraph: "到2026年，规模以上工业总产值达170亿元" → 170 亿元 (2026)."""
    targets: list[TargetDraft] = []
    year = None
    if len(paragraph) > _MAX_GOALS_PARAGRAPH:
        return targets
    paragraph = ITEM_NUMBER.sub("", paragraph.strip(), count=1)
    for sentence in re.split(r"(?<=[。；;！？])", paragraph):
        for clause in _clauses(sentence):
            clause = ITEM_NUMBER.sub("", clause, count=1)
            mentioned = _YEAR_CONTEXT.search(clause)
            if mentioned:
                year = int(mentioned.group(1))
            if len(clause) > _MAX_CLAUSE:
                continue
            target = _target_in(_YEAR_CONTEXT.sub("", clause), year or default_year)
            if target:
                targets.append(target)
    return targets


def _clauses(sentence: str) -> list[str]:
    """Split at commas and semicolons that are not inside brackets."""
    from tracker.imports.tables import split_outside

    return [clause.strip() for clause in split_outside(sentence, "，,；;。", "（(《“", "）)》”") if clause.strip()]


def _target_in(clause: str, year: int | None) -> TargetDraft | None:
    match = _TARGET.search(clause)
    if not match:
        return None
    name = _NAME_VERB.sub("", match.group("name").strip(" ，,：:")).strip()
    name = re.sub(r"^(?:力争|争取|确保|预计|全年|其中)", "", name).strip()
    name = re.sub(r"^(?:培育|建成|打造|引进|实现|形成)(?=.{2,})", "", name).strip()
    if len(name) < 2 or not re.search(f"[{CJK}]", name):
        return None
    comparator_word = match.group("suffix") or match.group("cmp") or ""
    comparator = "≥" if comparator_word in _AT_LEAST else "≤" if comparator_word in _AT_MOST else "="
    value = float(match.group("value").replace(",", ""))
    return TargetDraft(name, value, match.group("unit"), comparator, year, clause)


# --------------------------------------------------------------------------- reporting rule

_CN = "一二三四五六七八九十"
_MONTHLY = re.compile(rf"每(?:个)?月(?:的)?\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*[日号]")
_MONTH_END = re.compile(r"每(?:个)?月(?:底|末|月底|月末)")
_QUARTERLY = re.compile(
    rf"每(?:个)?季度(?:(?P<which>第[一二三123]|最后一|首)个?月(?:的)?)?\s*(?P<day>\d{{1,2}}|[{_CN}]{{1,3}})\s*[日号]"
)
_QUARTER_END = re.compile(r"每(?:个)?季度(?:末|结束前|最后一个月底)")
_REPORTING_VERB = re.compile(r"报送|上报|报告|反馈|提交|报")


def find_reporting_rule(paragraphs: list[str]) -> ReportingRule | None:
    """The progress-reporting cycle the plan asks for, e.g. "每季度最后一个月的30日前报送进展"."""
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[。；;！？])", paragraph):
            if not _REPORTING_VERB.search(sentence):
                continue
            rule = _reporting_in(sentence.strip())
            if rule:
                return rule
    return None


def _reporting_in(sentence: str) -> ReportingRule | None:
    quarterly = _QUARTERLY.search(sentence)
    if quarterly:
        which = quarterly.group("which")
        month = None if not which else 3 if which == "最后一" else 1 if which == "首" else chinese_number(which[-1])
        return ReportingRule("quarterly", _day(quarterly.group("day")), month, sentence)
    if _QUARTER_END.search(sentence):
        return ReportingRule("quarterly", None, 3, sentence)
    monthly = _MONTHLY.search(sentence)
    if monthly:
        return ReportingRule("monthly", _day(monthly.group(1)), None, sentence)
    if _MONTH_END.search(sentence):
        return ReportingRule("monthly", None, None, sentence)
    return None


def _day(text: str) -> int | None:
    day = chinese_number(text)
    return day if day and 1 <= day <= 31 else None


# --------------------------------------------------------------------------- warnings


def _add_warnings(draft: PlanDraft) -> None:
    checks = (
        (draft.title, "未识别到方案标题。"),
        (draft.tasks, "未识别到任何任务，请检查文档结构或手工录入。"),
        (draft.issued_on, "未识别到发文日期。"),
        (draft.period_end, "未能从标题识别实施期限。"),
    )
    draft.warnings += [message for present, message in checks if not present]
    if draft.unplaced:
        draft.warnings.append(f"有 {len(draft.unplaced)} 段文字未能归类，请人工核对。")
