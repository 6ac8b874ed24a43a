"""List import (清单导入): a coordinator uploads the year's list of items as .xlsx, one item a row, and each
row becomes an item of the flow, assigned (交办) to its units.

Rules decided here:
- the header row is found among the first rows by its names: 案号/编号, 标题/案由, 提案人/领衔人/代表,
  界别/代表团, 主办单位, 协办单位/会办单位, 分办单位, 交办日期, and optionally 届次会议, 类别, 要点, 联系方式;
  the session (届次会议) and the kind (政协提案/人大建议) chosen on the page apply where the sheet has none;
- unit names are matched against the unit register and its aliases (单位别名); an unknown unit refuses the row
  with its name, so the coordinator adds the unit or an alias and uploads again;
- a row whose item is already registered (same session and number) or repeated in the file is refused: the
  import never duplicates an item;
- every row is checked before anything is written; when a row is refused nothing is written, unless the
  coordinator chose to import the valid rows only;
- 交办日期 left empty means the day of the import; each unit gets its receipt (签收/退回) as on the page.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.common.errors import ValidationFailed
from tracker.common.plain_text import clean_text
from tracker.extensions import db
from tracker.proposals import handling
from tracker.proposals.models import Proposal, ProposalKind, ProposalState
from tracker.imports.drafts import check_open_draft
from tracker.imports.models import DraftKind, ImportDraft
from tracker.proposals.services import import_reply, normalise_number, save_proposal

MAX_ROWS = 2000
HEADER_SCAN_ROWS = 6
COLUMNS = {
    "number": ("案号", "编号", "提案号", "建议号", "提案编号", "建议编号", "案号编号"),
    "title": ("标题", "案由", "提案标题", "建议标题", "题目", "提案名称", "建议名称"),
    "proposers": ("提案人", "领衔人", "领衔代表", "领衔委员", "提出人", "代表", "委员", "提案者", "建议人"),
    "group": ("界别", "代表团", "所属界别", "所属代表团", "界别/代表团"),
    "contact": ("联系方式", "联系电话"),
    "main": ("主办单位", "主办", "承办单位"),
    "co": ("协办单位", "会办单位", "协办", "会办"),
    "split": ("分办单位", "分办"),
    "assigned": ("交办日期", "交办时间"),
    "meeting": ("届次会议", "届次", "会议"),
    "kind": ("类别", "类型"),
    "points": ("要点", "建议要点", "提案要点", "主要建议"),
}
KIND_WORDS = {"政协提案": ProposalKind.cppcc, "提案": ProposalKind.cppcc, "人大建议": ProposalKind.npc,
              "建议": ProposalKind.npc, "人大代表建议": ProposalKind.npc}
_SPLIT = re.compile(r"[、，,；;／/\n]+")
_TRAILING_WORD = re.compile(r"(?:等)?\d*(?:位)?(?:委员|代表)$")


@dataclass
class RowResult:
    row: int  # the row number in the sheet
    label: str  # 第0101号
    title: str
    accepted: bool
    message: str


@dataclass
class ListImport:
    rows: list[RowResult] = field(default_factory=list)
    written: int = 0  # items created
    created_ids: list[int] = field(default_factory=list)

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if not row.accepted]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def _key(header: str) -> str | None:
    text = re.sub(r"\s+", "", header or "")
    for key, names in COLUMNS.items():
        if text in names:
            return key
    return None


def parse_day(text: str) -> date | None:
    """2026-03-20, 2026/3/20, 2026.3.20 or 2026年3月20日; None for an empty cell; refuses anything else."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValidationFailed(_("交办日期“%(value)s”不是有效日期（如2026-03-20）。", value=text))


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The filled rows of the first sheet as {column key: text}, with their row numbers."""
    from tracker.imports.documents import DocumentError, extract_text
    from tracker.imports.drafts import _pick

    try:
        extract_text("list.xlsx", data)  # the checks of every upload: not empty, a real workbook, no bomb
    except DocumentError as error:
        raise ValidationFailed(_pick(error)) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises many unrelated types on malformed parts
        raise ValidationFailed(_("无法读取该Excel文件。")) from error
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + HEADER_SCAN_ROWS))
    finally:
        book.close()
    for index, values in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [_key(_cell(value)) for value in values]
        if "number" in keys and "title" in keys:
            header_index = index
            break
    else:
        raise ValidationFailed(_("表格中没有找到表头：须有“案号”（或“编号”）和“标题”（或“案由”）两列。"))
    if "main" not in keys and "split" not in keys:
        raise ValidationFailed(_("表格中没有“主办单位”（或“分办单位”）列。"))
    read = []
    for number, values in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells: dict[str, str] = {}
        for key, value in zip(keys, values):
            if key and _cell(value) and key not in cells:
                cells[key] = _cell(value)
        if cells:
            read.append((number, cells))
    if not read:
        raise ValidationFailed(_("表格中没有任何一行数据。"))
    if len(read) > MAX_ROWS:
        raise ValidationFailed(_("一次最多导入%(n)d行。", n=MAX_ROWS))
    return read


def _names(text: str) -> list[str]:
    return [piece.strip() for piece in _SPLIT.split(text or "") if piece.strip()]


def names_from_text(text: str) -> list[str]:
    """"池洪、卢薪、曹卫东等委员" → [池洪, 卢薪, 曹卫东]; "郁芳委员" → [郁芳]."""
    return [_TRAILING_WORD.sub("", name).strip() or name for name in _names(text)]


def register_reply_people(actor, proposal: Proposal) -> None:
    """An item made or completed from a reply document has its proposers as people (so each can rate):
    the names the reply is addressed to, when the item has none yet."""
    if proposal.people or not (proposal.proposers or "").strip():
        return
    names = list(dict.fromkeys(names_from_text(proposal.proposers)))
    if names and all(len(name) <= 60 for name in names):
        handling.set_proposers(actor, proposal, [{"name": name} for name in names])


def apply_reply_draft(actor, draft: ImportDraft, edited: dict | None, today: date,
                      expected_version: int | None = None) -> Proposal:
    """A reply draft (提案答复) applied: fills a new item, or the matching one (same meeting and number)
    (``services.import_reply``, which resolves the draft's unit names with the drafts' own rules)."""
    check_open_draft(draft, expected_version)
    if draft.kind != DraftKind.proposal_reply:
        raise ValidationFailed(_("该草稿不是提案答复导入。"))
    return import_reply(actor, draft, edited, today=today)


def apply_reply(actor, draft, edited: dict | None, today: date, expected_version: int | None = None) -> Proposal:
    """A reply draft applied (``apply_reply_draft``: a new item, or the registered one of the same meeting and
    number completed), then its addressees registered as its proposers when it has none."""
    proposal = apply_reply_draft(actor, draft, edited, today, expected_version)
    register_reply_people(actor, proposal)
    return proposal


def _people(cells: dict[str, str]) -> list[dict]:
    names = names_from_text(cells.get("proposers", ""))
    groups = _names(cells.get("group", ""))
    contacts = _names(cells.get("contact", ""))

    def nth(values: list[str], index: int, shared: bool) -> str:
        if len(values) == len(names):
            return values[index]
        if len(values) == 1 and (shared or index == 0):  # one 界别 for all; one contact for the lead
            return values[0]
        return ""

    return [{"name": name, "group": nth(groups, i, True), "contact": nth(contacts, i, False)}
            for i, name in enumerate(names)]


@dataclass
class _Checked:
    meeting: str
    number: str
    title: str
    kind: ProposalKind
    people: list[dict]
    points: str
    assigned_on: date
    main_unit_id: int | None
    co_unit_ids: list[int]
    split_unit_ids: list[int]


def _check(cells: dict[str, str], *, meeting: str, kind: ProposalKind, today: date, index, seen: set) -> _Checked:
    meeting = cells.get("meeting") or meeting
    number = normalise_number(cells.get("number", ""))
    title = cells.get("title", "")
    if not meeting:
        raise ValidationFailed(_("缺少届次会议：请在页面上填写或在表格中加“届次会议”列。"))
    if not number or not title:
        raise ValidationFailed(_("缺少案号或标题。"))
    if len(meeting) > 100 or len(number) > 40 or len(title) > 300:
        raise ValidationFailed(_("届次会议、案号或标题过长。"))
    if cells.get("kind"):
        if cells["kind"] not in KIND_WORDS:
            raise ValidationFailed(_("类别“%(value)s”须为政协提案或人大建议。", value=cells["kind"]))
        kind = KIND_WORDS[cells["kind"]]
    if (meeting, number) in seen:
        raise ValidationFailed(_("%(label)s在表格中重复。", label=meeting + number))
    if db.session.scalar(select(Proposal.id).where(Proposal.meeting == meeting, Proposal.number == number)):
        raise ValidationFailed(_("%(label)s已登记，未重复导入。", label=meeting + number))
    unknown: list[str] = []

    def units(text: str) -> list[int]:
        found = []
        for name in _names(text):
            unit_id = index.match(name)
            if unit_id is None:
                unknown.append(name)
            elif unit_id not in found:
                found.append(unit_id)
        return found

    main, co, split = units(cells.get("main", "")), units(cells.get("co", "")), units(cells.get("split", ""))
    if unknown:
        raise ValidationFailed(_("单位库中没有“%(names)s”：请在单位管理中添加该单位或别名后重新导入。",
                                 names="”“".join(unknown)))
    if split and (main or co):
        raise ValidationFailed(_("分办时不设主办和协办单位。"))
    if not split and len(main) != 1:
        raise ValidationFailed(_("主办单位须填写且只填一个（几个单位各自答复的，请填在“分办单位”列）。"))
    if split and len(split) < 2:
        raise ValidationFailed(_("分办须填写至少两个单位。"))
    if main and main[0] in co:
        raise ValidationFailed(_("主办单位不能同时作为会办单位。"))
    people = _people(cells)
    if not people:
        raise ValidationFailed(_("请填写提案人。"))
    if len({p["name"] for p in people}) != len(people):
        raise ValidationFailed(_("同一提案人不能重复填写。"))
    if any(len(p["name"]) > 60 or len(p["group"]) > 100 or len(p["contact"]) > 100 for p in people):
        raise ValidationFailed(_("提案人姓名、界别或联系方式过长。"))
    points = "\n".join(line.strip() for line in re.split(r"[\n；;]+", cells.get("points", "")) if line.strip())
    if len(points.splitlines()) > 30 or any(len(line) > 500 for line in points.splitlines()):
        raise ValidationFailed(_("建议要点每条不超过500字，最多30条。"))
    assigned_on = parse_day(cells.get("assigned", "")) or today
    if assigned_on > today:
        raise ValidationFailed(_("交办日期不能晚于今天。"))
    seen.add((meeting, number))
    return _Checked(meeting, number, title, kind, people, points, assigned_on, main[0] if main else None, co, split)


def _write(actor, item: _Checked) -> Proposal:
    proposal = save_proposal(actor, None, meeting=item.meeting, number=item.number, title=item.title,
                             main_unit_id=item.main_unit_id or item.split_unit_ids[0], assigned_on=item.assigned_on,
                             state=ProposalState.assigned, kind=item.kind)
    db.session.flush()
    handling.set_proposers(actor, proposal, item.people)
    if item.points:
        handling.set_points(actor, proposal, item.points)
    if item.split_unit_ids:
        handling.assign(actor, proposal, today=item.assigned_on, split_unit_ids=item.split_unit_ids)
    else:
        handling.assign(actor, proposal, today=item.assigned_on, main_unit_id=item.main_unit_id,
                        co_unit_ids=item.co_unit_ids)
    return proposal


def import_list(actor, data: bytes, *, meeting: str = "", kind: ProposalKind | str = ProposalKind.cppcc,
                today: date, valid_rows_only: bool = False) -> ListImport:
    """Each row of the list → an item of the flow, assigned to its units. Every row is checked first; a
    refused row means nothing is written unless ``valid_rows_only``."""
    from tracker.imports.drafts import UnitIndex

    try:
        kind = ProposalKind(kind)
    except ValueError:
        raise ValidationFailed(_("类别须为政协提案或人大建议。")) from None
    meeting = clean_text(meeting or "").strip()
    rows = read_rows(data)
    index, seen = UnitIndex(), set()
    result, checked = ListImport(), []
    for number, cells in rows:
        label, title = normalise_number(cells.get("number", "")), cells.get("title", "")[:100]
        try:
            item = _check(cells, meeting=meeting, kind=kind, today=today, index=index, seen=seen)
        except ValidationFailed as error:
            result.rows.append(RowResult(number, label, title, False, error.message))
            continue
        checked.append(item)
        result.rows.append(RowResult(number, label, title, True, _("可以导入。")))
    if result.refused and not valid_rows_only:
        return result  # nothing written
    for item in checked:
        proposal = _write(actor, item)
        result.created_ids.append(proposal.id)
    for row in result.rows:
        if row.accepted:
            row.message = _("已登记并交办。")
    result.written = len(checked)
    return result


TEMPLATE_HEADERS = (("案号", 10), ("标题", 40), ("提案人", 22), ("界别", 14), ("联系方式", 16), ("主办单位", 16),
                    ("协办单位", 22), ("分办单位", 18), ("交办日期", 12), ("要点", 40))


def template_xlsx() -> bytes:
    """The blank list (提案/建议交办清单) with the headers the import reads."""
    from openpyxl.styles import Font

    from tracker.common.export_text import write_cell
    from tracker.common.office_files import xlsx_bytes

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交办清单"
    for column, (header, width) in enumerate(TEMPLATE_HEADERS, start=1):
        cell = write_cell(sheet, 1, column, header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    notes = book.create_sheet("填表说明")
    for row, line in enumerate((
            "每件一行。提案人可填多位，用顿号分隔，第一位为领衔人；界别（代表团）可填一个或与提案人一一对应。",
            "主办单位只填一个，协办单位可填多个；几个单位各自答复的（分办），填在“分办单位”列，主办、协办留空。",
            "单位名称须与单位库中的名称、简称或别名一致。交办日期留空为导入当天。要点每行一条（或用分号分隔）。",
            "届次会议和类别在导入页面上选择；表格中有“届次会议”“类别”列的，以表格为准。"), start=1):
        write_cell(notes, row, 1, line)
    notes.column_dimensions["A"].width = 110
    return xlsx_bytes(book)
